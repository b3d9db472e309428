// The cost of one logged event, fsync included: sev's LogWriter (lock, tail check, one write, fsync)
// against the bare minimum, a write and an fsync of the same line, interleaved event by event.
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './lib/paths.mjs';
import { stats } from './lib/measure.mjs';

export default {
  name: 'events',
  description: 'one incident-log event with fsync: LogWriter.append against a bare write + fsync of the same line',
  defaults: { runs: 2000, warmup: 100 },
  async measure({ runs, warmup, log }) {
    const { LogWriter } = await import(pathToFileURL(join(ROOT, 'dist/incident/log.js')).href);
    const dir = mkdtempSync(join(tmpdir(), 'sev-bench-events-'));
    log(`logs in ${dir} (${tmpdir()} is the file system measured)`);
    try {
      const writer = LogWriter.create(join(dir, 'sev.jsonl'), 'INC-BENCH', 'bench');
      const raw = openSync(join(dir, 'raw.jsonl'), 'a');
      const data = {
        text: 'checked the dashboards: error rate 42% on /v1/payments, p99 latency 8 s',
        action: false,
        step: 'confirm-outage',
      };
      const event = {
        v: 1,
        id: '00000000-0000-0000-0000-000000000000',
        seq: 1,
        time: new Date().toISOString(),
        incident: 'INC-BENCH',
        actor: 'bench',
        type: 'note',
        data,
      };
      const line = `${JSON.stringify(event)}\n`;
      const sev = [];
      const bare = [];
      for (let i = 0; i < warmup + runs; i++) {
        let t = process.hrtime.bigint();
        writer.append('note', data);
        const a = Number(process.hrtime.bigint() - t) / 1e6;
        t = process.hrtime.bigint();
        writeSync(raw, line);
        fsyncSync(raw);
        const b = Number(process.hrtime.bigint() - t) / 1e6;
        if (i >= warmup) {
          sev.push(a);
          bare.push(b);
        }
      }
      writer.close();
      closeSync(raw);
      const s = stats(sev);
      const base = stats(bare);
      return {
        unit: 'per event',
        rows: [
          { label: 'write + fsync (baseline)', stats: base },
          { label: 'sev LogWriter.append', stats: s, ratio: s.median / base.median },
        ],
        targets: [],
        info: { events: runs },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
