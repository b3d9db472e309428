#!/usr/bin/env node
// Benchmarks of the built CLI, run on demand: `npm run bench` (all) or `npm run bench -- startup`.
// Each benchmark times whole commands in interleaved rounds against a baseline run side by side,
// and reports ratios, never absolute limits: the machine may be shared and noisy.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { interleave, ratios, stats } from './lib/measure.mjs';
import { RESULTS, ROOT } from './lib/paths.mjs';
import checks from './checks.mjs';
import events from './events.mjs';
import regex from './regex.mjs';
import memory from './memory.mjs';
import note from './note.mjs';
import startup from './startup.mjs';
import timeline from './timeline.mjs';
import typical from './typical.mjs';
import validate, { validateRepo } from './validate.mjs';

const BENCHMARKS = [startup, validate, validateRepo, events, checks, regex, timeline, typical, memory, note];

const USAGE = `usage: npm run bench -- [name...] [--runs N] [--warmup N] [--check] [--no-write]

benchmarks:
${BENCHMARKS.map((b) => `  ${b.name.padEnd(12)} ${b.description} (default ${b.defaults.runs} runs)`).join('\n')}

  --runs N      timed rounds per benchmark (each round runs every command once)
  --warmup N    rounds run first and discarded
  --check       exit 1 when a target is missed
  --no-write    do not write ${relative(ROOT, RESULTS)}`;

function fail(message, code = 2) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(code);
}

let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: {
      runs: { type: 'string' },
      warmup: { type: 'string' },
      check: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
} catch (error) {
  fail(`${error.message}\n\n${USAGE}`);
}
if (args.values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const count = (name) => {
  const raw = args.values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || (name === 'runs' && n < 1))
    fail(`--${name} must be a whole number${name === 'runs' ? ' of at least 1' : ''}`);
  return n;
};
const runsOverride = count('runs');
const warmupOverride = count('warmup');
const unknown = args.positionals.filter((p) => !BENCHMARKS.some((b) => b.name === p));
if (unknown.length) fail(`no benchmark named ${unknown.join(', ')}\n\n${USAGE}`);
const selected = args.positionals.length ? BENCHMARKS.filter((b) => args.positionals.includes(b.name)) : BENCHMARKS;

// The benchmarks time the built CLI: refuse a missing build, warn about a stale one.
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}
const built = join(ROOT, 'dist/cli.js');
if (!existsSync(built)) fail('dist/cli.js is missing: run npm run build first');
if (existsSync(join(ROOT, 'src')) && newestSource(join(ROOT, 'src')) > statSync(built).mtimeMs) {
  process.stderr.write('bench: warning: src/ is newer than dist/: run npm run build to time the current code\n');
}

function machine() {
  const cpus = os.cpus();
  let commit;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    commit = undefined;
  }
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpus: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    cpuModel: cpus[0]?.model?.trim(),
    memoryGB: Math.round(os.totalmem() / 1024 ** 3),
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    sev: pkg.version,
    commit,
  };
}

const ms = (x) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : x < 1 ? `${Math.round(x * 1000)} µs` : `${x.toFixed(1)} ms`);
const times = (x) => `${x.toFixed(2)}×`;

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows
    .map((r, k) => {
      const line = r.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('   ');
      return k === 0 ? `${line}\n${widths.map((w) => '─'.repeat(w)).join('   ')}` : line;
    })
    .join('\n');
}

const log = (text) => process.stderr.write(`  ${text}\n`);
const info = machine();
process.stdout.write(
  `sevkit benchmarks · node ${info.node} · ${info.cpus} CPUs (${info.cpuModel ?? 'unknown'}) · load ${info.loadavg.join(' ')}\n`,
);

const results = { version: 1, date: new Date().toISOString(), machine: info, benchmarks: {} };
let missed = 0;
let broken = 0;

