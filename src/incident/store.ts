import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { EXIT, UserError } from '../errors.js';
import { diskError } from '../files/io-error.js';
import type { IncidentEvent } from './events.js';
import { tidyLeftovers } from './leftovers.js';
import { readEvents, readFirstEvent, readLog, type LogProblem, type LogRead } from './read.js';
import { apply, initialState, replay, type IncidentState } from './replay.js';

/** `--incident-dir`, else $SEV_INCIDENT_DIR, else ./incidents. */
export function incidentDir(option?: string): string {
  return resolve(option || process.env.SEV_INCIDENT_DIR || 'incidents');
}

export function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw diskError(dir, error, 'cannot create the incident directory');
  }
}

/** An id that sorts by start time and says which runbook: 20261126T223105Z-server-failure-k3f9. */
export function newIncidentId(runbookId: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const suffix = randomBytes(3)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .slice(0, 4);
  return `${stamp}-${runbookId}-${suffix}`;
}

/** File names keep only characters that are safe everywhere. */
function safeName(name: string): string {
  return (
    name
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+/, '')
      .slice(0, 64) || 'responder'
  );
}

/** One file per responder per incident: <incident>.<responder>.jsonl */
export function logPath(dir: string, incident: string, responder: string): string {
  return join(dir, `${incident}.${safeName(responder)}.jsonl`);
}

interface IncidentLogs {
  id: string;
  logs: LogRead[];
}

/** An incident and its log files, found without reading the logs. */
interface IncidentFiles {
  id: string;
  files: string[];
}

function logFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory())
    throw new UserError(
      `incident directory ${dir} is a file, not a directory`,
      EXIT.usage,
      'Give --incident-dir, or set SEV_INCIDENT_DIR, to a directory.',
    );
  tidyLeftovers(dir);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .map((name) => join(dir, name));
}

/** The incident id a log's file name gives (`<incident>.<responder>.jsonl`, as sev names them), if it gives one. */
const NAMED = /^(\d{8}T\d{6}Z-[a-z0-9][a-z0-9-]*-[a-z0-9]{4})\.[^/\\]+\.jsonl$/;
function incidentOfName(file: string): string | undefined {
  return NAMED.exec(basename(file))?.[1];
}

/** The incident of a log whose name does not say: from its first event, else from its name up to the first dot. */
function incidentOfFirstLine(file: string): string {
  const first = readFirstEvent(file);
  return first && 'v' in first ? first.incident : basename(file).split('.')[0]!;
}

/**
 * Every incident in the directory with its log files, grouped by file name; only a log whose name does
 * not follow `<incident>.<responder>.jsonl` is opened, and only its first line is read.
 */
function listIncidentFiles(dir: string): IncidentFiles[] {
  const byId = new Map<string, string[]>();
  for (const file of logFiles(dir)) {
    const id = incidentOfName(file) ?? incidentOfFirstLine(file);
    const files = byId.get(id);
    if (files) files.push(file);
    else byId.set(id, [file]);
  }
  return [...byId].map(([id, files]) => ({ id, files }));
}

/**
 * Finds an incident's log files by its id, by a unique part of it (the last characters are enough), or by
 * the path of one of its log files. Reads no log whose name tells its incident.
 */
export function locateIncident(dir: string, ref: string, from?: string): IncidentFiles {
  if (ref.endsWith('.jsonl') || (existsSync(ref) && statSync(ref).isFile())) {
    const first = readFirstEvent(ref);
    return { id: first && 'v' in first ? first.incident : (incidentOfName(ref) ?? basename(ref).split('.')[0]!), files: [ref] };
  }
  const all = listIncidentFiles(dir);
  const exact = all.find((i) => i.id === ref);
  if (exact) return exact;
  const matches = all.filter((i) => i.id.includes(ref));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new UserError(
      `"${ref}" matches ${matches.length} incidents: ${matches.map((m) => m.id).join(', ')}`,
      EXIT.usage,
      'Give more of the incident id.',
    );
  }
  throw new UserError(
    `no incident "${ref}" in ${lookedIn(dir, from)}`,
    EXIT.usage,
    all.length ? `Run sev status to see the incidents there. ${POINT_ELSEWHERE}` : POINT_ELSEWHERE,
  );
}

/** How to name the directory of the incident logs, for a message that found nothing where it looked. */
export const POINT_ELSEWHERE =
  'Logs kept elsewhere: give --incident-dir DIR, set SEV_INCIDENT_DIR=DIR, or put incident_dir: DIR in sev.config.yaml.';

/** The directory searched, where that came from (a flag, a variable, the config file, the default), and whether it exists. */
export function lookedIn(dir: string, from?: string): string {
  const origin = from ? `, from ${from === 'default' ? 'the default, ./incidents' : from}` : '';
  return `${dir} (the incident directory${origin}${existsSync(dir) ? '' : '; it does not exist'})`;
}

