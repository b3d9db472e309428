import type { CheckResultData, CheckStatus, ProcessResultData } from '../incident/events.js';
import { DEFAULTS, type CheckDef, type Expect } from '../runbook/model.js';
import { durationMs } from '../runbook/duration.js';
import { compileSearch } from '../runbook/regex.js';
import type { ProcessRef } from '../incident/owner.js';
import type { Masker } from './mask.js';
import { Interrupted } from './errors.js';
import { runProcess } from './process.js';
import { shownCommand } from '../runbook/command-text.js';

/** How many checks of one step run at once. */
const CHECK_CONCURRENCY = 32;

const NAGIOS: Record<number, CheckStatus> = { 0: 'OK', 1: 'WARNING', 2: 'CRITICAL', 3: 'UNKNOWN' };

function matches(pattern: string | undefined, text: string): boolean {
  if (pattern === undefined) return true;
  return compileSearch(pattern)?.test(text) ?? false;
}

/** Why an output falls short of the expectations, or undefined when it meets them. */
export function unmet(expect: Expect, result: ProcessResultData, checkExit = true): string | undefined {
  if (checkExit && (result.exit === null || !expect.exit.includes(result.exit))) {
    return `exit ${result.exit ?? result.signal ?? '?'}, expected ${expect.exit.join(' or ')}`;
  }
  if (!matches(expect.stdout, result.stdout)) return `stdout does not match /${expect.stdout}/`;
  if (expect.stdoutNot !== undefined && matches(expect.stdoutNot, result.stdout)) return `stdout matches /${expect.stdoutNot}/`;
  if (!matches(expect.stderr, result.stderr)) return `stderr does not match /${expect.stderr}/`;
  return undefined;
}

/** The Nagios-style status of one attempt of a check. */
export function evaluate(check: CheckDef, result: ProcessResultData): { status: CheckStatus; reason: string } {
  if (result.error) return { status: 'UNKNOWN', reason: result.error };
  if (result.timedOut) return { status: 'UNKNOWN', reason: `timed out after ${check.timeout}` };
  if (check.nagios) {
    const status = result.exit === null ? 'UNKNOWN' : (NAGIOS[result.exit] ?? 'UNKNOWN');
    const problem = unmet(check.expect, result, false);
    if (status === 'OK' && problem) return { status: check.failure === 'warning' ? 'WARNING' : 'CRITICAL', reason: problem };
    return { status, reason: result.exit === null ? `killed by ${result.signal ?? 'a signal'}` : `exit ${result.exit} (${status})` };
  }
  const problem = unmet(check.expect, result);
  if (!problem) return { status: 'OK', reason: `exit ${result.exit}` };
  return { status: check.failure === 'warning' ? 'WARNING' : 'CRITICAL', reason: problem };
}

/** WARNING is reported but lets the step go on; CRITICAL and UNKNOWN fail it. */
export function isFailing(status: CheckStatus): boolean {
  return status === 'CRITICAL' || status === 'UNKNOWN';
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Interrupted());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Interrupted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface CheckRun {
  /** The environment of a check: its own `env` (templated) and the inputs and facts of the run. */
  env: (own: Record<string, string>) => Record<string, string>;
  signal?: AbortSignal;
  mask: Masker;
  /** Told each attempt's process group before the check runs, to log it. */
  onStart?: (check: string, attempt: number, group: ProcessRef) => void;
  /** With a dry run nothing is executed: the check is reported as SKIPPED. */
  dryRun?: boolean;
}

/** Runs a check, retrying a failure as the check allows; the result of the last attempt counts. */
export async function runCheck(check: CheckDef, run: CheckRun, retries = check.retries): Promise<CheckResultData> {
  if (run.dryRun) {
    // The command stands in for its output: what the check would have run is what a dry run is read for.
    return {
      check: check.name,
      status: 'SKIPPED',
      reason: `dry run: would run ${shownCommand(check.run)}`,
      attempts: 0,
      exit: null,
      durationMs: 0,
      timedOut: false,
      stdout: '',
      stderr: '',
    };
  }
  const timeoutMs = durationMs(check.timeout, DEFAULTS.timeout);
  const intervalMs = durationMs(check.interval, DEFAULTS.interval);
  let attempts = 0;
  for (;;) {
    attempts++;
    const attempt = attempts;
    const { result, raw } = await runProcess({
      run: check.run,
      env: run.env(check.env),
      timeoutMs,
      signal: run.signal,
      mask: run.mask,
      onStart: run.onStart && ((group) => run.onStart!(check.name, attempt, group)),
    });
    // Judged on the output as it was: masking could make a match where there was none, or hide one.
    const { status, reason } = evaluate(check, { ...result, ...raw });
    if (!isFailing(status) || attempts > retries) return { ...result, check: check.name, status, reason, attempts };
    await sleep(intervalMs, run.signal);
  }
}

/** Runs checks concurrently, at most `limit` at a time, and returns their results in the given order. */
export async function runChecks(
  checks: CheckDef[],
  run: CheckRun,
  onResult?: (result: CheckResultData) => void,
  limit = CHECK_CONCURRENCY,
): Promise<CheckResultData[]> {
  const results = new Array<CheckResultData>(checks.length);
  let next = 0;
  const worker = async () => {
    while (next < checks.length) {
      const index = next++;
      const result = await runCheck(checks[index]!, run);
      results[index] = result;
      onResult?.(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, checks.length) }, worker));
  return results;
}
