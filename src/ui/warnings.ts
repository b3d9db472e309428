import type { LogProblem } from '../incident/read.js';
import type { Timeline } from '../report/merge.js';
import { oneLine } from '../report/sanitize.js';
import { paint } from './output.js';

/** Warnings about the input go to stderr, whatever the format: the report may be going to a file. */
export function printTimelineWarnings(timeline: Timeline): void {
  const c = paint(process.stderr);
  for (const w of timeline.warnings)
    process.stderr.write(c.yellow(`warning: ${oneLine(w.file, 400)}${w.line ? `:${w.line}` : ''}: ${oneLine(w.message, 400)}\n`));
}

/** What reading the logs found wrong, one line each; unknown event types are kept silently (forward compatible). */
export function printLogProblems(logs: { file: string; problems: LogProblem[] }[]): void {
  const c = paint(process.stderr);
  for (const log of logs) {
    for (const p of log.problems) {
      if (p.kind === 'unknown-type') continue;
      process.stderr.write(c.yellow(`warning: ${oneLine(log.file, 400)}:${p.line}: ${oneLine(p.message, 400)}\n`));
    }
  }
}
