import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT, UserError } from '../errors.js';
import { stopCluster } from './postgres.js';

/**
 * What a running drill has started, kept in `<incident dir>/.drill/state.json` and rewritten at each start, so
 * that the next `sev drill` stops what a killed one (SIGKILL, a crash) left running.
 */
export interface DrillState {
  drillPid: number;
  /** The wallet API's process (its own process group). */
  apiPid?: number;
  /** The PostgreSQL cluster's directory (data/ holds postmaster.pid). */
  pgDir?: string;
  /** The drill's working directory: stand-ins, records, the API's log. */
  workDir?: string;
  ports: number[];
}

export const stateFile = (incidentDir: string) => join(incidentDir, '.drill', 'state.json');

export function writeState(incidentDir: string, state: DrillState): void {
  mkdirSync(join(incidentDir, '.drill'), { recursive: true });
  writeFileSync(stateFile(incidentDir), `${JSON.stringify(state)}\n`);
}

export function readState(incidentDir: string): DrillState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(incidentDir), 'utf8')) as DrillState;
  } catch {
    return undefined;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The name a process runs under, so a pid reused since by another program is never killed. */
function processName(pid: number): string {
  try {
    return execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

/** Stops what the drill of this state started; returns what it stopped, for the message. */
export async function stopStarted(state: DrillState): Promise<string[]> {
  const stopped: string[] = [];
  if (state.apiPid && alive(state.apiPid) && processName(state.apiPid).startsWith('wallet-api')) {
    try {
      process.kill(-state.apiPid, 'SIGKILL');
    } catch {
      process.kill(state.apiPid, 'SIGKILL');
    }
    stopped.push(`wallet-api (pid ${state.apiPid})`);
  }
  if (state.pgDir && existsSync(state.pgDir)) {
    await stopCluster(state.pgDir);
    stopped.push(`PostgreSQL (${state.pgDir})`);
  }
  if (state.workDir) rmSync(state.workDir, { recursive: true, force: true });
  return stopped;
}

/** Before a drill starts: refuses while another one runs; cleans up after one that was killed. */
export async function cleanLeftovers(incidentDir: string): Promise<string[]> {
  const state = readState(incidentDir);
  if (!state) return [];
  if (state.drillPid !== process.pid && alive(state.drillPid)) {
    throw new UserError(
      `a drill is already running (pid ${state.drillPid}) with this incident directory`,
      EXIT.usage,
      `Finish it, or use another --incident-dir (when no drill runs, delete ${stateFile(incidentDir)}).`,
    );
  }
  const stopped = await stopStarted(state);
  rmSync(stateFile(incidentDir), { force: true });
  return stopped;
}