/** The ids of the incidents in the directory, their logs unread unless a name does not tell its incident (shell completion). */
export function incidentIds(dir: string): string[] {
  return listIncidentFiles(dir).map((i) => i.id);
}

/** Every incident in the directory, with its logs read. */
export function listIncidents(dir: string): IncidentLogs[] {
  return listIncidentFiles(dir).map(({ id, files }) => ({ id, logs: files.map(readLog) }));
}

/** An incident found as locateIncident finds it, with its logs (and only its logs) read. */
export function findIncident(dir: string, ref: string, from?: string): IncidentLogs {
  const { id, files } = locateIncident(dir, ref, from);
  return { id, logs: files.map(readLog) };
}

/** What status needs of one log: its fold, streamed (no event is kept), and what was wrong with it. */
interface LogSummary {
  file: string;
  state: IncidentState;
  /** Whether the log holds the incident.started event: the walker's log. */
  starts: boolean;
  problems: LogProblem[];
}

function summarizeLog(file: string): LogSummary {
  const state = initialState();
  const problems: LogProblem[] = [];
  let starts = false;
  readEvents(
    file,
    (event) => {
      if (event.type === 'incident.started') starts = true;
      apply(state, event);
    },
    (problem) => problems.push(problem),
  );
  return { file, state, starts, problems };
}

/** Every incident in the directory with a summary of each of its logs, read one log at a time. */
export function summarizeIncidents(dir: string): { id: string; logs: LogSummary[] }[] {
  return listIncidentFiles(dir).map(({ id, files }) => ({ id, logs: files.map(summarizeLog) }));
}

/** An incident not closed yet, as a new run of its runbook is told of it. */
export interface OpenIncident {
  id: string;
  state: IncidentState;
  file: string;
}

/**
 * The open and paused incidents of a runbook, newest first: only incidents whose id names the runbook are
 * read, and each is kept only if its log says it follows that runbook too.
 */
export function openIncidentsOf(dir: string, runbookId: string): OpenIncident[] {
  const named = (id: string) => id.slice(17, -5) === runbookId;
  return listIncidentFiles(dir)
    .filter((i) => named(i.id))
    .map(({ id, files }) => {
      const walker = walkerSummary(files.map(summarizeLog));
      return { id, state: walker.state, file: walker.file };
    })
    .filter((i) => i.state.runbook?.id === runbookId && i.state.status !== 'closed')
    .reverse();
}

/** The summary of the log a responder walks in (as walkerLog chooses). */
export function walkerSummary(logs: LogSummary[]): LogSummary {
  return logs.find((l) => l.starts) ?? logs[0]!;
}

/**
 * The log a responder's note goes to: theirs, else the one that started the incident. Only first lines are
 * read, and only logs whose first line is an incident's first event (incident.started or incident.joined)
 * are candidates: a note is never appended to a file that is not an incident log.
 */
export function noteTarget(dir: string, ref: string, responder: string): { id: string; file: string } {
  const { id, files } = locateIncident(dir, ref);
  const firsts = files.map((file) => ({ file, first: readFirstEvent(file) }));
  const refused = (file: string, first: IncidentEvent | LogProblem | undefined) => {
    const why = !first
      ? 'it is empty'
      : !('v' in first)
        ? `its first line is not an event (${first.message})`
        : first.type !== 'incident.started' && first.type !== 'incident.joined'
          ? `its first event is ${first.type}, not incident.started or incident.joined`
          : `its first event is of incident ${first.incident}, not ${id}`;
    return new UserError(
      `${file} is not an incident log: ${why}; nothing was written`,
      EXIT.usage,
      'Give an incident id, or the path of a log written by sev run.',
    );
  };
  const logs: { file: string; first: IncidentEvent }[] = [];
  for (const { file, first } of firsts) {
    if (first && 'v' in first && (first.type === 'incident.started' || first.type === 'incident.joined') && first.incident === id)
      logs.push({ file, first });
    else if (files.length === 1) throw refused(file, first);
  }
  const responderOf = (e: IncidentEvent) => (e.data as { responder?: string }).responder;
  const log = logs.find((l) => responderOf(l.first) === responder) ?? logs.find((l) => l.first.type === 'incident.started') ?? logs[0];
  if (!log) throw refused(firsts[0]!.file, firsts[0]!.first);
  return { id, file: log.file };
}

/** The fold of one log, with the problems its reading found. */
export function stateOf(read: LogRead): IncidentState {
  return replay(read.events);
}

/** The log a responder walks in: theirs if they have one, else the one that started the incident. */
export function walkerLog(incident: IncidentLogs, responder?: string): LogRead {
  const starts = (l: LogRead) => l.events.some((e) => e.type === 'incident.started');
  const own = responder ? incident.logs.find((l) => starts(l) && stateOf(l).responder === responder) : undefined;
  return own ?? incident.logs.find(starts) ?? incident.logs[0]!;
}
