import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { DeliveryResult, Message } from '../src/channels/types.js';
import type { AnnounceOptions, Announcer, LiveFeed } from '../src/engine/announcer.js';
import { announce } from '../src/engine/announce.js';
import type { Reply } from '../src/engine/responder.js';
import type { Settled } from '../src/engine/steps/context.js';
import { Walk } from '../src/engine/walk.js';
import type { IncidentEvent } from '../src/incident/events.js';
import { apply, replay } from '../src/incident/replay.js';
import type { Runbook } from '../src/runbook/model.js';
import { ScriptedResponder } from '../src/ui/scripted.js';
import { aStringContaining } from './helpers.js';
import { answersFile, HEAD, memoryLog, quiet, runbookFrom } from './walk-fixtures.js';

/** Records every delivery; each channel answers from its own list of results, the last one again when the list runs out. */
function fakeAnnouncer(audiences: Record<string, string[]>, results: Record<string, (DeliveryResult | 'hang')[]> = {}, live?: LiveFeed) {
  const calls: { channel: string; message: Message; options: AnnounceOptions }[] = [];
  const announcer: Announcer = {
    channelsFor: (audience) => audiences[audience] ?? [],
    live: () => live,
    async deliver(channel, message, options) {
      calls.push({ channel, message, options });
      await options.onAttempt?.({ n: 1, channel });
      const list = results[channel] ?? [];
      const result = (list.length > 1 ? list.shift() : list[0]) ?? {
        ok: true,
        attempts: [{ n: 1, status: 200 }],
        detail: `posted to ${channel}`,
      };
      if (result === 'hang') throw new Error('crashed while sending');
      return result;
    },
  };
  return { announcer, calls };
}

const failed: DeliveryResult = {
  ok: false,
  attempts: [
    { n: 1, status: 500 },
    { n: 2, status: 500 },
  ],
  detail: 'channel ops: not delivered after 2 attempts: HTTP 500',
};

const runbook: Runbook = runbookFrom(`${HEAD}
steps:
  - id: tell
    announce: { audience: users, subject: Outage, message: "Payments are slow ({{incident.id}})" }
  - id: fix
    instructions: Fix it.
    milestone: mitigated
`);

async function walk(announcer: Announcer, answers: string, options: { yes?: boolean; dryRun?: boolean; events?: IncidentEvent[] } = {}) {
  const log = memoryLog();
  if (options.events) log.events.splice(0, log.events.length, ...options.events);
  const state = replay(log.events);
  state.dryRun = Boolean(options.dryRun);
  const responder = new ScriptedResponder({
    answers: answersFile(answers),
    yes: Boolean(options.yes),
    out: quiet(),
    color: new Chalk({ level: 0 }),
  });
  const outcome = await new Walk({ runbook, state, sink: log.sink, responder, yes: options.yes, announcer }).run();
  return { ...log, outcome, state };
}

