import { readdirSync, readFileSync } from 'node:fs';

/** Fields 3 and on of /proc/<pid>/stat: [state, ppid, pgrp, …]. */
function statFields(pid: string | number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Whether a process runs (a zombie, exited but not reaped where nobody reaps orphans, does not). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return statFields(pid)?.[0] !== 'Z';
}

/** Whether any process of the group runs, zombies aside. */
export function groupAlive(pgid: number): boolean {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .some((p) => {
      const fields = statFields(p);
      return fields?.[2] === String(pgid) && fields[0] !== 'Z';
    });
}
