import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { evaluate, type CheckRun } from '../src/engine/checks.js';
import { Interrupted } from '../src/engine/errors.js';
import type { ProcessRun, ProcessSpec } from '../src/engine/process.js';
import type { Runner } from '../src/engine/runner.js';
import { Walk, type EventSink } from '../src/engine/walk.js';
import type { CheckResultData, ProcessResultData } from '../src/incident/events.js';
import type { ProcessRef } from '../src/incident/owner.js';
import { replay } from '../src/incident/replay.js';
import type { CheckDef, Runbook } from '../src/runbook/model.js';
import { ScriptedResponder } from '../src/ui/scripted.js';
import type { ClockDef } from '../src/clocks/model.js';
import { clockHistory, onTime } from '../src/clocks/history.js';
import type { DueClockNotice, StepView } from '../src/engine/responder.js';
import { stepHeader } from '../src/ui/render.js';
import { aStringContaining } from './helpers.js';
import { answersFile, HEAD, memoryLog, quiet, runbookFrom } from './walk-fixtures.js';

// A walk driven through the module API with a fake runner: no process is started and no real time passes, so
// what the walk does with a check that goes CRITICAL then OK, a failing command or a wait that runs out is
// seen exactly, in the events it writes. The real runner is tested with real processes in engine.test.ts.

const START = Date.parse('2026-12-01T10:00:00.000Z');

/** What a fake process did: its exit code and output, and how long it took on the fake clock. */
interface Outcome {
  exit: number;
  stdout?: string;
  ms?: number;
}

/** The fake answers at once, but as an async method would: through a promise, rejected where it throws. */
const promptly = <T>(answer: () => T): Promise<T> => new Promise((resolve) => resolve(answer()));

class FakeRunner implements Runner {
  private ms = START;
  readonly slept: number[] = [];
  readonly checkRuns: { check: string; env: Record<string, string> }[] = [];
  readonly commands: ProcessSpec[] = [];
  /** What was done to the process groups an earlier run left: each group's pid, as it was waited for or ended. */
  readonly groupsAwaited: number[] = [];
  readonly groupsEnded: number[] = [];

  /**
   * Per check, the outcome of each run in turn (the last one again after that); the commands' in turn; the
   * pids of the process groups of an earlier run that still run (any other is gone), until waited for or ended.
   */
  constructor(
    private readonly checkOutcomes: Record<string, Outcome[]>,
    private readonly commandOutcomes: Outcome[] = [],
    private readonly aliveGroups = new Set<number>(),
  ) {}

  groupState(group: ProcessRef): 'alive' | 'gone' | 'elsewhere' {
    if (group.host !== 'fake-host') return 'elsewhere';
    return this.aliveGroups.has(group.pid) ? 'alive' : 'gone';
  }

  endGroup(group: ProcessRef): Promise<boolean> {
    this.groupsEnded.push(group.pid);
    this.aliveGroups.delete(group.pid);
    return Promise.resolve(true);
  }

  /** The group ends while it is waited for, after a minute on the fake clock. */
  awaitGroup(group: ProcessRef, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new Interrupted());
    this.groupsAwaited.push(group.pid);
    if (this.aliveGroups.delete(group.pid)) this.ms += 60_000;
    return Promise.resolve();
  }

  now(): Date {
    return new Date(this.ms);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return promptly(() => {
      if (signal?.aborted) throw new Interrupted();
      this.slept.push(ms);
      this.ms += ms;
    });
  }

  private process(outcome: Outcome): ProcessRun {
    this.ms += outcome.ms ?? 0;
    const result: ProcessResultData = {
      exit: outcome.exit,
      durationMs: outcome.ms ?? 0,
      timedOut: false,
      stdout: outcome.stdout ?? '',
      stderr: '',
    };
    return { result, raw: { stdout: result.stdout, stderr: '' } };
  }

  check(def: CheckDef, run: CheckRun): Promise<CheckResultData> {
    return promptly(() => {
      const queue = this.checkOutcomes[def.name];
      if (!queue?.length) throw new Error(`the fake runner has no outcome for check ${def.name}`);
      const outcome = queue.length > 1 ? queue.shift()! : queue[0]!;
      this.checkRuns.push({ check: def.name, env: run.env(def.env) });
      run.onStart?.(def.name, 1, { host: 'fake-host', pid: 4242 });
      const { result } = this.process(outcome);
      // Judged as the real runner judges it: the runbook's expectations and Nagios exit codes still count.
      return { ...result, check: def.name, ...evaluate(def, result), attempts: 1 };
    });
  }

  async checks(defs: CheckDef[], run: CheckRun, onResult?: (result: CheckResultData) => void): Promise<CheckResultData[]> {
    const results: CheckResultData[] = [];
    for (const def of defs) {
      const result = await this.check(def, run);
      onResult?.(result);
      results.push(result);
    }
    return results;
  }

  command(spec: ProcessSpec): Promise<ProcessRun> {
    return promptly(() => {
      const outcome = this.commandOutcomes.shift();
      if (!outcome) throw new Error(`the fake runner has no outcome left for command ${JSON.stringify(spec.run)}`);
      this.commands.push(spec);
      spec.onStart?.({ host: 'fake-host', pid: 5151 });
      return this.process(outcome);
    });
  }
}

