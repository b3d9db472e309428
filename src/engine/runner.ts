import type { CheckResultData } from '../incident/events.js';
import type { CheckDef } from '../runbook/model.js';
import { runCheck, runChecks, sleep, type CheckRun } from './checks.js';
import { runProcess, type ProcessRun, type ProcessSpec } from './process.js';

/**
 * Everything a walk does outside itself besides asking and logging: it runs checks and commands, waits, and
 * reads the time. The real one starts processes and sleeps; a test gives a fake one to walk a runbook whose
 * checks go CRITICAL then OK, whose commands fail, or whose waits run out, without a process or a second
 * of real time.
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
}

export const processRunner: Runner = {
  check: (def, run, retries) => runCheck(def, run, retries),
  checks: (defs, run, onResult) => runChecks(defs, run, onResult),
  command: (spec) => runProcess(spec),
  sleep: (ms, signal) => sleep(ms, signal),
  now: () => new Date(),
};
