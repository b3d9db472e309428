import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { diskError } from './disk.js';
import { tidyLeftovers } from './leftovers.js';
import { readLog, type LogRead } from './read.js';
import { replay, type IncidentState } from './replay.js';

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
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const suffix = randomBytes(3).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 4);
  return `${stamp}-${runbookId}-${suffix}`;
}

/** File names keep only characters that are safe everywhere. */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 64) || 'responder';
}

/** One file per responder per incident: <incident>.<responder>.jsonl */
export function logPath(dir: string, incident: string, responder: string): string {
  return join(dir, `${incident}.${safeName(responder)}.jsonl`);
}

export interface IncidentLogs {
  id: string;
  logs: LogRead[];
}

function logFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) throw new UserError(`incident directory ${dir} is a file, not a directory`, 2, 'Give --incident-dir, or set SEV_INCIDENT_DIR, to a directory.');
  tidyLeftovers(dir);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .map((name) => join(dir, name));
}

/** The incident a log file belongs to, from its first event, or from its name if it has none. */
function incidentOf(read: LogRead): string {
  return read.events[0]?.incident ?? basename(read.file).split('.')[0]!;
}

/** Every incident in the directory, with its logs. */
export function listIncidents(dir: string): IncidentLogs[] {
  const byId = new Map<string, LogRead[]>();
  for (const file of logFiles(dir)) {
    const read = readLog(file);
    const id = incidentOf(read);
    byId.set(id, [...(byId.get(id) ?? []), read]);
  }
  return [...byId].map(([id, logs]) => ({ id, logs }));
}

/**
 * Finds an incident by its id, by a unique part of it (the last characters are enough), or by the path of
 * one of its log files.
 */
export function findIncident(dir: string, ref: string): IncidentLogs {
  if (ref.endsWith('.jsonl') || (existsSync(ref) && statSync(ref).isFile())) {
    const read = readLog(ref);
    return { id: incidentOf(read), logs: [read] };
  }
  const all = listIncidents(dir);
  const exact = all.find((i) => i.id === ref);
  if (exact) return exact;
  const matches = all.filter((i) => i.id.includes(ref));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new UserError(`"${ref}" matches ${matches.length} incidents: ${matches.map((m) => m.id).join(', ')}`, 2, 'Give more of the incident id.');
  }
  throw new UserError(`no incident "${ref}" in ${dir}`, 2, all.length ? 'Run sev status to see the incidents there.' : 'Give --incident-dir, or set SEV_INCIDENT_DIR, to the directory of the incident logs.');
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

/** The log a responder's note goes to: theirs if they have one, else the walker's. */
export function noteLog(incident: IncidentLogs, responder: string): LogRead {
  return incident.logs.find((l) => stateOf(l).responder === responder) ?? walkerLog(incident);
}