/** `earlier` writes what an earlier run of sev left in the log before this walk resumes it. */
async function walk(runbook: Runbook, answers: string, runner: FakeRunner, earlier?: (sink: EventSink) => void, clocks?: ClockDef[]) {
  // Events are stamped by the fake clock, as the real log stamps them by the runner's.
  const { events, sink } = memoryLog(() => runner.now());
  earlier?.(sink);
  const resumedAt = events.length;
  const told: DueClockNotice[][] = [];
  const responder = new ScriptedResponder({ answers: answersFile(answers), yes: false, out: quiet(), color: new Chalk({ level: 0 }) });
  const clocksDue = responder.clocksDue.bind(responder);
  responder.clocksDue = (due) => {
    if (due.length) told.push(due);
    clocksDue(due);
  };
  const started = Date.now();
  const outcome = await new Walk({ runbook, state: replay(events), sink, responder, runner, clocks: clocks ?? runbook.clocks }).run();
  return {
    outcome,
    realMs: Date.now() - started,
    /** Every event after incident.started (after the earlier run's, when there was one), as [type, data]. */
    trail: events.slice(earlier ? resumedAt : 1).map((e) => [e.type, e.data] as const),
    of: (type: string) => events.filter((e) => e.type === type).map((e) => e.data as Record<string, unknown>),
    at: (type: string) => events.filter((e) => e.type === type).map((e) => e.time),
    events,
    told,
  };
}

