import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clockHistory, onTime } from '../src/clocks/history.js';
import { buildClocks, mergeClocks, type ClockDef } from '../src/clocks/model.js';
import { policyFile, loadPolicy } from '../src/clocks/policy-file.js';
import { lintPolicyBytes } from '../src/clocks/policy.js';
import { clockEvents, dueClocks, overdue } from '../src/clocks/run.js';
import type { ClockEvent } from '../src/incident/clock-state.js';
import type { IncidentEvent } from '../src/incident/events.js';
import { apply, initialState, type IncidentState } from '../src/incident/replay.js';
import { lintBytes } from '../src/lint/files.js';
import { CLOCK_WORDS } from '../src/runbook/model.js';
import { parseJson } from './helpers.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const min = 60_000;
const at = (m: number) => new Date(T0 + m * min).toISOString();

const clocks = (yaml: unknown[]): ClockDef[] => buildClocks(yaml, ['clocks'], CLOCK_WORDS);

/** An incident driven the way the walk will: write an event, fold it, then write the clock events that follow. */
class Incident {
  state: IncidentState = initialState();
  log: IncidentEvent[] = [];
  private seq = 0;
  constructor(private readonly defs: ClockDef[]) {}

  private write(type: string, data: object, time: number): void {
    const event: IncidentEvent = {
      v: 1,
      id: `e${++this.seq}`,
      seq: this.seq,
      time: new Date(time).toISOString(),
      incident: 'INC-1',
      actor: 'ana',
      type,
      data,
    };
    this.log.push(event);
    apply(this.state, event);
  }

  /** Writes an event at minute `m` and the clock events it brings; returns those. */
  event(m: number, type: string, data: object): ClockEvent[] {
    this.write(type, data, T0 + m * min);
    const last = this.log[this.log.length - 1]!;
    const follow = clockEvents(this.defs, this.state, last, T0 + m * min);
    for (const c of follow) this.write(c.type, c.data, T0 + m * min);
    return follow;
  }

  /** The walk's tick between events at minute `m`. */
  tick(m: number): ClockEvent[] {
    const follow = overdue(this.defs, this.state, T0 + m * min);
    for (const c of follow) this.write(c.type, c.data, T0 + m * min);
    return follow;
  }

  started(severity = 'SEV2'): this {
    this.event(0, 'incident.started', {
      runbook: { id: 'r', title: 'R', hash: 'h', file: 'r.yaml' },
      severity,
      responder: 'ana',
      dryRun: false,
      host: 'h',
      sevVersion: '0',
    });
    return this;
  }
}

const kinds = (events: ClockEvent[]) => events.map((e) => `${e.type} ${e.data.clock}`);
const announce = (audience = 'users') => ({ step: 's', audience, message: 'm' });

const USER_UPDATES = {
  id: 'user-updates',
  title: 'Update users',
  audience: 'users',
  starts: { announcement: 'users' },
  due: '30m',
  repeat: '30m',
  while: { severity: 'SEV2' },
  until: { milestone: 'resolved' },
};

