import { linkSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { currentWalker } from './claim.js';
import { breakStale, isStale } from './lock.js';
import { parseLine } from './read.js';

/** A file a writer is between creating and completing is left alone this long. */
const FRESH_MS = 2_000;

/** `.<incident>.<responder>.jsonl.<hex>.tmp`: a new log before its first event is whole on disk. */
const PENDING_LOG = /^\.(([^.]+)\..+\.jsonl)\.[0-9a-f]+\.tmp$/;

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function remove(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Gone already, or not ours to remove: left as it is.
  }
}

/**
 * What a sev killed at the wrong moment leaves in an incident directory, put right by the next command
 * that looks there: a new log whose first event is whole but never got its name is given it; a lock,
 * claim or half-written file whose process is gone is removed. Nothing of a live process is touched.
 */
export function tidyLeftovers(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const file = join(dir, name);
    const pending = PENDING_LOG.exec(name);
    if (pending) {
      const [, logName, incident] = pending;
      if (ageMs(file) < FRESH_MS || currentWalker(dir, incident!)) continue;
      completePendingLog(file, join(dir, logName!), names.includes(logName!));
      continue;
    }
    // A stale lock is broken as a writer breaks it, under its guard; a dead walker's claim is left for
    // the next walker to replace (removing it here could remove a claim taken a moment ago).
    if (name.endsWith('.jsonl.lock')) {
      if (isStale(file)) breakStale(file);
    } else if (/\.walker\.\d+\.tmp$/.test(name) && ageMs(file) >= FRESH_MS) {
      remove(file);
    }
  }
}

function completePendingLog(pending: string, log: string, taken: boolean): void {
  let first: string;
  try {
    const text = readFileSync(pending, 'utf8');
    first = text.slice(0, text.indexOf('\n') + 1);
  } catch {
    return;
  }
  const event = first ? parseLine(first.slice(0, -1), 1, false) : undefined;
  const whole = event && 'type' in event && event.type === 'incident.started';
  if (whole && !taken) {
    try {
      linkSync(pending, log);
    } catch {
      return;
    }
  }
  remove(pending);
}
