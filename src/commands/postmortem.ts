import { renderPostmortem } from '../report/postmortem.js';
import { oneLine } from '../report/sanitize.js';
import { writePieces } from '../report/write.js';
import { buildReport, reportWarnings } from './timeline.js';

export interface PostmortemOptions {
  incidentDir?: string;
  out?: string;
  tz?: string;
  force?: boolean;
}

export async function postmortemCommand(refs: string[], options: PostmortemOptions): Promise<void> {
  const report = buildReport(refs, { ...options, lean: true });
  reportWarnings(report.timeline);
  try {
    await writePieces(renderPostmortem(report), options.out);
  } finally {
    report.timeline.lines?.close();
  }
  if (options.out) process.stderr.write(`Postmortem draft of ${oneLine(report.timeline.incident)} written to ${options.out}: fill in the sections marked TO BE WRITTEN.\n`);
}
