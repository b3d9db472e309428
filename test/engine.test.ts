import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { evaluate, runChecks } from '../src/engine/checks.js';
import { MASK, noMask } from '../src/engine/mask.js';
import { OUTPUT_CAP_BYTES, runProcess } from '../src/engine/process.js';
import { Walk } from '../src/engine/walk.js';
import { replay } from '../src/incident/replay.js';
import type { CheckDef, Runbook } from '../src/runbook/model.js';
import { ScriptedResponder } from '../src/ui/scripted.js';
import { aStringMatching, waitFor } from './helpers.js';
import { answersFile, HEAD, memoryLog, quiet, runbookFrom } from './walk-fixtures.js';

async function walk(
  runbook: Runbook,
  answers: string,
  options: { yes?: boolean; presets?: Record<string, string>; dryRun?: boolean; signal?: AbortSignal } = {},
) {
  const log = memoryLog();
  const state = replay(log.events);
  state.dryRun = Boolean(options.dryRun);
  const responder = new ScriptedResponder({
    answers: answersFile(answers),
    yes: Boolean(options.yes),
    out: quiet(),
    color: new Chalk({ level: 0 }),
  });
  const outcome = await new Walk({
    runbook,
    state,
    sink: log.sink,
    responder,
    yes: options.yes,
    presets: options.presets,
    signal: options.signal,
  }).run();
  return { ...log, outcome, state };
}

