import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, sev, tempDir } from '../helpers.js';

/** A dry run executes nothing, from its start to its end, whichever way it was started or continued. */

const DRILL = join(ROOT, 'test/fixtures/run/drill.yaml');

interface Event {
  seq: number;
  type: string;
  data: Record<string, unknown>;
}

function eventsIn(dir: string): Event[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  expect(files).toHaveLength(1);
  return readFileSync(join(dir, files[0]!), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Event);
}

describe('a dry run', () => {
  it('paused and resumed with sev resume stays a dry run: no command runs, checks are SKIPPED', () => {
    const dir = tempDir({ marker: 'bad' });
    const marker = join(dir, 'marker');
    const incidents = join(dir, 'incidents');
    const env = { CI: 'true' };
    writeFileSync(
      join(dir, 'first.yaml'),
      `inputs: { token: t }\nsteps: { where: ${marker}, confirm-outage: continue, declare: { pause: yes } }\n`,
    );
    const first = sev(['run', DRILL, '--answers', 'first.yaml', '--dry-run', '--incident-dir', incidents], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('Paused at step declare');
    expect(eventsIn(incidents).at(-1)).toMatchObject({ type: 'incident.paused', data: { step: 'declare' } });

    writeFileSync(
      join(dir, 'rest.yaml'),
      'inputs: { token: t }\nsteps: { declare: Some users, tell-users: yes, restart: yes, wrap-up: yes }\n',
    );
    const resumed = sev(['resume', '--answers', 'rest.yaml', '--incident-dir', incidents], { cwd: dir, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/walked to the end \(dry run\)/);
    expect(resumed.stderr).toContain('This command would run (dry run: nothing is executed):\n  $ echo restarting');
    expect(resumed.stderr).toContain('dry run: not run');
    expect(resumed.stderr).toContain('· DRY RUN');

    const events = eventsIn(incidents);
    expect(events[0]).toMatchObject({ type: 'incident.started', data: { dryRun: true } });
    const resumedAt = events.findIndex((e) => e.type === 'incident.resumed');
    expect(resumedAt).toBeGreaterThan(0);
    const after = events.slice(resumedAt);
    // The restart step and the wait for recovery came after the resume: neither ran anything.
    expect(after.filter((e) => e.type === 'step.started').map((e) => e.data.step)).toEqual([
      'declare',
      'tell-users',
      'restart',
      'verify',
      'wrap-up',
    ]);
    expect(events.some((e) => e.type === 'command.started' || e.type === 'command.finished')).toBe(false);
    expect(after.filter((e) => e.type === 'step.answered' && e.data.step === 'restart').map((e) => e.data.answer)).toEqual([
      'dry run: command not run',
    ]);
    const checksAfter = after.filter((e) => e.type === 'check.result');
    expect(checksAfter.map((e) => e.data.check)).toEqual(['healthy']);
    expect(events.filter((e) => e.type === 'check.result').map((e) => e.data.status)).toEqual(['SKIPPED', 'SKIPPED', 'SKIPPED']);
    expect(events.at(-1)).toMatchObject({ type: 'incident.closed', data: { outcome: 'completed' } });
    expect(readFileSync(marker, 'utf8')).toBe('bad');
  });

  it('started by sev triage --run --dry-run is a dry run: nothing is executed', () => {
    const dir = tempDir({
      'runbooks/triage.yaml': `format: sevkit-triage/v1
questions:
  - id: down
    prompt: Is it down?
    options: [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }]
classes:
  - { class: drill, runbook: drill, because: always the drill }
severities:
  - { severity: SEV1, if: { down: 'yes' }, because: it is down }
  - { severity: SEV4, because: it is not }
`,
      'runbooks/drill.yaml': `format: sevkit/v1
id: drill
title: Drill
class: drill
severity: SEV3
checks:
  up: { run: 'touch checked; exit 0', timeout: 5s }
steps:
  - id: look
    checks: [up]
  - id: restart
    command: { run: 'touch restarted', timeout: 5s }
    milestone: mitigated
`,
      'answers.yaml': "down: 'yes'\n",
      'run.yaml': 'steps: { restart: yes }\n',
    });
    const r = sev(
      ['triage', '--answers', 'answers.yaml', '--run', '--dry-run', '--run-answers', 'run.yaml', '--as', 'ana', '--incident-dir', 'inc'],
      { cwd: dir, env: { CI: 'true' } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('DRY RUN: nothing will be executed');
    const events = eventsIn(join(dir, 'inc'));
    expect(events[0]).toMatchObject({ type: 'incident.started', data: { dryRun: true, severity: 'SEV1', responder: 'ana' } });
    expect(events.some((e) => e.type === 'command.started')).toBe(false);
    expect(events.filter((e) => e.type === 'check.result').map((e) => e.data.status)).toEqual(['SKIPPED']);
    expect(readdirSync(dir).filter((f) => f === 'checked' || f === 'restarted')).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'incident.closed', data: { outcome: 'completed' } });
  });
});
