import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anInstanceOf, aStringMatching, ROOT, sev, tempDir } from '../helpers.js';

// The runbook's status-page clock starts at the detected milestone, which the answers date two hours back:
// it is overdue from the start, missed, and met late by the update the answers send. The policy's
// user-updates clock starts at the announcement to users and is still open when the run pauses.
const RUNBOOK = join(ROOT, 'test/fixtures/clocks/clocked.yaml');

interface Event {
  type: string;
  data: Record<string, unknown>;
}

function workspace() {
  const dir = tempDir();
  const incidents = join(dir, 'incidents');
  const run = (args: string[]) => sev([...args, '--incident-dir', incidents], { cwd: dir, env: { CI: 'true' } });
  const answers = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const events = (): Event[] => {
    const [file] = readdirSync(incidents).filter((f) => f.endsWith('.jsonl'));
    return readFileSync(join(incidents, file!), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Event);
  };
  return { run, answers, events };
}

const twoHoursAgo = () => new Date(Date.now() - 2 * 3_600_000).toISOString().slice(0, 16) + 'Z';

describe('clocks through sev run, status, timeline and postmortem', () => {
  it('sends the update a clock is overdue for from an answers file, shows the open clock in status, reports every round', () => {
    const w = workspace();
    const first = w.answers(
      'first.yaml',
      `clocks: { status-page: send }\nsteps:\n  since: '${twoHoursAgo()}'\n  who: the night shift\n  tell: sent\n  look: { pause: yes }\n`,
    );
    const r = w.run(['run', RUNBOOK, '--answers', first]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/! Update the status page is overdue by 1:3[01]:\d\d .*: the answers send its update/);
    expect(r.stderr).toMatch(/⏱ Update users: due in (29|30):\d\d/);
    const clockEvents = w.events().filter((e) => e.type.startsWith('clock.') || e.type === 'announcement');
    expect(clockEvents.map((e) => [e.type, e.data.clock ?? e.data.audience])).toEqual([
      ['clock.started', 'status-page'],
      ['clock.missed', 'status-page'],
      ['announcement', 'status-page'],
      ['clock.met', 'status-page'],
      ['announcement', 'users'],
      ['clock.started', 'user-updates'],
    ]);
    expect(clockEvents[2]!.data).toMatchObject({
      step: 'who',
      audience: 'status-page',
      clock: 'status-page',
      message: aStringMatching(/^Update on incident /),
    });
    expect(clockEvents[3]!.data.lateMs).toBeGreaterThan(89 * 60_000);

    const status = w.run(['status', '--json']);
    expect(status.code).toBe(0);
    const [row] = JSON.parse(status.stdout) as { status: string; clocks: Record<string, unknown>[] }[];
    expect(row!.status).toBe('paused');
    expect(row!.clocks).toEqual([
      {
        clock: 'user-updates',
        title: 'Update users',
        audience: 'users',
        due: anInstanceOf(String),
        dueInSeconds: anInstanceOf(Number),
        overdue: false,
      },
    ]);
    expect(row!.clocks[0]!.dueInSeconds).toBeGreaterThan(25 * 60);
    expect(w.run(['status']).stdout).toMatch(/Clocks due:\n.*\n\s+⏱ Update users: due in \d+:\d\d/);

    const rest = w.answers('rest.yaml', 'steps: { look: done, fix: yes }\n');
    expect(w.run(['resume', '--answers', rest]).code).toBe(0);
    // The resolved milestone ends the update cadence: closed, the incident owes no clock in status.
    expect(
      w
        .events()
        .filter((e) => e.type === 'clock.stopped')
        .map((e) => e.data),
    ).toEqual([{ clock: 'user-updates', by: 'milestone resolved', at: anInstanceOf(String) }]);
    expect((JSON.parse(w.run(['status', '--json']).stdout) as { clocks: unknown[] }[])[0]!.clocks).toEqual([]);

    const json = JSON.parse(w.run(['timeline', 'clocked', '--format', 'json']).stdout) as {
      metrics: { clocks: { onTime: unknown; rounds: { clock: string; outcome: string }[] } };
    };
    expect(json.metrics.clocks.onTime).toEqual({ met: 0, total: 1 });
    expect(json.metrics.clocks.rounds.map((i) => [i.clock, i.outcome])).toEqual([
      ['status-page', 'late'],
      ['user-updates', 'ended'],
    ]);
    const postmortem = w.run(['postmortem', 'clocked']).stdout;
    expect(postmortem).toContain('| Updates on time | 0/1 |');
    expect(postmortem).toMatch(
      /\| Update the status page \(`status-page`\) \| .* \| \*\*met .*, 1h 3[01]m \d\ds late \(announcement to status-page\)\*\* \|/,
    );
  });

  it('refuses an answers file that names a clock the incident does not keep', () => {
    const w = workspace();
    const answers = w.answers('typo.yaml', 'clocks: { status-pag: send }\n');
    const r = w.run(['run', RUNBOOK, '--answers', answers]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the incident keeps no clock "status-pag": did you mean "status-page"\?/);
  });
});
