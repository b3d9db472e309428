import { execa } from 'execa';
import type { ProcessResultData } from '../incident/events.js';

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
}

export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/** Collects up to the cap, counts the rest. */
class Capture {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  add(chunk: Buffer): void {
    const room = OUTPUT_CAP_BYTES - this.size;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (kept.length < chunk.length) this.truncated = true;
    this.chunks.push(kept);
    this.size += kept.length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
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
 * Runs one check or command in a process group of its own, so that a timeout or Ctrl-C kills it with
 * every child it started. Output is captured up to a cap; input values reach it only through `env`.
 */
export async function runProcess(spec: ProcessSpec): Promise<ProcessResultData> {
  if (spec.signal?.aborted) throw new Interrupted();
  const [file, args] = typeof spec.run === 'string' ? ['/bin/sh', ['-c', spec.run]] : [spec.run[0] ?? '', spec.run.slice(1)];
  const started = performance.now();
  const stdout = new Capture();
  const stderr = new Capture();
  const child = execa(file, args, {
    env: spec.env,
    extendEnv: true,
    cwd: spec.cwd,
    detached: true,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    stripFinalNewline: false,
    cleanup: true,
  });
  child.stdout?.on('data', (chunk: Buffer) => stdout.add(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.add(chunk));

  let timedOut = false;
  let interrupted = false;
  const terminate = () => {
    killGroup(child.pid, 'SIGTERM');
    setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS).unref();
  };
  const timer = setTimeout(() => {
    timedOut = true;
    terminate();
  }, spec.timeoutMs);
  const onAbort = () => {
    interrupted = true;
    killGroup(child.pid, 'SIGKILL');
  };
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  // When the main process ends, whatever it left running in its group (a background job holding the
  // output pipe open) goes too: a check must not outlive its result.
  child.once('exit', () => killGroup(child.pid, 'SIGKILL'));

  const result = await child;
  clearTimeout(timer);
  spec.signal?.removeEventListener('abort', onAbort);
  if (interrupted) throw new Interrupted();

  const truncated = [stdout.truncated ? 'stdout' : '', stderr.truncated ? 'stderr' : ''].filter(Boolean) as ('stdout' | 'stderr')[];
  const out: ProcessResultData = {
    exit: typeof result.exitCode === 'number' ? result.exitCode : null,
    durationMs: Math.round(performance.now() - started),
    timedOut,
    stdout: stdout.text(),
    stderr: stderr.text(),
  };
  if (result.signal) out.signal = result.signal;
  if (truncated.length) out.truncated = truncated;
  const code = (result as { code?: string }).code;
  if (result.failed && result.exitCode === undefined && !result.signal && !timedOut) {
    out.error = code === 'ENOENT' ? `${file}: command not found` : code === 'EACCES' ? `${file}: permission denied` : firstLine(String(result.shortMessage ?? result.message ?? "could not start"));
  }
  return out;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
