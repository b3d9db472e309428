// Wall-clock measurement of whole commands, interleaved so that a noisy, shared machine slows every
// contender alike. Results are compared as ratios against a baseline measured in the same rounds.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * @typedef {{ id: string, label: string, command: string, args: string[], env?: Record<string, string>, cwd?: string }} Contender
 * @typedef {{ runs: number, warmup: number, onRound?: (round: number, total: number) => void }} Plan
 */

/** Runs one command to completion and returns its wall time in milliseconds. Output is discarded. */
export function timeOnce(contender) {
  const start = process.hrtime.bigint();
  const r = spawnSync(contender.command, contender.args, {
    cwd: contender.cwd,
    env: { ...process.env, ...contender.env },
    stdio: 'ignore',
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error) throw new Error(`${contender.label}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${contender.label}: exited with ${r.status ?? r.signal} (run it by hand to see why)`);
  return ms;
}

/**
 * Interleaved rounds: every round runs each contender once, in an order rotated from round to round
 * so that none always runs first (cold caches) or last. Warm-up rounds are run and discarded.
 * Returns the samples of each contender, in milliseconds, in round order.
 */
export function interleave(contenders, { runs, warmup, onRound }) {
  const samples = new Map(contenders.map((c) => [c.id, []]));
  const total = warmup + runs;
  for (let round = 0; round < total; round++) {
    const shift = round % contenders.length;
    const order = [...contenders.slice(shift), ...contenders.slice(0, shift)];
    for (const c of order) {
      const ms = timeOnce(c);
      if (round >= warmup) samples.get(c.id).push(ms);
    }
    onRound?.(round + 1, total);
  }
  return samples;
}

/** Percentile by linear interpolation between closest ranks (p in 0..100). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((s, x) => s + x, 0) / n;
  const stdev = Math.sqrt(sorted.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, n - 1));
  return {
    n,
    median: percentile(sorted, 50),
    min: sorted[0],
    p90: percentile(sorted, 90),
    max: sorted[n - 1],
    mean,
    stdev,
  };
}

/**
 * Ratios of a contender against the baseline: of the medians (the headline), of the minimums (the
 * least disturbed runs), and the median of the per-round ratios (each pair ran back to back, so
 * slow phases of the machine cancel out).
 */
export function ratios(samples, baseline) {
  const a = stats(samples);
  const b = stats(baseline);
  const paired = samples.map((x, i) => x / baseline[i]).sort((x, y) => x - y);
  return { median: a.median / b.median, min: a.min / b.min, paired: percentile(paired, 50) };
}

/** Runs a command once and captures its output, for the checks made before timing. */
export function capture(contender, { maxBuffer = 256 * 1024 * 1024 } = {}) {
  const r = spawnSync(contender.command, contender.args, {
    cwd: contender.cwd,
    env: { ...process.env, ...contender.env },
    encoding: 'utf8',
    maxBuffer,
  });
  if (r.error) throw new Error(`${contender.label}: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs one command under GNU time and returns its peak resident memory in MiB and its wall time in ms
 * (undefined memory when /usr/bin/time is missing). Output is discarded; a failure throws.
 */
export function peakRss(contender) {
  const hasTime = existsSync('/usr/bin/time');
  const [command, args] = hasTime
    ? ['/usr/bin/time', ['-f', 'MAXRSS %M', contender.command, ...contender.args]]
    : [contender.command, contender.args];
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, {
    cwd: contender.cwd,
    env: { ...process.env, ...contender.env },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error) throw new Error(`${contender.label}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${contender.label}: exited with ${r.status ?? r.signal}: ${(r.stderr ?? '').split('\n')[0]}`);
  const m = /MAXRSS (\d+)/.exec(r.stderr ?? '');
  return { mib: m ? Math.round(Number(m[1]) / 1024) : undefined, ms };
}