describe('a repeating clock (user updates every 30m while SEV2 or above, until resolved)', () => {
  it('starts at the first notice, is met by each next one and due again 30m later', () => {
    const inc = new Incident(clocks([USER_UPDATES])).started();
    expect(kinds(inc.event(5, 'announcement', announce()))).toEqual(['clock.started user-updates']);
    expect(dueClocks(clocks([USER_UPDATES]), inc.state, T0 + 20 * min)).toEqual([
      { id: 'user-updates', title: 'Update users', audience: 'users', dueAt: at(35), inMs: 15 * min },
    ]);
    const met = inc.event(30, 'announcement', announce());
    expect(met.map((e) => e.type)).toEqual(['clock.met', 'clock.started']);
    expect(met[0]!.data).toEqual({ clock: 'user-updates', by: 'announcement to users', at: at(30), due: at(35) });
    expect(met[1]!.data).toMatchObject({ at: at(30), due: at(60) });
  });

  it('is not met by a notice to another audience', () => {
    const inc = new Incident(clocks([USER_UPDATES])).started();
    inc.event(5, 'announcement', announce());
    expect(inc.event(10, 'announcement', announce('internal'))).toEqual([]);
  });

  it('does not start below the while severity, and starts once the incident is raised to it', () => {
    const inc = new Incident(clocks([{ ...USER_UPDATES, starts: { milestone: 'detected' } }])).started('SEV3');
    expect(inc.event(1, 'milestone', { milestone: 'detected' })).toEqual([]);
    const raised = inc.event(10, 'severity.changed', { from: 'SEV3', to: 'SEV1' });
    expect(kinds(raised)).toEqual(['clock.started user-updates']);
    expect(raised[0]!.data).toMatchObject({ at: at(10), due: at(40) });
  });

  it('does not repeat once the severity drops below while; the open round is still owed', () => {
    const inc = new Incident(clocks([USER_UPDATES])).started();
    inc.event(5, 'announcement', announce());
    expect(inc.event(10, 'severity.changed', { from: 'SEV2', to: 'SEV3' })).toEqual([]);
    expect(kinds(inc.event(20, 'announcement', announce()))).toEqual(['clock.met user-updates']);
    expect(dueClocks(clocks([USER_UPDATES]), inc.state, T0 + 21 * min)).toEqual([]);
  });

  it('ends at until: the open round is closed and nothing more is due', () => {
    const defs = clocks([USER_UPDATES]);
    const inc = new Incident(defs).started();
    inc.event(5, 'announcement', announce());
    expect(kinds(inc.event(20, 'milestone', { milestone: 'resolved' }))).toEqual(['clock.stopped user-updates']);
    expect(inc.tick(200)).toEqual([]);
    expect(inc.event(210, 'announcement', announce())).toEqual([]);
    expect(clockHistory(inc.log).map((i) => i.outcome)).toEqual(['ended']);
  });
});

describe('missed and late', () => {
  it('a round past due is missed once, then met late by how much', () => {
    const inc = new Incident(clocks([USER_UPDATES])).started();
    inc.event(0, 'announcement', announce());
    expect(inc.tick(29)).toEqual([]);
    expect(inc.tick(31)).toEqual([{ type: 'clock.missed', data: { clock: 'user-updates', due: at(30) } }]);
    expect(inc.tick(40)).toEqual([]);
    expect(dueClocks(clocks([USER_UPDATES]), inc.state, T0 + 40 * min)[0]!.inMs).toBe(-10 * min);
    const late = inc.event(42, 'announcement', announce());
    expect(late[0]).toEqual({
      type: 'clock.met',
      data: { clock: 'user-updates', by: 'announcement to users', at: at(42), due: at(30), lateMs: 12 * min },
    });
  });

  it('an event after due without a tick in between writes the miss first', () => {
    const inc = new Incident(clocks([USER_UPDATES])).started();
    inc.event(0, 'announcement', announce());
    expect(kinds(inc.event(45, 'announcement', announce()))).toEqual([
      'clock.missed user-updates',
      'clock.met user-updates',
      'clock.started user-updates',
    ]);
  });

  it('history and on-time count: on time, late, missed, and an open round not yet due is not counted', () => {
    const inc = new Incident(clocks([USER_UPDATES])).started();
    inc.event(0, 'announcement', announce()); // round 1, due 30
    inc.event(20, 'announcement', announce()); // met on time; round 2, due 50
    inc.event(55, 'announcement', announce()); // met 5m late; round 3, due 85
    inc.tick(90); // round 3 missed
    inc.event(130, 'severity.changed', { from: 'SEV2', to: 'SEV4' });
    inc.event(140, 'announcement', announce()); // round 3 met 55m late, no repeat below SEV2
    inc.event(150, 'severity.changed', { from: 'SEV4', to: 'SEV2' });
    inc.event(160, 'announcement', announce()); // round 4 (a new start), open
    const history = clockHistory(inc.log);
    expect(history.map((i) => [i.outcome, i.met?.lateMs ?? null])).toEqual([
      ['on-time', 0],
      ['late', 5 * min],
      ['late', 55 * min],
      ['open', null],
    ]);
    expect(history[2]!.missed).toBe(true);
    expect(onTime(history)).toEqual({ met: 1, total: 3 });
  });

  it('a round never met is missed in the history', () => {
    const inc = new Incident(clocks([USER_UPDATES])).started();
    inc.event(0, 'announcement', announce());
    inc.tick(60);
    expect(clockHistory(inc.log).map((i) => i.outcome)).toEqual(['missed']);
    expect(onTime(clockHistory(inc.log))).toEqual({ met: 0, total: 1 });
  });
});

