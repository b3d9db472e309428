// Peak memory of the reports on big logs, each command run under GNU time:
// - one log of 900,000 events (about 270 MB): `sev timeline` text and json and `sev postmortem` within
//   512 MiB, `--format html` (which draws a summary beyond 5,000 events) within 768 MiB;
// - 500,000 events in 4 logs: `sev timeline <incident id>` reads the same files with the same reader as
//   `sev timeline <files>`, so it needs no more memory (within 10%).
// The logs are generated once under test/bench/.logs/ (git-ignored) and reused while their parameters match.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedDir, writeLog } from './lib/logs.mjs';
import { peakRss, stats } from './lib/measure.mjs';
import { BENCH, SEV, node } from './lib/paths.mjs';

const LOGS = join(BENCH, '.logs');
const SINGLE = 900_000;
const SPLIT = 500_000;
const RESPONDERS = ['alice', 'bob', 'dave', 'erin'];
const BIG = '20261126T200000Z-server-failure-big1';
const FOUR = '20261126T200000Z-server-failure-b500';

export default {
  name: 'memory',
  description:
    `peak memory of the reports of one log of ${SINGLE.toLocaleString('en')} events, ` +
    `and of a timeline by id against by files (${SPLIT.toLocaleString('en')} events in 4 logs)`,
  defaults: { runs: 1, warmup: 0 },
  async measure({ runs, log }) {
    const single = cachedDir(
      LOGS,
      'memory-single',
      { v: 1, SINGLE },
      (dir) => writeLog(join(dir, `${BIG}.alice.jsonl`), { incident: BIG, responder: 'alice', events: SINGLE, seed: 1 }),
      log,
    );
    const four = cachedDir(
      LOGS,
      'memory-four',
      { v: 1, SPLIT, RESPONDERS },
      (dir) =>
        RESPONDERS.forEach((responder, k) =>
          writeLog(join(dir, `${FOUR}.${responder}.jsonl`), {
            incident: FOUR,
            responder,
            events: SPLIT / RESPONDERS.length,
            seed: 10 + k,
            starter: k === 0,
            k,
          }),
        ),
      log,
    );
    const out = mkdtempSync(join(tmpdir(), 'sev-bench-memory-'));
    const file = join(single, `${BIG}.alice.jsonl`);
    const files = RESPONDERS.map((r) => join(four, `${FOUR}.${r}.jsonl`));
    const env = { NO_COLOR: '1' };
    const commands = [
      {
        id: 'text',
        label: `sev timeline (text), ${SINGLE.toLocaleString('en')} events`,
        args: ['timeline', file, '--out', join(out, 't.txt')],
        max: 512,
      },
      {
        id: 'json',
        label: 'sev timeline --format json, same log',
        args: ['timeline', file, '--format', 'json', '--out', join(out, 't.json')],
        max: 512,
      },
      { id: 'postmortem', label: 'sev postmortem, same log', args: ['postmortem', file, '--out', join(out, 'pm.md')], max: 512 },
      {
        id: 'html',
        label: 'sev timeline --format html, same log',
        args: ['timeline', file, '--format', 'html', '--out', join(out, 't.html')],
        max: 768,
      },
      {
        id: 'files',
        label: `sev timeline <4 files> --format json, ${SPLIT.toLocaleString('en')} events`,
        args: ['timeline', ...files, '--format', 'json', '--out', join(out, 'f.json')],
      },
      {
        id: 'id',
        label: 'sev timeline <incident id> --format json, same logs',
        args: ['timeline', FOUR, '--incident-dir', four, '--format', 'json', '--out', join(out, 'i.json')],
      },
    ];
    try {
      const rows = [];
      const peak = {};
      for (const c of commands) {
        const samples = [];
        let mib = 0;
        for (let i = 0; i < runs; i++) {
          const r = peakRss({ label: c.label, command: node, args: [SEV, ...c.args], env });
          samples.push(r.ms);
          mib = Math.max(mib, r.mib ?? 0);
        }
        peak[c.id] = mib;
        log(`${c.label}: peak ${mib} MiB`);
        rows.push({ label: `${c.label} (peak ${mib} MiB)`, stats: stats(samples) });
      }
      const targets = commands
        .filter((c) => c.max)
        .map((c) => ({ label: `peak memory of ${c.label}`, value: peak[c.id], max: c.max, unit: 'MiB' }));
      targets.push({
        label: 'peak memory by incident id, as a share of by files',
        value: Math.round((peak.id / peak.files) * 100),
        max: 110,
        unit: '%',
      });
      return { unit: 'per command', rows, targets, info: { peakMemoryMiB: peak, events: { single: SINGLE, split: SPLIT } } };
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
};
