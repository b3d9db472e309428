import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, SEV, parseJson, sev, tempDir, testSeed, waitFor, type Run } from '../helpers.js';
import { alive, groupAlive } from '../processes.js';

const ONCE = join(ROOT, 'test/fixtures/run/once.yaml');
const ENV: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', CI: 'true' };
delete ENV.FORCE_COLOR;

/** What a started sev printed and how it ended, collected from the moment it starts (it may end before anyone waits). */
const outcomes = new WeakMap<ChildProcess, Promise<Run>>();

function start(args: string[], cwd = ROOT): ChildProcess {
  const child = spawn(process.execPath, [SEV, ...args], { cwd, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  outcomes.set(child, new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr }))));
  return child;
}

async function finish(child: ChildProcess, timeoutMs = 60_000): Promise<Run> {
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const run = await outcomes.get(child)!;
  clearTimeout(timer);
  return run;
}

/** Answers that walk the runbook to its end. */
const WALK = 'steps:\n  before: done\n  post: yes\n  verify: done\n';

function setup(answers = WALK) {
  const dir = tempDir({ 'answers.yaml': answers });
  const ledger = join(dir, 'ledger');
  const incidents = join(dir, 'incidents');
  return { dir, ledger, incidents, args: ['--incident-dir', incidents, '--set', `ledger=${ledger}`], answers: join(dir, 'answers.yaml') };
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
const logOf = (incidents: string) =>
  readdirSync(incidents)
    .filter((n) => n.endsWith('.jsonl'))
    .map((n) => join(incidents, n))[0]!;
const events = (file: string) => lines(file).map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
const types = (file: string) => events(file).map((e) => e.type);

/** Runs the runbook and SIGKILLs sev once its command has started; returns the incident's id and log. */
async function killDuringCommand(c: ReturnType<typeof setup>, delay: string): Promise<{ id: string; log: string }> {
  const run = start(['run', ONCE, '--answers', c.answers, '--set', `delay=${delay}`, ...c.args]);
  await waitFor('the command to start', () => lines(`${c.ledger}.pids`).length === 1);
  run.kill('SIGKILL');
  await finish(run);
  const log = logOf(c.incidents);
  return { id: log.split('/').pop()!.split('.')[0]!, log };
}

describe('one walker per incident', () => {
  it('refuses a resume while the run walks the incident: exit 2, one line naming the walker; the command runs once', async () => {
    const c = setup();
    const run = start(['run', ONCE, '--answers', c.answers, '--set', 'delay=2', ...c.args]);
    await waitFor('the command to start', () => lines(`${c.ledger}.pids`).length === 1);
    const id = readdirSync(c.incidents)
      .find((n) => n.endsWith('.jsonl'))!
      .split('.')[0]!;
    const resume = sev(['resume', id, '--answers', c.answers, '--incident-dir', c.incidents]);
    const note = sev(['note', id, 'still', 'looking', '--incident-dir', c.incidents]);
    const done = await finish(run);

    expect(resume.code).toBe(2);
    expect(resume.stderr).toMatch(
      new RegExp(
        `^sev: incident ${id} is being walked by \\S+ \\(host ${hostname()}, pid ${run.pid}, since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)\\n`,
      ),
    );
    expect(note.code).toBe(0);
    expect(done.code).toBe(0);
    expect(lines(c.ledger)).toEqual(['posted']);
    const log = logOf(c.incidents);
    expect(types(log).filter((t) => t === 'incident.closed')).toHaveLength(1);
    expect(types(log).filter((t) => t === 'command.started')).toHaveLength(1);
    expect(types(log)).toContain('note');
  });

  it('lets exactly one of two resumes started together walk a paused incident', async () => {
    const c = setup('steps:\n  before: { pause: yes }\n');
    const first = sev(['run', ONCE, '--answers', c.answers, '--set', 'delay=1', ...c.args]);
    expect(first.code).toBe(0);
    writeFileSync(c.answers, WALK);
    const id = logOf(c.incidents).split('/').pop()!.split('.')[0]!;
    const both = await Promise.all([0, 1].map(() => finish(start(['resume', id, '--answers', c.answers, '--incident-dir', c.incidents]))));

    expect(both.map((r) => r.code).sort()).toEqual([0, 2]);
    expect(both.find((r) => r.code === 2)!.stderr).toMatch(/is being walked by|is being claimed by another sev process/);
    expect(lines(c.ledger)).toEqual(['posted']);
    expect(types(logOf(c.incidents)).filter((t) => t === 'incident.closed')).toHaveLength(1);
  });

  it('breaks by itself the claim of a walker killed on this host', async () => {
    const c = setup();
    const { id } = await killDuringCommand(c, '30');
    expect(existsSync(join(c.incidents, `${id}.walker`))).toBe(true);
    // The command it left running is no reason to refuse the walk: it is asked about instead.
    const resume = sev(['resume', id, '--answers', c.answers, '--incident-dir', c.incidents]);
    expect(resume.stderr).not.toMatch(/is being walked/);
    expect(resume.stderr).toMatch(/is still running/);
    process.kill(-Number(lines(`${c.ledger}.pids`)[0]!.split(' ')[1]), 'SIGKILL');
  });

  it("refuses another host's walker; --take-over --yes takes it over and logs it", () => {
    const c = setup('steps:\n  before: { pause: yes }\n');
    expect(sev(['run', ONCE, '--answers', c.answers, ...c.args]).code).toBe(0);
    const log = logOf(c.incidents);
    const id = log.split('/').pop()!.split('.')[0]!;
    const claim = join(c.incidents, `${id}.walker`);
    writeFileSync(
      claim,
      JSON.stringify({ host: 'db-bastion-2', pid: 4242, start: 'x:1', responder: 'bob', since: '2026-12-01T03:00:00.000Z' }),
    );
    writeFileSync(c.answers, WALK);

    const refused = sev(['resume', id, '--answers', c.answers, '--incident-dir', c.incidents]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`incident ${id} is being walked by bob (host db-bastion-2, pid 4242, since 2026-12-01T03:00:00.000Z)`);
    expect(refused.stderr).toContain('--take-over');
    const unconfirmed = sev(['resume', id, '--take-over', '--answers', c.answers, '--incident-dir', c.incidents]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toMatch(/--take-over needs a confirmation/);
    expect(lines(c.ledger)).toEqual([]);

    const taken = sev(['resume', id, '--take-over', '--yes', '--answers', c.answers, '--incident-dir', c.incidents]);
    expect(taken.code).toBe(0);
    const takeover = events(log).find((e) => e.type === 'incident.taken-over');
    expect(takeover?.data).toEqual({ from: { responder: 'bob', host: 'db-bastion-2', pid: 4242, since: '2026-12-01T03:00:00.000Z' } });
    expect(lines(c.ledger)).toEqual(['posted']);
    expect(existsSync(claim)).toBe(false);
  });
});

describe('a walker that is no longer the walker', () => {
  it('stops at its next event, writing and running nothing more, once another has taken the incident over', async () => {
    const c = setup();
    const run = start(['run', ONCE, '--answers', c.answers, '--set', 'delay=2', ...c.args]);
    await waitFor('the command to start', () => lines(`${c.ledger}.pids`).length === 1);
    const id = readdirSync(c.incidents)
      .find((n) => n.endsWith('.jsonl'))!
      .split('.')[0]!;
    writeFileSync(
      join(c.incidents, `${id}.walker`),
      JSON.stringify({ host: 'db-bastion-2', pid: 4242, responder: 'bob', since: '2026-12-02T03:00:00.000Z' }),
    );
    const done = await finish(run);
    expect(done.code).toBe(2);
    expect(done.stderr).toMatch(
      new RegExp(
        `incident ${id} is now walked by bob \\(host db-bastion-2, pid 4242, since 2026-12-02T03:00:00.000Z\\): this run stops here`,
      ),
    );
    const types = events(logOf(c.incidents)).map((e) => e.type);
    expect(types.at(-1)).toBe('command.started');
  });

  it('makes its claim again when the incident directory is deleted mid-run, so no second walker can start', async () => {
    const dir = tempDir({
      'rb.yaml': [
        'format: sevkit/v1',
        'id: two',
        'title: Two commands',
        'class: data-error',
        'severity: SEV3',
        'steps:',
        '  - id: look',
        '    command: { run: "sleep 2", changes_state: false }',
        '  - id: post',
        '    command: { run: \'sleep 3; echo posted >> "$SEV_INCIDENT_ID.ledger"\', confirm: false }',
        '    milestone: resolved',
      ].join('\n'),
    });
    const incidents = join(dir, 'incidents');
    const run = start(['run', join(dir, 'rb.yaml'), '--yes', '--incident-dir', incidents], dir);
    const done = finish(run);
    await waitFor('the incident to start', () => existsSync(incidents) && readdirSync(incidents).some((n) => n.endsWith('.jsonl')));
    const id = readdirSync(incidents)
      .find((n) => n.endsWith('.jsonl'))!
      .split('.')[0]!;
    rmSync(incidents, { recursive: true });
    // The walker notices at its next event (the first command's end): it writes back its log and its claim.
    await waitFor(
      'the second command to start',
      () => existsSync(incidents) && events(logOf(incidents)).some((e) => e.type === 'command.started' && e.data.step === 'post'),
    );
    const resume = sev(['resume', id, '--yes', '--incident-dir', incidents]);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toMatch(/is being walked by/);
    expect((await done).code).toBe(0);
    expect(lines(join(dir, `${id}.ledger`))).toEqual(['posted']);
  });
});

describe('a command never runs twice behind the responder’s back', () => {
  it('takes the recorded result of a command that ended just before sev was killed, and does not run it again', () => {
    const c = setup();
    expect(sev(['run', ONCE, '--answers', c.answers, ...c.args]).code).toBe(0);
    const log = logOf(c.incidents);
    // As sev leaves it when killed between the command's end and the step's: cut after command.finished.
    const kept = lines(log);
    const end = kept.findIndex((l) => parseJson<{ type: string }>(l).type === 'command.finished');
    writeFileSync(log, kept.slice(0, end + 1).join('\n') + '\n');
    const id = log.split('/').pop()!.split('.')[0]!;
    const resumed = sev(['resume', id, '--answers', c.answers, '--incident-dir', c.incidents]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/the command already ran \(it ended at \S+, successfully\): not running it again/);
    expect(lines(c.ledger)).toEqual(['posted']);
    expect(types(log).filter((t) => t === 'command.started')).toHaveLength(1);
  });

  it('logs the process group and host of a command before it runs', () => {
    const c = setup();
    expect(sev(['run', ONCE, '--answers', c.answers, ...c.args]).code).toBe(0);
    const started = events(logOf(c.incidents)).find((e) => e.type === 'command.started')!;
    const group = Number(lines(`${c.ledger}.pids`)[0]!.split(' ')[1]);
    // The shell that ran the command belongs to the logged group.
    expect(started.data).toMatchObject({ step: 'post', host: hostname(), changesState: true, pgid: group });
  });

  it('keeps the timeout of a command after sev is killed: its whole group is gone by the deadline', async () => {
    const dir = tempDir({
      'rb.yaml': [
        'format: sevkit/v1',
        'id: hang',
        'title: A command that hangs',
        'class: server-failure',
        'severity: SEV3',
        'steps:',
        '  - id: hang',
        '    command:',
        `      run: 'sleep 60 & echo $! > "${'$'}SEV_INCIDENT_ID.child"; echo $$ > "${'$'}SEV_INCIDENT_ID.shell"; wait'`,
        '      timeout: 1s',
        '      changes_state: false',
        '    milestone: resolved',
      ].join('\n'),
    });
    const run = spawn(process.execPath, [SEV, 'run', join(dir, 'rb.yaml'), '--yes', '--incident-dir', join(dir, 'incidents')], {
      cwd: dir,
      env: ENV,
      stdio: 'ignore',
    });
    const pidFile = (suffix: string) => readdirSync(dir).find((n) => n.endsWith(suffix));
    await waitFor('the command to write its pids', () =>
      Boolean(pidFile('.child') && pidFile('.shell') && readFileSync(join(dir, pidFile('.child')!), 'utf8').trim()),
    );
    run.kill('SIGKILL');
    const pids = ['.child', '.shell'].map((s) => Number(readFileSync(join(dir, pidFile(s)!), 'utf8')));
    expect(pids.every(alive)).toBe(true);
    // 1 s limit, 1 s of grace for sev's own timer, 0.5 s before SIGKILL: all gone well within 5 s.
    const deadline = Date.now() + 5_000;
    while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(pids.filter(alive)).toEqual([]);
  });

  it('asks about a command left running: a script must say wait or kill, then whether to run it again', async () => {
    const c = setup();
    const { id, log } = await killDuringCommand(c, '6');

    // No word on it: paused, exit 2, and no second copy started.
    const silent = sev(['resume', id, '--answers', c.answers, '--yes', '--incident-dir', c.incidents]);
    expect(silent.code).toBe(2);
    expect(silent.stderr).toMatch(/still running/);
    expect(silent.stderr).toMatch(/running: wait or running: kill/);
    expect(lines(`${c.ledger}.pids`)).toHaveLength(1);

    // Wait for it; then it is gone with its result unknown, and the answers say it took effect.
    writeFileSync(c.answers, 'steps:\n  before: done\n  post: { running: wait, rerun: done }\n  verify: done\n');
    const waited = sev(['resume', id, '--answers', c.answers, '--incident-dir', c.incidents]);
    expect(waited.stderr).toMatch(/Result unknown: check its effect/);
    expect(waited.code).toBe(0);
    expect(lines(c.ledger)).toEqual(['posted']);
    expect(lines(`${c.ledger}.pids`)).toHaveLength(1);
    const decisions = events(log)
      .filter((e) => e.type === 'command.unfinished')
      .map((e) => [e.data.state, e.data.decision]);
    expect(decisions).toEqual([
      ['alive', 'wait'],
      ['gone', 'done'],
    ]);
  });

  it('never re-runs a state-changing command whose end is not in the log unless told: rerun yes runs it again', async () => {
    const c = setup();
    const { id } = await killDuringCommand(c, '4');
    writeFileSync(c.answers, 'steps:\n  before: done\n  post: { running: kill }\n  verify: done\n');
    const killed = sev(['resume', id, '--answers', c.answers, '--incident-dir', c.incidents]);
    expect(killed.code).toBe(2);
    expect(killed.stderr).toMatch(/rerun: yes, rerun: done or rerun: failed/);
    const first = Number(lines(`${c.ledger}.pids`)[0]!.split(' ')[0]);
    expect(alive(first)).toBe(false);
    expect(lines(c.ledger)).toEqual([]);

    writeFileSync(c.answers, 'steps:\n  before: done\n  post: { rerun: yes }\n  verify: done\n');
    const again = sev(['resume', id, '--answers', c.answers, '--incident-dir', c.incidents]);
    expect(again.code).toBe(0);
    expect(lines(c.ledger)).toEqual(['posted']);
    const started = events(logOf(c.incidents)).filter((e) => e.type === 'command.started');
    expect(started.map((e) => e.data.confirmedBy)).toEqual(['responder', 'rerun']);
  });

  it('marks such a command failed at the responder’s word, and the step fails as the runbook says', async () => {
    const c = setup();
    const { id } = await killDuringCommand(c, '1');
    await waitFor('the command to end', () => lines(c.ledger).length === 1);
    writeFileSync(c.answers, 'steps:\n  before: done\n  post: { rerun: failed, on_fail: stop }\n  verify: done\n');
    const r = sev(['resume', id, '--answers', c.answers, '--incident-dir', c.incidents]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/marked failed by the responder/);
    expect(lines(c.ledger)).toEqual(['posted']);
  });
});

describe('SIGKILL during a state-changing command', () => {
  const { random } = testSeed('walker.test.ts');

  it('posts exactly once whatever the moment: the command is never started twice, and what is unknown is decided by the responder', async () => {
    for (let n = 0; n < 8; n++) {
      const c = setup();
      const killAfter = Math.floor(random() * 1200);
      const run = start(['run', ONCE, '--answers', c.answers, '--set', 'delay=0.4', ...c.args]);
      await new Promise((r) => setTimeout(r, killAfter));
      run.kill('SIGKILL');
      await finish(run);
      const log = existsSync(c.incidents) ? readdirSync(c.incidents).find((n) => n.endsWith('.jsonl')) : undefined;
      if (!log) continue; // killed before the incident existed: nothing to resume
      const file = join(c.incidents, log);
      // The responder looks before deciding: wait until the command's group has ended, then see the ledger.
      const started = events(file).find((e) => e.type === 'command.started');
      if (started) {
        const pgid = Number(started.data.pgid);
        await waitFor(`process group ${pgid} to end`, () => !groupAlive(pgid));
      }
      const posted = lines(c.ledger).length > 0;
      writeFileSync(
        c.answers,
        `steps:\n  before: done\n  post: { answer: yes, running: wait, rerun: ${posted ? 'done' : 'yes'} }\n  verify: done\n`,
      );
      const id = log.split('.')[0]!;
      const closed = events(file).some((e) => e.type === 'incident.closed');
      if (!closed) {
        // Killed before its inputs were logged, the incident asks them again: the resume gives them as the run did.
        const resumed = sev(['resume', id, '--answers', c.answers, '--set', 'delay=0.4', ...c.args]);
        expect(resumed.code, `case ${n}, killed after ${killAfter} ms: ${resumed.stderr}`).toBe(0);
      }
      expect(lines(c.ledger), `case ${n}, killed after ${killAfter} ms`).toEqual(['posted']);
      // Its first line is written by the command itself: it ran once, whether sev died before the gate opened or after.
      expect(lines(`${c.ledger}.pids`), `case ${n}, killed after ${killAfter} ms: the command ran once`).toHaveLength(1);
    }
  }, 120_000);
});
