import { buildReport, type ReportOptions } from '../report/build.js';
import { renderPostmortem } from '../report/postmortem.js';
import { oneLine } from '../report/sanitize.js';
import { writePieces } from '../report/write.js';
import { printTimelineWarnings } from '../ui/warnings.js';

export type PostmortemOptions = Omit<ReportOptions, 'lean'>;

export async function postmortemCommand(refs: string[], options: PostmortemOptions): Promise<void> {
  const report = buildReport(refs, { ...options, lean: true });
  printTimelineWarnings(report.timeline);
  try {
    await writePieces(renderPostmortem(report), options.out);
  } finally {
    report.timeline.lines?.close();
  }
  if (options.out)
    process.stderr.write(
      `Postmortem draft of ${oneLine(report.timeline.incident)} written to ${options.out}: fill in the sections marked TO BE WRITTEN.\n`,
    );
}
