import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import type { ProcessResultData } from '../incident/events.js';
import { groupRef, processState, type ProcessRef } from '../incident/owner.js';
import { keepWhole, type Masker } from './mask.js';
import { LiveLines, type OutputLine } from './live-lines.js';
import { Interrupted } from './errors.js';

/** Each of stdout and stderr keeps at most this much; the rest is read and dropped. */
export const OUTPUT_CAP_BYTES = 64 * 1024;
/** After SIGTERM, the process group has this long before SIGKILL. */
const KILL_GRACE_MS = 500;

export interface ProcessSpec {
  /** A string is run by /bin/sh -c; a list is [program, ...args], run without a shell. */
  run: string | string[];
  env: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  cwd?: string;
  /** Secrets to mask in the output, before it is cut to the cap (a secret across the cut is masked whole). */
  mask?: Masker;
  /**
   * A state-changing command: when this aborts (sev is hung up on or terminated), it is left running to its
   * end or its time limit rather than killed halfway, and runProcess rejects with Interrupted at once.
   */
  leaveSignal?: AbortSignal;
  /**
   * Called with the process group once it exists and before the command runs: the command waits at a gate
   * until this returns, and never runs if it throws (the start could not be logged).
   */
  onStart?: (group: ProcessRef) => void;
  /**
   * Told each line of output as the command writes it, masked: a long command is visibly alive. What the
   * log keeps is still the capped capture in the result.
   */
  onOutput?: (line: OutputLine) => void;
}

/**
 * A command's stdout or stderr, written to a file of its own rather than a pipe: a pipe dies with sev, and
 * a command that then fails to write (a shell under `set -e`, curl) would stop halfway. The file is kept
 * to the cap (and `slack` bytes past it, to mask a secret that crosses it) while the command runs.
 */
class Spool {
  private readonly fd: number;
  private closed = false;
  /** How far the live reader has read. */
  private tailed = 0;
  truncated = false;

  constructor(
    readonly path: string,
    private readonly slack: number,
  ) {
    this.fd = openSync(path, 'w+');
  }

  /** Cuts what is past the kept part: the writer appends (O_APPEND), so it goes on at the new end. */
  trim(): void {
    const limit = OUTPUT_CAP_BYTES + this.slack;
    if (fstatSync(this.fd).size > limit) {
      ftruncateSync(this.fd, limit);
      this.truncated = true;
      this.afterTrim(limit);
    }
  }

  /** What was written since the last call, for showing live; read before a trim, so the cap does not hide it. */
  tail(): Buffer {
    if (this.closed) return Buffer.alloc(0);
    const size = fstatSync(this.fd).size;
    if (size <= this.tailed) return Buffer.alloc(0);
    const bytes = Buffer.alloc(size - this.tailed);
    const n = readSync(this.fd, bytes, 0, bytes.length, this.tailed);
    this.tailed += n;
    return bytes.subarray(0, n);
  }