describe('a walk with a fake runner', () => {
  const checks = runbookFrom(`${HEAD}
checks:
  healthy: { run: 'curl -fsS "$SEV_HEALTH_URL"', expect: { stdout: ok } }
inputs:
  health_url: { prompt: Health URL }
steps:
  - id: look
    checks: [healthy]
    on_fail: ask
    milestone: detected
  - id: verify
    wait: { check: healthy, timeout: 10m, interval: 2m }
    milestone: resolved
`);

  it("retries a checks step that was CRITICAL at the responder's word, and goes on when it is OK", async () => {
    const runner = new FakeRunner({
      healthy: [
        { exit: 0, stdout: 'degraded' },
        { exit: 0, stdout: 'ok' },
      ],
    });
    const r = await walk(checks, 'inputs: { health_url: http://127.0.0.1:9/health }\nsteps: { look: retry }', runner);
    expect(r.outcome).toEqual({ kind: 'completed' });
    expect(r.trail.filter(([type]) => type.startsWith('check.') || type.startsWith('step.') || type === 'milestone')).toEqual([
      ['step.started', { step: 'look', index: 0, kind: 'checks' }],
      ['check.started', { step: 'look', check: 'healthy', attempt: 1, pgid: 4242, host: 'fake-host' }],
      [
        'check.result',
        expect.objectContaining({ step: 'look', check: 'healthy', status: 'CRITICAL', reason: 'stdout does not match /ok/' }),
      ],
      ['step.answered', { step: 'look', answer: 'retry' }],
      ['check.started', { step: 'look', check: 'healthy', attempt: 1, pgid: 4242, host: 'fake-host' }],
      ['check.result', expect.objectContaining({ step: 'look', check: 'healthy', status: 'OK' })],
      ['milestone', { milestone: 'detected', step: 'look' }],
      ['step.completed', { step: 'look', result: 'done', next: 'verify' }],
      ['step.started', { step: 'verify', index: 1, kind: 'wait' }],
      ['check.started', { step: 'verify', check: 'healthy', attempt: 1, pgid: 4242, host: 'fake-host' }],
      ['check.result', expect.objectContaining({ step: 'verify', check: 'healthy', status: 'OK', attempts: 1 })],
      ['milestone', { milestone: 'resolved', step: 'verify' }],
      ['step.completed', { step: 'verify', result: 'done', next: 'end' }],
    ]);
    // The fake runner is given what a real check would get: the input as $SEV_HEALTH_URL.
    expect(runner.checkRuns.map((c) => c.env.SEV_HEALTH_URL)).toEqual([
      'http://127.0.0.1:9/health',
      'http://127.0.0.1:9/health',
      'http://127.0.0.1:9/health',
    ]);
    expect(runner.slept).toEqual([]);
  });

  it("waits for a check that is CRITICAL then OK by the runner's sleep and clock, not real time", async () => {
    const runner = new FakeRunner({
      healthy: [
        { exit: 0, stdout: 'ok' },
        { exit: 0, stdout: 'degraded', ms: 3000 },
        { exit: 0, stdout: 'ok', ms: 1000 },
      ],
    });
    const r = await walk(checks, 'inputs: { health_url: http://127.0.0.1:9/health }\nsteps: {}', runner);
    expect(r.outcome).toEqual({ kind: 'completed' });
    // One two-minute interval slept, on the fake clock: the walk took nothing like it.
    expect(runner.slept).toEqual([120_000]);
    expect(r.realMs).toBeLessThan(5_000);
    expect(r.of('wait.finished')).toEqual([
      { step: 'verify', check: 'healthy', passed: true, attempts: 2, durationMs: 124_000, status: 'OK' },
    ]);
    expect(r.of('check.result').filter((c) => c.step === 'verify')).toEqual([expect.objectContaining({ status: 'OK', attempts: 2 })]);
    expect(r.at('milestone')).toEqual(['2026-12-01T10:00:00.000Z', '2026-12-01T10:02:04.000Z']);
  });

  it('gives up a wait when its time is up by the fake clock, and does what on_timeout says', async () => {
    const rb = runbookFrom(`${HEAD}
checks:
  drained: { run: 'test "$(queue-depth)" -eq 0' }
steps:
  - id: drain
    wait: { check: drained, timeout: 2m, interval: 30s, on_timeout: stop }
    milestone: mitigated
  - id: after
    instructions: Not reached.
`);
    const runner = new FakeRunner({ drained: [{ exit: 1 }] });
    const r = await walk(rb, 'steps: {}', runner);
    expect(r.outcome).toEqual({ kind: 'stopped', step: 'drain' });
    // Attempts at 0, 30, 60, 90 and 120 s: after the last, less than an interval is left.
    expect(runner.slept).toEqual([30_000, 30_000, 30_000, 30_000]);
    expect(r.realMs).toBeLessThan(5_000);
    expect(r.of('wait.finished')).toEqual([
      { step: 'drain', check: 'drained', passed: false, attempts: 5, durationMs: 120_000, status: 'CRITICAL' },
    ]);
    expect(r.trail.slice(-2)).toEqual([
      ['step.completed', { step: 'drain', result: 'failed', next: 'end' }],
      ['incident.closed', { outcome: 'stopped', step: 'drain' }],
    ]);
    expect(r.of('milestone')).toEqual([]);
    expect(r.of('step.started').map((s) => s.step)).toEqual(['drain']);
  });

  const commands = runbookFrom(`${HEAD}
inputs:
  wallet: { prompt: Wallet id }
steps:
  - id: freeze
    command:
      run: [wallet-admin, freeze, --wallet, '$SEV_WALLET']
      changes_state: true
    on_fail: { goto: rollback }
    milestone: mitigated
  - id: done
    instructions: Frozen.
    next: end
  - id: rollback
    command:
      run: [wallet-admin, unfreeze, --wallet, '$SEV_WALLET']
      changes_state: true
    on_fail: ask
`);

  it("follows on_fail when a command fails: goto the rollback, whose own failure is retried at the responder's word", async () => {
    const runner = new FakeRunner({}, [{ exit: 3, stdout: 'wallet locked by another job', ms: 800 }, { exit: 1 }, { exit: 0 }]);
    const r = await walk(commands, 'inputs: { wallet: w-123 }\nsteps: { freeze: yes, rollback: { answer: yes, on_fail: retry } }', runner);
    expect(r.outcome).toEqual({ kind: 'completed' });
    expect(runner.commands.map((c) => [c.run, c.env.SEV_WALLET])).toEqual([
      [['wallet-admin', 'freeze', '--wallet', '$SEV_WALLET'], 'w-123'],
      [['wallet-admin', 'unfreeze', '--wallet', '$SEV_WALLET'], 'w-123'],
      [['wallet-admin', 'unfreeze', '--wallet', '$SEV_WALLET'], 'w-123'],
    ]);
    const trail = r.trail.filter(([type]) => type.startsWith('command.') || type.startsWith('step.') || type === 'milestone');
    expect(trail).toEqual([
      ['step.started', { step: 'freeze', index: 0, kind: 'command' }],
      [
        'command.started',
        expect.objectContaining({ step: 'freeze', confirmedBy: 'responder', changesState: true, pgid: 5151, host: 'fake-host' }),
      ],
      [
        'command.finished',
        expect.objectContaining({ step: 'freeze', ok: false, exit: 3, stdout: 'wallet locked by another job', durationMs: 800 }),
      ],
      ['step.completed', { step: 'freeze', result: 'failed', next: 'rollback' }],
      ['step.started', { step: 'rollback', index: 2, kind: 'command' }],
      ['command.started', expect.objectContaining({ step: 'rollback', confirmedBy: 'responder' })],
      ['command.finished', expect.objectContaining({ step: 'rollback', ok: false, exit: 1 })],
      ['step.answered', { step: 'rollback', answer: 'retry' }],
      ['command.started', expect.objectContaining({ step: 'rollback', confirmedBy: 'responder' })],
      ['command.finished', expect.objectContaining({ step: 'rollback', ok: true, exit: 0 })],
      ['step.completed', { step: 'rollback', result: 'done', next: 'end' }],
    ]);
    // A failed command earns no milestone.
    expect(r.of('milestone')).toEqual([]);
  });

  it('stops the incident on a failed command whose on_fail is stop, and runs nothing after it', async () => {
    const rb = runbookFrom(`${HEAD}
steps:
  - id: refund
    command: { run: [wallet-admin, refund, --batch, '7'], changes_state: true, confirm: false }
    on_fail: stop
  - id: announce
    command: { run: [notify, customers], confirm: false }
`);
    const runner = new FakeRunner({}, [{ exit: 2 }, { exit: 0 }]);
    const r = await walk(rb, 'steps: {}', runner);
    expect(r.outcome).toEqual({ kind: 'stopped', step: 'refund' });
    expect(runner.commands).toHaveLength(1);
    expect(r.trail.slice(-3)).toEqual([
      ['command.finished', expect.objectContaining({ step: 'refund', ok: false, exit: 2 })],
      ['step.completed', { step: 'refund', result: 'failed', next: 'end' }],
      ['incident.closed', { outcome: 'stopped', step: 'refund' }],
    ]);
    expect(r.of('command.started')).toEqual([expect.objectContaining({ step: 'refund', confirmedBy: 'runbook' })]);
  });

  it('settles what an earlier run left: its check still running is ended, its state-changing command waited for, then marked done', async () => {
    const rb = runbookFrom(`${HEAD}
checks:
  healthy: { run: 'curl -fsS http://127.0.0.1:9/health' }
steps:
  - id: look
    checks: [healthy]
  - id: freeze
    command: { run: [wallet-admin, freeze], changes_state: true }
    milestone: mitigated
`);
    const runner = new FakeRunner({}, [], new Set([7001, 7002]));
    const r = await walk(rb, 'steps: { freeze: { running: wait, rerun: done } }', runner, (sink) => {
      sink('step.started', { step: 'look', index: 0, kind: 'checks' });
      sink('check.started', { step: 'look', check: 'healthy', attempt: 1, pgid: 7001, host: 'fake-host' });
      sink('step.completed', { step: 'look', result: 'done', next: 'freeze' });
      sink('step.started', { step: 'freeze', index: 1, kind: 'command' });
      sink('command.started', {
        step: 'freeze',
        command: 'wallet-admin freeze',
        confirmedBy: 'responder',
        changesState: true,
        pgid: 7002,
        host: 'fake-host',
      });
    });
    expect(r.outcome).toEqual({ kind: 'completed' });
    // Nothing started again: the check's group was ended, the command's waited for until it was gone.
    expect(runner.groupsEnded).toEqual([7001]);
    expect(runner.groupsAwaited).toEqual([7002]);
    expect(runner.commands).toEqual([]);
    expect(r.trail.filter(([type]) => type.startsWith('command.') || type.startsWith('step.') || type === 'milestone')).toEqual([
      ['step.started', { step: 'freeze', index: 1, kind: 'command' }],
      ['command.unfinished', expect.objectContaining({ step: 'freeze', state: 'alive', decision: 'wait', pgid: 7002 })],
      ['command.unfinished', expect.objectContaining({ step: 'freeze', state: 'gone', decision: 'done', pgid: 7002 })],
      ['milestone', { milestone: 'mitigated', step: 'freeze' }],
      ['step.completed', { step: 'freeze', result: 'done', next: 'end' }],
    ]);
  });
});