describe('the walk', () => {
  const branching = runbookFrom(`${HEAD}
steps:
  - id: first
    instructions: Read this.
    milestone: detected
  - id: declare
    choice:
      question: Impact?
      options:
        - { label: Big, severity: SEV1 }
        - { label: None, goto: wrap }
    milestone: acknowledged
  - id: fix
    confirm: { question: Fixed?, on_no: stop }
    milestone: resolved
  - id: wrap
    instructions: Wrap up.
`);

  it('follows a choice that sets the severity, records milestones once, and closes as completed', async () => {
    const r = await walk(branching, 'steps: { first: done, declare: Big, fix: yes, wrap: done }');
    expect(r.outcome).toEqual({ kind: 'completed' });
    expect(r.of('severity.changed')).toEqual([expect.objectContaining({ from: 'SEV3', to: 'SEV1', step: 'declare' })]);
    expect(r.of('milestone').map((m) => m.milestone)).toEqual(['detected', 'acknowledged', 'resolved']);
    expect(r.of('step.started').map((s) => s.step)).toEqual(['first', 'declare', 'fix', 'wrap']);
    expect(r.types().at(-1)).toBe('incident.closed');
    expect(r.state.status).toBe('closed');
  });

  it('jumps where a choice says, skipping the steps between', async () => {
    const r = await walk(branching, 'steps: { first: done, declare: None, wrap: done }');
    expect(r.of('step.started').map((s) => s.step)).toEqual(['first', 'declare', 'wrap']);
    expect(r.of('milestone').map((m) => m.milestone)).toEqual(['detected', 'acknowledged']);
  });

  it('stops on a "no" whose action is stop, and records no milestone for it', async () => {
    const r = await walk(branching, 'steps: { first: done, declare: Big, fix: "no" }');
    expect(r.outcome).toEqual({ kind: 'stopped', step: 'fix' });
    expect(r.of('incident.closed')).toEqual([{ outcome: 'stopped', step: 'fix' }]);
    expect(r.of('milestone').map((m) => m.milestone)).not.toContain('resolved');
  });

  it('records a note before the answer, and a skip with its reason', async () => {
    const r = await walk(
      branching,
      'steps: { first: { note: "saw it on the dashboard", answer: done }, declare: { skip: "already declared" }, fix: yes, wrap: done }',
    );
    expect(r.of('note')).toEqual([{ text: 'saw it on the dashboard', action: false, step: 'first' }]);
    expect(r.of('step.skipped')).toEqual([{ step: 'declare', reason: 'already declared', next: 'fix' }]);
    expect(r.of('milestone').map((m) => m.milestone)).not.toContain('acknowledged');
  });

  it('pauses when the answers say so, with the step in progress', async () => {
    const r = await walk(branching, 'steps: { first: done, declare: { pause: yes } }');
    expect(r.outcome).toEqual({ kind: 'paused', step: 'declare', reason: 'responder' });
    expect(r.state.status).toBe('paused');
    expect(r.state.step).toBe('declare');
    expect(r.state.stepInProgress).toBe(true);
  });

  it('goes on from the logged position when resumed: the steps done are not asked again', async () => {
    const first = await walk(branching, 'steps: { first: done, declare: { pause: yes } }');
    const state = replay(first.events);
    const log = first;
    const responder = new ScriptedResponder({
      answers: answersFile('steps: { declare: Big, fix: yes, wrap: done }'),
      yes: false,
      out: quiet(),
      color: new Chalk({ level: 0 }),
    });
    const outcome = await new Walk({ runbook: branching, state, sink: log.sink, responder }).run();
    expect(outcome.kind).toBe('completed');
    expect(log.of('step.started').map((s) => s.step)).toEqual(['first', 'declare', 'declare', 'fix', 'wrap']);
    expect(log.of('milestone').map((m) => m.milestone)).toEqual(['detected', 'acknowledged', 'resolved']);
  });

  it('fails at once with a missing answer instead of waiting, and pauses the incident', async () => {
    const log = memoryLog();
    const responder = new ScriptedResponder({
      answers: answersFile('steps: { first: done }'),
      yes: false,
      out: quiet(),
      color: new Chalk({ level: 0 }),
    });
    const outcome = await new Walk({ runbook: branching, state: replay(log.events), sink: log.sink, responder }).run();
    expect(outcome).toEqual({ kind: 'paused', step: 'declare', reason: 'missing-answer', detail: aStringMatching(/step "declare"/) });
    expect(log.of('incident.paused')).toEqual([expect.objectContaining({ step: 'declare', reason: 'missing-answer' })]);
  });

  it('with --yes takes defaults and confirms, but still needs an answer for a choice', async () => {
    const rb = runbookFrom(`${HEAD}
inputs:
  host: { prompt: Host, default: 127.0.0.1 }
steps:
  - id: ok
    confirm: Proceed?
  - id: pick
    choice: { question: Which?, options: [{ label: A }, { label: B }] }
`);
    const log = memoryLog();
    const responder = new ScriptedResponder({ yes: true, out: quiet(), color: new Chalk({ level: 0 }) });
    const outcome = await new Walk({ runbook: rb, state: replay(log.events), sink: log.sink, responder, yes: true }).run();
    expect(outcome).toMatchObject({ kind: 'paused', step: 'pick', reason: 'missing-answer', detail: aStringMatching(/step "pick"/) });
    expect(log.of('input.set')).toEqual([{ name: 'host', value: '127.0.0.1' }]);
    expect(log.of('step.answered')).toEqual([{ step: 'ok', answer: 'yes' }]);
  });

  it('dates a milestone by the time an input step was answered with, when it is one', async () => {
    const rb = runbookFrom(`${HEAD}
steps:
  - id: impact-start
    input: { name: impact_started_at, prompt: 'When did users start to be affected? (UTC)', default: unknown }
    milestone: impact-started
  - id: confirm
    confirm: Confirmed?
    milestone: detected
`);
    const given = await walk(rb, 'steps: { impact-start: "2026-11-26 03:05", confirm: yes }');
    expect(given.of('milestone')).toEqual([
      { milestone: 'impact-started', step: 'impact-start', at: '2026-11-26T03:05:00.000Z' },
      { milestone: 'detected', step: 'confirm' },
    ]);
    const unknown = await walk(rb, 'steps: { impact-start: unknown, confirm: yes }');
    expect(unknown.of('milestone')[0]).toEqual({ milestone: 'impact-started', step: 'impact-start' });
  });

  it('takes a time answer as people type it (now, 20m ago, 09:30), keeps it in UTC, and refuses others in words', async () => {
    const rb = runbookFrom(`${HEAD}
steps:
  - id: impact-start
    input: { name: impact_started_at, prompt: 'When did users start to be affected?', pattern: '\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2})?Z?|unknown' }
    milestone: impact-started
`);
    const before = Date.now();
    const given = await walk(rb, 'steps: { impact-start: "20m ago" }');
    const value = given.of('input.set')[0]!.value as string;
    expect(value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Math.abs(Date.parse(value) - (before - 20 * 60_000))).toBeLessThan(5_000);
    expect(given.of('milestone')[0]).toEqual({ milestone: 'impact-started', step: 'impact-start', at: new Date(value).toISOString() });
    const refused = await walk(rb, 'steps: { impact-start: "half past nine" }');
    const paused = refused.of('incident.paused')[0] as { detail: string };
    expect(paused.detail).toContain('expected a time: 09:30 (today, ');
    expect(paused.detail).toContain('20m ago, now, or a full time such as 2026-11-26T03:12Z (UTC unless an offset follows), or unknown');
    expect(paused.detail).not.toContain('\\d{4}');
  });

  it('shows terminal control sequences in runbook texts as visible escapes, never raw', async () => {
    const rb = runbookFrom(`${HEAD}
steps:
  - id: s
    title: "Clear\\e[2J"
    instructions: "Look\\u001b]0;pwned\\u0007 here\\nthen go on"
`);
    let shown = '';
    const out = new Writable({ write: (chunk, _e, done) => ((shown += String(chunk)), done()) });
    const log = memoryLog();
    const responder = new ScriptedResponder({
      answers: answersFile('steps: { s: done }'),
      yes: false,
      out,
      color: new Chalk({ level: 0 }),
    });
    await new Walk({ runbook: rb, state: replay(log.events), sink: log.sink, responder }).run();
    expect(shown).not.toContain('\u001b');
    expect(shown).toContain('Clear\\x1b[2J');
    expect(shown).toContain('Look\\x1b]0;pwned\\x07 here\n');
  });

  it('refuses an input value that breaks its pattern', async () => {
    const rb = runbookFrom(`${HEAD}
inputs:
  port: { prompt: Port, pattern: '[0-9]+' }
steps:
  - id: s
    instructions: '{{ port }}'
`);
    const paused = (detail: RegExp) => ({ kind: 'paused', reason: 'missing-answer', detail: aStringMatching(detail) });
    expect((await walk(rb, 'inputs: { port: abc }\nsteps: { s: done }')).outcome).toMatchObject(
      paused(/input "port": must match the pattern/),
    );
    await expect(walk(rb, 'steps: { s: done }', { presets: { port: 'x1' } })).rejects.toThrow(/--set port: must match/);
    const ok = await walk(rb, 'steps: { s: done }', { presets: { port: '8080' } });
    expect(ok.of('input.set')).toEqual([{ name: 'port', value: '8080' }]);
  });
});

