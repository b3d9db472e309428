import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseJson, readEvents, sev, tempDir, warnSkipped } from '../helpers.js';
import { HAS_TMUX, NEEDS_TMUX, Tmux } from '../tmux.js';

/** An incident's life beyond one walk: a second run of its runbook, a close, status, resume from elsewhere. */

const RUNBOOK = `format: sevkit/v1
id: tiny
title: Tiny drill
class: server-failure
severity: SEV3
checks:
  up: { run: 'echo up-check-ran', timeout: 5s }
steps:
  - id: look
    checks: [up]
  - id: first
    confirm: Looked at the dashboard?
  - id: restart
    command: { run: 'echo restarted > restarted.txt', timeout: 5s }
  - id: second
    confirm: Handed over?
`;

const ENV = { CI: 'true' };

function workspace() {
  const dir = tempDir({
    'runbooks/tiny.yaml': RUNBOOK,
    'pause.yaml': 'steps: { first: { pause: yes } }\n',
    'rest.yaml': 'steps: { first: yes, restart: yes, second: yes }\n',
  });
  const run = (args: string[], cwd = dir, env: Record<string, string> = {}) => sev(args, { cwd, env: { ...ENV, ...env } });
  const logs = (sub = 'incidents') => readdirSync(join(dir, sub)).filter((f) => f.endsWith('.jsonl'));
  /** A paused incident of tiny, started with the pausing answers: its id. */
  const paused = (extra: string[] = []) => {
    const r = run(['run', 'tiny', '--answers', 'pause.yaml', '--as', 'ana', ...extra]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Paused at step first');
    return /Incident (\S+)/.exec(r.stderr)![1]!;
  };
  return { dir, run, logs, paused };
}

describe('sev run while an incident of the runbook is open or paused', () => {
  it('without a terminal and without --new or --resume, starts nothing and prints the command lines to use', () => {
    const w = workspace();
    const id = w.paused();
    const r = w.run(['run', 'tiny', '--answers', 'rest.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`sev: an incident of tiny is still open: ${id} (paused at step first`);
    expect(r.stderr).toContain('resume it, or start a new incident?');
    expect(r.stderr).toContain(`  sev resume ${id}`);
    expect(r.stderr).toContain('  sev run tiny --answers rest.yaml --resume');
    expect(r.stderr).toContain('  sev run tiny --answers rest.yaml --new');
    expect(w.logs()).toHaveLength(1);
  });

  it('--resume goes on with the paused incident, in its own log', () => {
    const w = workspace();
    const id = w.paused();
    const r = w.run(['run', 'tiny', '--answers', 'rest.yaml', '--as', 'ana', '--resume']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Resuming incident ${id} at step first`);
    expect(w.logs()).toHaveLength(1);
    const events = readEvents(join(w.dir, 'incidents', w.logs()[0]!));
    expect(events.filter((e) => e.type === 'incident.started')).toHaveLength(1);
    expect(events.some((e) => e.type === 'incident.resumed')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'incident.closed', data: { outcome: 'completed' } });
  });

  it('--new starts a second incident; --resume with two open names both; --new with --resume is refused', () => {
    const w = workspace();
    const first = w.paused();
    const second = w.paused(['--new']);
    expect(second).not.toBe(first);
    expect(w.logs()).toHaveLength(2);
    const both = w.run(['run', 'tiny', '--answers', 'rest.yaml', '--resume']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--resume: 2 incidents of tiny are open or paused');
    expect(both.stderr).toContain(`sev resume ${first}`);
    expect(both.stderr).toContain(`sev resume ${second}`);
    const contradiction = w.run(['run', 'tiny', '--new', '--resume']);
    expect(contradiction.code).toBe(2);
    expect(contradiction.stderr).toMatch(/--new and --resume contradict/);
  });

  it('a closed incident, or an open dry run, does not stand in the way of a real run', () => {
    const w = workspace();
    const id = w.paused();
    expect(w.run(['close', id, '--reason', 'false alarm']).code).toBe(0);
    w.paused(['--dry-run']);
    const r = w.run(['run', 'tiny', '--answers', 'rest.yaml', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('still open');
    expect(w.logs()).toHaveLength(3);
    const resume = w.run(['run', 'tiny', '--resume']);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toContain('--resume: no open or paused incident of tiny');
  });
});

describe('sev triage --run while an incident of the recommended runbook is paused', () => {
  it('asks the same, and takes --resume', () => {
    const w = workspace();
    writeFileSync(
      join(w.dir, 'runbooks/triage.yaml'),
      `format: sevkit-triage/v1
questions:
  - id: down
    prompt: Is it down?
    options: [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }]
classes:
  - { class: server-failure, runbook: tiny, because: always tiny }
severities:
  - { severity: SEV3, because: always }
`,
    );
    writeFileSync(join(w.dir, 'triage-answers.yaml'), "down: 'yes'\n");
    const id = w.paused();
    const args = ['triage', '--answers', 'triage-answers.yaml', '--run', '--run-answers', 'rest.yaml', '--as', 'ana'];
    const refused = w.run(args);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`an incident of tiny is still open: ${id}`);
    expect(refused.stderr).toContain(`  sev ${args.join(' ')} --new`);
    const resumed = w.run([...args, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`Resuming incident ${id} at step first`);
    expect(w.logs()).toHaveLength(1);
  });
});

describe('sev close', () => {
  it('closes a paused incident with its reason, logged for old readers too; resume then refuses it', () => {
    const w = workspace();
    const id = w.paused();
    const r = w.run(['close', id.slice(-4), '--outcome', 'duplicate', '--reason', 'duplicate of the one Bo runs', '--as', 'cy']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`Incident ${id} closed (duplicate)`);
    const events = readEvents(join(w.dir, 'incidents', w.logs()[0]!));
    expect(events.at(-1)).toMatchObject({
      type: 'incident.closed',
      actor: 'cy',
      data: { outcome: 'duplicate', step: 'first', reason: 'duplicate of the one Bo runs' },
    });
    const status = parseJson<{ status: string; outcome: string; reason: string }[]>(w.run(['status', '--json']).stdout);
    expect(status).toMatchObject([{ status: 'closed', outcome: 'duplicate', reason: 'duplicate of the one Bo runs' }]);
    const timeline = w.run(['timeline', id]);
    expect(timeline.stdout).toContain('incident closed: duplicate at first (duplicate of the one Bo runs)');
    const resumed = w.run(['resume', id]);
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toContain('is closed (duplicate');
    const again = w.run(['close', id, '--reason', 'twice']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('is closed already (duplicate');
  });

  it('is refused while a process walks the incident, and needs a reason', () => {
    const w = workspace();
    const id = w.paused();
    // A claim held by this very test process: alive on this host.
    writeFileSync(
      join(w.dir, 'incidents', `${id}.walker`),
      JSON.stringify({ host: hostname(), pid: process.pid, responder: 'bo', since: new Date().toISOString() }),
    );
    const r = w.run(['close', id, '--reason', 'gone']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`incident ${id} is being walked by bo`);
    expect(readEvents(join(w.dir, 'incidents', w.logs()[0]!)).at(-1)).toMatchObject({ type: 'incident.paused' });
    const empty = w.run(['close', id, '--reason', '  ']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('the reason is empty');
  });
});

describe('sev status and closed dry runs', () => {
  it('hides a closed dry run unless --all, and says so on stderr', () => {
    const w = workspace();
    const dry = w.run(['run', 'tiny', '--answers', 'rest.yaml', '--yes', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    const id = w.paused();
    const status = w.run(['status', '--json']);
    expect(parseJson<{ id: string }[]>(status.stdout).map((r) => r.id)).toEqual([id]);
    const text = w.run(['status']);
    expect(text.stderr).toContain('1 closed dry run not shown (sev status --all shows it)');
    const all = w.run(['status', '--all', '--json']);
    expect(
      parseJson<{ dryRun: boolean }[]>(all.stdout)
        .map((r) => r.dryRun)
        .sort(),
    ).toEqual([false, true]);
  });
});

describe('a dry run shows each command once', () => {
  it('as the command that would run, and checks with the command they would run', () => {
    const w = workspace();
    const r = w.run(['run', 'tiny', '--answers', 'rest.yaml', '--yes', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('This command would run (dry run: nothing is executed):\n  $ echo restarted > restarted.txt');
    expect(r.stderr.split('echo restarted > restarted.txt')).toHaveLength(2);
    expect(r.stderr).toContain('dry run: not run');
    expect(r.stderr).toContain('dry run: would run echo up-check-ran');
    expect(readdirSync(w.dir)).not.toContain('restarted.txt');
  });
});

describe('sev resume from another directory', () => {
  it('finds the incident through the config, and says where it looked when it does not', () => {
    const w = workspace();
    writeFileSync(join(w.dir, 'sev.config.yaml'), 'format: sevkit-config/v1\nincident_dir: incidents\n');
    const id = w.paused();
    const sub = join(w.dir, 'deep', 'er');
    mkdirSync(sub, { recursive: true });
    const r = w.run(['resume', id, '--answers', join(w.dir, 'rest.yaml'), '--as', 'ana'], sub);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Resuming incident ${id}`);

    const elsewhere = tempDir();
    const missing = w.run(['resume', 'k3f9'], elsewhere);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      `no incident "k3f9" in ${join(elsewhere, 'incidents')} (the incident directory, from the default, ./incidents; it does not exist)`,
    );
    expect(missing.stderr).toContain('--incident-dir DIR, set SEV_INCIDENT_DIR=DIR, or put incident_dir: DIR in sev.config.yaml');
    const fromVariable = w.run(['resume'], elsewhere, { SEV_INCIDENT_DIR: join(elsewhere, 'nothing') });
    expect(fromVariable.stderr).toContain(
      `no open or paused incident in ${join(elsewhere, 'nothing')} (the incident directory, from $SEV_INCIDENT_DIR; it does not exist)`,
    );
  });
});

if (!HAS_TMUX) warnSkipped('test/e2e/lifecycle.test.ts', 'tmux', 'the resume-or-new question of sev run in a terminal');
describe.skipIf(!HAS_TMUX)(`the resume-or-new question in a terminal (tmux)${NEEDS_TMUX}`, () => {
  const servers: Tmux[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.kill();
  });

  it('offers the paused incident and a new one; choosing resume goes on with it', async () => {
    const w = workspace();
    const id = w.paused();
    const server = new Tmux();
    servers.push(server);
    const pane = server.start('q', w.dir, ['run', 'tiny', '--as', 'ana']);
    const screen = await pane.waitFor('resume it, or start a new incident?');
    expect(screen).toContain('An incident of tiny is still open');
    expect(screen).toContain(`Resume ${id} (paused at step first`);
    expect(screen).toContain('Start a new incident');
    pane.keys('Enter');
    await pane.waitFor(`Resuming incident ${id} at step first`);
    await pane.waitFor('Looked at the dashboard?');
    pane.keys('C-c');
    await pane.exitCode();
    expect(w.logs()).toHaveLength(1);
  });
});
