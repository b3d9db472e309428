import type { CheckResultData } from '../incident/events.js';
import type { ProcessRef } from '../incident/owner.js';
import type { CheckDef } from '../runbook/model.js';
import { runCheck, runChecks, sleep, type CheckRun } from './checks.js';
import { awaitGroup, endGroup, groupState, runProcess, type ProcessRun, type ProcessSpec } from './process.js';

/**
 * Everything a walk does outside itself besides asking and logging: it runs checks and commands, waits,
 * reads the time, and deals with the process groups an earlier run of sev left behind. The real one starts
 * processes and sleeps; a test gives a fake one to walk a runbook whose checks go CRITICAL then OK, whose
 * commands fail, or whose waits run out, without a process or a second of real time.
 */
export interface Runner {
  /** One check, its failures retried `retries` times (the check's own `retries` by default). */
  check(def: CheckDef, run: CheckRun, retries?: number): Promise<CheckResultData>;
  /** The checks of a step, each told to `onResult` as it ends; results in the given order. */
  checks(defs: CheckDef[], run: CheckRun, onResult?: (result: CheckResultData) => void): Promise<CheckResultData[]>;
  command(spec: ProcessSpec): Promise<ProcessRun>;
  /** Rejects with Interrupted when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  now(): Date;
  /** A process group an earlier run started and nobody watches any more: still running, gone, or on another host. */
  groupState(group: ProcessRef): 'alive' | 'gone' | 'elsewhere';
  /** Ends such a group (SIGTERM, then SIGKILL); false when it is still there after that. */
  endGroup(group: ProcessRef): Promise<boolean>;
  /** Waits until such a group has ended; rejects with Interrupted when the signal aborts. */
  awaitGroup(group: ProcessRef, signal?: AbortSignal): Promise<void>;
}

export const processRunner: Runner = {
  check: (def, run, retries) => runCheck(def, run, retries),
  checks: (defs, run, onResult) => runChecks(defs, run, onResult),
  command: (spec) => runProcess(spec),
  sleep: (ms, signal) => sleep(ms, signal),
  now: () => new Date(),
  groupState: (group) => groupState(group),
  endGroup: (group) => endGroup(group),
  awaitGroup: (group, signal) => awaitGroup(group, signal),
};