describe('checks and commands in the walk', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sev-engine-'));
  const marker = join(tmp, 'marker');

  const rb = runbookFrom(`${HEAD}
inputs:
  marker: { prompt: Marker file }
  password: { prompt: Password, secret: true }
checks:
  healthy:
    run: 'grep -q ok "$SEV_MARKER"'
    timeout: 5s
  leaks:
    run: 'echo "the password is $SEV_PASSWORD"'
steps:
  - id: look
    checks: [healthy, leaks]
    on_fail: ask
    milestone: detected
  - id: fix
    command:
      run: 'echo ok > "$SEV_MARKER"; echo "fixed with $SEV_PASSWORD"'
    milestone: mitigated
  - id: verify
    wait: { check: healthy, timeout: 2s, interval: 100ms }
    milestone: resolved
`);

  it('runs checks, asks on failure, runs the command, waits for recovery; secrets masked everywhere', async () => {
    writeFileSync(marker, 'bad');
    const r = await walk(rb, `inputs: { marker: "${marker}", password: hunter2-secret }\nsteps: { look: continue, fix: yes }`);
    expect(r.outcome.kind).toBe('completed');
    const checks = r.of('check.result');
    expect(checks.slice(0, 2).map((c) => [c.check, c.status])).toEqual([
      ['healthy', 'CRITICAL'],
      ['leaks', 'OK'],
    ]);
    expect(checks[1]!.stdout).toBe(`the password is ${MASK}\n`);
    expect(r.of('step.answered')).toContainEqual({ step: 'look', answer: 'continue' });
    expect(r.of('command.finished')[0]).toMatchObject({ ok: true, exit: 0, stdout: `fixed with ${MASK}\n` });
    expect(r.of('wait.finished')[0]).toMatchObject({ passed: true, check: 'healthy' });
    // The failed checks step gives no milestone; the command and the wait do.
    expect(r.of('milestone').map((m) => m.milestone)).toEqual(['mitigated', 'resolved']);
    expect(r.of('input.set')).toContainEqual({ name: 'password', secret: true });
    expect(JSON.stringify(r.events)).not.toContain('hunter2-secret');
    expect(readFileSync(marker, 'utf8')).toBe('ok\n');
  });

  it('retries the checks when the responder says retry, then goes on', async () => {
    writeFileSync(marker, 'bad');
    const r = await walk(rb, `inputs: { marker: "${marker}", password: p }\nsteps: { look: [retry, continue], fix: yes }`);
    expect(r.of('check.result').filter((c) => c.step === 'look')).toHaveLength(4);
    expect(r.outcome.kind).toBe('completed');
  });

  it('a dry run executes nothing and still walks every step', async () => {
    writeFileSync(marker, 'bad');
    const r = await walk(rb, `inputs: { marker: "${marker}", password: p }\nsteps: { fix: yes }`, { dryRun: true });
    expect(r.outcome.kind).toBe('completed');
    expect(r.of('check.result').every((c) => c.status === 'SKIPPED')).toBe(true);
    expect(r.types()).not.toContain('command.started');
    expect(readFileSync(marker, 'utf8')).toBe('bad');
  });

  it('an abort during a running check kills it and pauses the incident as interrupted', async () => {
    const pidFile = join(tmp, 'slow.pid');
    const slow = runbookFrom(`${HEAD}
checks:
  slow: { run: 'echo $$ > ${pidFile}.tmp; mv ${pidFile}.tmp ${pidFile}; exec sleep 30', timeout: 60s }
steps:
  - id: look
    checks: [slow]
`);
    const controller = new AbortController();
    const walking = walk(slow, 'steps: {}', { signal: controller.signal });
    // Abort once the check is running, not at a guessed moment.
    await waitFor(`the check to write its pid to ${pidFile}`, () => existsSync(pidFile));
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(running(pid)).toBe(true);
    const started = Date.now();
    controller.abort();
    const r = await walking;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.outcome).toEqual({ kind: 'paused', step: 'look', reason: 'interrupted' });
    expect(r.of('incident.paused')).toEqual([{ step: 'look', reason: 'interrupted' }]);
    await waitFor(`the interrupted check (pid ${pid}) to be gone`, () => !running(pid), { timeoutMs: 5000 });
  });

  it('inputs that look like shell code reach commands as data only', async () => {
    const pwned = join(tmp, 'pwned');
    const evil = `x"; touch ${pwned}; echo "`;
    const r = await walk(
      rb,
      `inputs: { marker: ${JSON.stringify(evil)}, password: p }\nsteps: { look: continue, fix: { answer: yes, on_fail: continue }, verify: continue }`,
    );
    expect(existsSync(pwned)).toBe(false);
    expect(r.of('check.result')[0]).toMatchObject({ check: 'healthy', status: 'CRITICAL' });
  });
});

