import type { ProcessRef } from '../incident/owner.js';
import type { Unfinished } from '../incident/replay.js';

/** The group of an unfinished check or command; one an older sev did not record is taken as gone (its result is asked). */
export function groupOf(unfinished: Unfinished): ProcessRef {
  return { host: unfinished.host ?? '', pid: unfinished.pgid ?? 0, ...(unfinished.processStart ? { start: unfinished.processStart } : {}) };
}

/** A process group as an event records it. */
export function groupData(group: ProcessRef) {
  return { pgid: group.pid, host: group.host, ...(group.start ? { processStart: group.start } : {}) };
}
