import type { LogProblem } from '../incident/read.js';
import { EXIT, UserError } from '../errors.js';
import { idOf, timeOf, type LineStore, type LogSource, type Row } from './rows.js';
import { formatDuration } from '../text/duration.js';

/** A problem found in the input, said with where it is: damaged lines, gaps, clocks. */
export interface Warning {
  file: string;
  line?: number;
  kind: LogProblem['kind'] | 'seq-gap' | 'clock-backwards' | 'clock-skew' | 'duplicate';
  message: string;
  /** For clock warnings: the size of the skew in milliseconds. */
  skewMs?: number;
}

interface LogInfo {
  file: string;
  /** The responder whose log it is (from incident.started / incident.joined), else the first actor. */
  responder: string;
  host?: string;
  events: number;
}

export interface Timeline {
  incident: string;
  /** Every incident named when --force merged several. */
  incidents: string[];
  logs: LogInfo[];
  rows: Row[];
  warnings: Warning[];
  /** Reads the lines of lean rows again, for output. */
  lines?: LineStore;
}

const byTimeThenSeq = (a: Row, b: Row) => a.ms - b.ms || a.seq - b.seq || a.line - b.line;

/** Checks one log's own order: sequence numbers without gaps, a clock that never runs backwards. */
function checkLog(source: LogSource, warnings: Warning[]): boolean {
  const rows = source.rows;
  let sorted = true;
  for (let i = 1; i < rows.length; i++) {
    const prev = rows[i - 1]!;
    const row = rows[i]!;
    if (row.seq !== prev.seq + 1) {
      const missing = row.seq - prev.seq - 1;
      const message =
        missing > 0
          ? `sequence gap: seq ${prev.seq} (line ${prev.line}) is followed by seq ${row.seq}; ${missing} event${missing === 1 ? '' : 's'} missing`
          : `sequence out of order: seq ${row.seq} follows seq ${prev.seq} (line ${prev.line})`;
      warnings.push({ file: source.file, line: row.line, kind: 'seq-gap', message });
    }
    if (row.ms < prev.ms) {
      sorted = false;
      const skew = prev.ms - row.ms;
      warnings.push({
        file: source.file,
        line: row.line,
        kind: 'clock-backwards',
        message: `clock runs backwards by ${formatDuration(skew, 'spaced')}: ${timeOf(row)} is earlier than ${timeOf(prev)} on line ${prev.line}`,
        skewMs: skew,
      });
    }
  }
  return sorted;
}

/**
 * Clocks of different machines: no log of an incident can hold an event from before the incident started.
 * A log whose first event is earlier than the `incident.started` event of the log that started it has a
 * clock behind by at least the difference (a lower bound: a skew in the other direction cannot be seen).
 */
function checkSkew(sources: LogSource[], warnings: Warning[]): void {
  let start: Row | undefined;
  let starter: LogSource | undefined;
  for (const s of sources) {
    const row = s.rows.find((r) => r.type === 'incident.started');
    if (row && (!start || row.ms < start.ms)) {
      start = row;
      starter = s;
    }
  }
  if (!start || !starter) return;
  for (const s of sources) {
    if (s === starter || s.rows.length === 0) continue;
    let first = s.rows[0]!;
    for (const r of s.rows) if (r.ms < first.ms) first = r;
    if (first.ms < start.ms) {
      const skew = start.ms - first.ms;
      warnings.push({
        file: s.file,
        line: first.line,
        kind: 'clock-skew',
        message:
          `clock disagrees with ${starter.file}: this log's first event (${timeOf(first)}) is ${formatDuration(skew, 'spaced')} ` +
          `before the incident started (${timeOf(start)}, line ${start.line} there); its clock is behind by at least ${formatDuration(skew, 'spaced')}`,
        skewMs: skew,
      });
    }
  }
}