/** A killed process may linger as a zombie when nothing reaps orphans (PID 1 in some containers): that is not running. */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('the process runner', () => {
  it('kills the whole process group when the time is up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sev-kill-'));
    const pidFile = join(dir, 'child.pid');
    const result = (await runProcess({ run: `sleep 60 & echo $! > ${pidFile}; wait`, env: {}, timeoutMs: 300 })).result;
    expect(result.timedOut).toBe(true);
    const child = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(`the background child (pid ${child}) of the timed-out process to be gone`, () => !running(child), { timeoutMs: 5000 });
  });

  it('caps a huge output and says so, without running out of memory', async () => {
    const result = (await runProcess({ run: 'head -c 50000000 /dev/zero | tr "\\0" x; echo done >&2', env: {}, timeoutMs: 20_000 })).result;
    expect(result.exit).toBe(0);
    expect(result.stdout.length).toBe(OUTPUT_CAP_BYTES);
    expect(result.truncated).toEqual(['stdout']);
    expect(result.stderr).toBe('done\n');
  });

  it('runs an argv list without a shell, and reports a missing program', async () => {
    const ok = (await runProcess({ run: ['printf', '%s', '$HOME; echo no'], env: {}, timeoutMs: 5000 })).result;
    expect(ok.stdout).toBe('$HOME; echo no');
    const missing = (await runProcess({ run: ['definitely-not-a-program-sev'], env: {}, timeoutMs: 5000 })).result;
    expect(missing.error).toMatch(/command not found/);
  });
});