describe('the facts a walk fills into texts', () => {
  it("writes incident.elapsed in the compact duration style, from the incident's start on the runner's clock", async () => {
    const aged = runbookFrom(`${HEAD}
checks:
  aged: { run: 'true', env: { AGE: '{{ incident.elapsed }}' }, expect: { stdout: ok } }
steps:
  - id: settle
    wait: { check: aged, timeout: 3h, interval: 65m }
`);
    const runner = new FakeRunner({
      aged: [
        { exit: 0, stdout: 'not yet', ms: 4_700 },
        { exit: 0, stdout: 'not yet' },
        { exit: 0, stdout: 'ok' },
      ],
    });
    const r = await walk(aged, 'steps: {}', runner);
    expect(r.outcome).toEqual({ kind: 'completed' });
    // Whole seconds, rolled over into hours: 0, then 65m 4.7s, then 130m 4.7s after the start.
    expect(runner.checkRuns.map((c) => c.env.AGE)).toEqual(['0ms', '1h5m', '2h10m']);
  });
});

describe('clocks in a walk with a fake clock', () => {
  // user-updates starts at detected (10:00) and falls due 5 minutes before 10:30; status-page is due at
  // 10:10. The diagnose checks take 27 minutes, so the restart question comes at 10:27: one update can
  // still be on time, the other is already missed.
  const rb = runbookFrom(`${HEAD}
clocks:
  - id: user-updates
    title: Update users
    audience: users
    starts: { milestone: detected }
    due: 30m
    repeat: 30m
  - id: status-page
    title: Update the status page
    audience: status-page
    starts: { milestone: detected }
    due: 10m
checks:
  slow: { run: 'true' }
steps:
  - id: detect
    instructions: Look.
    milestone: detected
  - id: diagnose
    checks: [slow]
  - id: restart
    confirm: Restart the service?
  - id: tell
    announce: { audience: users, message: 'We are working on {{ incident.id }}.' }
`);

  it('tells the responder at the next question, sends the updates from an unrelated step: one on time, one late', async () => {
    const runner = new FakeRunner({ slow: [{ exit: 0, ms: 27 * 60_000 }] });
    const r = await walk(
      rb,
      'clocks: { user-updates: send, status-page: send }\nsteps: { detect: done, restart: yes, tell: sent }',
      runner,
    );
    expect(r.outcome).toEqual({ kind: 'completed' });
    const clockTrail = r.trail.filter(([type]) => type.startsWith('clock.') || type === 'announcement');
    expect(clockTrail).toEqual([
      [
        'clock.started',
        {
          clock: 'user-updates',
          title: 'Update users',
          audience: 'users',
          at: '2026-12-01T10:00:00.000Z',
          due: '2026-12-01T10:30:00.000Z',
        },
      ],
      [
        'clock.started',
        {
          clock: 'status-page',
          title: 'Update the status page',
          audience: 'status-page',
          at: '2026-12-01T10:00:00.000Z',
          due: '2026-12-01T10:10:00.000Z',
        },
      ],
      // Time passed during the checks: the status page's due time went by unmet.
      ['clock.missed', { clock: 'status-page', due: '2026-12-01T10:10:00.000Z' }],
      // Sent at the restart question (a step about something else), the overdue one first; users get the
      // runbook's own text for them as the draft, the status page (no announcement to it) a short default.
      [
        'announcement',
        { step: 'restart', audience: 'status-page', message: aStringContaining('Update on incident INC-1'), clock: 'status-page' },
      ],
      [
        'clock.met',
        {
          clock: 'status-page',
          by: 'announcement to status-page',
          at: '2026-12-01T10:27:00.000Z',
          due: '2026-12-01T10:10:00.000Z',
          lateMs: 17 * 60_000,
        },
      ],
      ['announcement', { step: 'restart', audience: 'users', message: 'We are working on INC-1.', clock: 'user-updates' }],
      [
        'clock.met',
        { clock: 'user-updates', by: 'announcement to users', at: '2026-12-01T10:27:00.000Z', due: '2026-12-01T10:30:00.000Z' },
      ],
      [
        'clock.started',
        {
          clock: 'user-updates',
          title: 'Update users',
          audience: 'users',
          at: '2026-12-01T10:27:00.000Z',
          due: '2026-12-01T10:57:00.000Z',
        },
      ],
      // The announce step's own notice meets the next round too.
      ['announcement', { step: 'tell', audience: 'users', message: 'We are working on INC-1.' }],
      [
        'clock.met',
        { clock: 'user-updates', by: 'announcement to users', at: '2026-12-01T10:27:00.000Z', due: '2026-12-01T10:57:00.000Z' },
      ],
      [
        'clock.started',
        {
          clock: 'user-updates',
          title: 'Update users',
          audience: 'users',
          at: '2026-12-01T10:27:00.000Z',
          due: '2026-12-01T10:57:00.000Z',
        },
      ],
    ]);
    // Told once at the restart question: both due, the status page overdue by 17 minutes.
    expect(r.told[0]).toEqual([
      expect.objectContaining({ id: 'status-page', inMs: -17 * 60_000, audience: 'status-page', fresh: true }),
      expect.objectContaining({ id: 'user-updates', inMs: 3 * 60_000, audience: 'users', fresh: true }),
    ]);
    const history = clockHistory(r.events);
    expect(history.map((i) => [i.clock, i.outcome])).toEqual([
      ['user-updates', 'on-time'],
      ['status-page', 'late'],
      ['user-updates', 'on-time'],
      ['user-updates', 'open'],
    ]);
    expect(onTime(history)).toEqual({ met: 2, total: 3 });
  });

  it('leaves a due clock alone when the answers do not say to send its update', async () => {
    const runner = new FakeRunner({ slow: [{ exit: 0, ms: 27 * 60_000 }] });
    const r = await walk(rb, 'steps: { detect: done, restart: yes, tell: sent }', runner);
    expect(r.of('announcement')).toEqual([{ step: 'tell', audience: 'users', message: 'We are working on INC-1.' }]);
    expect(r.told.length).toBeGreaterThan(0);
    expect(clockHistory(r.events).map((i) => [i.clock, i.outcome])).toEqual([
      ['user-updates', 'on-time'],
      ['status-page', 'missed'],
      ['user-updates', 'open'],
    ]);
  });

  it('shows the next due clocks in the step header, soonest first', async () => {
    const runner = new FakeRunner({ slow: [{ exit: 0, ms: 60_000 }] });
    const views: StepView[] = [];
    const { events, sink } = memoryLog(() => runner.now());
    const responder = new ScriptedResponder({
      answers: answersFile('steps: { detect: done, restart: yes, tell: sent }'),
      yes: false,
      out: quiet(),
      color: new Chalk({ level: 0 }),
    });
    responder.showStep = (view) => void views.push({ ...view });
    await new Walk({ runbook: rb, state: replay(events), sink, responder, runner, clocks: rb.clocks }).run();
    expect(views.map((v) => v.clocks?.map((c) => `${c.id} ${c.inMs / 60_000}`))).toEqual([
      [],
      ['status-page 10', 'user-updates 30'],
      ['status-page 9', 'user-updates 29'],
      ['status-page 9', 'user-updates 29'],
    ]);
    expect(stepHeader(views[2]!, new Chalk({ level: 0 }))).toContain('⏱ Update the status page: due in 9:00');
  });
});
