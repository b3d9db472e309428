import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, UserError } from '../errors.js';
import { incidentDir } from '../incident/store.js';
import { loadTimeline } from '../report/load.js';
import type { Timeline } from '../report/merge.js';
import { computeMetrics } from '../report/metrics.js';
import { renderCsv, renderJson, renderMarkdown, renderText, type Pieces, type Report } from '../report/render.js';
import { oneLine } from '../report/sanitize.js';
import { clockFor } from '../report/time.js';
import { writePieces } from '../report/write.js';
import { paint } from '../ui/output.js';

export const FORMATS = ['text', 'md', 'json', 'csv', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export interface TimelineOptions {
  incidentDir?: string;
  format?: Format;
  out?: string;
  tz?: string;
  force?: boolean;
}

/** Warnings about the input go to stderr as well, whatever the format: the report may be going to a file. */
export function reportWarnings(timeline: Timeline): void {
  const c = paint(process.stderr);
  for (const w of timeline.warnings) process.stderr.write(c.yellow(`warning: ${oneLine(w.file, 400)}${w.line ? `:${w.line}` : ''}: ${oneLine(w.message, 400)}\n`));
}

/** The same file by path, or through a link (same device and inode). */
function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

export function buildReport(refs: string[], options: Omit<TimelineOptions, 'format'> & { lean?: boolean }): Report {
  if (refs.length === 0) throw new UserError('give an incident id or log files', EXIT.usage, 'sev timeline <incident|log…>');
  const clock = clockFor(options.tz);
  const timeline = loadTimeline(refs, { incidentDir: incidentDir(options.incidentDir), force: options.force, lean: options.lean });
  // The log is the state of the incident: a report never overwrites one.
  if (options.out && timeline.logs.some((l) => sameFile(l.file, options.out!))) {
    throw new UserError(`--out ${options.out} is one of the incident logs being read; it would be overwritten`, EXIT.usage, 'Give another file name.');
  }
  return { timeline, metrics: computeMetrics(timeline), clock };
}

export async function timelineCommand(refs: string[], options: TimelineOptions): Promise<void> {
  const format = options.format ?? 'text';
  // Lean: only the events the metrics need stay in memory; the others are read again from their lines.
  const report = buildReport(refs, { ...options, lean: true });
  reportWarnings(report.timeline);
  let pieces: Pieces;
  switch (format) {
    case 'md':
      pieces = renderMarkdown(report);
      break;
    case 'json':
      pieces = renderJson(report);
      break;
    case 'csv':
      pieces = renderCsv(report);
      break;
    case 'html':
      {
        const html = await import('../report/html.js');
        if (html.summarised(report.timeline.rows.length)) {
          process.stderr.write(`note: ${report.timeline.rows.length} events are more than the page draws one by one (${html.HTML_DRAW_LIMIT}): it shows counts per responder and time bucket, and draws and lists only incident events, milestones and severity changes; --format csv or json has every event\n`);
        }
        pieces = html.renderHtml(report);
      }
      break;
    default:
      pieces = renderText(report);
  }
  try {
    await writePieces(pieces, options.out);
  } finally {
    report.timeline.lines?.close();
  }
  if (options.out) process.stderr.write(`Timeline of ${oneLine(report.timeline.incident)} (${report.timeline.rows.length} events, ${format}) written to ${options.out}\n`);
}
