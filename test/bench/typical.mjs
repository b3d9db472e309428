// A typical incident, a few thousand events from two responders: every report format, whole commands
// (start-up included) against bare Node start-up, interleaved.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interleave, stats } from './lib/measure.mjs';
import { SEV, node } from './lib/paths.mjs';

const EVENTS = 5000;
const INCIDENT = '20261126T030000Z-server-failure-typ1';

function logs(dir) {
  const start = Date.parse('2026-11-26T03:00:00.000Z');
  const files = [];
  for (const [k, responder] of ['ana', 'ben'].entries()) {
    const lines = [];
    for (let seq = 1; seq <= EVENTS / 2; seq++) {
      const time = new Date(start + seq * 700 + k * 300).toISOString();
      let type = seq % 3 ? 'step.started' : 'check.result';
      let data =
        seq % 3
          ? { step: `s${seq}`, index: seq, kind: 'checks' }
          : {
              step: `s${seq}`,
              check: 'api-health',
              status: seq % 30 ? 'OK' : 'CRITICAL',
              reason: 'exit 0',
              attempts: 1,
              exit: 0,
              durationMs: 12,
              timedOut: false,
              stdout: '{"status":"ok"}\n',
              stderr: '',
            };
      if (seq === 1) {
        type = k ? 'incident.joined' : 'incident.started';
        data = {
          runbook: { id: 'server-failure', title: 'Server failure', hash: 'ab'.repeat(32), file: 'runbooks/server-failure.yaml' },
          severity: 'SEV2',
          responder,
          host: 'h',
          sevVersion: '0.1.0',
          dryRun: false,
        };
      } else if (k === 0 && seq % 500 === 0) {
        type = 'milestone';
        data = {
          milestone: ['impact-started', 'detected', 'acknowledged', 'mitigated', 'resolved'][seq / 500 - 1] ?? 'resolved',
          step: `s${seq}`,
        };
      }
      lines.push(JSON.stringify({ v: 1, id: `${responder}-${seq}`, seq, time, incident: INCIDENT, actor: responder, type, data }));
    }
    const file = join(dir, `${INCIDENT}.${responder}.jsonl`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    files.push(file);
  }
  return files;
}

export default {
  name: 'typical',
  description: `every report of a typical incident (${EVENTS} events, 2 responders) against node -e 0`,
  defaults: { runs: 10, warmup: 2 },
  async measure({ runs, warmup, log }) {
    const dir = mkdtempSync(join(tmpdir(), 'sev-bench-typical-'));
    try {
      const files = logs(dir);
      const env = { NO_COLOR: '1' };
      const contenders = [
        { id: 'node', label: 'node -e 0 (baseline)', command: node, args: ['-e', '0'] },
        ...['text', 'md', 'json', 'csv', 'html'].map((format) => ({
          id: format,
          label: `sev timeline --format ${format}`,
          command: node,
          args: [SEV, 'timeline', ...files, '--format', format, '--out', join(dir, `out.${format}`)],
          env,
        })),
        { id: 'postmortem', label: 'sev postmortem', command: node, args: [SEV, 'postmortem', ...files, '--out', join(dir, 'pm.md')], env },
      ];
      log(`${EVENTS} events in ${dir}`);
      const samples = interleave(contenders, { runs, warmup });
      const base = stats(samples.get('node'));
      const rows = contenders.map((c) => {
        const s = stats(samples.get(c.id));
        return { label: c.label, stats: s, ratio: c.id === 'node' ? undefined : s.median / base.median };
      });
      const slowest = Math.max(...rows.slice(1).map((r) => r.stats.median));
      return {
        unit: 'per command',
        rows,
        targets: [{ label: 'slowest report of a typical incident', value: slowest, max: 1000, unit: 'ms (median, start-up included)' }],
        info: { events: EVENTS },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