for (const bench of selected) {
  const runs = runsOverride ?? bench.defaults.runs;
  const warmup = warmupOverride ?? bench.defaults.warmup;
  process.stdout.write(`\n${bench.name}: ${bench.description}\n`);
  if (bench.measure) {
    // In-process benchmarks time their own samples, each against a baseline measured alongside.
    let measured;
    try {
      measured = await bench.measure({ runs, warmup, log });
    } catch (error) {
      broken++;
      process.stdout.write(`  FAILED: ${error.message}\n`);
      results.benchmarks[bench.name] = { error: error.message };
      continue;
    }
    const rows = [['measured', `median ${measured.unit}`, 'min', 'p90', '× baseline (median)']];
    for (const r of measured.rows)
      rows.push([r.label, ms(r.stats.median), ms(r.stats.min), ms(r.stats.p90), r.ratio ? times(r.ratio) : '1.00×']);
    process.stdout.write(`\n${table(rows).replace(/^/gm, '  ')}\n\n`);
    for (const t of measured.targets) {
      t.met = t.value <= t.max;
      if (!t.met) missed++;
      process.stdout.write(`  target: ${t.label} ≤ ${t.max} ${t.unit} → ${Math.round(t.value)}  ${t.met ? 'met' : 'MISSED'}\n`);
    }
    results.benchmarks[bench.name] = { description: bench.description, runs, warmup, ...measured };
    continue;
  }
  let plan;
  let samples;
  try {
    plan = await bench.prepare({ log });
    log(`${runs} interleaved rounds of ${plan.contenders.length} commands after ${warmup} warm-up round${warmup === 1 ? '' : 's'}…`);
    samples = interleave(plan.contenders, {
      runs,
      warmup,
      onRound: process.stderr.isTTY
        ? (round, total) => process.stderr.write(`\r  round ${round}/${total}${round === total ? '\n' : ''}`)
        : undefined,
    });
  } catch (error) {
    broken++;
    process.stdout.write(`  FAILED: ${error.message}\n`);
    results.benchmarks[bench.name] = { error: error.message };
    continue;
  }
  const base = samples.get(plan.baseline);
  const contenders = plan.contenders.map((c) => ({
    id: c.id,
    label: c.label,
    argv: [c.command === process.execPath ? 'node' : c.command, ...c.args.map((a) => (a.startsWith(ROOT) ? relative(ROOT, a) || '.' : a))],
    baseline: c.id === plan.baseline,
    stats: stats(samples.get(c.id)),
    ratio: c.id === plan.baseline ? null : ratios(samples.get(c.id), base),
    samples: samples.get(c.id).map((x) => Math.round(x * 1000) / 1000),
  }));
  const targets = plan.targets.map((t) => {
    const c = contenders.find((x) => x.id === t.id);
    return { id: t.id, label: c.label, baseline: plan.baseline, max: t.max, ratio: c.ratio.median, met: c.ratio.median <= t.max };
  });

  const head = ['command', 'median', 'min', 'p90', '× base (median)', '× base (min)', '× base (paired)'];
  if (plan.throughput) head.push('files/s');
  const rows = [head];
  for (const c of contenders) {
    const row = [
      c.baseline ? `${c.label} (baseline)` : c.label,
      ms(c.stats.median),
      ms(c.stats.min),
      ms(c.stats.p90),
      c.ratio ? times(c.ratio.median) : '1.00×',
      c.ratio ? times(c.ratio.min) : '1.00×',
      c.ratio ? times(c.ratio.paired) : '1.00×',
    ];
    if (plan.throughput) row.push(Math.round((plan.throughput / c.stats.median) * 1000).toLocaleString('en'));
    rows.push(row);
  }
  process.stdout.write(`\n${table(rows).replace(/^/gm, '  ')}\n\n`);
  for (const t of targets) {
    if (!t.met) missed++;
    process.stdout.write(
      `  target: ${t.label} ≤ ${times(t.max)} ${contenders.find((c) => c.id === t.baseline).label} → ${times(t.ratio)}  ${t.met ? 'met' : 'MISSED'}\n`,
    );
  }
  results.benchmarks[bench.name] = {
    description: bench.description,
    runs,
    warmup,
    baseline: plan.baseline,
    contenders,
    targets,
    ...plan.info,
  };
}

results.machine.loadavgEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
if (!args.values['no-write']) {
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\nresults written to ${relative(process.cwd(), RESULTS) || RESULTS}\n`);
}
if (broken) process.exitCode = 1;
else if (missed && args.values.check) process.exitCode = 1;