describe('each start kind', () => {
  const once = (starts: object, extra: object = {}) =>
    clocks([{ id: 'c', title: 'C', starts, due: '1h', met_by: { step: 'done' }, ...extra }]);

  it('a milestone, counting from when it really happened', () => {
    const inc = new Incident(once({ milestone: 'detected' })).started();
    const started = inc.event(20, 'milestone', { milestone: 'detected', at: at(5) });
    expect(started[0]!.data).toMatchObject({ at: at(5), due: at(65) });
  });

  it('a severity at or above a level (SEV2 starts for SEV1, not for SEV3)', () => {
    const inc = new Incident(once({ severity: 'SEV2' })).started('SEV3');
    expect(inc.event(1, 'severity.changed', { from: 'SEV3', to: 'SEV3' })).toEqual([]);
    expect(kinds(inc.event(2, 'severity.changed', { from: 'SEV3', to: 'SEV1' }))).toEqual(['clock.started c']);
    expect(inc.event(3, 'severity.changed', { from: 'SEV1', to: 'SEV2' })).toEqual([]);
  });

  it('an incident that starts at the severity starts the clock with its first event', () => {
    const inc = new Incident(once({ severity: 'SEV2' })).started('SEV1');
    expect(inc.log.map((e) => e.type)).toEqual(['incident.started', 'clock.started']);
  });

  it('an announcement, a step done (not failed), a filing of a notification', () => {
    let inc = new Incident(once({ announcement: 'partners' })).started();
    expect(inc.event(1, 'announcement', announce('users'))).toEqual([]);
    expect(kinds(inc.event(2, 'announcement', announce('partners')))).toEqual(['clock.started c']);

    inc = new Incident(once({ step: 'isolate' })).started();
    expect(inc.event(1, 'step.completed', { step: 'isolate', result: 'failed', next: 'x' })).toEqual([]);
    expect(kinds(inc.event(2, 'step.completed', { step: 'isolate', result: 'done', next: 'x' }))).toEqual(['clock.started c']);

    inc = new Incident(once({ filing: 'initial', notification: 'dora' })).started();
    const filed = (notification: string) => ({
      step: 'reg',
      notification,
      regulator: 'R',
      deadline: 'initial',
      at: at(1),
      by: 'ana',
      lateMs: 0,
    });
    expect(inc.event(3, 'regulator.filed', filed('gdpr'))).toEqual([]);
    expect(inc.event(3, 'regulator.filed', filed('dora'))[0]!.data).toMatchObject({ at: at(1), due: at(61) });
  });

  it('a regulator notification found to apply, due counted from detection', () => {
    const inc = new Incident(once({ notification: 'pboc-incident' }, { due: '30m', counted_from: 'detected' })).started();
    inc.event(2, 'milestone', { milestone: 'detected' });
    const assessed = (applies: boolean) => ({
      step: 'reg',
      rules: { file: 'f', hash: 'h' },
      facts: {},
      notifications: [{ id: 'pboc-incident', applies }],
    });
    expect(inc.event(10, 'regulator.assessed', assessed(false))).toEqual([]);
    expect(inc.event(20, 'regulator.assessed', assessed(true))[0]!.data).toMatchObject({ at: at(20), due: at(32) });
  });

  it('an input over a count (100,000 transactions), or a fact a regulator step asked', () => {
    let inc = new Incident(once({ input: 'affected_transactions', above: 100000 })).started();
    expect(inc.event(1, 'input.set', { name: 'affected_transactions', value: '100,000' })).toEqual([]);
    expect(kinds(inc.event(2, 'input.set', { name: 'affected_transactions', value: '100,001' }))).toEqual(['clock.started c']);

    inc = new Incident(once({ input: 'interruption', above: '2h' })).started();
    const facts = (value: string) => ({
      step: 'reg',
      rules: { file: 'f', hash: 'h' },
      facts: { interruption: { value, source: 'asked' } },
      notifications: [],
    });
    expect(inc.event(3, 'regulator.assessed', facts('1h30m'))).toEqual([]);
    expect(kinds(inc.event(4, 'regulator.assessed', facts('2h30m')))).toEqual(['clock.started c']);
  });

  it('so long after a milestone (interruption over 2h): started by time, not if the clock ended first', () => {
    const defs = once({ milestone: 'impact-started', after: '2h' }, { until: { milestone: 'mitigated' }, due: '30m' });
    const inc = new Incident(defs).started();
    inc.event(0, 'milestone', { milestone: 'impact-started' });
    expect(inc.tick(119)).toEqual([]);
    expect(inc.tick(125)).toEqual([{ type: 'clock.started', data: { clock: 'c', title: 'C', at: at(120), due: at(150) } }]);
    expect(inc.tick(126)).toEqual([]);

    const short = new Incident(defs).started();
    short.event(0, 'milestone', { milestone: 'impact-started' });
    short.event(90, 'milestone', { milestone: 'mitigated' });
    expect(short.tick(300)).toEqual([]);
  });

  it('a timed start long past is started and missed in order by one tick', () => {
    const inc = new Incident(once({ milestone: 'impact-started', after: '2h' }, { due: '30m' })).started();
    inc.event(0, 'milestone', { milestone: 'impact-started' });
    expect(inc.tick(200).map((e) => [e.type, 'due' in e.data ? e.data.due : ''])).toEqual([
      ['clock.started', at(150)],
      ['clock.missed', at(150)],
    ]);
  });

  it('a clock without repeat starts once only', () => {
    const inc = new Incident(once({ announcement: 'users' }, { met_by: { announcement: 'users' } })).started();
    inc.event(1, 'announcement', announce());
    expect(kinds(inc.event(2, 'announcement', announce()))).toEqual(['clock.met c']);
    expect(inc.event(3, 'announcement', announce())).toEqual([]);
  });

  it('replay folds the clock events back into the same state', () => {
    const inc = new Incident(clocks([USER_UPDATES])).started();
    inc.event(0, 'announcement', announce());
    inc.tick(40);
    const state = initialState();
    for (const e of inc.log) apply(state, e);
    expect(state.clocks.get('user-updates')).toEqual({
      instances: 1,
      open: { startedAt: at(0), due: at(30), missed: true },
      stopped: false,
    });
  });
});

