import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { EXIT, UserError } from '../errors.js';
import { diskError } from '../files/io-error.js';
import { describeRef, processState, selfRef, type ProcessRef } from './owner.js';

/** Who walks an incident: written into `<incident>.walker` by the one process that runs or resumes it. */
export interface Walker extends ProcessRef {
  responder: string;
  since: string;
}

/** A claim file that cannot be read yet (its writer was between creating and filling it) is left alone this long. */
const FRESH_MS = 2_000;

const pause = new Int32Array(new SharedArrayBuffer(4));

function claimPath(dir: string, incident: string): string {
  return join(dir, `${incident}.walker`);
}

class WalkerBusy extends UserError {
  constructor(
    incident: string,
    readonly walker: Walker,
    elsewhere: boolean,
  ) {
    super(
      `incident ${incident} is being walked by ${walker.responder} (${describeRef(walker)}, since ${walker.since})`,
      EXIT.usage,
      elsewhere
        ? `Add notes meanwhile with sev note ${incident} "…". ` +
            `If that sev on ${walker.host} is gone for good, sev resume ${incident} --take-over takes the incident over.`
        : `Add notes meanwhile with sev note ${incident} "…"; resume it once that run has ended or paused.`,
    );
    this.name = 'WalkerBusy';
  }
}

function readWalker(file: string): Walker | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<Walker>;
    if (
      typeof value.host === 'string' &&
      typeof value.pid === 'number' &&
      typeof value.responder === 'string' &&
      typeof value.since === 'string'
    )
      return value as Walker;
  } catch {
    // Unreadable or half-written.
  }
  return undefined;
}

/** The one process walking an incident now, if any: a claim whose process is gone on this host is no walker. */
export function currentWalker(dir: string, incident: string): Walker | undefined {
  const walker = readWalker(claimPath(dir, incident));
  return walker && processState(walker) !== 'gone' ? walker : undefined;
}

/** What to do with a claim that another host holds: take it only when the responder says so. */
export type TakeOver = (walker: Walker) => Promise<boolean>;

/**
 * The right to walk an incident, held by one process at a time. Created exclusively, so of two processes
 * starting at once exactly one gets it; broken by itself only when its process is known to be gone (this
 * host, pid not running or started at another time); another host's is taken only after `takeOver` agrees.
 */
export class Claim {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(
    readonly file: string,
    readonly walker: Walker,
    /** The other host's walker whose claim this one replaced (a takeover), for the log. */
    readonly replaced?: Walker,
  ) {
    process.once('exit', this.onExit);
  }

  static async take(dir: string, incident: string, responder: string, takeOver?: TakeOver): Promise<Claim> {
    const file = claimPath(dir, incident);
    const walker: Walker = { ...selfRef(), responder, since: new Date().toISOString() };
    for (let attempt = 0; attempt < 5; attempt++) {
      if (create(file, walker)) return new Claim(file, walker);
      const holder = readWalker(file);
      if (!holder) {
        // Being written this very moment, or left empty by a writer killed in between: stale once old.
        if (ageMs(file) < FRESH_MS)
          throw new UserError(
            `incident ${incident} is being claimed by another sev process right now`,
            EXIT.usage,
            'Try again in a moment.',
          );
        replace(file, undefined, walker);
        return new Claim(file, walker);
      }
      const state = processState(holder);
      if (state === 'alive') throw new WalkerBusy(incident, holder, false);
      if (state === 'elsewhere') {
        if (!takeOver || !(await takeOver(holder))) throw new WalkerBusy(incident, holder, true);
        if (replace(file, holder, walker)) return new Claim(file, walker, holder);
        Atomics.wait(pause, 0, 0, 20);
        continue;
      }
      // Its process is gone: the claim is broken, and the incident's log says what was done.
      if (replace(file, holder, walker)) return new Claim(file, walker);
      Atomics.wait(pause, 0, 0, 20);
    }
    throw new UserError(`incident ${incident}: could not claim it (other sev processes keep claiming it)`, EXIT.usage);
  }

  /**
   * Before each event of the walk: the claim must still be ours. Made again if it vanished with its
   * directory (deleted mid-run); another's means someone took the incident over, and this walk must do
   * nothing more.
   */
  assertHeld(): void {
    if (this.released) return;
    const current = readWalker(this.file);
    if (same(current, this.walker)) return;
    if (!current && create(this.file, this.walker)) return;
    const holder = readWalker(this.file);
    throw new UserError(
      `incident ${basename(this.file, '.walker')} is now walked by ` +
        (holder ? `${holder.responder} (${describeRef(holder)}, since ${holder.since})` : 'another sev process') +
        ': this run stops here and does nothing more',
      EXIT.usage,
    );
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    process.off('exit', this.onExit);
    // Only our own claim: a takeover from another host may have replaced it.
    if (same(readWalker(this.file), this.walker)) removeQuietly(this.file);
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

function create(file: string, walker: Walker): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw diskError(file, error, 'cannot claim the incident');
  }
  try {
    writeSync(fd, JSON.stringify(walker));
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    removeQuietly(file);
    throw diskError(file, error, 'cannot claim the incident');
  }
  closeSync(fd);
  return true;
}

const same = (a: Walker | undefined, b: Walker | undefined) =>
  a && b ? a.pid === b.pid && a.host === b.host && a.since === b.since : a === b;

/**
 * Replaces a claim judged stale with ours, if it is still the one judged. Under a guard file created
 * exclusively, so that of two processes breaking the same stale claim one judges and replaces it while the
 * other waits and then finds a claim that is not the one it judged. A guard left by a process killed while
 * it held it is removed once old.
 */
function replace(file: string, judged: Walker | undefined, walker: Walker): boolean {
  const guard = `${file}.break`;
  let guardFd: number;
  try {
    guardFd = openSync(guard, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw diskError(guard, error, 'cannot claim the incident');
    if (ageMs(guard) > FRESH_MS) removeQuietly(guard);
    return false;
  }
  const aside = `${file}.${process.pid}.tmp`;
  try {
    if (!same(readWalker(file), judged)) return false;
    const fd = openSync(aside, 'w');
    try {
      writeSync(fd, JSON.stringify(walker));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(aside, file);
    return true;
  } catch (error) {
    removeQuietly(aside);
    throw diskError(file, error, 'cannot claim the incident');
  } finally {
    closeSync(guardFd);
    removeQuietly(guard);
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Gone already.
  }
}