function logInfo(source: LogSource): LogInfo {
  const first = source.rows.find((r) => r.type === 'incident.started' || r.type === 'incident.joined');
  const data = first?.event?.data as { responder?: string; host?: string } | undefined;
  return { file: source.file, responder: data?.responder || source.rows[0]?.actor || '', host: data?.host, events: source.rows.length };
}

interface MergeOptions {
  /** Merge logs of different incidents. */
  force?: boolean;
  /** Where the ids of lean rows are read again, for the rows that share their millisecond with another. */
  lines?: LineStore;
}

/**
 * Merges the logs of an incident into one timeline: ordered by UTC time, then by log (the order given),
 * then by sequence number. An event present in several logs (same id) is kept once, where it is first
 * found, and remembers its copies. Each log is already in order unless its clock ran backwards (then that
 * log alone is sorted), so the merge is a k-way merge of sorted runs.
 */
export function mergeSources(sources: LogSource[], options: MergeOptions = {}): Timeline {
  for (const s of sources) {
    if (s.rows.length === 0) {
      const why = s.problems.length
        ? `has no complete event (${s.problems.map((p) => `line ${p.line}: ${p.kind}`).join(', ')})`
        : 'is empty: it holds no events';
      throw new UserError(`${s.file}: ${why}`, EXIT.usage, 'Give the log files of an incident, or its id.');
    }
  }
  const incidents = [...new Set(sources.flatMap((s) => [s.incident!, ...s.otherIncidents]))];
  if (incidents.length > 1 && !options.force) {
    const which = sources.map((s) => `${s.file} (${[s.incident, ...s.otherIncidents].join(', ')})`).join('; ');
    throw new UserError(
      `the logs are of ${incidents.length} different incidents: ${which}`,
      EXIT.usage,
      'Give the logs of one incident, or --force to merge them anyway.',
    );
  }
  const warnings: Warning[] = [];
  for (const s of sources) {
    for (const p of s.problems) warnings.push({ file: s.file, line: p.line, kind: p.kind, message: p.message });
    if (!checkLog(s, warnings)) s.rows.sort(byTimeThenSeq);
  }
  checkSkew(sources, warnings);

  // k-way merge; ties go to the earlier log, then the lower seq.
  const runs = sources.map((s) => s.rows);
  const heads = runs.map(() => 0);
  const total = runs.reduce((n, r) => n + r.length, 0);
  const merged: Row[] = new Array<Row>(total);
  let out = 0;
  for (;;) {
    let best = -1;
    let bestRow: Row | undefined;
    for (let k = 0; k < runs.length; k++) {
      const row = runs[k]![heads[k]!];
      if (row === undefined) continue;
      if (bestRow === undefined || row.ms < bestRow.ms) {
        best = k;
        bestRow = row;
      }
    }
    if (bestRow === undefined) break;
    merged[out++] = bestRow;
    heads[best]!++;
  }

  // Copies of an event carry its time, so they meet within the rows of the same millisecond; most
  // milliseconds have one row, and only rows that share theirs need their id.
  const rows: Row[] = [];
  for (let i = 0; i < merged.length;) {
    const ms = merged[i]!.ms;
    let end = i + 1;
    while (end < merged.length && merged[end]!.ms === ms) end++;
    if (end - i === 1) rows.push(merged[i]!);
    else {
      const group = new Map<string, Row>();
      for (let k = i; k < end; k++) {
        const row = merged[k]!;
        const id = idOf(row, options.lines);
        const first = group.get(id);
        if (first) (first.copies ??= []).push({ log: row.log, line: row.line });
        else {
          group.set(id, row);
          rows.push(row);
        }
      }
    }
    i = end;
  }
  warnings.sort(
    (a, b) => sources.findIndex((s) => s.file === a.file) - sources.findIndex((s) => s.file === b.file) || (a.line ?? 0) - (b.line ?? 0),
  );
  return { incident: incidents[0]!, incidents, logs: sources.map(logInfo), rows, warnings };
}
