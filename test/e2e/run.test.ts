import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, SEV, sev, tempDir, waitFor } from '../helpers.js';

const DRILL = join(ROOT, 'test/fixtures/run/drill.yaml');

interface Event {
  seq: number;
  type: string;
  actor: string;
  data: Record<string, unknown>;
}

function logOf(dir: string): { file: string; events: Event[] } {
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  expect(files).toHaveLength(1);
  const file = join(dir, files[0]!);
  return {
    file,
    events: readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Event),
  };
}

/** A workspace: a marker file saying "bad", an incident directory and an answers file that walks the drill to the end. */
function workspace(answers?: string) {
  const dir = tempDir({ marker: 'bad' });
  const marker = join(dir, 'marker');
  const incidents = join(dir, 'incidents');
  writeFileSync(
    join(dir, 'answers.yaml'),
    answers ??
      `inputs: { token: tok-SECRET-42 }
steps:
  where: ${marker}
  confirm-outage: continue
  declare: Some users
  tell-users: yes
  restart: yes
  wrap-up: yes
`,
  );
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    sev([...args, '--incident-dir', incidents], { cwd: dir, env: { CI: 'true', ...env } });
  return { dir, marker, incidents, answers: join(dir, 'answers.yaml'), run };
}

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('sev run', () => {
  it('walks a runbook from an answers file, logs every step, and says where the log is', () => {
    const w = workspace();
    const r = w.run(['run', DRILL, '--answers', w.answers, '--as', 'alice']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/walked to the end/);
    const { file, events } = logOf(w.incidents);
    expect(r.stderr).toContain(`Log: ${file}`);
    expect(file).toMatch(/\/\d{8}T\d{6}Z-drill-[a-z0-9]{4}\.alice\.jsonl$/);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]).toMatchObject({
      type: 'incident.started',
      data: { runbook: { id: 'drill', version: '1.0.0' }, severity: 'SEV3', responder: 'alice', dryRun: false },
    });
    expect((events[0]!.data.runbook as { hash: string }).hash).toMatch(/^[0-9a-f]{64}$/);
    expect(events.filter((e) => e.type === 'milestone').map((e) => e.data.milestone)).toEqual([
      'detected',
      'acknowledged',
      'mitigated',
      'resolved',
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'incident.closed', data: { outcome: 'completed' } });
    expect(readFileSync(w.marker, 'utf8')).toBe('ok\n');
    // The secret was used by a check (its output names it) but is masked in the log and on screen.
    expect(readFileSync(file, 'utf8')).not.toContain('tok-SECRET-42');
    expect(r.stderr + r.stdout).not.toContain('tok-SECRET-42');
    expect(readFileSync(file, 'utf8')).toContain('token ••••••');
  });

  it('fails at once (exit 2) when a script leaves a question unanswered, and keeps the incident resumable', () => {
    const w = workspace('inputs: { token: t }\nsteps: { confirm-outage: continue }\n');
    const r = w.run(['run', DRILL, '--answers', w.answers]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sev: no answer for step "where" \(the input "marker"\)/);
    expect(r.stderr).toMatch(/sev resume \S+ --answers FILE/);
    noStack(r.stderr);
    expect(logOf(w.incidents).events.at(-1)).toMatchObject({ type: 'incident.paused', data: { reason: 'missing-answer', step: 'where' } });
    // Add the answers and resume: it goes on at that step.
    writeFileSync(w.answers, `inputs: { token: t }\nsteps: { where: ${w.marker}, confirm-outage: continue, declare: Nobody }\n`);
    const resumed = w.run(['resume', '--answers', w.answers]);
    expect(resumed.code).toBe(0);
    const events = logOf(w.incidents).events;
    // The step in progress when the run paused is started again.
    expect(events.filter((e) => e.type === 'step.started').map((e) => e.data.step)).toEqual([
      'where',
      'where',
      'confirm-outage',
      'declare',
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'incident.closed', data: { outcome: 'completed' } });
  });

  it('with no answers and no terminal, fails on the first question instead of waiting for one', () => {
    const w = workspace();
    const r = w.run(['run', DRILL]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no answer for input "service"/);
  });

  it('a dry run shows every command, runs none, and marks the log', () => {
    const w = workspace();
    const r = w.run(['run', DRILL, '--answers', w.answers, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('$ echo restarting "$SEV_SERVICE" && echo ok > "$SEV_MARKER"');
    expect(r.stderr).toContain('This command would run (dry run: nothing is executed):');
    expect(r.stderr).toMatch(/dry run: not run$/m);
    expect(readFileSync(w.marker, 'utf8')).toBe('bad');
    const { events } = logOf(w.incidents);
    expect(events[0]!.data.dryRun).toBe(true);
    expect(events.some((e) => e.type === 'command.started')).toBe(false);
    expect(events.filter((e) => e.type === 'check.result').every((e) => e.data.status === 'SKIPPED')).toBe(true);
  });

  it('never pastes an input into a command: shell code in a value runs nothing', () => {
    const w = workspace();
    const pwned = join(w.dir, 'pwned');
    const evil = `x"; touch ${pwned}; echo "`;
    writeFileSync(
      w.answers,
      `inputs: { token: t }\nsteps: { where: ${JSON.stringify(evil)}, confirm-outage: continue, declare: Nobody }\n`,
    );
    const r = w.run(['run', DRILL, '--answers', w.answers, '--set', `service=${'a'}`]);
    expect(r.code).toBe(0);
    expect(existsSync(pwned)).toBe(false);
    const checks = logOf(w.incidents).events.filter((e) => e.type === 'check.result');
    expect(checks.find((e) => e.data.check === 'healthy')?.data.status).toBe('CRITICAL');
  });

  it('stops with exit 1 when the responder chooses to stop on a failure', () => {
    // Under a regular file: no directory can be made there, whoever runs the test.
    const unwritable = join(tempDir({ file: 'x' }), 'file', 'marker');
    const w = workspace(
      `inputs: { token: t }\nsteps: { where: ${unwritable}, confirm-outage: continue, declare: Most users, tell-users: yes, ` +
        'restart: { answer: yes, on_fail: stop } }\n',
    );
    const r = w.run(['run', DRILL, '--answers', w.answers]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/stopped at step restart/);
    const events = logOf(w.incidents).events;
    expect(events.find((e) => e.type === 'command.finished')?.data.ok).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'incident.closed', data: { outcome: 'stopped', step: 'restart' } });
  });

  it('Ctrl-C while a check runs kills it, records the pause, prints how to resume, exits 130', async () => {
    const dir = tempDir({
      'slow.yaml': `format: sevkit/v1
id: slow
title: Slow
class: network
severity: SEV3
checks:
  slow: { run: 'sleep 30', timeout: 60s }
steps:
  - id: look
    checks: [slow]
    milestone: resolved
`,
    });
    const child = spawn(process.execPath, [SEV, 'run', join(dir, 'slow.yaml'), '--yes', '--incident-dir', join(dir, 'inc')], {
      cwd: dir,
      env: { ...process.env, CI: 'true', NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(
      () => `"running 1 check" on the stderr of sev run (so far: ${JSON.stringify(stderr)})`,
      () => stderr.includes('running 1 check'),
      { timeoutMs: 15_000 },
    );
    const started = Date.now();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stderr).toMatch(/To continue: sev resume \S+-slow-/);
    expect(logOf(join(dir, 'inc')).events.at(-1)).toMatchObject({ type: 'incident.paused', data: { step: 'look', reason: 'interrupted' } });
  });

  it.each([
    [['run', 'drill.yaml', '--severity', 'SEV9'], /--severity SEV9: expected one of SEV1, SEV2, SEV3, SEV4/],
    [['run', 'drill.yaml', '--set', 'servise=x'], /the runbook has no input "servise": did you mean "service"\?/],
    [['run', 'drill.yaml', '--set', 'service'], /--set service: expected NAME=VALUE/],
    [['run'], /no runbook given/],
    [['run', 'no-such-runbook'], /no runbook with id "no-such-runbook"/],
    [['run', 'drill.yaml', '--answers', 'missing.yaml'], /missing.yaml: no such answers file/],
  ])('refuses %j with one line and exit 2', (args, message) => {
    const dir = tempDir();
    copyFileSync(DRILL, join(dir, 'drill.yaml'));
    const r = sev([...args, '--incident-dir', join(dir, 'inc')], { cwd: dir, env: { CI: 'true' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    noStack(r.stderr);
    expect(existsSync(join(dir, 'inc'))).toBe(false);
  });

  it('points at the line and column of a malformed answers file', () => {
    const w = workspace('steps:\n  where: [unclosed\n');
    const r = w.run(['run', DRILL, '--answers', w.answers]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/answers\.yaml:\d+:\d+: /);
    const unknown = workspace('stepz: {}\n');
    const r2 = unknown.run(['run', DRILL, '--answers', unknown.answers]);
    expect(r2.stderr).toMatch(/answers\.yaml:1:1: unknown key "stepz"/);
  });

  it('refuses an answers file that names a step or input the runbook does not have, before any incident starts', () => {
    const w = workspace('inputs: { token: t }\nsteps: { wher: /tmp/x }\n');
    const r = w.run(['run', DRILL, '--answers', w.answers]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/answers\.yaml: the runbook drill has no step "wher": did you mean "where"\?/);
    expect(existsSync(w.incidents)).toBe(false);
    const input = workspace('inputs: { tokn: t }\n');
    expect(input.run(['run', DRILL, '--answers', input.answers]).stderr).toMatch(/has no input "tokn": did you mean "token"\?/);
  });

  it('refuses what is not a regular file instead of waiting on it: a FIFO, a device', () => {
    const dir = tempDir();
    const fifo = join(dir, 'rb.yaml');
    execFileSync('mkfifo', [fifo]);
    for (const args of [
      ['validate', fifo],
      ['show', fifo],
      ['validate', '/dev/zero'],
      ['timeline', '/dev/zero'],
    ]) {
      const r = sev(args, { timeout: 10_000 });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/: not a regular file/);
    }
  });

  it('refuses a runbook with errors, printing the diagnostics sev validate prints', () => {
    const dir = tempDir({
      'bad.yaml': 'format: sevkit/v1\nid: bad\ntitle: Bad\nclass: network\nseverity: SEV3\nsteps:\n  - id: a\n    next: nowhere\n',
    });
    const r = sev(['run', join(dir, 'bad.yaml'), '--incident-dir', join(dir, 'inc')], { env: { CI: 'true' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:8:11: error: .*nowhere.* \[unknown-step\]/);
    expect(existsSync(join(dir, 'inc'))).toBe(false);
  });
});

describe('sev resume', () => {
  it('refuses a closed incident, and a runbook changed since the start unless --force', () => {
    const w = workspace();
    const runbook = join(w.dir, 'drill.yaml');
    copyFileSync(DRILL, runbook);
    writeFileSync(w.answers, `inputs: { token: t }\nsteps: { where: ${w.marker}, confirm-outage: continue, declare: { pause: yes } }\n`);
    expect(w.run(['run', runbook, '--answers', w.answers]).code).toBe(0);
    const id = logOf(w.incidents).events[0]!;
    writeFileSync(runbook, readFileSync(runbook, 'utf8').replace('Wallet API drill', 'Wallet API drill, revised'));
    writeFileSync(w.answers, 'inputs: { token: t }\nsteps: { declare: Nobody }\n');
    const refused = w.run(['resume', '--answers', w.answers]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/has changed since incident \S+ started/);
    expect(refused.stderr).toMatch(/--force/);
    const forced = w.run(['resume', '--answers', w.answers, '--force']);
    expect(forced.code).toBe(0);
    const events = logOf(w.incidents).events;
    expect(events.find((e) => e.type === 'incident.resumed')?.data).toEqual({ step: 'declare', runbookChanged: true });
    const again = w.run(['resume', String((id as unknown as { incident: string }).incident)]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/is closed \(completed/);
  });
});

describe('sev status and sev note', () => {
  it('lists incidents with their step, severity and state, as a table and as JSON', () => {
    const w = workspace();
    writeFileSync(
      w.answers,
      `inputs: { token: t }\nsteps: { where: ${w.marker}, confirm-outage: continue, declare: Most users, tell-users: { pause: yes } }\n`,
    );
    expect(w.run(['run', DRILL, '--answers', w.answers, '--as', 'bob']).code).toBe(0);
    const noted = w.run(['note', 'drill', 'customers', 'calling', 'about', 'double', 'debits', '--action', '--as', 'carol']);
    expect(noted.code).toBe(0);
    const json = w.run(['status', '--json']);
    expect(json.code).toBe(0);
    const [row] = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(row).toMatchObject({ runbook: 'drill', severity: 'SEV1', step: 'tell-users', status: 'paused', responders: ['bob'] });
    const table = w.run(['status']);
    expect(table.stdout).toMatch(/│ \S+-drill-\S+ │ drill\s+│ SEV1\s+│ tell-users │/);
    expect(table.stdout).toContain('paused');
    const note = logOf(w.incidents).events.find((e) => e.type === 'note');
    expect(note).toMatchObject({ actor: 'carol', data: { text: 'customers calling about double debits', action: true } });
  });

  it('says clearly when there is no such incident', () => {
    const w = workspace();
    const r = w.run(['note', 'nothing-here', 'hello']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no incident "nothing-here"/);
    expect(w.run(['status']).stdout).toMatch(/No incidents in/);
  });
});

describe('sev check', () => {
  it('runs only the checks: exit 0 when all pass, 1 when one fails, with a table or JSON', () => {
    const w = workspace();
    const failing = w.run(['check', DRILL, '--set', `marker=${w.marker}`, '--set', 'token=abc']);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/│ healthy\s+│ CRITICAL │/);
    expect(failing.stdout).toMatch(/1 of 2 checks failing/);
    writeFileSync(w.marker, 'ok');
    const passing = w.run(['check', DRILL, '--set', `marker=${w.marker}`, '--set', 'token=abc', '--json']);
    expect(passing.code).toBe(0);
    const report = JSON.parse(passing.stdout) as { ok: boolean; results: { check: string; status: string; stdout: string }[] };
    expect(report.ok).toBe(true);
    expect(report.results.map((r) => [r.check, r.status])).toEqual([
      ['healthy', 'OK'],
      ['service-named', 'OK'],
    ]);
    expect(report.results[1]!.stdout).toBe('service wallet-api token ••••••\n');
    expect(existsSync(w.incidents)).toBe(false);
  });
});
