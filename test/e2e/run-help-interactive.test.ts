import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, readEvents, tempDir, warnSkipped } from '../helpers.js';
import { HAS_TMUX, NEEDS_TMUX, Tmux } from '../tmux.js';

/** What helps at 3 a.m., in a real terminal: links, /help, /outline, /back, time answers, a command's output live. */

const RUNBOOK = `format: sevkit/v1
id: helpme
title: Help drill
class: server-failure
severity: SEV3
links:
  - { title: Wallet dashboard, url: 'https://grafana.example.com/d/wallet' }
inputs:
  go: { prompt: Go file }
steps:
  - id: look
    title: Look at the dashboard
    instructions: Open the wallet dashboard.
  - id: impact
    input: { name: impact_at, prompt: When did it start?, pattern: '\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2})?Z?|unknown' }
    milestone: impact-started
  - id: migrate
    command:
      run: 'for i in 1 2 3 4 5 6 7 8; do
        echo "line $i of an output that goes on well past the width of any terminal window, eighty or a hundred and forty columns wide,
        because a real migration prints long lines like this one"; done;
        while [ ! -e "$SEV_GO" ]; do sleep 0.05; done; echo finished'
      timeout: 30s
`;

if (!HAS_TMUX)
  warnSkipped('test/e2e/run-help-interactive.test.ts', 'tmux', 'links, /help, /outline, /back and live output in a real terminal');
describe.skipIf(!HAS_TMUX)(`help during an interactive run (tmux)${NEEDS_TMUX}`, () => {
  const servers: Tmux[] = [];
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/cli.js'))) throw new Error('dist/ is missing: run npm run build first');
  });
  afterEach(() => {
    for (const s of servers.splice(0)) s.kill();
  });

  it.each([80, 140])(
    'at %i columns: links at the start, /help, /outline, /back, 09:30 as a time, and the command alive while it runs',
    async (columns) => {
      const dir = tempDir({ 'helpme.yaml': RUNBOOK });
      const go = join(dir, 'go');
      const incidents = join(dir, 'incidents');
      const tmux = new Tmux();
      servers.push(tmux);
      const run = tmux.start('help', dir, ['run', 'helpme.yaml', '--as', 'ana', '--incident-dir', incidents], {
        columns,
        env: { TZ: 'UTC' },
      });
      let screen = await run.waitFor(/^\? Go file/m);
      expect(screen).toMatch(/^Links\n {2}Wallet dashboard: https:\/\/grafana\.example\.com\/d\/wallet$/m);
      run.type(go);
      run.keys('Enter');
      await run.waitFor(/^\? Done\?/m);
      run.keys('Enter');
      await run.waitFor(/^\? When did it start\?/m);

      run.type('/help');
      run.keys('Enter');
      screen = await run.waitFor('/back           go back to the step done before this one');
      expect(screen).toContain(
        'A time may be typed as 09:30 (today, your time zone), 20m ago, now,\nor in full: 2026-11-26T03:12Z (UTC unless an offset follows).',
      );
      run.keys(...Array<string>(5).fill('BSpace'));
      run.type('/outline');
      run.keys('Enter');
      screen = await run.waitFor(/▶ 2\. impact {2}← you are here/);
      expect(screen).toMatch(/✔ 1\. Look at the dashboard \(look\)/);
      expect(screen).toMatch(/^ {4}3\. migrate$/m);
      run.keys(...Array<string>(8).fill('BSpace'));
      run.type('/back');
      run.keys('Enter');
      await run.waitFor('back to look: what was done there stays done');
      await run.waitFor(/Step 1\/3 · look[\s\S]*Step 1\/3 · look[\s\S]*^\? Done\?/m);
      run.keys('Enter');
      await run.waitFor(/(?:When did it start\?[\s\S]*){2}Step 2\/3[\s\S]*^\? When did it start\?/m);

      run.type('half past nine');
      run.keys('Enter');
      await run.waitFor('expected a time: 09:30 (today, UTC), 20m ago, now');
      run.keys(...Array<string>(14).fill('BSpace'));
      run.type('09:30');
      run.keys('Enter');
      const today = new Date().toISOString().slice(0, 10);
      await run.waitFor(`09:30 is ${today}T09:30:00Z`);

      await run.waitFor(/^\? Run it\?/m);
      run.keys('Enter');
      screen = await run.waitFor(/running \d:\d\d · 8 lines/);
      const live = screen.split('\n').filter((l) => /^ {2}│ line \d of/.test(l));
      expect(live.length).toBeGreaterThan(0);
      for (const line of live) {
        expect(line.length, line).toBeLessThan(columns);
        expect(line.endsWith('…'), line).toBe(true);
      }
      expect(screen).not.toContain('✔ done');
      writeFileSync(go, '');
      expect(await run.exitCode()).toBe(0);
      screen = run.screen();
      expect(screen).toMatch(/✔ done \(exit 0/);
      expect(screen).toContain('│ finished');
      // The live area is cleared: the result shows the tail once.
      expect(screen.split('│ line 8 of').length - 1).toBe(1);

      const log = readEvents(join(incidents, readdirOnly(incidents)));
      expect(log.filter((e) => e.type === 'step.jumped').map((e) => e.data)).toEqual([{ step: 'impact', to: 'look', reason: 'back' }]);
      expect(log.find((e) => e.type === 'input.set' && e.data.name === 'impact_at')?.data.value).toBe(`${today}T09:30:00Z`);
      expect(log.find((e) => e.type === 'milestone')?.data).toMatchObject({ milestone: 'impact-started', at: `${today}T09:30:00.000Z` });
    },
  );
});

function readdirOnly(dir: string): string {
  return readdirSync(dir).find((f) => f.endsWith('.jsonl'))!;
}
