import { buildReport, type ReportOptions } from '../report/build.js';
import { renderCsv } from '../report/csv.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderText } from '../report/text.js';
import type { Pieces } from '../report/view.js';
import { oneLine } from '../report/sanitize.js';
import { writePieces } from '../report/write.js';
import { printTimelineWarnings } from '../ui/warnings.js';

export const FORMATS = ['text', 'md', 'json', 'csv', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export interface TimelineOptions extends Omit<ReportOptions, 'lean'> {
  format?: Format;
}

export async function timelineCommand(refs: string[], options: TimelineOptions): Promise<void> {
  const format = options.format ?? 'text';
  // Lean: only the events the metrics need stay in memory; the others are read again from their lines.
  const report = buildReport(refs, { ...options, lean: true });
  printTimelineWarnings(report.timeline);
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
          process.stderr.write(
            `note: ${report.timeline.rows.length} events are more than the page draws one by one (${html.HTML_DRAW_LIMIT}): ` +
              'it shows counts per responder and time bucket, and draws and lists only incident events, milestones and severity changes; ' +
              '--format csv or json has every event\n',
          );
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
  if (options.out)
    process.stderr.write(
      `Timeline of ${oneLine(report.timeline.incident)} (${report.timeline.rows.length} events, ${format}) written to ${options.out}\n`,
    );
}
