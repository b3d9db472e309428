import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, SEV, tempDir } from '../helpers.js';
import { groupAlive } from '../processes.js';
import { HAS_TMUX, Tmux } from '../tmux.js';

if (!HAS_TMUX) console.warn('interactive-safety.test.ts: skipped: tmux is not installed');

const DRILL = join(ROOT, 'test/fixtures/run/drill.yaml');
const ONCE = join(ROOT, 'test/fixtures/run/once.yaml');

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
const events = (dir: string) =>
  readdirSync(dir)
    .filter((n) => n.endsWith('.jsonl'))
    .flatMap((n) => lines(join(dir, n)))
    .map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });

describe.skipIf(!HAS_TMUX)('interactive safety (tmux)', () => {
  const servers: Tmux[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.kill();
  });

  it('shows a secret typed into a note masked, as the log keeps it', async () => {
    const dir = tempDir({ marker: 'ok\n' });
    const incidents = join(dir, 'incidents');
    const secret = `tok-${randomBytes(6).toString('hex')}`;
    const tmux = new Tmux();
    servers.push(tmux);
    const run = tmux.start('sev-note', dir, ['run', DRILL, '--as', 'bob', '--incident-dir', incidents]);
    await run.waitFor(/^\? Service name/m);
    run.keys('Enter');
    await run.waitFor(/^\? API token/m);
    run.type(secret);
    run.keys('Enter');
    await run.waitFor(/^\? Path of the marker file/m);
    run.type(`/note the token ${secret} was in the pager text`);
    // While it is typed, once the whole secret is there, the screen shows it masked.
    await run.waitFor(/^\? Path of the marker file .*\/note the token •+ was in the pager text$/m);
    run.keys('Enter');
    await run.waitFor(/^\? Path of the marker file/m);
    run.keys('C-c');
    expect(await run.exitCode()).toBe(130);
    expect(run.screen()).not.toContain(secret);
    const note = events(incidents).find((e) => e.type === 'note');
    expect(note?.data.text).toBe('the token •••••• was in the pager text');
  });

  it('asks at the terminal about a command an earlier run left running: kill it, then mark it done', async () => {
    const dir = tempDir({ 'answers.yaml': 'steps:\n  before: done\n  post: yes\n' });
    const ledger = join(dir, 'ledger');
    const incidents = join(dir, 'incidents');
    const killed = spawn(
      process.execPath,
      [
        SEV,
        'run',
        ONCE,
        '--answers',
        join(dir, 'answers.yaml'),
        '--set',
        `ledger=${ledger}`,
        '--set',
        'delay=60',
        '--incident-dir',
        incidents,
      ],
      {
        env: { ...process.env, NO_COLOR: '1', CI: 'true', FORCE_COLOR: undefined },
        stdio: 'ignore',
      },
    );
    const deadline = Date.now() + 15_000;
    while (lines(`${ledger}.pids`).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    killed.kill('SIGKILL');
    await new Promise((r) => killed.once('exit', r));
    const pgid = Number(lines(`${ledger}.pids`)[0]!.split(' ')[1]);
    writeFileSync(join(dir, 'answers.yaml'), '');

    const tmux = new Tmux();
    servers.push(tmux);
    const resume = tmux.start('sev-resume', dir, ['resume', '--incident-dir', incidents]);
    const screen = await resume.waitFor(
      new RegExp(
        /is still running \(process group \d+ on .*\)\. It will not be started again beside it\.\n/.source +
          /\? What now\?\n❯ Wait for it to end\n {2}Kill it \(its whole process group\)/.source,
        'm',
      ),
    );
    expect(screen).toContain(`process group ${pgid}`);
    resume.keys('Down', 'Enter');
    await resume.waitFor(
      new RegExp(
        /sev stopped before it ended\. Result unknown: check its effect\.\n/.source +
          /\? What now\?\n❯ Run it again\n {2}Mark it done \(its effect is there\)\n {2}Mark it failed/.source,
        'm',
      ),
    );
    expect(groupAlive(pgid)).toBe(false);
    resume.keys('Down', 'Enter');
    await resume.waitFor(/^Step 3\/3 · verify/m);
    resume.keys('Enter');
    expect(await resume.exitCode()).toBe(0);
    expect(lines(ledger)).toEqual([]);
    const decisions = events(incidents)
      .filter((e) => e.type === 'command.unfinished')
      .map((e) => [e.data.state, e.data.decision]);
    expect(decisions).toEqual([
      ['alive', 'kill'],
      ['gone', 'done'],
    ]);
  });
});
