import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.js';
import { readLog } from '../src/incident/read.js';
import { describe as describeEvent, kindOf } from '../src/report/describe.js';
import { HTML_DRAW_LIMIT, renderHtml } from '../src/report/html.js';
import { loadTimeline } from '../src/report/logs.js';
import { mergeSources } from '../src/report/merge.js';
import { computeMetrics } from '../src/report/metrics.js';
import { renderPostmortem } from '../src/report/postmortem.js';
import { renderCsv } from '../src/report/csv.js';
import { renderJson } from '../src/report/json.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { renderText } from '../src/report/text.js';
import type { Report } from '../src/report/view.js';
import { fromLogRead, readSource } from '../src/report/rows.js';
import { clockFor } from '../src/report/time.js';
import { aStringMatching, parseJson, ROOT, tempDir } from './helpers.js';

const LOGS = join(ROOT, 'test/fixtures/logs/incident');
const INCIDENT = '20261126T235210Z-server-failure-k3f9';
const FILES = ['alice', 'bob', 'dave'].map((r) => join(LOGS, `${INCIDENT}.${r}.jsonl`));
const S = 1000;
const M = 60 * S;

const line = (o: Record<string, unknown>) =>
  `${JSON.stringify({ v: 1, incident: 'INC', actor: 'a', type: 'note', data: { text: 'x', action: false }, ...o })}\n`;
const text = (pieces: Iterable<string>) => [...pieces].join('');
const report = (files: string[], options: { lean?: boolean; tz?: string } = {}): Report => {
  const timeline = loadTimeline(files, { incidentDir: LOGS, lean: options.lean });
  return { timeline, metrics: computeMetrics(timeline), clock: clockFor(options.tz) };
};

describe('reading a log in chunks', () => {
  it('reads the same events as the incident reader, across chunk boundaries and multi-byte characters', () => {
    // More than one 4 MiB chunk, with characters of 2, 3 and 4 bytes everywhere.
    const lines: string[] = [];
    for (let i = 1; i <= 30_000; i++)
      lines.push(
        line({
          id: `e${i}`,
          seq: i,
          time: new Date(Date.UTC(2026, 10, 26) + i).toISOString(),
          data: { text: `é€😀 ${'x'.repeat(i % 200)}`, action: false },
        }),
      );
    const dir = tempDir({ 'big.jsonl': lines.join('') });
    const file = join(dir, 'big.jsonl');
    const source = readSource(file, 0);
    const read = readLog(file);
    expect(source.rows).toHaveLength(30_000);
    expect(source.problems).toEqual([]);
    const withoutLine = read.events.map((e) => {
      const copy: Partial<typeof e> = { ...e };
      delete copy.line;
      return copy;
    });
    expect(source.rows.map((r) => r.event)).toEqual(withoutLine);
    expect(source.rows.at(-1)!.line).toBe(30_000);
  });

  it('reports a torn last line, a damaged line and an unknown type like the incident reader, and keeps the rest', () => {
    const content =
      line({ id: 'a', seq: 1, time: '2026-11-26T10:00:00.000Z' }) +
      'not json\n' +
      line({ id: 'b', seq: 2, time: '2026-11-26T10:00:01.000Z', type: 'future.thing', data: { x: 1 } }) +
      '{"v":1,"id":"c"';
    const dir = tempDir({ 'l.jsonl': content });
    const source = readSource(join(dir, 'l.jsonl'), 0);
    expect(source.rows.map((r) => r.id)).toEqual(['a', 'b']);
    expect(source.problems.map((p) => [p.line, p.kind])).toEqual([
      [2, 'damaged-line'],
      [3, 'unknown-type'],
      [4, 'torn-line'],
    ]);
    expect(readLog(join(dir, 'l.jsonl')).problems.map((p) => [p.line, p.kind])).toEqual(source.problems.map((p) => [p.line, p.kind]));
  });

  it('keeps only the raw line of ordinary events in lean mode, and parses those the metrics need', () => {
    const source = readSource(FILES[0]!, 0, { lean: true });
    const note = source.rows.find((r) => r.type === 'note')!;
    const milestone = source.rows.find((r) => r.type === 'milestone')!;
    expect(note.event).toBeUndefined();
    const lines = readFileSync(FILES[0]!, 'utf8').split('\n');
    expect(
      Buffer.from(readFileSync(FILES[0]!))
        .subarray(note.off, note.off! + note.len!)
        .toString(),
    ).toBe(lines[note.line - 1]);
    expect(milestone.event).toBeDefined();
  });

  it('a missing file or a directory is a usage error (exit 2)', () => {
    expect(() => readSource('/nonexistent/x.jsonl', 0)).toThrow(UserError);
    expect(() => readSource(ROOT, 0)).toThrow(/is a directory, not an incident log/);
  });
});

