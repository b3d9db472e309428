import type { ChalkInstance } from 'chalk';
import { spinners } from 'ora';
import type { CommandProgress } from '../engine/responder.js';
import type { OutputLine } from '../engine/live-lines.js';
import { formatDuration } from '../text/duration.js';
import { fitWidth } from '../text/width.js';

const FRAMES = spinners.dots.frames;
/** How many of the latest lines stay on screen under the running time. */
export const LIVE_LINES = 6;
const PREFIX = '  │ ';

/**
 * A running command at a terminal: a ticking elapsed time and, under it, the last lines it wrote, redrawn in
 * place; cleared when it ends, for the result (which keeps the tail of the output, as the log does).
 */
export function commandProgress(stream: NodeJS.WriteStream, c: ChalkInstance): CommandProgress {
  if (!stream.isTTY) return plainProgress(stream, c);
  const started = Date.now();
  const latest: OutputLine[] = [];
  let count = 0;
  let frame = 0;
  let drawn = 0;
  const draw = () => {
    // One column short of the width: a line that fills it exactly wraps on some terminals, and cannot be redrawn.
    const width = Math.max(20, (stream.columns || 80) - 1);
    const head =
      `${c.cyan(FRAMES[frame % FRAMES.length]!)} running ${c.dim(formatDuration(Date.now() - started, 'clock'))}` +
      (count > latest.length ? c.dim(` · ${count} lines`) : '');
    const lines = [
      head,
      ...latest.map((l) => c.dim(PREFIX) + (l.stream === 'stderr' ? c.yellow : (t: string) => t)(fitWidth(l.text, width - PREFIX.length))),
    ];
    stream.write(`${drawn ? `\x1b[${drawn}F` : ''}\x1b[J${lines.join('\n')}\n`);
    drawn = lines.length;
    frame++;
  };
  stream.write('\x1b[?25l');
  draw();
  const timer = setInterval(draw, 100);
  return {
    output: (line) => {
      count++;
      latest.push(line);
      if (latest.length > LIVE_LINES) latest.shift();
    },
    stop: () => {
      clearInterval(timer);
      stream.write(`${drawn ? `\x1b[${drawn}F` : ''}\x1b[J\x1b[?25h`);
      drawn = 0;
    },
  };
}

/** Not at a terminal (a script, a CI log): each line as it comes, prefixed, nothing redrawn. */
export function plainProgress(stream: NodeJS.WritableStream, c: ChalkInstance): CommandProgress & { shown: () => number } {
  let count = 0;
  return {
    output: (line) => {
      count++;
      // stdout and stderr as they interleave, as the command's own terminal would show them.
      stream.write(`${c.dim(PREFIX)}${line.text}\n`);
    },
    stop: () => undefined,
    shown: () => count,
  };
}