describe('announcements through channels', () => {
  it('confirms, then delivers to every channel of the audience, each attempt logged before it is sent', async () => {
    const { announcer, calls } = fakeAnnouncer({ users: ['ops', 'page'] });
    const r = await walk(announcer, 'steps: { tell: yes, fix: done }');
    expect(r.outcome).toEqual({ kind: 'completed' });
    expect(calls.map((c) => c.channel)).toEqual(['ops', 'page']);
    expect(calls[0]!.message).toMatchObject({
      incident: 'INC-1',
      audience: 'users',
      subject: 'Outage',
      text: 'Payments are slow (INC-1)',
      kind: 'announcement',
    });
    expect(calls[0]!.options.idempotencyKey).toBe('INC-1/tell/1/ops');
    const types = r.types();
    expect(types.indexOf('delivery.started')).toBeLessThan(types.indexOf('delivery.finished'));
    expect(r.of('delivery.finished')).toEqual([
      expect.objectContaining({ step: 'tell', channel: 'ops', ok: true, status: 200, attempts: 1 }),
      expect.objectContaining({ step: 'tell', channel: 'page', ok: true }),
    ]);
    expect(r.of('announcement')).toEqual([expect.objectContaining({ step: 'tell', audience: 'users', channel: 'ops, page' })]);
  });

  it('sends nothing when the responder says no', async () => {
    const { announcer, calls } = fakeAnnouncer({ users: ['ops'] });
    const r = await walk(announcer, 'steps: { tell: no, fix: done }');
    expect(calls).toEqual([]);
    expect(r.of('step.answered').filter((a) => a.step === 'tell')).toEqual([{ step: 'tell', answer: 'not sent' }]);
    expect(r.of('announcement')).toEqual([]);
  });

  it('never calls deliver in a dry run, even with --yes', async () => {
    const { announcer, calls } = fakeAnnouncer({ users: ['ops'] }, {}, { channel: 'ops', milestones: true, severity: true });
    const r = await walk(announcer, 'steps: { fix: done }', { yes: true, dryRun: true });
    expect(r.outcome).toEqual({ kind: 'completed' });
    expect(calls).toEqual([]);
    expect(r.of('delivery.started')).toEqual([]);
  });

  it('retries a failing channel as the answers say, then goes on without it: the walk does not stop', async () => {
    const { announcer, calls } = fakeAnnouncer({ users: ['ops'] }, { ops: [failed] });
    const r = await walk(announcer, 'steps: { tell: [{ answer: yes, on_fail: retry }, { on_fail: continue }], fix: done }');
    expect(r.outcome).toEqual({ kind: 'completed' });
    expect(calls.map((c) => c.options.idempotencyKey)).toEqual(['INC-1/tell/1/ops', 'INC-1/tell/1/ops']);
    expect(r.of('delivery.finished').map((d) => d.ok)).toEqual([false, false]);
    expect(
      r
        .of('step.answered')
        .filter((a) => a.step === 'tell')
        .map((a) => a.answer),
    ).toEqual(['delivery to ops: retry', 'delivery to ops: continue']);
    expect(r.of('announcement')).toEqual([]);
  });

  it('a failed channel copied by hand counts as announced', async () => {
    const { announcer } = fakeAnnouncer({ users: ['ops'] }, { ops: [failed] });
    const r = await walk(announcer, 'steps: { tell: { answer: yes, on_fail: copy }, fix: done }');
    expect(r.of('announcement')).toEqual([expect.objectContaining({ channel: 'ops' })]);
  });

  it('an audience without channels is shown and asked as before', async () => {
    const { announcer, calls } = fakeAnnouncer({});
    const r = await walk(announcer, 'steps: { tell: yes, fix: done }');
    expect(calls).toEqual([]);
    expect(r.of('announcement')).toEqual([{ step: 'tell', audience: 'users', subject: 'Outage', message: 'Payments are slow (INC-1)' }]);
  });

  describe('after a crash between sending and logging', () => {
    /** The walk dies in the middle of the second channel's request (its fake throws): what the log holds then is what a SIGKILL leaves. */
    function crashedLog() {
      const log = memoryLog();
      const { announcer } = fakeAnnouncer({ users: ['ops', 'page'] }, { page: ['hang'] });
      const state = replay(log.events);
      const responder = new ScriptedResponder({
        answers: answersFile('steps: { tell: yes }'),
        yes: false,
        out: quiet(),
        color: new Chalk({ level: 0 }),
      });
      return { log, run: new Walk({ runbook, state, sink: log.sink, responder, announcer }).run() };
    }

    it('a resume asks, and a script that does not say pauses rather than sending again', async () => {
      const { log, run } = crashedLog();
      await expect(run).rejects.toThrow('crashed while sending');
      const { announcer, calls } = fakeAnnouncer({ users: ['ops', 'page'] });
      const r = await walk(announcer, 'steps: { fix: done }', { events: log.events });
      expect(r.outcome).toMatchObject({ kind: 'paused', reason: 'missing-answer', detail: aStringContaining('delivery: resend') });
      expect(calls).toEqual([]);
    });

    it('"sent" sends nothing again, and the channel already delivered is not sent to either', async () => {
      const { log, run } = crashedLog();
      await expect(run).rejects.toThrow();
      const { announcer, calls } = fakeAnnouncer({ users: ['ops', 'page'] });
      const r = await walk(announcer, 'steps: { tell: { delivery: sent }, fix: done }', { events: log.events });
      expect(r.outcome).toEqual({ kind: 'completed' });
      expect(calls).toEqual([]);
      expect(r.of('delivery.unfinished')).toEqual([
        expect.objectContaining({ channel: 'page', decision: 'sent', key: 'INC-1/tell/1/page' }),
      ]);
      expect(r.of('announcement')).toEqual([expect.objectContaining({ channel: 'ops, page' })]);
    });

    it('"resend" sends it again with the same idempotency key, without asking again', async () => {
      const { log, run } = crashedLog();
      await expect(run).rejects.toThrow();
      const { announcer, calls } = fakeAnnouncer({ users: ['ops', 'page'] });
      const r = await walk(announcer, 'steps: { tell: { delivery: resend }, fix: done }', { events: log.events });
      expect(r.outcome).toEqual({ kind: 'completed' });
      expect(calls.map((c) => [c.channel, c.options.idempotencyKey])).toEqual([['page', 'INC-1/tell/1/page']]);
    });
  });

  it('a step resumed after every channel had it sends nothing and logs no second announcement', async () => {
    const { announcer } = fakeAnnouncer({ users: ['ops'] });
    const first = await walk(announcer, 'steps: { tell: yes, fix: { pause: yes } }');
    expect(first.outcome).toMatchObject({ kind: 'paused' });
    // As if sev died after the announcement was logged and before its step was completed.
    const cut = first.events.findIndex((e) => e.type === 'step.completed');
    const again = fakeAnnouncer({ users: ['ops'] });
    const r = await walk(again.announcer, 'steps: { fix: done }', { events: first.events.slice(0, cut) });
    expect(again.calls).toEqual([]);
    expect(r.of('announcement')).toHaveLength(1);
  });

  it('a step walked again announces with a new key', async () => {
    const loop = runbookFrom(`${HEAD}
steps:
  - id: tell
    announce: { audience: users, message: Update }
  - id: again
    choice:
      question: Again?
      options:
        - { label: Yes, goto: tell }
        - { label: No, goto: end }
`);
    const { announcer, calls } = fakeAnnouncer({ users: ['ops'] });
    const log = memoryLog();
    const responder = new ScriptedResponder({
      answers: answersFile('steps: { tell: yes, again: [Yes, No] }'),
      yes: false,
      out: quiet(),
      color: new Chalk({ level: 0 }),
    });
    await new Walk({ runbook: loop, state: replay(log.events), sink: log.sink, responder, announcer }).run();
    expect(calls.map((c) => c.options.idempotencyKey)).toEqual(['INC-1/tell/1/ops', 'INC-1/tell/2/ops']);
  });

  it('updates sent outside any step each take a key of their own, a retry the same one', async () => {
    const { announcer, calls } = fakeAnnouncer(
      { users: ['ops'] },
      { ops: [failed, { ok: true, attempts: [{ n: 1, status: 200 }], detail: 'posted' }] },
    );
    const log = memoryLog();
    const state = replay(log.events);
    const responder = new ScriptedResponder({
      answers: answersFile('steps: { tell: [{ answer: yes, on_fail: retry }, yes] }'),
      yes: false,
      out: quiet(),
      color: new Chalk({ level: 0 }),
    });
    const view = {
      step: runbook.steps[0]!,
      number: 1,
      total: 2,
      severity: 'SEV3' as const,
      incident: 'INC-1',
      elapsedMs: 0,
      dryRun: false,
      visit: 1,
    };
    const deps = {
      state,
      runbook,
      responder,
      view,
      yes: false,
      settle: async <T>(ask: () => Promise<Reply<T>>) => (await ask()) as Settled<T>,
      announcer,
      signals: {},
    };
    // The walk's emit: every event folded into the state as it is written.
    const emit: typeof log.sink = (type, data) => {
      const event = log.sink(type, data);
      apply(state, event);
      return event;
    };
    await announce({ ...deps, emit }, { audience: 'users', message: 'First update' });
    await announce({ ...deps, emit }, { audience: 'users', message: 'Second update' });
    expect(calls.map((c) => c.options.idempotencyKey)).toEqual(['INC-1/update/1/ops', 'INC-1/update/1/ops', 'INC-1/update/2/ops']);
  });

  it('a status page delivery updates what the earlier one created', async () => {
    const { announcer, calls } = fakeAnnouncer(
      { users: ['page'] },
      { page: [{ ok: true, attempts: [{ n: 1, status: 201 }], messageId: 'sp-1', detail: 'status page updated' }] },
    );
    const loop = runbookFrom(`${HEAD}
steps:
  - id: first
    announce: { audience: users, message: Investigating }
  - id: second
    announce: { audience: users, message: Fixed }
`);
    const log = memoryLog();
    const responder = new ScriptedResponder({ answers: undefined, yes: true, out: quiet(), color: new Chalk({ level: 0 }) });
    await new Walk({ runbook: loop, state: replay(log.events), sink: log.sink, responder, yes: true, announcer }).run();
    expect(calls.map((c) => c.options.previous)).toEqual([undefined, { messageId: 'sp-1' }]);
  });

  it('the live feed posts milestones and severity changes as they happen, without asking', async () => {
    const { announcer, calls } = fakeAnnouncer({}, {}, { channel: 'incident', milestones: true, severity: true });
    const r = await walk(announcer, 'severity: SEV3\nsteps: { tell: yes, fix: done }');
    expect(calls.map((c) => [c.channel, c.message.kind, c.message.milestone])).toEqual([['incident', 'milestone', 'mitigated']]);
    expect(r.of('delivery.finished')).toEqual([expect.objectContaining({ channel: 'incident', audience: 'live', ok: true })]);
    expect(r.of('delivery.finished')[0]).not.toHaveProperty('step');
  });

  it('the live feed posts a severity change before the step that made it is logged as done', async () => {
    const declare = runbookFrom(`${HEAD}
steps:
  - id: declare
    choice:
      question: Impact?
      options:
        - { label: Big, severity: SEV1 }
        - { label: Small }
`);
    const { announcer, calls } = fakeAnnouncer({}, {}, { channel: 'incident', milestones: false, severity: true });
    const log = memoryLog();
    const responder = new ScriptedResponder({
      answers: answersFile('steps: { declare: Big }'),
      yes: false,
      out: quiet(),
      color: new Chalk({ level: 0 }),
    });
    await new Walk({ runbook: declare, state: replay(log.events), sink: log.sink, responder, announcer }).run();
    expect(calls.map((c) => [c.message.kind, c.message.text, c.message.severity])).toEqual([
      ['severity', 'Severity SEV3 → SEV1: declare: Big', 'SEV1'],
    ]);
    const types = log.types();
    expect(types.indexOf('delivery.finished')).toBeLessThan(types.indexOf('step.completed'));
  });
});
