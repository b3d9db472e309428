import type { ChalkInstance } from 'chalk';
import { spinners } from 'ora';
import type { ChecksProgress } from '../engine/responder.js';
import type { CheckResultData } from '../incident/events.js';
import { formatDuration } from '../text/duration.js';
import { statusColor } from './render.js';

const FRAMES = spinners.dots.frames;

/**
 * A spinner per running check, one line each, redrawn in place on a terminal: which checks are still
 * running, for how long, and the status of those done. Cleared when all are done, for the table.
 */
export function checkSpinners(names: string[], stream: NodeJS.WriteStream, c: ChalkInstance): ChecksProgress {
  if (!stream.isTTY) return { done: () => undefined, stop: () => undefined };
  const started = Date.now();
  const results = new Map<string, CheckResultData>();
  let frame = 0;
  let drawn = 0;
  const width = Math.max(...names.map((n) => n.length));
  // Keep within the screen: lines that scroll away cannot be redrawn.
  const room = Math.max(3, (stream.rows || 24) - 4);

  const draw = () => {
    const lines = names.map((name) => {
      const result = results.get(name);
      if (result) {
        const status = `${statusColor(result.status, c)}${' '.repeat(9 - result.status.length)}`;
        return `${status}${name.padEnd(width)} ${c.dim(formatDuration(result.durationMs, 'compact'))}`;
      }
      return `${c.cyan(FRAMES[frame % FRAMES.length]!)}${' '.repeat(8)}${name.padEnd(width)} ${c.dim(formatDuration(Date.now() - started, 'clock'))}`;
    });
    const running = names.filter((n) => !results.has(n)).length;
    const shown =
      lines.length > room ? [...lines.slice(0, room - 1), c.dim(`… ${lines.length - room + 1} more, ${running} still running`)] : lines;
    stream.write(`${drawn ? `\x1b[${drawn}F` : ''}\x1b[J${shown.join('\n')}\n`);
    drawn = shown.length;
    frame++;
  };

  stream.write('\x1b[?25l');
  draw();
  const timer = setInterval(draw, 80);
  return {
    done: (result) => {
      results.set(result.check, result);
    },
    stop: () => {
      clearInterval(timer);
      stream.write(`${drawn ? `\x1b[${drawn}F` : ''}\x1b[J\x1b[?25h`);
    },
  };
}