describe('check evaluation', () => {
  const base: CheckDef = {
    name: 'c',
    run: 'true',
    env: {},
    timeout: '5s',
    retries: 0,
    interval: '1s',
    expect: { exit: [0] },
    nagios: false,
    failure: 'critical',
    path: [],
  };
  const result = (exit: number | null, stdout = '', extra = {}) => ({ exit, stdout, stderr: '', durationMs: 1, timedOut: false, ...extra });

  it.each([
    ['exit 0', base, result(0), 'OK'],
    ['exit 1', base, result(1), 'CRITICAL'],
    ['exit 1 of a check whose failure is a warning', { ...base, failure: 'warning' as const }, result(1), 'WARNING'],
    ['stdout matching', { ...base, expect: { exit: [0], stdout: '"status":\\s*"ok"' } }, result(0, '{"status": "ok"}'), 'OK'],
    ['stdout not matching', { ...base, expect: { exit: [0], stdout: '"status":\\s*"ok"' } }, result(0, '{"status": "down"}'), 'CRITICAL'],
    ['stdout_not matching', { ...base, expect: { exit: [0], stdoutNot: 'ERROR' } }, result(0, 'ERROR: x'), 'CRITICAL'],
    ['Nagios exit 1', { ...base, nagios: true }, result(1), 'WARNING'],
    ['Nagios exit 2', { ...base, nagios: true }, result(2), 'CRITICAL'],
    ['Nagios exit 3', { ...base, nagios: true }, result(3), 'UNKNOWN'],
    ['a timeout', base, result(null, '', { timedOut: true }), 'UNKNOWN'],
  ])('$0 gives $3', (_label, check, r, status) => {
    expect(evaluate(check, r).status).toBe(status);
  });

  it('runs 20 one-second checks side by side, not one after another', async () => {
    const checks = Array.from({ length: 20 }, (_, i) => ({ ...base, name: `c${i}`, run: 'sleep 1' }));
    const started = Date.now();
    const results = await runChecks(checks, { env: () => ({}), mask: noMask });
    expect(results.map((r) => r.status)).toEqual(Array(20).fill('OK'));
    // Sequential would take 20 s; this only proves they overlap (timing is measured in the benchmark).
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
