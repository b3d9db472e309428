import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, warnSkipped } from './helpers.js';
import { HAS_TMUX, NEEDS_TMUX, Tmux } from './tmux.js';

/** The interactive `sev triage` in a real pseudo-terminal (tmux, installed by .ci/run): questions, verdict, the offer to start. */

const MATRIX = `format: sevkit-triage/v1
questions:
  - id: functions
    prompt: Which functions are down?
    multiple: true
    options:
      - { value: payment, label: Payments }
      - { value: login, label: Login }
  - id: money
    prompt: May money be wrong?
    options:
      - { value: 'no', label: 'No' }
      - { value: 'yes', label: 'Yes' }
classes:
  - { class: drill, runbook: drill, because: it is a drill }
severities:
  - { severity: SEV1, if: { money: 'yes', functions: payment }, because: money wrong in payments }
  - { severity: SEV3, because: nothing worse }
`;
const DRILL = `format: sevkit/v1
id: drill
title: Drill
class: drill
severity: SEV3
steps:
  - id: look
    instructions: Look around.
    confirm: Seen?
    milestone: resolved
`;

if (!HAS_TMUX) warnSkipped('test/triage-interactive.test.ts', 'tmux', 'the interactive sev triage in a real terminal');
describe.skipIf(!HAS_TMUX)(`interactive sev triage in a terminal (tmux)${NEEDS_TMUX}`, () => {
  const servers: Tmux[] = [];
  afterEach(() => servers.splice(0).forEach((t) => t.kill()));

  it('asks each question, shows the verdict, and starts the runbook at the derived severity when accepted', async () => {
    const dir = tempDir({ 'runbooks/triage.yaml': MATRIX, 'runbooks/drill.yaml': DRILL });
    const tmux = new Tmux();
    servers.push(tmux);
    const s = tmux.start('triage', dir, ['triage', '--incident-dir', 'inc', '--as', 'ana']);
    await s.waitFor('Which functions are down?');
    s.keys('Space'); // Payments
    s.keys('Enter');
    await s.waitFor('May money be wrong?');
    s.keys('Down', 'Enter'); // Yes
    let screen = await s.waitFor('Start drill now at SEV1?');
    expect(screen).toMatch(/^Severity\s+SEV1 — money wrong in payments$/m);
    expect(screen).toContain('Start it: sev run drill --severity SEV1');
    s.keys('Enter'); // yes, the default
    await s.waitFor('Seen?');
    s.keys('Enter');
    screen = await s.waitFor(/^EXIT=\d+$/m, 20_000);
    expect(screen).toMatch(/^EXIT=0$/m);
    const log = readdirSync(join(dir, 'inc')).find((f) => f.endsWith('.jsonl'))!;
    const first = JSON.parse(readFileSync(join(dir, 'inc', log), 'utf8').split('\n')[0]!) as {
      data: { severity: string; responder: string };
    };
    expect(first.data).toMatchObject({ severity: 'SEV1', responder: 'ana' });
  }, 60_000);
});
