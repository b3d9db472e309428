import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { ROOT, tempDir, warnSkipped } from '../helpers.js';
import { HAS_TMUX, NEEDS_TMUX, Tmux } from '../tmux.js';

/** A clock falling due in the real interactive `sev run`: the notice at the next prompt, and /update typed there. */

const RUNBOOK = join(ROOT, 'test/fixtures/clocks/clocked.yaml');

interface Event {
  type: string;
  data: Record<string, unknown>;
}

if (!HAS_TMUX) warnSkipped('test/e2e/clocks-interactive.test.ts', 'tmux', 'the due notice and /update in a real terminal');
describe.skipIf(!HAS_TMUX)(`a due clock at an interactive prompt (tmux)${NEEDS_TMUX}`, () => {
  const servers: Tmux[] = [];

  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/cli.js'))) throw new Error('dist/ is missing: run npm run build first');
  });

  afterEach(() => {
    for (const s of servers.splice(0)) s.kill();
  });

  it('tells the responder the status page update is overdue, and /update sends it from an unrelated step', async () => {
    const dir = tempDir();
    const incidents = join(dir, 'incidents');
    const tmux = new Tmux();
    servers.push(tmux);
    const run = tmux.start('sev-clocks', dir, ['run', RUNBOOK, '--as', 'bob', '--incident-dir', incidents]);
    await run.waitFor(/^\? When was it detected\?/m);
    // Detected two hours ago: the status page update (due 30 minutes after detection) is long overdue.
    run.type(new Date(Date.now() - 2 * 3_600_000).toISOString().slice(0, 16) + 'Z');
    run.keys('Enter');

    let screen = await run.waitFor(/^\? Who reported it\? \[\/update \/note/m);
    expect(screen).toMatch(
      /^ {2}! Update the status page is overdue by 1:3[01]:\d\d \(was due .*\): \/update \(or the menu\) sends the update$/m,
    );
    // The draft is shown and the responder decides: not sent leaves the clock running and /update offered.
    run.type('/update');
    run.keys('Enter');
    screen = await run.waitFor(/^\? Copy and send it, then confirm:/m);
    expect(screen).toMatch(/^Announcement to status-page\n {2}│ Update on incident \S+: we are still working on it\.$/m);
    run.keys('Down', 'Enter');
    await run.waitFor(/Update for Update the status page not sent: it is still due\.\n\? Who reported it\? \[\/update \/note/);
    run.type('/update');
    run.keys('Enter');
    await run.waitFor(/^\? Copy and send it, then confirm:/m);
    run.keys('Enter');
    await run.waitFor('Update for Update the status page sent to status-page.');
    // Asked again, now with nothing due: /update is no longer offered.
    await run.waitFor(/Update for Update the status page sent to status-page\.\n\? Who reported it\? \[\/note/);
    run.type('the night shift');
    run.keys('Enter');

    // The announce step (Sent), the instructions (Done) and the confirmation (Yes): the first choice each time.
    await run.waitFor(/^\? Copy and send it, then confirm:/m);
    run.keys('Enter');
    await run.waitFor(/^\? Done\?/m);
    run.keys('Enter');
    await run.waitFor(/^\? Is it fixed\?/m);
    run.keys('Enter');
    expect(await run.exitCode()).toBe(0);

    const [file] = readdirSync(incidents).filter((f) => f.endsWith('.jsonl'));
    const events = readFileSync(join(incidents, file!), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Event);
    const updates = events.filter((e) => e.type === 'announcement' && e.data.clock === 'status-page');
    expect(updates).toHaveLength(1);
    const update = updates[0];
    expect(update?.data).toMatchObject({ step: 'who', audience: 'status-page' });
    const met = events.find((e) => e.type === 'clock.met' && e.data.clock === 'status-page');
    expect(met?.data.lateMs).toBeGreaterThan(89 * 60_000);
  });
});
