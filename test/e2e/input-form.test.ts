import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import stringWidth from 'string-width';
import { afterEach, describe, expect, it } from 'vitest';
import { readEvents, tempDir, warnSkipped } from '../helpers.js';
import { HAS_TMUX, NEEDS_TMUX, Tmux } from '../tmux.js';

/** The inputs with defaults as one list before step 1, in a real terminal: it fits, Enter accepts, N=VALUE edits one. */

if (!HAS_TMUX) warnSkipped('test/e2e/input-form.test.ts', 'tmux', 'the inputs list before step 1 in a real terminal');
describe.skipIf(!HAS_TMUX)(`the inputs list of sev run (tmux)${NEEDS_TMUX}`, () => {
  const servers: Tmux[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.kill();
  });

  it.each([80, 140])('at %i columns: the list fits, one value edited with 12=app2, Enter accepts the rest', async (columns) => {
    const dir = tempDir();
    const incidents = join(dir, 'incidents');
    const tmux = new Tmux();
    servers.push(tmux);
    const run = tmux.start('form', dir, ['run', 'server-failure', '--as', 'ana', '--incident-dir', incidents], { columns });
    const screen = await run.waitFor(/^\? Enter accepts all; a number changes one/m);
    const list = screen.slice(screen.indexOf('Inputs (* changed)'), screen.indexOf('? Enter accepts all'));
    const rows = list.split('\n').filter((l) => /^ +\d+[ *] /.test(l));
    expect(rows).toHaveLength(16);
    for (const line of list.split('\n')) expect(stringWidth(line), line).toBeLessThan(columns);
    // Wider, the descriptions are cut less.
    const appServer = rows.find((l) => l.includes('app_server'))!;
    expect(appServer).toMatch(columns === 80 ? /HAProxy server name of the fa…$/ : /HAProxy server name of the failing app host/);

    run.type('12=app2');
    run.keys('Enter');
    await run.waitFor(/^ {2}12\* app_server +app2 /m);
    run.keys('Enter');
    // The secret without a default is asked on its own, after the list.
    await run.waitFor(/^\? Password of that database user/m);
    run.keys('Enter');
    await run.waitFor(/^\? When did users start to be affected\?/m);
    run.keys('C-c');
    expect(await run.exitCode()).toBe(130);

    const [log] = readdirSync(incidents).filter((f) => f.endsWith('.jsonl'));
    const inputs = readEvents<{ type: string; data: { name: string; value?: string } }>(join(incidents, log!))
      .filter((e) => e.type === 'input.set')
      .map((e) => [e.data.name, e.data.value]);
    expect(inputs).toContainEqual(['app_server', 'app2']);
    expect(inputs).toContainEqual(['lb_backend', 'wallet_api']);
    expect(inputs).toContainEqual(['health_url', 'http://127.0.0.1:8080/health']);
    expect(inputs.filter(([name]) => name === 'app_server')).toHaveLength(1);
  });
});
