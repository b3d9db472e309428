import { describe, expect, it } from 'vitest';
import type { IncidentEvent } from '../src/incident/events.js';
import { drillMarkdown, scoreDrill } from '../src/drill/score.js';
import { SCENARIOS } from '../src/drill/scenarios/index.js';

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
