// Timeline merge at scale: 1,000,000 events in 4 responders' logs. `sev timeline --format json` (merge,
// copies kept once, warnings, metrics, source of every event) against `jq -s 'sort_by(.time)'` on the same
// files (a bare sort, nothing else). Peak memory (max RSS) of each is measured with /usr/bin/time.
// The logs are generated once under test/bench/.logs/ (git-ignored) and reused while their parameters match.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH, SEV, node } from './lib/paths.mjs';

const LOGS = join(BENCH, '.logs');
const EVENTS = Number(process.env.SEV_BENCH_EVENTS ?? 1_000_000);
const RESPONDERS = ['alice', 'bob', 'dave', 'erin'];
const SEED = 20261126;
const INCIDENT = '20261126T200000Z-server-failure-b3nc';

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (random, n) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
const uuid = (random) => `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-a${hex(random, 3)}-${hex(random, 12)}`;

/** Realistic events: mostly steps, checks and commands with some output, a few notes, milestones, severities. */
function generate() {
  // Only this benchmark's files: other benchmarks keep their logs in directories beside them.
  for (const r of RESPONDERS) rmSync(join(LOGS, `${INCIDENT}.${r}.jsonl`), { force: true });
  mkdirSync(LOGS, { recursive: true });
  writeFileSync(join(LOGS, '.gitignore'), '*\n');
  const random = rng(SEED);
  const runbook = { id: 'server-failure', title: 'Server failure', version: '2.1.0', hash: 'ab'.repeat(32), file: 'runbooks/server-failure.yaml' };
  const start = Date.parse('2026-11-26T20:00:00.000Z');
  const perLog = Math.floor(EVENTS / RESPONDERS.length);
  const files = [];
  RESPONDERS.forEach((responder, k) => {
    const file = join(LOGS, `${INCIDENT}.${responder}.jsonl`);
    files.push(file);
    const fd = openSync(file, 'w');
    let buffer = '';
    let t = start + k * 1500;
    const milestones = ['impact-started', 'detected', 'acknowledged', 'mitigated', 'resolved'];
    for (let seq = 1; seq <= perLog; seq++) {
      t += Math.floor(random() * 60);
      let type;
      let data;
      const step = `step-${Math.floor(seq / 12)}`;
      if (seq === 1) {
        type = k === 0 ? 'incident.started' : 'incident.joined';
        data = { runbook, severity: 'SEV2', responder, host: `wallet-ops-${k + 1}`, sevVersion: '0.1.0', ...(k === 0 ? { dryRun: false } : {}) };
      } else if (k === 0 && seq % Math.floor(perLog / 6) === 0 && milestones.length) {
        type = 'milestone';
        data = { milestone: milestones.shift(), step };
      } else if (k === 0 && seq % 40_000 === 7) {
        type = 'severity.changed';
        data = { from: 'SEV2', to: random() < 0.5 ? 'SEV1' : 'SEV3', reason: 'reassessed', step };
      } else {
        const x = random();
        if (x < 0.3) {
          type = 'step.started';
          data = { step, index: seq % 40, kind: 'checks', title: 'Check the payment API and the ledger' };
        } else if (x < 0.6) {
          const ok = random() < 0.8;
          type = 'check.result';
          data = { exit: ok ? 0 : 1, durationMs: Math.floor(random() * 900), timedOut: false, stdout: ok ? 'HTTP/1.1 200 OK\n' : '', stderr: ok ? '' : 'curl: (7) Failed to connect to wallet-api port 8080\n', check: 'health', status: ok ? 'OK' : 'CRITICAL', reason: ok ? 'exit 0' : 'exit 1, expected 0', attempts: 1, step };
        } else if (x < 0.75) {
          type = 'command.finished';
          data = { exit: 0, durationMs: Math.floor(random() * 5000), timedOut: false, stdout: 'deployment.apps/wallet-api restarted\n', stderr: '', step, ok: true };
        } else if (x < 0.9) {
          type = 'step.completed';
          data = { step, result: 'done', next: `step-${Math.floor(seq / 12) + 1}` };
        } else {
          type = 'note';
          data = { text: `error rate ${Math.floor(random() * 100)}% on /v1/payments, p99 ${Math.floor(random() * 9000)} ms`, action: false };
        }
      }
      buffer += `${JSON.stringify({ v: 1, id: uuid(random), seq, time: new Date(t).toISOString(), incident: INCIDENT, actor: responder, type, data })}\n`;
      if (buffer.length > 1 << 20) {
        writeSync(fd, buffer);
        buffer = '';
      }
    }
    writeSync(fd, buffer);
    closeSync(fd);
  });
  writeFileSync(join(LOGS, 'params.json'), JSON.stringify({ EVENTS, SEED, RESPONDERS }));
  return files;
}

