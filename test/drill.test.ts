import { describe, expect, it } from 'vitest';
import type { IncidentEvent } from '../src/incident/events.js';
import { drillMarkdown, scoreDrill } from '../src/drill/score.js';
import { SCENARIOS } from '../src/drill/scenarios/index.js';
import { practice, readHistory, writeHistoryEntry } from '../src/drill/history.js';
import { pickScenario } from '../src/drill/run.js';
import { seeded } from '../src/drill/traffic.js';
import { tempDir } from './helpers.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const scenario = SCENARIOS.find((s) => s.name === 'api-killed')!;
const T0 = Date.parse('2026-12-02T10:00:00Z');
let seq = 0;
const ev = (type: string, data: Record<string, unknown>, minutes = 0): IncidentEvent => ({
  v: 1,
  id: String(++seq),
  seq,
  time: new Date(T0 + minutes * 60_000).toISOString(),
  incident: 'i1',
  actor: 'drill',
  type,
  data,
});
const walked = (skip: string[] = [], resolveAt = 10) => [
  ev('incident.started', {}),
  ...scenario.expected.filter((x) => !skip.includes(x.step)).map((x) => ev('step.completed', { step: x.step, result: 'done', next: '' })),
  ev('milestone', { milestone: 'detected' }, 1),
  ev('milestone', { milestone: 'mitigated' }, 5),
  ev('milestone', { milestone: 'resolved' }, resolveAt),
  ev('incident.closed', { outcome: 'completed', step: 'postmortem' }, resolveAt),
];
const money = { acknowledged: 40, lost: [], doubled: [], pending: 0, unanswered: 0 };
const fixed = { ok: true, detail: 'up' };

describe('drill score', () => {
  it('is perfect for a walk that takes every expected step within the targets, the fault fixed and the money right', () => {
    const score = scoreDrill({ scenario, events: walked(), faultAt: T0, fixed, money });
    expect(score.perfect).toBe(true);
    expect(score.timings.map((t) => [t.name, t.ms])).toEqual([
      ['detect', 60_000],
      ['mitigate', 300_000],
      ['resolve', 600_000],
    ]);
    expect(drillMarkdown(score)).toContain('Score: perfect');
  });

  it('names a skipped step, a late resolution, a lost payment and a fault left unfixed, with what to practise', () => {
    const score = scoreDrill({
      scenario,
      events: walked(['protect-funds'], 45),
      faultAt: T0,
      fixed: { ok: false, detail: 'still down' },
      money: { ...money, lost: ['pay-3'] },
    });
    expect(score.perfect).toBe(false);
    expect(score.skipped.map((s) => s.step)).toEqual(['protect-funds']);
    expect(score.timings.find((t) => t.name === 'resolve')?.onTarget).toBe(false);
    expect(score.money.ok).toBe(false);
    const md = drillMarkdown(score);
    expect(md).toContain('| Steps skipped | protect-funds |');
    expect(md).toContain('1 lost');
    expect(md).toMatch(/- Time to resolve: 45m, target 30m/);
    expect(md).toMatch(/- Fixing the fault: still down/);
  });
});

describe('drill --random', () => {
  it('picks by the seed: the same seed the same scenario, of the named runbook, and every scenario for some seed', () => {
    const pick = (seed: number, runbook?: string) => pickScenario(runbook, undefined, seeded(seed)).name;
    expect(pick(7)).toBe(pick(7));
    const picked = new Set(Array.from({ length: 40 }, (_, seed) => pick(seed, 'server-failure')));
    expect([...picked].sort()).toEqual(
      SCENARIOS.filter((s) => s.runbook === 'server-failure')
        .map((s) => s.name)
        .sort(),
    );
    expect(() => pickScenario('server-failure', 'disk-full', seeded(1))).toThrow('--random and --scenario');
  });
});

describe('drill history', () => {
  const entry = (at: string, scenario: string, perfect: boolean, responder = 'ana') => ({
    ...scoreDrill({ scenario: SCENARIOS.find((s) => s.name === scenario)!, events: walked(), faultAt: T0, fixed, money }),
    perfect,
    seed: 1,
    responder,
    at,
  });

  it('reads the score files of an incident directory, oldest first, by runbook or responder, and names a damaged one', () => {
    const dir = tempDir();
    writeHistoryEntry(join(dir, 'b'), entry('2026-12-02T10:00:00Z', 'disk-full', false, 'bo'));
    writeHistoryEntry(join(dir, 'a'), entry('2026-11-30T10:00:00Z', 'api-killed', true));
    writeFileSync(join(dir, 'c.drill-score.json'), '{ not json');
    const all = readHistory(dir);
    expect(all.entries.map((e) => e.scenario)).toEqual(['api-killed', 'disk-full']);
    expect(all.unreadable).toEqual(['c.drill-score.json']);
    expect(readHistory(dir, { responder: 'bo' }).entries.map((e) => e.scenario)).toEqual(['disk-full']);
    expect(readHistory(dir, { runbook: 'network' }).entries).toEqual([]);
    expect(readHistory(join(dir, 'missing')).entries).toEqual([]);
  });

  it('counts each scenario played and perfect, and when last; never played shows as such', () => {
    const entries = [entry('2026-11-30T10:00:00Z', 'api-killed', false), entry('2026-12-01T10:00:00Z', 'api-killed', true)];
    const rows = practice(SCENARIOS, entries);
    expect(rows.find((r) => r.scenario === 'api-killed')).toEqual(
      expect.objectContaining({ played: 2, perfect: 1, last: '2026-12-01T10:00:00Z', lastPerfect: true }),
    );
    expect(rows.find((r) => r.scenario === 'disk-full')).toEqual(expect.objectContaining({ played: 0, perfect: 0 }));
    expect(rows.find((r) => r.scenario === 'disk-full')?.last).toBeUndefined();
  });
});
