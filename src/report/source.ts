import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { UserError } from '../errors.js';
import { isKnown, LOG_VERSION, type IncidentEvent } from '../incident/events.js';
import type { LogProblem, LogRead } from '../incident/read.js';

/**
 * One event of a timeline, with where it came from. Rows are small on purpose: a merge of a million
 * events keeps a million of them. `event` is the parsed event; in lean mode (JSON output of big logs) only
 * the events the metrics need keep it, the others keep the `raw` line, written out as it is.
 */
export interface Row {
  /** Milliseconds since the epoch, from `time`. */
  ms: number;
  time: string;
  id: string;
  seq: number;
  type: string;
  actor: string;
  /** Index of the log in the merge (the order the logs were given in). */
  log: number;
  line: number;
  event?: IncidentEvent;
  raw?: string;
  /** Other places the same event (same id) was found: a copy in another log. */
  copies?: { log: number; line: number }[];
}

/** The types whose data the metrics, the header and the postmortem read: always parsed, also in lean mode. */
export const KEY_TYPES = new Set(['incident.started', 'incident.joined', 'incident.closed', 'milestone', 'severity.changed']);

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
  /** Keep raw lines instead of parsed events, except for KEY_TYPES. */
  lean?: boolean;
}

function isEvent(value: unknown): value is IncidentEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.v === 'number' &&
    typeof e.id === 'string' &&
    typeof e.seq === 'number' &&
    typeof e.time === 'string' &&
    typeof e.incident === 'string' &&
    typeof e.type === 'string' &&
    typeof e.data === 'object' &&
    e.data !== null
  );
}

/** Builds rows line by line; shared by the streaming file reader and the already-read logs of the store. */
class RowBuilder {
  readonly rows: Row[] = [];
  readonly problems: LogProblem[] = [];
  incident?: string;
  readonly otherIncidents = new Set<string>();
  private readonly unknownTypes = new Set<string>();

  constructor(
    private readonly log: number,
    private readonly lean: boolean,
  ) {}

  /** `last`: the final line of a file that does not end with a newline (a torn write, when it does not parse). */
  addLine(raw: string, line: number, last: boolean): void {
    if (raw.length === 0 || (raw.charCodeAt(0) <= 32 && raw.trim() === '')) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = undefined;
    }
    if (!isEvent(value)) {
      this.problems.push(
        last
          ? { line, kind: 'torn-line', message: 'the last line is incomplete (the writer stopped in the middle of it); it is ignored' }
          : { line, kind: 'damaged-line', message: 'this line is not a complete event; it is ignored' },
      );
      return;
    }
    this.addEvent(value, line, raw);
  }

  addEvent(event: IncidentEvent, line: number, raw?: string): void {
    const ms = Date.parse(event.time);
    if (Number.isNaN(ms)) {
      this.problems.push({ line, kind: 'damaged-line', message: `the time "${event.time}" is not an RFC 3339 time; the event is ignored` });
      return;
    }
    if (event.v > LOG_VERSION) {
      this.problems.push({ line, kind: 'newer-version', message: `event written by a newer sev (log format v${event.v}); read as v${LOG_VERSION}` });
    }
    if (!isKnown(event) && !this.unknownTypes.has(event.type)) {
      this.unknownTypes.add(event.type);
      this.problems.push({ line, kind: 'unknown-type', message: `event type "${event.type}" is unknown to this version of sev; kept and shown as it is` });
    }
    if (this.incident === undefined) this.incident = event.incident;
    else if (event.incident !== this.incident) this.otherIncidents.add(event.incident);
    const row: Row = { ms, time: event.time, id: event.id, seq: event.seq, type: event.type, actor: typeof event.actor === 'string' ? event.actor : '', log: this.log, line };
    if (this.lean && raw !== undefined && !KEY_TYPES.has(event.type)) row.raw = raw;
    else {
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
 * Reads an incident log in chunks of 4 MiB, line by line, never holding the whole file as one string.
 * Damaged content is reported beside the rows, as the incident reader does: a torn last line, a line that is
 * not an event, an unknown event type (kept), a newer format version.
 */
export function readSource(file: string, log: number, options: ReadOptions = {}): LogSource {
  let fd: number;
  try {
    fd = openSync(file, 'r');
    if (fstatSync(fd).isDirectory()) {
      closeSync(fd);
      throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such incident log' : code === 'EISDIR' ? 'is a directory, not an incident log' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new UserError(`${file}: ${why}`, 2);
  }
  const builder = new RowBuilder(log, Boolean(options.lean));
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.allocUnsafe(CHUNK);
  let carry = '';
  let line = 0;
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK, null);
      if (n === 0) break;
      const text = carry + decoder.write(buffer.subarray(0, n));
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        line++;
        builder.addLine(text.slice(start, nl), line, false);
        start = nl + 1;
      }
      // A copy, so that the rows' raw lines do not keep the whole chunk alive through the carry.
      carry = start < text.length ? (' ' + text.slice(start)).slice(1) : '';
    }
  } finally {
    closeSync(fd);
  }
  carry += decoder.end();
  if (carry.length > 0) builder.addLine(carry, line + 1, true);
  return builder.done(file);
}

/** The same rows from a log the incident store has already read. */
export function fromLogRead(read: LogRead, log: number): LogSource {
  const builder = new RowBuilder(log, false);
  for (const event of read.events) builder.addEvent({ ...event }, event.line);
  const source = builder.done(read.file);
  source.problems.unshift(...read.problems.filter((p) => p.kind === 'torn-line' || p.kind === 'damaged-line'));
  return source;
}