function ensureLogs(log) {
  const params = join(LOGS, 'params.json');
  const files = RESPONDERS.map((r) => join(LOGS, `${INCIDENT}.${r}.jsonl`));
  if (existsSync(params) && readFileSync(params, 'utf8') === JSON.stringify({ EVENTS, SEED, RESPONDERS }) && files.every((f) => existsSync(f))) {
    log(`reusing ${EVENTS.toLocaleString('en')} events in ${LOGS}`);
    return files;
  }
  log(`generating ${EVENTS.toLocaleString('en')} events in ${RESPONDERS.length} logs under ${LOGS}…`);
  return generate();
}

/** Counts the events in sev's JSON output without loading it: one event per line after "events". */
function countEvents(file) {
  const fd = openSync(file, 'r');
  const buffer = Buffer.alloc(1 << 22);
  let lines = 0;
  let n;
  while ((n = readSync(fd, buffer, 0, buffer.length, null)) > 0) {
    for (let i = 0; i < n; i++) if (buffer[i] === 10) lines++;
  }
  closeSync(fd);
  return lines;
}

/** Peak resident memory in MiB of one run, from GNU time. */
function peakMemory(c) {
  if (!existsSync('/usr/bin/time')) return undefined;
  const r = spawnSync('/usr/bin/time', ['-f', 'MAXRSS %M', c.command, ...c.args], { env: { ...process.env, ...c.env }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
  const m = /MAXRSS (\d+)/.exec(r.stderr ?? '');
  return m ? Math.round(Number(m[1]) / 1024) : undefined;
}

export default {
  name: 'timeline',
  description: "sev timeline --format json on 1,000,000 events in 4 logs against jq -s 'sort_by(.time)' on the same files",
  defaults: { runs: 3, warmup: 1 },
  async prepare({ log }) {
    const jq = spawnSync('jq', ['--version'], { encoding: 'utf8' });
    if (jq.error) throw new Error('jq is not installed (apt-get install jq)');
    const files = ensureLogs(log);
    const contenders = [
      { id: 'jq', label: "jq -s 'sort_by(.time)'", command: 'jq', args: ['-s', 'sort_by(.time)', ...files] },
      { id: 'sev', label: 'sev timeline --format json', command: node, args: [SEV, 'timeline', '--format', 'json', ...files], env: { NO_COLOR: '1' } },
    ];
    // sev must really have merged every event, or the timing compares nothing.
    const out = join(tmpdir(), `sev-bench-timeline-${process.pid}.json`);
    const r = spawnSync(node, [SEV, 'timeline', '--format', 'json', '--out', out, ...files], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sev timeline failed (exit ${r.status}): ${r.stderr.split('\n')[0]}`);
    const lines = countEvents(out);
    rmSync(out, { force: true });
    const expected = Math.floor(EVENTS / RESPONDERS.length) * RESPONDERS.length;
    log(`sev wrote ${lines.toLocaleString('en')} lines for ${expected.toLocaleString('en')} events`);
    if (lines < expected) throw new Error(`sev's output has ${lines} lines, fewer than the ${expected} events`);
    log('measuring peak memory (max RSS) of one run of each…');
    const memory = Object.fromEntries(contenders.map((c) => [c.id, peakMemory(c)]));
    log(`peak memory: jq ${memory.jq ?? '?'} MiB, sev ${memory.sev ?? '?'} MiB`);
    return {
      contenders,
      baseline: 'jq',
      targets: [{ id: 'sev', max: 1.0 }],
      info: { events: expected, logs: files.length, jqVersion: jq.stdout.trim(), peakMemoryMiB: memory },
    };
  },
};
