import { readFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import { isKnown, LOG_VERSION, type IncidentEvent } from './events.js';

/** An event as read back, with the line of the file it came from. */
export type LoggedEvent = IncidentEvent & { line: number };

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

export function isEvent(value: unknown): value is IncidentEvent {
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

/** One line of a log: its event, or the problem that keeps it from being one. */
export function parseLine(raw: string, line: number, last: boolean): IncidentEvent | LogProblem {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  if (isEvent(value)) return value;
  return last
    ? { line, kind: 'torn-line', message: 'the last line is incomplete (the writer stopped in the middle of it); it is ignored' }
    : { line, kind: 'damaged-line', message: 'this line is not a complete event; it is ignored' };
}

/** What a reader says of an event it keeps: written by a newer sev, or of a type it does not know (once per type). */
export function eventNotes(event: IncidentEvent, line: number, unknownTypes: Set<string>): LogProblem[] {
  const notes: LogProblem[] = [];
  if (event.v > LOG_VERSION) notes.push({ line, kind: 'newer-version', message: `event written by a newer sev (log format v${event.v}); read as v${LOG_VERSION}` });
  if (!isKnown(event) && !unknownTypes.has(event.type)) {
    unknownTypes.add(event.type);
    notes.push({ line, kind: 'unknown-type', message: `event type "${event.type}" is unknown to this version of sev; kept and shown as it is` });
  }
  return notes;
}

/**
 * Reads one incident log. Never throws on damaged content: a torn last line (a crash in the middle of a
 * write), a line that is not an event, an event type this version does not know (kept, for forward
 * compatibility) are all reported as problems beside the events.
 */
export function parseLog(file: string, text: string): LogRead {
  const events: LoggedEvent[] = [];
  const problems: LogProblem[] = [];
  const lines = text.split('\n');
  const endsWhole = text.endsWith('\n');
  if (endsWhole) lines.pop();
  const unknownTypes = new Set<string>();
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const parsed = parseLine(raw, line, index === lines.length - 1 && !endsWhole);
    if (!('v' in parsed)) {
      problems.push(parsed);
      return;
    }
    const event = parsed as LoggedEvent;
    event.line = line;
    problems.push(...eventNotes(event, line, unknownTypes));
    events.push(event);
  });
  return { file, events, problems };
}

export function readLog(file: string): LogRead {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: ${code === 'ENOENT' ? 'no such incident log' : code === 'EISDIR' ? 'is a directory, not an incident log' : (error as Error).message}`, 2);
  }
  return parseLog(file, text);
}
