import { closeSync, readSync } from 'node:fs';
import type { IncidentEvent } from '../incident/events.js';
import { openLog, readEvents, rfc3339Ms, type LogProblem, type LogRead } from '../incident/read.js';

/**
 * One event of a timeline, with where it came from. Rows are small on purpose: a merge of a million
 * events keeps a million of them. `event` is the parsed event; in lean mode (JSON output of big logs) only
 * the events the metrics need keep it; the others keep where their line is, and are written out as read.
 */
export interface Row {
  /** Milliseconds since the epoch, from `time`. */
  ms: number;
  /** The time as logged, when it is not what `new Date(ms).toISOString()` gives (see timeOf). */
  time?: string;
  /** The event's id; lean rows leave it in the line (see idOf). */
  id?: string;
  seq: number;
  type: string;
  actor: string;
  /** Index of the log in the merge (the order the logs were given in). */
  log: number;
  line: number;
  event?: IncidentEvent;
  /** Lean rows: where the line is in its file (bytes), to be read again by a LineStore. */
  off?: number;
  len?: number;
  /** Other places the same event (same id) was found: a copy in another log. */
  copies?: { log: number; line: number }[];
}

/**
 * Whether a time (already checked as RFC 3339) is in the form toISOString gives, YYYY-MM-DDTHH:MM:SS.mmmZ:
 * then a row need not keep it.
 */
const isIsoForm = (time: string) =>
  time.length === 24 && time.charCodeAt(10) === 84 && time.charCodeAt(19) === 46 && time.charCodeAt(23) === 90;

/** The time of a row as logged. */
export const timeOf = (row: Row): string => row.time ?? new Date(row.ms).toISOString();

/** The id of a row's event: kept, or read again from its line (lean rows). */
export function idOf(row: Row, lines?: LineStore): string {
  if (row.id !== undefined) return row.id;
  if (!lines) throw new Error(`the event at line ${row.line} was not kept and its log cannot be read again`);
  return String((JSON.parse(lines.line(row)) as { id?: unknown }).id);
}

/** The types whose data the metrics, the header and the postmortem read: always parsed, also in lean mode. */
const KEY_TYPES = new Set([
  'incident.started',
  'incident.joined',
  'incident.closed',
  'milestone',
  'severity.changed',
  'clock.started',
  'clock.met',
  'clock.missed',
  'clock.stopped',
]);

export interface LogSource {
  file: string;
  rows: Row[];
  problems: LogProblem[];
  /** The incident named by the log's events (the first one). */
  incident?: string;
  /** Incidents other than the first named inside this one log. */
  otherIncidents: Set<string>;
}

interface ReadOptions {
  /** Keep where lines are instead of parsed events, except for KEY_TYPES. */
  lean?: boolean;
}

/** Builds rows event by event; shared by the streaming file reader and the already-read logs of the store. */
class RowBuilder {
  readonly rows: Row[] = [];
  readonly problems: LogProblem[] = [];
  incident?: string;
  readonly otherIncidents = new Set<string>();

  constructor(
    private readonly log: number,
    private readonly lean: boolean,
  ) {}

  /**
   * One copy of each type and actor name for all rows: a log has a handful of each, and a million rows
   * would otherwise hold a million copies of them.
   */
  private readonly names = new Map<string, string>();
  private intern(name: string): string {
    if (name.length > 64) return name;
    const known = this.names.get(name);
    if (known !== undefined) return known;
    if (this.names.size < 10_000) this.names.set(name, name);
    return name;
  }

  /** An event as the log reader gives it: its time is checked already. */
  addEvent(event: IncidentEvent, line: number, off?: number, len?: number): void {
    const ms = rfc3339Ms(event.time);
    if (this.incident === undefined) this.incident = event.incident;
    else if (event.incident !== this.incident) this.otherIncidents.add(event.incident);
    // Lean rows are as small as they can be: a million of them are kept. A time in the usual form and the id
    // are read again from the line when they are needed.
    const lean = this.lean && off !== undefined && !KEY_TYPES.has(event.type);
    const row: Row = {
      ms,
      seq: event.seq,
      type: this.intern(event.type),
      actor: typeof event.actor === 'string' ? this.intern(event.actor) : '',
      log: this.log,
      line,
    };
    if (!isIsoForm(event.time)) row.time = event.time;
    if (lean) {
      row.off = off;
      row.len = len;
    } else {
      row.id = event.id;
      delete (event as { line?: number }).line;
      row.event = event;
    }
    this.rows.push(row);
  }

  done(file: string): LogSource {
    return { file, rows: this.rows, problems: this.problems, incident: this.incident, otherIncidents: this.otherIncidents };
  }
}

const CHUNK = 1 << 22;

/**
 * Reads an incident log with the incident reader (readEvents: 4 MiB chunks, never the whole file, no line
 * over the limit), its problems reported beside the rows: a torn last line, a line that is not an event,
 * an unknown event type (kept), a newer format version. In lean mode an
 * ordinary event keeps only where its line is in the file (byte offset and length); `LineStore` reads it
 * again when it is written out.
 */
export function readSource(file: string, log: number, options: ReadOptions = {}): LogSource {
  const builder = new RowBuilder(log, Boolean(options.lean));
  readEvents(
    file,
    (event, line, off, len) => builder.addEvent(event, line, off, len),
    (problem) => builder.problems.push(problem),
  );
  return builder.done(file);
}

/**
 * The lines of lean rows, read again from their files when they are written out. Rows come in nearly file
 * order per log (a merge keeps each log's order), so each log is read forward through a window of 4 MiB.
 */
export class LineStore {
  private readonly windows = new Map<number, { fd: number; buffer: Buffer; start: number; length: number }>();

  constructor(private readonly files: string[]) {}

  line(row: Row): string {
    let w = this.windows.get(row.log);
    if (!w) {
      w = { fd: openLog(this.files[row.log]!), buffer: Buffer.allocUnsafe(CHUNK), start: 0, length: 0 };
      this.windows.set(row.log, w);
    }
    const off = row.off!;
    const len = row.len!;
    if (off < w.start || off + len > w.start + w.length) {
      if (len > w.buffer.length) w.buffer = Buffer.allocUnsafe(len);
      w.start = off;
      w.length = readSync(w.fd, w.buffer, 0, w.buffer.length, off);
      if (w.length < len) throw new Error(`${this.files[row.log]} changed while it was read`);
    }
    return w.buffer.toString('utf8', off - w.start, off - w.start + len);
  }

  close(): void {
    for (const w of this.windows.values()) closeSync(w.fd);
    this.windows.clear();
  }
}

/** The same rows from a log the incident store has already read. */
export function fromLogRead(read: LogRead, log: number): LogSource {
  const builder = new RowBuilder(log, false);
  for (const event of read.events) builder.addEvent({ ...event }, event.line);
  builder.problems.push(...read.problems);
  return builder.done(read.file);
}