  /** Trimmed: the writer goes on at the new end, and so does the live reader. */
  private afterTrim(limit: number): void {
    this.tailed = Math.min(this.tailed, limit);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  /** What the command wrote, cut to the cap: `shown` masked (before the cut), `raw` for matching only. */
  read(mask: Masker | undefined): { shown: string; raw: string } {
    this.trim();
    const size = fstatSync(this.fd).size;
    const bytes = Buffer.alloc(size);
    const n = size ? readSync(this.fd, bytes, 0, size, 0) : 0;
    this.close();
    const kept = bytes.subarray(0, n);
    if (kept.length > OUTPUT_CAP_BYTES) this.truncated = true;
    return { shown: keepWhole(kept, OUTPUT_CAP_BYTES, mask), raw: keepWhole(kept, OUTPUT_CAP_BYTES, undefined) };
  }
}

/** What a check or command did: `result` is for the log and the screen; `raw` holds its output unmasked, to match expectations against, and is never shown. */
export interface ProcessRun {
  result: ProcessResultData;
  raw: { stdout: string; stderr: string };
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * Holds the command until sev has logged its start: `read` returns at the line sev writes once the group
 * is in the log, or at end of input (sev died, or could not log it), and then the command is not run.
 * Its output goes to the two spool files named first.
 */
const GATE = 'out=$1; err=$2; shift 2; IFS= read -r go || exit 125; [ "$go" = go ] || exit 125; exec "$@" >>"$out" 2>>"$err"';
/** How often the spool files are cut back to the cap while the command runs. */
const TRIM_EVERY_MS = 50;

/**
 * GNU timeout(1), when there is one, keeps a command's time limit even when sev itself is killed: it leads
 * the command's process group, and when the limit passes it signals the whole group. sev's own timer comes
 * first while sev lives; this one is the backstop, a moment later.
 */
const WATCHDOG_GRACE_S = 1;
let watchdog: string | null | undefined;

function findWatchdog(): string | undefined {
  if (watchdog === undefined) {
    watchdog = ['/usr/bin/timeout', '/bin/timeout'].find((f) => existsSync(f)) ?? null;
  }
  return watchdog ?? undefined;
}

/** Where a program named without a path is found in the command's PATH, or why it cannot be run. */
function resolveProgram(program: string, env: Record<string, string>): { path?: string; error?: string } {
  const check = (path: string) => {
    try {
      if (!statSync(path).isFile()) return 'not a file';
      accessSync(path, constants.X_OK);
      return undefined;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : 'command not found';
    }
  };
  if (program === '') return { error: 'an empty program name' };
  if (program.includes('/')) {
    const problem = check(program);
    return problem ? { error: `${program}: ${problem}` } : { path: program };
  }
  const dirs = (env.PATH ?? process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter);
  let denied = false;
  for (const dir of dirs) {
    const problem = check(join(dir || '.', program));
    if (!problem) return { path: join(dir || '.', program) };
    if (problem === 'permission denied') denied = true;
  }
  return { error: `${program}: ${denied ? 'permission denied' : 'command not found'}` };
}

/** The processes of a group that sev started and no longer watches: still running, gone, or on another host. */
export function groupState(group: ProcessRef): 'alive' | 'gone' | 'elsewhere' {
  return processState(group, true);
}

/** Ends a group: SIGTERM, then SIGKILL after the grace; resolves once no process of it is left (or after `limitMs`). */
export async function endGroup(group: ProcessRef, limitMs = 5_000): Promise<boolean> {
  if (groupState(group) !== 'alive') return true;
  killGroup(group.pid, 'SIGTERM');
  const started = Date.now();
  let killed = false;
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    if (groupState(group) !== 'alive') return true;
    const waited = Date.now() - started;
    if (!killed && waited >= KILL_GRACE_MS) {
      killGroup(group.pid, 'SIGKILL');
      killed = true;
    }
    if (waited > limitMs) return false;
  }
}

/** Waits until no process of a group is left; rejects with Interrupted when the signal aborts. */
export async function awaitGroup(group: ProcessRef, signal?: AbortSignal, pollMs = 250): Promise<void> {
  while (groupState(group) === 'alive') {
    if (signal?.aborted) throw new Interrupted();
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * Runs one check or command in a process group of its own, so that a timeout or Ctrl-C kills it with
 * every child it started, and under a watchdog that keeps the timeout when sev is gone. Output is
 * captured up to a cap, masked first; input values reach it only through `env`.
 */
export async function runProcess(spec: ProcessSpec): Promise<ProcessRun> {
  if (spec.signal?.aborted || spec.leaveSignal?.aborted) throw new Interrupted();
  let target: string[];
  if (typeof spec.run === 'string') target = ['/bin/sh', '-c', spec.run];
  else {
    const found = resolveProgram(spec.run[0] ?? '', spec.env);
    if (!found.path)
      return {
        result: { exit: null, durationMs: 0, timedOut: false, stdout: '', stderr: '', error: found.error },
        raw: { stdout: '', stderr: '' },
      };
    target = [found.path, ...spec.run.slice(1)];
  }
  const timer = findWatchdog();
  const supervised = timer
    ? [timer, `--kill-after=${KILL_GRACE_MS / 1000}s`, `${(spec.timeoutMs / 1000 + WATCHDOG_GRACE_S).toFixed(3)}s`, ...target]
    : target;
  const slack = spec.mask?.longestBytes ?? 0;
  const dir = mkdtempSync(join(tmpdir(), 'sev-output-'));
  const stdout = new Spool(join(dir, 'stdout'), slack);
  const stderr = new Spool(join(dir, 'stderr'), slack);
  const started = performance.now();
  const child = execa('/bin/sh', ['-c', GATE, 'sev-gate', stdout.path, stderr.path, ...supervised], {
    env: spec.env,
    extendEnv: true,
    cwd: spec.cwd,
    detached: true,
    stdin: 'pipe',
    stdout: 'ignore',
    stderr: 'ignore',
    reject: false,
    // A command left running on purpose (leaveSignal) must not be killed when sev exits.
    cleanup: !spec.leaveSignal,
  });
  // A command that exits without reading its input closes the pipe: that is no error of ours.
  child.stdin?.on('error', () => undefined);
  const live = spec.onOutput && {
    stdout: new LiveLines('stdout', spec.onOutput, spec.mask),
    stderr: new LiveLines('stderr', spec.onOutput, spec.mask),
  };
  const showLive = () => {
    if (!live) return;
    live.stdout.add(stdout.tail());
    live.stderr.add(stderr.tail());
  };
  const trimmer = setInterval(() => {
    showLive();
    stdout.trim();
    stderr.trim();
  }, TRIM_EVERY_MS);

  let timedOut = false;
  let interrupted = false;
  let left = false;
  const terminate = () => {
    killGroup(child.pid, 'SIGTERM');
    setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS).unref();
  };
  let timeout: NodeJS.Timeout | undefined;
  const onAbort = () => {
    interrupted = true;
    killGroup(child.pid, 'SIGKILL');
  };
  let leave: () => void = () => undefined;
  const leaving = new Promise<void>((resolve) => (leave = resolve));
  const onLeave = () => {
    left = true;
    leave();
  };
  // When the main process ends, whatever it left running in its group (a background job) goes too: a
  // check must not outlive its result.
  child.once('exit', () => {
    if (!left) killGroup(child.pid, 'SIGKILL');
  });

  try {
    if (child.pid !== undefined) {
      try {
        spec.onStart?.(groupRef(child.pid));
      } catch (error) {
        // The start could not be recorded: the command must not run. The gate sees end of input and exits.
        child.stdin?.end();
        await child;
        throw error;
      }
      child.stdin?.end('go\n');
      timeout = setTimeout(() => {
        timedOut = true;
        terminate();
      }, spec.timeoutMs);
      spec.signal?.addEventListener('abort', onAbort, { once: true });
      spec.leaveSignal?.addEventListener('abort', onLeave, { once: true });
      if (spec.signal?.aborted) onAbort();
      if (spec.leaveSignal?.aborted) onLeave();
    }
    const result = await Promise.race([child, leaving.then(() => undefined)]);
    if (left || result === undefined) {
      // Left to run: its watchdog keeps its time limit, its spool files keep what it writes.
      child.unref();
      throw new Interrupted();
    }
    if (interrupted) throw new Interrupted();

    showLive();
    live?.stdout.end();
    live?.stderr.end();
    const out = stdout.read(spec.mask);
    const err = stderr.read(spec.mask);
    const data: ProcessResultData = {
      exit: typeof result.exitCode === 'number' ? result.exitCode : null,
      durationMs: Math.round(performance.now() - started),
      timedOut,
      stdout: out.shown,
      stderr: err.shown,
    };
    const truncated = [stdout.truncated ? 'stdout' : '', stderr.truncated ? 'stderr' : ''].filter(Boolean) as ('stdout' | 'stderr')[];
    if (result.signal) data.signal = result.signal;
    if (truncated.length) data.truncated = truncated;
    const code = (result as { code?: string }).code;
    if (result.failed && result.exitCode === undefined && !result.signal && !timedOut) {
      data.error =
        code === 'EACCES'
          ? '/bin/sh: permission denied'
          : firstMessageLine(String(result.shortMessage ?? result.message ?? 'could not start'));
    }
    return { result: data, raw: { stdout: out.raw, stderr: err.raw } };
  } finally {
    clearInterval(trimmer);
    stdout.close();
    stderr.close();
    clearTimeout(timeout);
    spec.signal?.removeEventListener('abort', onAbort);
    spec.leaveSignal?.removeEventListener('abort', onLeave);
    if (!left) rmSync(dir, { recursive: true, force: true });
  }
}

function firstMessageLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