describe('merging logs', () => {
  const src = (lines: string, log: number, name = `l${log}.jsonl`) => readSource(join(tempDir({ [name]: lines }), name), log);

  it('orders by time, then by log, then by seq; shows a copied event once', () => {
    const a = src(
      line({ id: 'x', seq: 1, time: '2026-11-26T10:00:01.000Z' }) + line({ id: 'y', seq: 2, time: '2026-11-26T10:00:02.000Z' }),
      0,
    );
    const b = src(
      line({ id: 'z', seq: 1, time: '2026-11-26T10:00:01.000Z' }) +
        line({ id: 'y', seq: 2, time: '2026-11-26T10:00:02.000Z' }) +
        line({ id: 'w', seq: 3, time: '2026-11-26T10:00:00.500Z' }),
      1,
    );
    const t = mergeSources([a, b]);
    expect(t.rows.map((r) => r.id)).toEqual(['w', 'x', 'z', 'y']);
    expect(t.rows.find((r) => r.id === 'y')!.copies).toEqual([{ log: 1, line: 2 }]);
    expect(t.warnings.map((w) => [w.kind, w.skewMs])).toEqual([['clock-backwards', 1500]]);
  });

  it('refuses logs of different incidents unless forced', () => {
    const a = src(line({ id: 'x', seq: 1, time: '2026-11-26T10:00:01.000Z' }), 0);
    const b = src(line({ id: 'y', seq: 1, time: '2026-11-26T10:00:01.000Z', incident: 'OTHER' }), 1);
    expect(() => mergeSources([a, b])).toThrow(/the logs are of 2 different incidents/);
    expect(mergeSources([a, b], { force: true }).incidents).toEqual(['INC', 'OTHER']);
  });

  it('refuses an empty log, and a log with nothing but a torn line', () => {
    expect(() => mergeSources([src('', 0)])).toThrow(/is empty: it holds no events/);
    expect(() => mergeSources([src('{"v":1,', 0)])).toThrow(/has no complete event \(line 1: torn-line\)/);
  });

  it('reports sequence gaps, a clock running backwards, and a clock behind the incident start with its size', () => {
    const t = loadTimeline(FILES, { incidentDir: LOGS });
    const kinds = t.warnings.map((w) => `${w.file.split('.').at(-2)}:${w.line} ${w.kind}${w.skewMs ? ` ${w.skewMs}` : ''}`);
    expect(kinds).toEqual([
      'bob:1 clock-skew 80000',
      'dave:3 clock-backwards 30000',
      'dave:4 unknown-type',
      'dave:4 seq-gap',
      'dave:5 seq-gap',
      'dave:5 clock-backwards 60000',
      'dave:6 torn-line',
    ]);
  });

  it('reads the logs the incident store found the same as the files', () => {
    const fromStore = mergeSources(FILES.map((f, i) => fromLogRead(readLog(f), i)));
    const fromFiles = mergeSources(FILES.map((f, i) => readSource(f, i)));
    expect(fromStore.rows).toEqual(fromFiles.rows);
    expect(fromStore.warnings).toEqual(fromFiles.warnings);
  });
});

