import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { UserError } from '../errors.js';
import { ioReason } from '../files/io-error.js';
import { isKnown, LOG_VERSION, type IncidentEvent } from './events.js';
import { cutText } from '../text/cut.js';

/**
 * The longest line a reader reads, in bytes. sev's own events stay far below it (a check keeps at most
 * 64 KiB of each output stream); a longer line was not written by sev, and reading it would let one line
 * decide how much memory a report needs. It is reported as damaged and skipped.
 */
const MAX_LINE_BYTES = 1 << 20;

/** The deepest nesting of objects and arrays in an event that a reader accepts (sev writes 3 levels). */
export const MAX_DEPTH = 32;

/** An event as read back, with the line of the file it came from. */
type LoggedEvent = IncidentEvent & { line: number };

export interface LogProblem {
  line: number;
  kind: 'torn-line' | 'damaged-line' | 'unknown-type' | 'newer-version';
  message: string;
}

export interface LogRead {
  file: string;
  events: LoggedEvent[];
  problems: LogProblem[];
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

/**
 * Milliseconds since the epoch of an RFC 3339 time (`2026-11-26T03:21:44.785Z`, or with an offset), or NaN
 * when it is not one: Date.parse alone also takes dates without a time or a zone (read in the reader's own
 * zone), rolls February 30 over into March, and goes up to the year 275760, which toISOString cannot print.
 * Years 0000 to 9999 only, so every time a reader keeps can be printed by every renderer.
 */
export function rfc3339Ms(text: unknown): number {
  // Read by hand: this runs once per line of every log read, and a regular expression's match array and
  // number conversions cost more than the rest of the check.
  if (typeof text !== 'string' || text.length < 20 || text.length > 40) return NaN;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (year < 0 || month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0) return NaN;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return NaN;
  const t = text.charCodeAt(10);
  if (t !== 84 && t !== 116) return NaN;
  let i = 19;
  if (text.charCodeAt(i) === 46) {
    const start = ++i;
    while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    if (i === start || i - start > 9) return NaN;
  }
  const zone = text.charCodeAt(i);
  if (zone === 90 || zone === 122) {
    if (i !== text.length - 1) return NaN;
  } else if (zone === 43 || zone === 45) {
    if (i !== text.length - 6 || text.charCodeAt(i + 3) !== 58) return NaN;
    const offsetHour = digits(text, i + 1, 2);
    const offsetMinute = digits(text, i + 4, 2);
    if (offsetHour < 0 || offsetHour > 23 || offsetMinute < 0 || offsetMinute > 59) return NaN;
  } else return NaN;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (month > 12 || day > (month === 2 && leap ? 29 : DAYS[month - 1]!) || hour > 23 || minute > 59 || second > 59) return NaN;
  return Date.parse(text);
}
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number written with `n` decimal digits at `at`, or -1. */
function digits(text: string, at: number, n: number): number {
  let value = 0;
  for (let k = at; k < at + n; k++) {
    const d = text.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** Whether objects and arrays nest deeper than MAX_DEPTH: such an event would overflow the stack of any recursive walk (JSON.stringify). */
function tooDeep(value: object, depth: number): boolean {
  if (depth > MAX_DEPTH) return true;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) if (typeof item === 'object' && item !== null && tooDeep(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === 'object' && item !== null && tooDeep(item, depth + 1)) return true;
  }
  return false;
}

/** A value from a log, cut and quoted, for a message about it (the message is sanitised where it is printed). */
const quoted = (value: unknown) => {
  const s = typeof value === 'string' ? value : String(value);
  return JSON.stringify(cutText(s, 60));
};

/**
 * Fields of known event types that readers rely on, and the type each must have. An event whose data breaks
 * this is damaged (written by something else, or edited by hand): it is reported, not used.
 */
const DATA_FIELDS: Record<string, Record<string, 'string' | 'object' | 'boolean'>> = {
  'incident.started': { runbook: 'object', severity: 'string', responder: 'string' },
  'incident.joined': { runbook: 'object', severity: 'string', responder: 'string' },
  'incident.paused': { step: 'string' },
  'incident.resumed': { step: 'string' },
  'incident.closed': { outcome: 'string' },
  'input.set': { name: 'string' },
  'step.started': { step: 'string' },
  'step.answered': { step: 'string', answer: 'string' },
  'step.completed': { step: 'string', next: 'string' },
  'step.skipped': { step: 'string', reason: 'string', next: 'string' },
  'step.jumped': { step: 'string', to: 'string' },
  'check.result': { check: 'string', status: 'string' },
  'wait.finished': { check: 'string' },
  'command.started': { step: 'string', command: 'string' },
  'command.finished': { step: 'string', ok: 'boolean' },
  'command.unfinished': { step: 'string', decision: 'string', state: 'string' },
  'check.started': { step: 'string', check: 'string' },
  'incident.taken-over': { from: 'object' },
  announcement: { audience: 'string', message: 'string' },
  'delivery.started': { channel: 'string', audience: 'string', key: 'string' },
  'delivery.finished': { channel: 'string', audience: 'string', key: 'string', ok: 'boolean', detail: 'string' },
  'delivery.unfinished': { channel: 'string', audience: 'string', key: 'string', decision: 'string' },
  note: { text: 'string' },
  milestone: { milestone: 'string' },
  'severity.changed': { from: 'string', to: 'string' },
  'regulator.assessed': { step: 'string', facts: 'object', notifications: 'object' },
  'regulator.filed': { step: 'string', notification: 'string', deadline: 'string', at: 'string', by: 'string' },
  'regulator.pending': { step: 'string', notification: 'string', deadline: 'string' },
  'clock.started': { clock: 'string', title: 'string', at: 'string', due: 'string' },
  'clock.met': { clock: 'string', by: 'string', at: 'string', due: 'string' },
  'clock.missed': { clock: 'string', due: 'string' },
  'clock.stopped': { clock: 'string', by: 'string', at: 'string' },
};
const FIELD_LIST = new Map(Object.entries(DATA_FIELDS).map(([type, fields]) => [type, Object.entries(fields)]));
const OPTIONAL_STRINGS = [
  'step',
  'title',
  'channel',
  'subject',
  'reason',
  'value',
  'at',
  'stdout',
  'stderr',
  'version',
  'id',
  'file',
  'hash',
  'host',
];

/** Why a known event's data cannot be used, or undefined when it can. */
function badData(event: IncidentEvent): string | undefined {
  const data = event.data as Record<string, unknown>;
  for (const [field, type] of FIELD_LIST.get(event.type) ?? []) {
    const value = data[field];
    if (typeof value !== type || value === null) return `data.${field} is not ${type === 'object' ? 'an' : 'a'} ${type}`;
  }
  const runbook = data.runbook as Record<string, unknown> | undefined;
  for (const [where, record] of [
    ['data', data],
    ['data.runbook', runbook],
  ] as const) {
    if (!record) continue;
    for (const field of OPTIONAL_STRINGS) {
      if (record[field] !== undefined && typeof record[field] !== 'string') return `${where}.${field} is not a string`;
    }
  }
  if (runbook && typeof runbook.id !== 'string') return 'data.runbook.id is not a string';
  if (data.at !== undefined && Number.isNaN(rfc3339Ms(data.at))) return `data.at is not an RFC 3339 time (${quoted(data.at)})`;
  return undefined;
}

/** One line of a log: its event, or the problem that keeps it from being one. */
export function parseLine(raw: string, line: number, last: boolean): IncidentEvent | LogProblem {
  if (raw.length > MAX_LINE_BYTES / 3 && Buffer.byteLength(raw) > MAX_LINE_BYTES) return tooLong(line, Buffer.byteLength(raw));
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  if (isEvent(value)) {
    if (tooDeep(value, 0))
      return {
        line,
        kind: 'damaged-line',
        message: `this ${quoted(value.type)} event is nested deeper than ${MAX_DEPTH} levels; it is ignored`,
      };
    if (Number.isNaN(rfc3339Ms(value.time)))
      return { line, kind: 'damaged-line', message: `the time ${quoted(value.time)} is not an RFC 3339 time; the event is ignored` };
    const bad = badData(value);
    if (!bad) return value;
    return { line, kind: 'damaged-line', message: `this ${value.type} event is malformed (${bad}); it is ignored` };
  }
  return last
    ? { line, kind: 'torn-line', message: 'the last line is incomplete (the writer stopped in the middle of it); it is ignored' }
    : { line, kind: 'damaged-line', message: 'this line is not a complete event; it is ignored' };
}

function tooLong(line: number, bytes: number): LogProblem {
  return {
    line,
    kind: 'damaged-line',
    message: `this line is longer than 1 MiB (${(bytes / 1048576).toFixed(1)} MiB), the most a reader reads; it is ignored`,
  };
}

/** What a reader says of an event it keeps: written by a newer sev, or of a type it does not know (once per type). */
function eventNotes(event: IncidentEvent, line: number, unknownTypes: Set<string>): LogProblem[] {
  const notes: LogProblem[] = [];
  if (event.v > LOG_VERSION)
    notes.push({ line, kind: 'newer-version', message: `event written by a newer sev (log format v${event.v}); read as v${LOG_VERSION}` });
  if (!isKnown(event) && !unknownTypes.has(event.type)) {
    unknownTypes.add(event.type);
    notes.push({
      line,
      kind: 'unknown-type',
      message: `event type "${event.type}" is unknown to this version of sev; kept and shown as it is`,
    });
  }
  return notes;
}

/**
 * Opens a log for reading. Looked at before opening: opening a FIFO would wait for a writer, and a device
 * may never end.
 */
export function openLog(file: string): number {
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    if (!stat.isFile()) throw new Error('not a regular file, not an incident log');
    return openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such incident log' : code === 'EISDIR' ? 'is a directory, not an incident log' : ioReason(error);
    throw new UserError(`${file}: ${why}`);
  }
}

const CHUNK = 1 << 22;

/**
 * Calls `onLine` for each line of a log, read in chunks of 4 MiB and split on bytes: the whole file is
 * never in memory, nor is any line longer than MAX_LINE_BYTES (it is skipped as it is read, and reported
 * through `onProblem`). `last` marks a final line without its newline (a torn write, if it does not parse);
 * `off` and `len` say where the line is in the file, in bytes. Returns the number of lines.
 */
function readLines(
  file: string,
  onLine: (raw: string, line: number, last: boolean, off: number, len: number) => void,
  onProblem: (problem: LogProblem) => void,
  options: { maxLines?: number } = {},
): number {
  const fd = openLog(file);
  const buffer = Buffer.allocUnsafe(CHUNK);
  const maxLines = options.maxLines ?? Infinity;
  /** Bytes of buffer in use; `base` is the file offset of buffer[0]. */
  let used = 0;
  let base = 0;
  let line = 0;
  /** Length so far of a line too long to keep, while its end is being looked for. */
  let skipping = -1;
  try {
    while (line < maxLines) {
      const n = readSync(fd, buffer, used, buffer.length - used, null);
      if (n === 0) break;
      const end = used + n;
      let start = 0;
      if (skipping >= 0) {
        const nl = buffer.indexOf(10, 0);
        if (nl === -1 || nl >= end) {
          skipping += end;
          base += end;
          used = 0;
          continue;
        }
        line++;
        onProblem(tooLong(line, skipping + nl));
        skipping = -1;
        start = nl + 1;
      }
      for (let nl = buffer.indexOf(10, start); nl !== -1 && nl < end && line < maxLines; nl = buffer.indexOf(10, start)) {
        line++;
        if (nl - start > MAX_LINE_BYTES) onProblem(tooLong(line, nl - start));
        else onLine(buffer.toString('utf8', start, nl), line, false, base + start, nl - start);
        start = nl + 1;
      }
      if (end - start > MAX_LINE_BYTES) {
        // An unfinished line already too long: its end is looked for without keeping it.
        skipping = end - start;
        base += end;
        used = 0;
        continue;
      }
      // Keep the unfinished line at the start of the buffer.
      buffer.copy(buffer, 0, start, end);
      used = end - start;
      base += start;
    }
    if (line < maxLines) {
      if (skipping >= 0) onProblem(tooLong(++line, skipping));
      else if (used > 0) onLine(buffer.toString('utf8', 0, used), ++line, true, base, used);
    }
  } finally {
    closeSync(fd);
  }
  return line;
}

/**
 * Calls `onEvent` for each event of a log, in order, and `onProblem` for what keeps a line from being one
 * or what a reader says of an event it keeps (unknown type, newer version). Never throws on content: a
 * torn last line (a crash in the middle of a write), a line that is not an event, an event type this
 * version does not know (kept, for forward compatibility) are all problems beside the events. `off` and
 * `len` say where the event's line is in the file, in bytes.
 */
export function readEvents(
  file: string,
  onEvent: (event: IncidentEvent, line: number, off: number, len: number) => void,
  onProblem: (problem: LogProblem) => void,
): void {
  const unknownTypes = new Set<string>();
  readLines(
    file,
    (raw, line, last, off, len) => {
      if (raw.length === 0 || (raw.charCodeAt(0) <= 32 && raw.trim() === '')) return;
      const parsed = parseLine(raw, line, last);
      if (!('v' in parsed)) {
        onProblem(parsed);
        return;
      }
      for (const note of eventNotes(parsed, line, unknownTypes)) onProblem(note);
      onEvent(parsed, line, off, len);
    },
    onProblem,
  );
}

/** Reads one incident log, line by line (see readLines): its events, and the problems beside them. */
export function readLog(file: string): LogRead {
  const events: LoggedEvent[] = [];
  const problems: LogProblem[] = [];
  readEvents(
    file,
    (event, line) => {
      (event as LoggedEvent).line = line;
      events.push(event as LoggedEvent);
    },
    (problem) => problems.push(problem),
  );
  return { file, events, problems };
}

/**
 * The first event of a log, read from its first line only, or the problem with that line. Tells which
 * incident and responder a log is of without reading the rest.
 */
export function readFirstEvent(file: string): IncidentEvent | LogProblem | undefined {
  let first: IncidentEvent | LogProblem | undefined;
  readLines(
    file,
    (raw, line, last) => (first = parseLine(raw, line, last)),
    (problem) => (first = problem),
    { maxLines: 1 },
  );
  return first;
}