describe('merge of runbook and policy clocks', () => {
  it("a runbook clock replaces the policy's of the same id whole; the others are kept", () => {
    const policy = clocks([
      USER_UPDATES,
      { id: 'gdpr', title: 'GDPR', starts: { notification: 'gdpr-breach' }, due: '72h', met_by: { filing: 'initial' } },
    ]);
    const runbook = clocks([
      { id: 'user-updates', title: 'Update users hourly', audience: 'users', starts: { announcement: 'users' }, due: '1h' },
    ]);
    const merged = mergeClocks(policy, runbook);
    expect(merged.map((c) => [c.id, c.title, c.dueMs, c.repeatMs ?? null])).toEqual([
      ['user-updates', 'Update users hourly', 60 * min, null],
      ['gdpr', 'GDPR', 72 * 60 * min, null],
    ]);
  });

  it('the audience is what meets a clock without met_by', () => {
    expect(clocks([USER_UPDATES])[0]!.metBy).toEqual({ kind: 'announcement', audience: 'users' });
  });
});

describe('the format, through the compiled schemas', () => {
  const policy = (body: string) => lintPolicyBytes('policy.yaml', Buffer.from(`format: sevkit-policy/v1\nclocks:\n${body}`));
  const GOOD = '  - id: c\n    title: C\n    starts: { milestone: detected }\n    due: 30m\n    met_by: { step: s }\n';

  it('accepts a good clock', () => {
    expect(policy(GOOD).diagnostics).toEqual([]);
  });

  it('rejects a bad duration, at its position', () => {
    const d = policy(GOOD.replace('due: 30m', 'due: 30 minutes')).diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ line: 6, col: 10, rule: 'schema' });
    expect(d[0]!.message).toContain('is not a length of time for a clock');
  });

  it('rejects an unknown start kind, at its position', () => {
    const d = policy(GOOD.replace('{ milestone: detected }', '{ deploy: api }')).diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ line: 5, col: 13, rule: 'schema' });
    expect(d[0]!.message).toContain('must be one start');
  });

  it('rejects two kinds at once, a while that is an event, and a repeated id', () => {
    expect(policy(GOOD.replace('{ milestone: detected }', '{ milestone: detected, step: s }')).diagnostics).toHaveLength(1);
    expect(policy(GOOD + '    while: { step: s }\n').diagnostics[0]!.message).toContain('must be {severity: SEVn}');
    expect(policy(GOOD + GOOD).diagnostics.map((d) => [d.rule, d.line])).toEqual([['duplicate-clock-id', 8]]);
  });

  it('a runbook holds clocks too, checked by the same definitions', () => {
    const runbook = (clock: string) =>
      lintBytes(
        'r.yaml',
        Buffer.from(
          `format: sevkit/v1\nid: r\ntitle: R\nclass: network\nseverity: SEV3\nclocks:\n${clock}` +
            'steps:\n  - id: s\n    confirm: Done?\n    milestone: resolved\n',
        ),
      );
    const good = runbook(GOOD);
    expect(good.diagnostics).toEqual([]);
    expect(good.runbook!.clocks.map((c) => c.id)).toEqual(['c']);
    expect(runbook(GOOD.replace('due: 30m', 'due: 0.5h')).diagnostics.map((d) => [d.rule, d.line])).toEqual([['schema', 10]]);
  });

  it('the two schemas share one clock definition', () => {
    const read = (f: string) =>
      parseJson<{ definitions: Record<string, unknown> }>(readFileSync(new URL(`../runbooks/${f}`, import.meta.url), 'utf8')).definitions;
    const runbook = read('runbook.schema.json');
    const pol = read('policy.schema.json');
    for (const name of Object.keys(pol)) expect([name, pol[name]]).toEqual([name, runbook[name]]);
  });
});

describe('the shipped policy', () => {
  it('loads, and its regulator clocks name notifications of the shipped regulators file', () => {
    const shipped = loadPolicy(policyFile());
    expect(shipped.clocks.find((c) => c.id === 'user-updates')).toMatchObject({ dueMs: 30 * min, repeatMs: 30 * min });
    const regulators = readFileSync(new URL('../runbooks/regulators.yaml', import.meta.url), 'utf8');
    const named = shipped.clocks
      .flatMap((c) => [c.starts, c.metBy])
      .flatMap((t) => (t && 'notification' in t && t.notification ? [t.notification] : []));
    expect(named.length).toBeGreaterThan(5);
    for (const id of named) expect(regulators).toContain(`- id: ${id}\n`);
  });

  it("the runbooks that promise another cadence replace the policy's", () => {
    const lint = (f: string) => lintBytes(f, readFileSync(new URL(`../runbooks/${f}`, import.meta.url)));
    expect(lint('security.yaml').runbook!.clocks.find((c) => c.id === 'user-updates')!.dueMs).toBe(120 * min);
    expect(lint('data-error.yaml').runbook!.clocks.find((c) => c.id === 'user-updates')!.dueMs).toBe(60 * min);
  });
});