describe('metrics', () => {
  it('match the values computed by hand from the fixture logs', () => {
    const { metrics } = report(FILES);
    const byKey = Object.fromEntries(metrics.metrics.map((m) => [m.key, m]));
    // impact-started 23:52:20, detected 23:53:05, acknowledged 23:55:05, mitigated 00:04:20, resolved 00:22:20.
    expect(byKey['time-to-detect']!.ms).toBe(45 * S);
    expect(byKey['time-to-acknowledge']!.ms).toBe(2 * M);
    expect(byKey['time-to-mitigate']!.ms).toBe(12 * M);
    expect(byKey['time-to-resolve']!.ms).toBe(30 * M);
    expect(byKey['time-to-detect']!.from).toMatchObject({ label: 'impact-started', line: 7, actor: 'alice' });
    expect(byKey['time-to-detect']!.to).toMatchObject({ label: 'detected', line: 9 });
    // SEV3 23:52:10 → 23:55:05 (2m55s), SEV2 → 00:10:00 (14m55s), SEV3 → resolved 00:22:20 (12m20s).
    expect(metrics.severity.totals).toEqual([
      { severity: 'SEV2', ms: 14 * M + 55 * S },
      { severity: 'SEV3', ms: 2 * M + 55 * S + 12 * M + 20 * S },
    ]);
    expect(metrics.severity.spans.map((s) => s.severity)).toEqual(['SEV3', 'SEV2', 'SEV3']);
  });

  it('say when a milestone is missing or out of order instead of giving a wrong number, and label the fallback', () => {
    const { metrics } = report([join(ROOT, 'test/fixtures/logs/bad/no-impact.jsonl')]);
    const byKey = Object.fromEntries(metrics.metrics.map((m) => [m.key, m]));
    expect(metrics.impactStart).toMatchObject({
      label: 'incident start (stand-in for impact-started)',
      fallback: aStringMatching(/no impact-started milestone/),
    });
    expect(byKey['time-to-detect']!.ms).toBe(6 * M);
    expect(byKey['time-to-acknowledge']).toMatchObject({
      ms: null,
      problem: aStringMatching(/^out of order: acknowledged .* is before detected/),
    });
    expect(byKey['time-to-mitigate']!.ms).toBe(30 * M);
    expect(byKey['time-to-resolve']).toMatchObject({ ms: null, problem: 'no resolved milestone in the logs' });
    // No resolution and no close: the last event ends the severity time, and says so.
    expect(metrics.end).toMatchObject({ label: 'last event' });
    expect(metrics.severity.totals).toEqual([{ severity: 'SEV2', ms: 30 * M }]);
  });

  it('date a milestone at the time the responder gave for it, when they gave one', () => {
    const t0 = Date.parse('2026-11-26T03:20:00.000Z');
    const at = (min: number) => new Date(t0 + min * M).toISOString();
    const started = {
      runbook: { id: 'r', title: 'R', hash: 'h', file: 'r.yaml' },
      severity: 'SEV2',
      responder: 'a',
      dryRun: false,
      host: 'h',
      sevVersion: '0',
    };
    const dir = tempDir({
      'l.jsonl': [
        line({ id: '1', seq: 1, time: at(0), type: 'incident.started', data: started }),
        // Recorded at 03:21, but the responder said users were hit from 03:05.
        line({
          id: '2',
          seq: 2,
          time: at(1),
          type: 'milestone',
          data: { milestone: 'impact-started', step: 'impact-start', at: '2026-11-26T03:05:00.000Z' },
        }),
        line({ id: '3', seq: 3, time: at(2), type: 'milestone', data: { milestone: 'detected', step: 'confirm' } }),
        line({ id: '4', seq: 4, time: at(10), type: 'milestone', data: { milestone: 'resolved', step: 'verify' } }),
      ].join(''),
    });
    const { metrics } = report([join(dir, 'l.jsonl')]);
    const byKey = Object.fromEntries(metrics.metrics.map((m) => [m.key, m]));
    expect(metrics.impactStart).toMatchObject({
      label: 'impact-started (as given by the responder)',
      time: '2026-11-26T03:05:00.000Z',
      line: 2,
    });
    expect(byKey['time-to-detect']!.ms).toBe(17 * M);
    expect(byKey['time-to-resolve']!.ms).toBe(25 * M);
  });
});

