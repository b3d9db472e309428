import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * Who a process is, so that another sev can tell later whether it still runs: a pid alone is not enough
 * (pids are reused, and a directory shared over NFS is seen from several hosts).
 */
export interface ProcessRef {
  host: string;
  pid: number;
  /** When the process started, as the kernel counts it (boot id and clock ticks); absent where unknown. */
  start?: string;
}

/** alive: it runs on this host; gone: it does not; elsewhere: another host's, which cannot be looked at from here. */
type ProcessState = 'alive' | 'gone' | 'elsewhere';

const HOST = os.hostname();

let bootId: string | undefined | null = null;

function currentBootId(): string | undefined {
  if (bootId === null) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = undefined;
    }
  }
  return bootId;
}

/** Fields 3 and on of /proc/<pid>/stat (Linux), or undefined where there is no such file. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The start time of a process on this host (Linux: field 22 of /proc/<pid>/stat), or undefined. */
export function processStart(pid: number): string | undefined {
  const ticks = statFields(pid)?.[19];
  return ticks ? `${currentBootId() ?? 'boot'}:${ticks}` : undefined;
}

/** A process that has exited and not yet been reaped by its parent still answers kill(pid, 0). */
function isZombie(pid: number): boolean {
  return statFields(pid)?.[0] === 'Z';
}

export function selfRef(): ProcessRef {
  const start = processStart(process.pid);
  return { host: HOST, pid: process.pid, ...(start ? { start } : {}) };
}

/** A process group's leader, as a reference: the group is looked at through it. */
export function groupRef(pgid: number): ProcessRef {
  const start = processStart(pgid);
  return { host: HOST, pid: pgid, ...(start ? { start } : {}) };
}

function exists(pid: number, group: boolean): boolean {
  try {
    process.kill(group ? -pid : pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return group ? groupHasLiving(pid) : !isZombie(pid);
}

/**
 * Whether a process of the group is alive and not a zombie: where nobody reaps orphans (a container whose
 * first process does not), a group whose processes have all exited can still answer kill(-pgid, 0).
 */
function groupHasLiving(pgid: number): boolean {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return true;
  }
  for (const pid of pids) {
    const fields = statFields(Number(pid));
    // Field 3 is the state, field 5 the process group.
    if (fields && fields[2] === String(pgid) && fields[0] !== 'Z') return true;
  }
  return false;
}

/**
 * Whether the process (or, with `group`, any process of its group) still runs. A process of the same pid
 * that started at another time is a different one: the referenced process is gone.
 */
export function processState(ref: ProcessRef, group = false): ProcessState {
  if (ref.host !== HOST) return 'elsewhere';
  if (!Number.isInteger(ref.pid) || ref.pid <= 0) return 'gone';
  if (!exists(ref.pid, group)) return 'gone';
  if (ref.start) {
    // Unreadable (another user's process behind hidepid, or a group whose leader is gone while members
    // run): it exists, so it is alive. Only a start time that was read and differs is another process.
    const now = processStart(ref.pid);
    if (now !== undefined && now !== ref.start) return 'gone';
  }
  return 'alive';
}

export function describeRef(ref: ProcessRef): string {
  return `host ${ref.host}, pid ${ref.pid}`;
}
