import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { EXIT, UserError } from '../errors.js';
import { diskError } from '../files/io-error.js';
import { processState, selfRef } from './owner.js';

const WAIT_LIMIT_MS = 10_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

function sleep(ms: number): void {
  Atomics.wait(pause, 0, 0, ms);
}

/** A lock is held for the time of one append: one from another host that is this old was abandoned. */
const ELSEWHERE_STALE_MS = 30_000;

/**
 * A lock left by a process that no longer runs (killed while it held the lock) may be broken. It holds
 * "host pid start", so a lock of a live process on another host sharing the directory is never taken for
 * a dead one.
 */
export function isStale(lock: string): boolean {
  try {
    const [host, pid, start] = readFileSync(lock, 'utf8').split(' ');
    const age = Date.now() - statSync(lock).mtimeMs;
    // Created but not written yet, or garbage: stale only once it is old.
    if (!host || !Number(pid)) return age > 2_000;
    const state = processState({ host, pid: Number(pid), ...(start ? { start } : {}) });
    return state === 'gone' || (state === 'elsewhere' && age > ELSEWHERE_STALE_MS);
  } catch {
    return false;
  }
}

/**
 * Removes a stale lock, under a second lock (`<lock>.break`) so that only one writer at a time judges and
 * removes it. Without it, two writers can both read the dead pid; one removes the stale lock and takes the
 * lock, then the other removes that live lock and takes it too, and both append with the same seq.
 * Under the guard the lock is judged again: the stale file can only be removed by its breaker (its owner
 * is dead) and no new lock can be created while it exists, so the file removed is the one judged stale.
 * False when another writer is breaking it: wait as for a live lock.
 */
export function breakStale(lock: string): boolean {
  const guard = `${lock}.break`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw diskError(guard, error, 'cannot lock the incident log');
    // Another writer is breaking it. A guard left by a writer killed while breaking is removed once old.
    try {
      if (Date.now() - statSync(guard).mtimeMs > 2_000) unlinkSync(guard);
    } catch {
      // Gone already.
    }
    return false;
  }
  try {
    if (isStale(lock)) unlinkSync(lock);
  } catch {
    // Removed already, by its owner's release: nothing to break.
  } finally {
    closeSync(fd);
    try {
      unlinkSync(guard);
    } catch {
      // Removed as old by another writer: nothing to release.
    }
  }
  return true;
}

/**
 * Runs `fn` while holding `<path>.lock`, an exclusively created file holding our pid. Every writer of an
 * incident log (the run, `sev note` from another terminal) appends under it, so sequence numbers stay
 * whole and lines never interleave.
 */
export function withFileLock<T>(path: string, fn: () => T): T {
  const lock = `${path}.lock`;
  const me = selfRef();
  const owner = `${me.host} ${me.pid} ${me.start ?? ''}`;
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    let fd: number | undefined;
    try {
      fd = openSync(lock, 'wx');
      writeSync(fd, owner);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        if (fd !== undefined) {
          closeSync(fd);
          unlinkQuietly(lock);
        }
        throw diskError(lock, error, 'cannot lock the incident log');
      }
      if (isStale(lock) && breakStale(lock)) continue;
      if (Date.now() > deadline) {
        throw new UserError(
          `${path}: another sev process has held ${lock} for ${WAIT_LIMIT_MS / 1000}s`,
          EXIT.usage,
          'If no sev process is running, delete the .lock file.',
        );
      }
      sleep(1 + Math.random() * 4);
    }
  }
  try {
    return fn();
  } finally {
    unlinkQuietly(lock);
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone: nothing to release.
  }
}
