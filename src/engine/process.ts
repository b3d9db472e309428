import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import type { ProcessResultData } from '../incident/events.js';
import { groupRef, processState, type ProcessRef } from '../incident/owner.js';
import { keepWhole, type Masker } from './mask.js';

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
  /** A state-changing command: it goes on, to its time limit, if sev dies while it runs (see the gate). */
  outlivesSev?: boolean;
  /**
   * Called with the process group once it exists and before the command runs: the command waits at a gate
   * until this returns, and never runs if it throws (the start could not be logged).
   */
  onStart?: (group: ProcessRef) => void;
}

export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/** Collects up to the cap (and `slack` bytes past it, to mask a secret that crosses it), counts the rest. */
class Capture {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly slack: number) {}

  add(chunk: Buffer): void {
    const room = OUTPUT_CAP_BYTES + this.slack - this.size;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (kept.length < chunk.length) this.truncated = true;
    this.chunks.push(kept);
    this.size += kept.length;
  }

  /** The output, masked, then cut to the cap; a secret that began before the cut is masked whole. */
  text(mask: Masker | undefined): string {
    const bytes = Buffer.concat(this.chunks);
    if (bytes.length > OUTPUT_CAP_BYTES) this.truncated = true;
    return keepWhole(bytes, OUTPUT_CAP_BYTES, mask);
  }
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
 */
const GATE = 'read -r go || exit 125; [ "$go" = go ] || exit 125; exec "$@"';
/**
 * A command that changes state must not be killed halfway because sev died and its output pipe closed:
 * SIGPIPE is ignored (the setting is inherited through exec), so it sees a failed write instead, and its
 * time limit still holds.
 */
const GATE_IGNORING_CLOSED_OUTPUT = `trap '' PIPE; ${GATE}`;

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
export async function runProcess(spec: ProcessSpec): Promise<ProcessResultData> {
  if (spec.signal?.aborted) throw new Interrupted();
  let target: string[];
  if (typeof spec.run === 'string') target = ['/bin/sh', '-c', spec.run];
  else {
    const found = resolveProgram(spec.run[0] ?? '', spec.env);
    if (!found.path) return { exit: null, durationMs: 0, timedOut: false, stdout: '', stderr: '', error: found.error };
    target = [found.path, ...spec.run.slice(1)];
  }
  const timer = findWatchdog();
  const supervised = timer ? [timer, `--kill-after=${KILL_GRACE_MS / 1000}s`, `${(spec.timeoutMs / 1000 + WATCHDOG_GRACE_S).toFixed(3)}s`, ...target] : target;
  const started = performance.now();
  const slack = spec.mask?.longestBytes ?? 0;
  const stdout = new Capture(slack);
  const stderr = new Capture(slack);
  const child = execa('/bin/sh', ['-c', spec.outlivesSev ? GATE_IGNORING_CLOSED_OUTPUT : GATE, 'sev-gate', ...supervised], {
    env: spec.env,
    extendEnv: true,
    cwd: spec.cwd,
    detached: true,
    stdin: 'pipe',
    buffer: false,
    reject: false,
    stripFinalNewline: false,
    cleanup: true,
  });
  child.stdout?.on('data', (chunk: Buffer) => stdout.add(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.add(chunk));
  // A command that exits without reading its input closes the pipe: that is no error of ours.
  child.stdin?.on('error', () => undefined);

  let timedOut = false;
  let interrupted = false;
  const terminate = () => {
    killGroup(child.pid, 'SIGTERM');
    setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS).unref();
  };
  let timeout: NodeJS.Timeout | undefined;
  const onAbort = () => {
    interrupted = true;
    killGroup(child.pid, 'SIGKILL');
  };
  // When the main process ends, whatever it left running in its group (a background job holding the
  // output pipe open) goes too: a check must not outlive its result.
  child.once('exit', () => killGroup(child.pid, 'SIGKILL'));

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
    if (spec.signal?.aborted) onAbort();
  }

  const result = await child;
  clearTimeout(timeout);
  spec.signal?.removeEventListener('abort', onAbort);
  if (interrupted) throw new Interrupted();

  const out: ProcessResultData = {
    exit: typeof result.exitCode === 'number' ? result.exitCode : null,
    durationMs: Math.round(performance.now() - started),
    timedOut,
    stdout: stdout.text(spec.mask),
    stderr: stderr.text(spec.mask),
  };
  const truncated = [stdout.truncated ? 'stdout' : '', stderr.truncated ? 'stderr' : ''].filter(Boolean) as ('stdout' | 'stderr')[];
  if (result.signal) out.signal = result.signal;
  if (truncated.length) out.truncated = truncated;
  const code = (result as { code?: string }).code;
  if (result.failed && result.exitCode === undefined && !result.signal && !timedOut) {
    out.error = code === 'EACCES' ? '/bin/sh: permission denied' : firstLine(String(result.shortMessage ?? result.message ?? 'could not start'));
  }
  return out;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
