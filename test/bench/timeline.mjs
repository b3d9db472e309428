// Timeline merge at scale: 1,000,000 events in 4 responders' logs. `sev timeline --format json` (merge,
// copies kept once, warnings, metrics, source of every event) against `jq -s 'sort_by(.time)'` on the same
// files (a bare sort, nothing else). Peak memory (max RSS) of each is measured with /usr/bin/time.
// The logs are generated once under test/bench/.logs/ (git-ignored) and reused while their parameters match.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedDir, writeLog } from './lib/logs.mjs';
import { BENCH, SEV, node } from './lib/paths.mjs';

const LOGS = join(BENCH, '.logs');
const EVENTS = Number(process.env.SEV_BENCH_EVENTS ?? 1_000_000);
const RESPONDERS = ['alice', 'bob', 'dave', 'erin'];
const SEED = 20261126;
const INCIDENT = '20261126T200000Z-server-failure-b3nc';

/** The four responders' logs, made once under test/bench/.logs/timeline and reused while the parameters match. */
function ensureLogs(log) {
  const perLog = Math.floor(EVENTS / RESPONDERS.length);
  const dir = cachedDir(
    LOGS,
    'timeline',
    { EVENTS, SEED, RESPONDERS },
    (into) => {
      RESPONDERS.forEach((responder, k) =>
        writeLog(join(into, `${INCIDENT}.${responder}.jsonl`), {
          incident: INCIDENT,
          responder,
          events: perLog,
          seed: SEED + k,
          starter: k === 0,
          k,
        }),
      );
    },
    log,
  );
  return RESPONDERS.map((r) => join(dir, `${INCIDENT}.${r}.jsonl`));
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
  const r = spawnSync('/usr/bin/time', ['-f', 'MAXRSS %M', c.command, ...c.args], {
    env: { ...process.env, ...c.env },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
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
      {
        id: 'sev',
        label: 'sev timeline --format json',
        command: node,
        args: [SEV, 'timeline', '--format', 'json', ...files],
        env: { NO_COLOR: '1' },
      },
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
