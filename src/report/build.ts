import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, UserError } from '../errors.js';
import { incidentDir } from '../incident/store.js';
import { loadTimeline } from './logs.js';
import { computeMetrics } from './metrics.js';
import type { Report } from './view.js';
import { clockFor } from './time.js';

export interface ReportOptions {
  incidentDir?: string;
  out?: string;
  tz?: string;
  force?: boolean;
  /** Keep only the events the metrics need in memory; the others are read again from their lines. */
  lean?: boolean;
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

/** The merged timeline of an incident's logs (by id or by path) and its metrics: what timeline and postmortem render. */
export function buildReport(refs: string[], options: ReportOptions): Report {
  if (refs.length === 0) throw new UserError('give an incident id or log files', EXIT.usage, 'sev timeline <incident|log…>');
  const clock = clockFor(options.tz);
  const timeline = loadTimeline(refs, { incidentDir: incidentDir(options.incidentDir), force: options.force, lean: options.lean });
  // The log is the state of the incident: a report never overwrites one.
  if (options.out && timeline.logs.some((l) => sameFile(l.file, options.out!))) {
    throw new UserError(
      `--out ${options.out} is one of the incident logs being read; it would be overwritten`,
      EXIT.usage,
      'Give another file name.',
    );
  }
  return { timeline, metrics: computeMetrics(timeline), clock };
}
