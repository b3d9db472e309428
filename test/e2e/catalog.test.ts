import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, parseJson, sev, tempDir } from '../helpers.js';

const minimal = readFileSync(join(ROOT, 'test/fixtures/minimal.yaml'), 'utf8');
const withId = (id: string, title = 'Team runbook') =>
  minimal.replace('id: minimal', `id: ${id}`).replace('title: Minimal runbook', `title: ${title}`);

describe('sev list', () => {
  it("lists the team's runbooks with the shipped ones, the team's hiding a shipped one with its id", () => {
    const dir = tempDir({
      'runbooks/payments.yaml': withId('payments-stuck'),
      'runbooks/net.yaml': withId('network', 'Our own network runbook'),
    });
    const r = sev(['list', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { id: string; lang: string; title: string; origin: string; steps: number; severity: string }[];
    const ids = rows.map((x) => x.id);
    // One row per id: a translation is listed among its runbook's languages, not as a row.
    const keys = rows.map((x) => x.id);
    expect(ids).toContain('payments-stuck');
    expect(rows.find((x) => x.id === 'payments-stuck')).toMatchObject({ origin: 'local', steps: 2, severity: 'SEV3' });
    expect(rows.filter((x) => x.id === 'network')).toEqual([
      expect.objectContaining({ origin: 'local', title: 'Our own network runbook' }),
    ]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('refuses a --runbooks directory that does not exist, but not a missing default ./runbooks', () => {
    const r = sev(['list', '--runbooks', join(tempDir(), 'nope')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sev: --runbooks .*nope: no such directory$/m);
    expect(sev(['list', '--json'], { cwd: tempDir() }).code).toBe(0);
  });

  it('prints a table with a row per runbook', () => {
    const dir = tempDir({ 'team/a.yaml': withId('alpha-outage', 'Alpha outage') });
    const r = sev(['--runbooks', join(dir, 'team'), 'list'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/│ alpha-outage\s+│ server-failure\s+│ SEV3\s+│ Alpha outage\s+│\s+2 │/);
  });

  it('marks a runbook with errors instead of failing', () => {
    const dir = tempDir({ 'runbooks/broken.yaml': withId('broken').replace('severity: SEV3', 'severity: SEV9') });
    const r = sev(['list', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(parseJson<{ id: string }[]>(r.stdout).find((x) => x.id === 'broken')).toMatchObject({ errors: 1 });
  });
});

describe('sev show', () => {
  it('shows a runbook by path with its inputs, steps and checks', () => {
    const r = sev(['show', join(ROOT, 'test/fixtures/minimal.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Minimal runbook');
    expect(r.stdout).toMatch(/health_url\s+Health endpoint/);
    expect(r.stdout).toMatch(/1\. confirm-outage \[checks\] ◆ detected/);
    expect(r.stdout).toContain('on failure: continue');
    expect(r.stdout).toContain('$ curl -fsS --max-time 5 "$SEV_HEALTH_URL"');
  });

  it('finds a runbook by id in --runbooks', () => {
    const dir = tempDir({ 'rb/x.yaml': withId('team-thing', 'Team thing') });
    const r = sev(['show', 'team-thing', '--runbooks', join(dir, 'rb')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Team thing (team-thing)');
  });

  it('suggests the nearest id for an unknown one, exit 2', () => {
    const dir = tempDir({ 'rb/x.yaml': withId('payments-stuck') });
    const r = sev(['show', 'payment-stuck', '--runbooks', join(dir, 'rb')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no runbook with id "payment-stuck": did you mean "payments-stuck"?');
    expect(r.stdout).toBe('');
  });

  it('refuses a runbook with errors, printing the validator diagnostics', () => {
    const dir = tempDir({ 'bad.yaml': minimal.replace('checks: [api-health]', 'checks: [api-helth]') });
    const file = join(dir, 'bad.yaml');
    const r = sev(['show', file]);
    expect(r.code).toBe(2);
    const validate = sev(['validate', file]);
    const firstLine = validate.stdout.split('\n')[0]!;
    expect(firstLine).toContain('undefined-check');
    expect(r.stderr).toContain(firstLine);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints the parsed runbook with --json', () => {
    const r = sev(['show', join(ROOT, 'test/fixtures/minimal.yaml'), '--json']);
    const runbook = parseJson<{ steps: { id: string }[]; checks: unknown[] }>(r.stdout);
    expect(runbook.steps.map((s) => s.id)).toEqual(['confirm-outage', 'resolved']);
    expect(runbook.checks[0]).toMatchObject({ name: 'api-health', timeout: '10s', retries: 0 });
  });

  it('says the triage matrix is not a runbook, for show and run alike', () => {
    for (const command of ['show', 'run']) {
      const r = sev([command, join(ROOT, 'runbooks/triage.yaml')], { env: { CI: 'true' } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/triage\.yaml is the triage matrix, not a runbook/);
    }
  });

  it('reports a missing file as a usage error', () => {
    const r = sev(['show', 'nowhere/rb.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')[0]).toBe('sev: nowhere/rb.yaml: no such file');
  });

  it('prints an argument-list command as the confirmation before it runs does, as a shell line that means the same', () => {
    const args = ["it's", 'a b', '$HOME', 'back\\slash', ''];
    const runbook = minimal.replace(
      '    confirm: Does the service answer again?',
      '    confirm: Does the service answer again?\n  - id: print\n    command:\n' +
        `      run: ${JSON.stringify(['printf', '[%s]', ...args])}\n      confirm: false`,
    );
    const dir = tempDir({ 'rb.yaml': runbook });
    const shown = sev(['show', 'rb.yaml'], { cwd: dir, env: { NO_COLOR: '1' } });
    expect(shown.code).toBe(0);
    const line = shown.stdout
      .split('\n')
      .find((l) => l.includes('printf'))!
      .replace(/^\s*\$ /, '');
    expect(line).toBe(`printf '[%s]' 'it'\\''s' 'a b' '$HOME' 'back\\slash' ''`);
    const dry = sev(['run', 'rb.yaml', '--dry-run', '--yes', '--incident-dir', 'inc'], { cwd: dir, env: { NO_COLOR: '1' } });
    expect(dry.stdout + dry.stderr).toContain(line);
    // Pasted into a shell, the line prints each argument as sev passes it.
    const pasted = spawnSync('/bin/sh', ['-c', line], { encoding: 'utf8', env: { HOME: '/home/someone' } });
    expect(pasted.stdout).toBe(args.map((a) => `[${a}]`).join(''));
  });
});
