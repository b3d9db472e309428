import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEvents, ROOT, sev, tempDir, warnSkipped } from './helpers.js';
import { HAS_TMUX, NEEDS_TMUX, Tmux } from './tmux.js';

/** At a real terminal (tmux): the resolved alert's question, answered no then yes; sev triage --alert offering the start. */

const FIRING = readFileSync(join(ROOT, 'test/fixtures/alerts/firing.json'), 'utf8');
const RESOLVED = FIRING.replaceAll('"status":"firing"', '"status":"resolved"').replace('0001-01-01T00:00:00Z', '2026-12-02T10:42:00Z');
const MATRIX = `format: sevkit-triage/v1
questions:
  - id: money
    prompt: May money be wrong?
    options:
      - { value: 'no', label: 'No' }
      - { value: 'yes', label: 'Yes' }
classes:
  - { class: drill, runbook: drill, because: it is a drill }
severities:
  - { severity: SEV3, because: nothing worse }
alerts:
  - { match: { alertname: DiskFull }, runbook: drill, severity: SEV2, because: the disk of a drill }
`;
const DRILL = `format: sevkit/v1
id: drill
title: Drill
class: drill
severity: SEV3
inputs:
  host:
    prompt: Which host?
    from_alert: labels.instance
steps:
  - id: look
    instructions: Look at {{ host }}.
    confirm: Seen?
    milestone: resolved
`;

if (!HAS_TMUX) warnSkipped('test/alert-interactive.test.ts', 'tmux', 'the interactive sev alert and sev triage --alert in a real terminal');
describe.skipIf(!HAS_TMUX)(`sev alert and sev triage --alert at a terminal (tmux)${NEEDS_TMUX}`, () => {
  const servers: Tmux[] = [];
  afterEach(() => servers.splice(0).forEach((t) => t.kill()));

  it("asks before marking the incident resolved at the alert's end: No by default, yes when typed", async () => {
    const dir = tempDir({ 'firing.json': FIRING, 'resolved.json': RESOLVED, 'answers.yaml': 'steps:\n  look: done\n  resolved: "no"\n' });
    const started = sev(
      [
        'run',
        join(ROOT, 'test/fixtures/alerts/disk-full.yaml'),
        '--alert',
        'firing.json',
        '--answers',
        'answers.yaml',
        '--incident-dir',
        'inc',
      ],
      { cwd: dir },
    );
    expect(started.stderr).toContain('From the alert');
    const log = join(
      dir,
      'inc',
      readdirSync(join(dir, 'inc')).find((f) => f.endsWith('.jsonl'))!,
    );
    const incident = readEvents(log)[0]!.incident;
    const resolved = () => readEvents(log).filter((e) => e.type === 'milestone' && e.data.milestone === 'resolved');
    const tmux = new Tmux();
    servers.push(tmux);

    const no = tmux.start('no', dir, ['alert', incident, 'resolved.json', '--incident-dir', 'inc']);
    await no.waitFor('resolved at 10:42? (y/N)');
    no.keys('Enter');
    expect(await no.exitCode()).toBe(0);
    expect(resolved()).toEqual([]);

    const yes = tmux.start('yes', dir, ['alert', incident, 'resolved.json', '--incident-dir', 'inc']);
    await yes.waitFor('resolved at 10:42? (y/N)');
    yes.type('y');
    yes.keys('Enter');
    expect(await yes.exitCode()).toBe(0);
    expect(resolved().map((e) => e.data.at)).toEqual(['2026-12-02T10:42:00.000Z']);
  }, 60_000);

  it('sev triage --alert shows the recommendation and starts it, the input prefilled, when accepted', async () => {
    const dir = tempDir({ 'firing.json': FIRING, 'runbooks/triage.yaml': MATRIX, 'runbooks/drill.yaml': DRILL });
    const tmux = new Tmux();
    servers.push(tmux);
    const s = tmux.start('triage', dir, ['triage', '--alert', 'firing.json', '--incident-dir', 'inc', '--as', 'ana']);
    const screen = await s.waitFor('Start drill now at SEV2?');
    expect(screen).toMatch(/^Runbook\s+drill — the disk of a drill$/m);
    s.keys('Enter');
    await s.waitFor('Seen?');
    expect(s.screen()).toContain('Look at db-1:9100.');
    s.keys('Enter');
    expect(await s.exitCode()).toBe(0);
    const log = join(
      dir,
      'inc',
      readdirSync(join(dir, 'inc')).find((f) => f.endsWith('.jsonl'))!,
    );
    const events = readEvents(log);
    expect(events[0]!.data).toMatchObject({ severity: 'SEV2', responder: 'ana' });
    expect(events.map((e) => e.type)).toContain('alert.received');
  }, 60_000);
});
