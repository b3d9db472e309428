import { afterAll, describe, expect, it } from 'vitest';
import { useColor } from '../../src/ui/terminal.js';
import { tempDir } from '../helpers.js';
import { HAS_TMUX, NEEDS_TMUX, Tmux } from '../tmux.js';

const BROKEN = `format: sevkit/v1
id: broken
title: Broken runbook
class: server-failure
severity: SEV3
steps:
  - { id: start, instructions: Look around., next: nowhere }
`;

describe('colour', () => {
  const tty = { isTTY: true };
  it.each([
    [{}, true],
    [{ FORCE_COLOR: '0' }, false],
    [{ FORCE_COLOR: 'false' }, false],
    [{ FORCE_COLOR: '' }, true],
    [{ FORCE_COLOR: '1' }, true],
    [{ NO_COLOR: '1', FORCE_COLOR: '1' }, false],
    [{ CI: 'true' }, false],
  ] as [NodeJS.ProcessEnv, boolean][])('at a terminal with %o: colour %s', (env, expected) => {
    expect(useColor(tty, env)).toBe(expected);
  });

  it('is off when piped, unless FORCE_COLOR asks for it', () => {
    expect(useColor({ isTTY: false }, {})).toBe(false);
    expect(useColor({ isTTY: false }, { FORCE_COLOR: '2' })).toBe(true);
  });
});

describe.skipIf(!HAS_TMUX)(`colour at a real terminal${NEEDS_TMUX}`, () => {
  const tmux = new Tmux();
  afterAll(() => tmux.kill());
  const dir = tempDir({ 'broken.yaml': BROKEN });
  // An SGR sequence such as ESC[31m: what colour looks like in the captured pane.
  const SGR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`);

  it('FORCE_COLOR=0 turns it off, as NO_COLOR does; without either sev colours its findings', async () => {
    const panes = {
      plain: tmux.start('plain', dir, ['validate', 'broken.yaml'], { env: { NO_COLOR: '' } }),
      forcedOff: tmux.start('forced-off', dir, ['validate', 'broken.yaml'], { env: { NO_COLOR: '', FORCE_COLOR: '0' } }),
      noColor: tmux.start('no-color', dir, ['validate', 'broken.yaml']),
    };
    for (const pane of Object.values(panes)) expect(await pane.exitCode()).toBe(1);
    expect(panes.plain.screenWithEscapes()).toMatch(SGR);
    expect(panes.forcedOff.screenWithEscapes()).not.toMatch(SGR);
    expect(panes.noColor.screenWithEscapes()).not.toMatch(SGR);
    expect(panes.forcedOff.screen()).toContain('nowhere');
  });
});