describe('formats', () => {
  it('every format is the same whether ordinary events are read again from their lines (lean) or kept parsed', () => {
    for (const render of [renderJson, renderCsv, renderText, renderMarkdown, renderHtml, renderPostmortem]) {
      const lean = report(FILES, { lean: true });
      expect(lean.timeline.rows.some((row) => !row.event)).toBe(true);
      expect(text(render(lean))).toBe(text(render(report(FILES))));
      lean.timeline.lines!.close();
    }
    const doc = parseJson<{ events: unknown[] }>(text(renderJson(report(FILES, { lean: true }))));
    expect(doc.events).toHaveLength(32);
    expect(doc.events[0]).toMatchObject({ id: 'b-01', source: { line: 1 } });
  });

  it('CSV quotes commas, quotes and line breaks, and defuses spreadsheet formulas', () => {
    const dir = tempDir({
      'l.jsonl': line({
        id: 'q',
        seq: 1,
        time: '2026-11-26T10:00:00.000Z',
        actor: '=HYPERLINK("x")',
        data: { text: 'a, "b"\nc', action: false },
      }),
    });
    const csv = text(renderCsv(report([join(dir, 'l.jsonl')])));
    const row = csv.split('\r\n')[1]!;
    expect(row).toContain(`"'=HYPERLINK(""x"")"`);
    expect(row).toContain('"note: a, ""b"" c"');
  });

  it('HTML escapes what the logs say, also inside the embedded data', () => {
    const dir = tempDir({
      'l.jsonl': line({
        id: 'h',
        seq: 1,
        time: '2026-11-26T10:00:00.000Z',
        actor: '<b>x</b>',
        data: { text: '</script><script>alert(1)</script>', action: false },
      }),
    });
    const html = text(renderHtml(report([join(dir, 'l.jsonl')])));
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<b>x</b>');
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it('the postmortem has every section, with the parts only people can write clearly marked', () => {
    const md = text(renderPostmortem(report(FILES)));
    const sections = [...md.matchAll(/^##+ (.+)$/gm)].map((m) => m[1]);
    expect(sections).toEqual([
      'Summary',
      'Impact',
      'Customer communication',
      'Metrics',
      'Detection',
      'Response and recovery',
      'Steps taken',
      'Commands run',
      'Checks that failed',
      'Timeline',
      'What went well',
      'What went wrong',
      'Other notes from responders (to sort)',
      'Action items',
      'Root cause',
      'Contributing factors',
      'Sources',
    ]);
    expect(md).toMatch(/## Root cause\n\n_TO BE WRITTEN/);
    expect(md).toMatch(/## Contributing factors\n\n_TO BE WRITTEN/);
    expect(md).toContain('| # | action | owner | due | raised by | source |');
    expect(md).toMatch(/\| 2 \| add an alert on the payment error rate \| \| \| bob, 2026-11-27 00:02:00\.000Z \| \[2\]:10 \|/);
    expect(md).toMatch(
      /\| 2026-11-26 23:53:31\.000Z \| bob \| restart-api \| `kubectl rollout restart deploy\/wallet-api` \| \*\*exit 1\*\* \| 10s \| \[2\]:3 \|/,
    );
    expect(md).toContain(
      '| 2026-11-26 23:57:00.000Z | users | status page | Some payments may fail since 23:52 UTC. Your money is safe. | bob | [2]:8 |',
    );
    expect(md).toContain('- **Money affected:** _TO BE FILLED');
  });
});

describe('times and words', () => {
  it('shows another zone through Intl, and refuses an unknown one', () => {
    const ms = Date.parse('2026-11-26T23:52:10.123Z');
    expect(clockFor('America/New_York').stamp(ms)).toBe('2026-11-26 18:52:10.123-05:00');
    expect(clockFor().stamp(ms)).toBe('2026-11-26 23:52:10.123Z');
    expect(() => clockFor('Nowhere/Town')).toThrow(UserError);
  });

  it('shows an unknown event type generically, and failures as failures', () => {
    const base = { v: 1, id: 'x', seq: 1, time: '', incident: 'I', actor: 'a' };
    expect(describeEvent({ ...base, type: 'pager.escalated', data: { to: 'x' } })).toBe('pager.escalated (unknown event type): {"to":"x"}');
    expect(kindOf({ ...base, type: 'check.result', data: { status: 'CRITICAL' } })).toBe('failure');
    expect(kindOf({ ...base, type: 'note', data: { text: 'todo: call the bank', action: false } })).toBe('action');
  });

  it('a typical incident (a few thousand events) renders in every format, each event drawn', () => {
    const lines: string[] = [];
    for (let i = 1; i <= 5000; i++)
      lines.push(
        line({
          id: `e${i}`,
          seq: i,
          time: new Date(Date.UTC(2026, 10, 26) + i * 700).toISOString(),
          type: i % 3 ? 'step.started' : 'check.result',
          data:
            i % 3
              ? { step: `s${i}`, index: i, kind: 'checks' }
              : {
                  check: 'h',
                  status: 'OK',
                  reason: 'exit 0',
                  attempts: 1,
                  exit: 0,
                  durationMs: 3,
                  timedOut: false,
                  stdout: '',
                  stderr: '',
                },
        }),
      );
    const dir = tempDir({ 'l.jsonl': lines.join('') });
    const r = report([join(dir, 'l.jsonl')]);
    // How fast is measured by the `typical` benchmark, not here.
    expect(text(renderCsv(r)).trimEnd().split('\n')).toHaveLength(5001);
    expect(text(renderPostmortem(r))).toContain('# Postmortem');
    expect(parseJson<{ events: unknown[] }>(text(renderJson(r))).events).toHaveLength(5000);
    writeFileSync(join(dir, 'out.html'), text(renderHtml(r)));
    expect(readFileSync(join(dir, 'out.html'), 'utf8').match(/<circle class="ev /g)).toHaveLength(5000);
  });
});

describe('a timeline too big for a page', () => {
  it('beyond the draw limit, the page summarises per responder and time bucket, and draws only the events that shape the incident', () => {
    const lines: string[] = [];
    const n = HTML_DRAW_LIMIT + 1;
    for (let i = 1; i <= n; i++) {
      const type = i === 1 ? 'incident.started' : i === 3000 ? 'milestone' : i % 2 ? 'step.started' : 'check.result';
      const data =
        i === 1
          ? {
              runbook: { id: 'rb', title: 'T', hash: 'h', file: 'f' },
              severity: 'SEV2',
              responder: 'a',
              host: 'h',
              dryRun: false,
              sevVersion: '0',
            }
          : i === 3000
            ? { milestone: 'detected' }
            : i % 2
              ? { step: `s${i}`, index: i, kind: 'checks' }
              : {
                  check: 'h',
                  status: i % 10 ? 'OK' : 'CRITICAL',
                  reason: 'exit 0',
                  attempts: 1,
                  exit: 0,
                  durationMs: 3,
                  timedOut: false,
                  stdout: '',
                  stderr: '',
                };
      lines.push(line({ id: `e${i}`, seq: i, time: new Date(Date.UTC(2026, 10, 26) + i * 700).toISOString(), type, data }));
    }
    const dir = tempDir({ 'l.jsonl': lines.join('') });
    const html = text(renderHtml(report([join(dir, 'l.jsonl')], { lean: true })));
    expect(html.match(/<circle class="ev /g)).toHaveLength(2);
    expect(html).toContain(`data-events="${n}" data-drawn="2"`);
    expect(html).toMatch(new RegExp(`id="summarised">${n} events are more than this page draws one by one \\(${HTML_DRAW_LIMIT}\\)`));
    const bars = [...html.matchAll(/<rect class="bucket" data-n="(\d+)"[^>]*fill="([^"]+)"/g)];
    expect(bars.reduce((sum, b) => sum + Number(b[1]), 0)).toBe(n);
    expect(bars.some((b) => b[2] === '#d7191c')).toBe(true);
    expect(html).toMatch(/<title>[^<]*: \d+ events \(\d+ failed\): \d+ (step\.started|check\.result), /);
    // The table lists the drawn events only.
    expect(html.match(/<tr class=/g)).toHaveLength(2);
  });

  it('at the limit, every event is drawn', () => {
    const lines: string[] = [];
    for (let i = 1; i <= HTML_DRAW_LIMIT; i++)
      lines.push(line({ id: `e${i}`, seq: i, time: new Date(Date.UTC(2026, 10, 26) + i * 700).toISOString() }));
    const dir = tempDir({ 'l.jsonl': lines.join('') });
    const html = text(renderHtml(report([join(dir, 'l.jsonl')])));
    expect(html.match(/<circle class="ev /g)).toHaveLength(HTML_DRAW_LIMIT);
    expect(html).not.toContain('id="summarised"');
  });
});
