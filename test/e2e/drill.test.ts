import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEV, tempDir } from '../helpers.js';
import { events, runSev, stepEvent } from '../fixtures/wallet/harness.js';
import { DRILL_FIXTURES as FIXTURES, listening, nothingLeft, readState, report, type State } from './drill-harness.js';

// sev drill end to end: a real demo wallet (API process, admin API, PostgreSQL ledger, payments flowing), the
// fault injected, the runbook walked by an answers file with the stand-ins on PATH, the score written.

describe('sev drill server-failure', () => {
  it('lists its scenarios', async () => {
    const dir = tempDir();
    const r = await runSev(['drill', '--list', '--json'], { cwd: dir, incidents: join(dir, 'incidents') });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ runbook: 'server-failure', scenario: 'api-killed' }),
        expect.objectContaining({ runbook: 'server-failure', scenario: 'disk-full' }),
      ]),
    );
  });

  it('api-killed, walked as the runbook says: the API is back, no payment lost or doubled, a perfect score', async () => {
    const dir = tempDir();
    const incidents = join(dir, 'incidents');
    let state: State | undefined;
    const r = await runSev(['drill', 'server-failure', '--seed', '7', '--answers', join(FIXTURES, 'server-failure-api-killed.yaml')], {
      cwd: dir,
      incidents,
      triggers: [{ when: stepEvent('step.started', 'confirm-symptoms'), then: () => void (state = readState(incidents)) }],
    });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toContain('The pager:');
    const first = r.events[0]!;
    expect(first).toMatchObject({ type: 'incident.started', data: { drill: { scenario: 'api-killed', seed: 7 } } });
    const results = (step: string, check: string) =>
      r.events.filter((e) => e.type === 'check.result' && e.data.step === step && e.data.check === check).map((e) => e.data.status);
    // The API process is really gone, and really back after the runbook's restart.
    expect(results('confirm-symptoms', 'api-process')).toEqual(['CRITICAL']);
    expect(results('verify-all', 'api-process')).toEqual(['OK']);
    const md = report(incidents);
    expect(md).toContain('Score: perfect');
    expect(md).toMatch(/Money right \| yes: [1-9]\d* payments acknowledged, 0 lost, 0 booked twice/);
    expect(r.stdout).toContain('Drill report:');
    // The timeline reads a drill's log like any other.
    const t = await runSev(['timeline', first.incident!], { cwd: dir, incidents });
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toContain('restart-service');
    // The history is the incident directory: this drill, by its responder, and the scenario played once.
    const h = await runSev(['drill', '--history', '--json', '--responder', 'drill'], { cwd: dir, incidents });
    expect(h.code, h.stderr).toBe(0);
    const history = JSON.parse(h.stdout) as { drills: { scenario: string; seed: number; perfect: boolean }[]; scenarios: object[] };
    expect(history.drills).toEqual([expect.objectContaining({ scenario: 'api-killed', seed: 7, perfect: true })]);
    expect(history.scenarios).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ scenario: 'api-killed', played: 1, perfect: 1 }),
        expect.objectContaining({ scenario: 'disk-full', played: 0 }),
      ]),
    );
    const nobody = await runSev(['drill', '--history', '--responder', 'someone-else'], { cwd: dir, incidents });
    expect(nobody.stdout).toContain('No drills in');
    expect(state?.apiPid).toBeGreaterThan(0);
    await nothingLeft(state!);
    expect(existsSync(join(incidents, '.drill'))).toBe(false);
  }, 120_000);

  it('disk-full, walked as the runbook says: the old archives move off the disk, the API recovers, a perfect score', async () => {
    const dir = tempDir();
    const incidents = join(dir, 'incidents');
    const r = await runSev(
      ['drill', 'server-failure', '--scenario', 'disk-full', '--answers', join(FIXTURES, 'server-failure-disk-full.yaml')],
      { cwd: dir, incidents },
    );
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const results = (step: string, check: string) =>
      r.events.filter((e) => e.type === 'check.result' && e.data.step === step && e.data.check === check).map((e) => e.data.status);
    expect(results('confirm-symptoms', 'disk-space')).toEqual(['CRITICAL']);
    expect(results('confirm-symptoms', 'api-health')).toEqual(['CRITICAL']);
    expect(results('verify-all', 'disk-space')).toEqual(['OK']);
    const moved = r.events.find((e) => e.type === 'command.finished' && e.data.step === 'free-disk')?.data.stdout;
    expect(moved).toMatch(/api\.log\.1\.gz/);
    const md = report(incidents);
    expect(md).toContain('Score: perfect');
    expect(md).toMatch(/Fault fixed \| yes: the data disk is \d+% full and the API is healthy/);
  }, 120_000);

  it('api-killed without pausing money flows: the score says protect-funds was skipped', async () => {
    const dir = tempDir();
    const incidents = join(dir, 'incidents');
    const r = await runSev(['drill', 'server-failure', '--answers', join(FIXTURES, 'server-failure-api-killed-no-pause.yaml')], {
      cwd: dir,
      incidents,
    });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    const md = report(incidents);
    expect(md).toContain('Score: not perfect');
    expect(md).toContain('| Steps skipped | protect-funds |');
    expect(md).toMatch(/- Step protect-funds: pause money flows/);
  }, 120_000);

  it('SIGKILL mid-drill leaves the wallet behind, which the next drill stops; Ctrl-C stops its own', async () => {
    const dir = tempDir();
    const incidents = join(dir, 'incidents');
    const answers = join(FIXTURES, 'server-failure-api-killed.yaml');
    const start = () =>
      spawn(process.execPath, [SEV, 'drill', 'server-failure', '--answers', answers, '--incident-dir', incidents], {
        cwd: dir,
        env: { ...process.env, CI: 'true', NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const untilWalking = async () => {
      for (let i = 0; i < 600 && !events(incidents).some(stepEvent('step.started', 'confirm-symptoms')); i++)
        await new Promise((r) => setTimeout(r, 50));
    };
    const killed = start();
    await untilWalking();
    const left = readState(incidents);
    killed.kill('SIGKILL');
    await new Promise((r) => killed.once('close', r));
    // The fault has killed the API by then; the ledger's PostgreSQL (its first port) outlives the drill.
    expect(await listening(left.ports[0]!)).toBe(true);
    expect(existsSync(left.pgDir!)).toBe(true);

    const next = start();
    let stderr = '';
    next.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    for (let i = 0; i < 600 && !stderr.includes('payments flowing'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(stderr).toContain('Stopped what an earlier drill left running: PostgreSQL');
    await nothingLeft(left);
    const own = readState(incidents);
    next.kill('SIGINT');
    const code = await new Promise((r) => next.once('close', r));
    expect(code).toBe(130);
    await nothingLeft(own);
  }, 120_000);
});
