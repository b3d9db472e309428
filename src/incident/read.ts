import { readFileSync, statSync } from 'node:fs';
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
  'check.result': { check: 'string', status: 'string' },
  'wait.finished': { check: 'string' },
  'command.started': { step: 'string', command: 'string' },
  'command.finished': { step: 'string', ok: 'boolean' },
  'command.unfinished': { step: 'string', decision: 'string', state: 'string' },
  'check.started': { step: 'string', check: 'string' },
  'incident.taken-over': { from: 'object' },
  announcement: { audience: 'string', message: 'string' },
  note: { text: 'string' },
  milestone: { milestone: 'string' },
  'severity.changed': { from: 'string', to: 'string' },
};
const OPTIONAL_STRINGS = ['step', 'title', 'channel', 'subject', 'reason', 'value', 'at', 'stdout', 'stderr', 'version', 'id', 'file', 'hash', 'host'];

/** Why a known event's data cannot be used, or undefined when it can. */
function badData(event: IncidentEvent): string | undefined {
  const data = event.data as Record<string, unknown>;
  for (const [field, type] of Object.entries(DATA_FIELDS[event.type] ?? {})) {
    const value = data[field];
    if (typeof value !== type || value === null) return `data.${field} is not ${type === 'object' ? 'an' : 'a'} ${type}`;
  }
  const runbook = data.runbook as Record<string, unknown> | undefined;
  for (const [where, record] of [['data', data], ['data.runbook', runbook]] as const) {
    if (!record) continue;
    for (const field of OPTIONAL_STRINGS) {
      if (record[field] !== undefined && typeof record[field] !== 'string') return `${where}.${field} is not a string`;
    }
  }
  if (runbook && typeof runbook.id !== 'string') return 'data.runbook.id is not a string';
  return undefined;
}

/** One line of a log: its event, or the problem that keeps it from being one. */
export function parseLine(raw: string, line: number, last: boolean): IncidentEvent | LogProblem {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  if (isEvent(value)) {
    const bad = badData(value);
    if (!bad) return value;
    return { line, kind: 'damaged-line', message: `this ${value.type} event is malformed (${bad}); it is ignored` };
  }
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
    // Looked at before reading: a FIFO would wait for a writer, and a device may never end.
    const stat = statSync(file);
    if (!stat.isFile() && !stat.isDirectory()) throw new Error('not a regular file, not an incident log');
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: ${code === 'ENOENT' ? 'no such incident log' : code === 'EISDIR' ? 'is a directory, not an incident log' : (error as Error).message}`, 2);
  }
  return parseLog(file, text);
}
