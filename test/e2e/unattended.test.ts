import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MASK } from '../../src/engine/mask.js';
import { OUTPUT_CAP_BYTES } from '../../src/engine/process.js';
import { SEV, sev, tempDir } from '../helpers.js';

const SHIPPED = [
  'server-failure',
  'network',
  'software-bug',
  'data-error',
  'security',
  'third-party',
  'customer-care',
  'disaster-recovery',
];

const events = (dir: string) =>
  readdirSync(dir)
    .filter((n) => n.endsWith('.jsonl'))
    .flatMap((n) => readFileSync(join(dir, n), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });

/** What a person would type for a required input without a default, so the run gets past it to the optional ones. */
const TYPED: Record<string, string> = {
  incident_ref: '20261126T031502Z-server-failure-k3f9',
  what_happened: 'top-ups failed for two hours',
};

/** The shipped runbooks that have inputs neither required nor defaulted, with those inputs, and the values typed for the required ones. */
const WITH_OPTIONAL = SHIPPED.map((id) => {
  const shown = JSON.parse(sev(['show', id, '--json']).stdout) as { inputs: { name: string; required: boolean; default?: string }[] };
  const typed = shown.inputs
    .filter((i) => i.required && i.default === undefined)
    .flatMap((i) => ['--set', `${i.name}=${TYPED[i.name] ?? 'x'}`]);
  return { id, typed, optional: shown.inputs.filter((i) => !i.required && i.default === undefined).map((i) => i.name) };
}).filter((r) => r.optional.length > 0);

describe('scripts never need a terminal for an optional answer', () => {
  it('finds shipped runbooks with optional inputs to try', () => expect(WITH_OPTIONAL.length).toBeGreaterThanOrEqual(5));

  for (const { id, typed, optional } of WITH_OPTIONAL) {
    it(`${id}: an optional input without a default is empty under --yes --dry-run with no terminal`, () => {
      const incidents = tempDir();
      const r = sev(['run', id, '--yes', '--dry-run', '--incident-dir', incidents, ...typed], { input: '' });
      // It may stop at a question only a person can answer (a choice, a required input), never at an optional input.
      for (const name of optional) expect(r.stderr).not.toContain(`input "${name}"`);
      const set = events(incidents)
        .filter((e) => e.type === 'input.set')
        .map((e) => e.data.name);
      for (const name of optional) expect(set).toContain(name);
    });
  }

  it('sev check with no terminal takes an optional input as empty', () => {
    const dir = tempDir({
      'rb.yaml': [
        'format: sevkit/v1',
        'id: opt',
        'title: Optional',
        'class: server-failure',
        'severity: SEV3',
        'inputs:',
        '  password:',
        '    prompt: Password, if the database wants one',
        '    secret: true',
        '    required: false',
        'checks:',
        '  empty:',
        `    run: 'test -z "$SEV_PASSWORD"'`,
        'steps:',
        '  - id: look',
        '    checks: [empty]',
        '    milestone: resolved',
      ].join('\n'),
    });
    const r = sev(['check', join(dir, 'rb.yaml')], { input: '' });
    expect(r.stderr).not.toMatch(/no value for/);
    expect(r.code).toBe(0);
  });
});

describe('secrets are masked before the output is cut', () => {
  it('masks a secret that straddles the capture cap, in the log and on screen', () => {
    const secret = 'TOPSECRET-0123456789';
    const dir = tempDir({
      'rb.yaml': [
        'format: sevkit/v1',
        'id: cap',
        'title: Cap',
        'class: server-failure',
        'severity: SEV3',
        'inputs:',
        '  token:',
        '    prompt: Token',
        '    secret: true',
        'steps:',
        '  - id: print',
        '    command:',
        // The secret begins 6 bytes before the cap: a cut after masking would keep "TOPSEC".
        `      run: 'head -c ${OUTPUT_CAP_BYTES - 6} /dev/zero | tr "\\0" x; printf "%s" "$SEV_TOKEN"; ` +
          `head -c ${OUTPUT_CAP_BYTES - 6} /dev/zero | tr "\\0" y >&2; printf "%s" "$SEV_TOKEN" >&2'`,
        '      changes_state: false',
        '    milestone: resolved',
      ].join('\n'),
    });
    const incidents = join(dir, 'incidents');
    const r = sev(['run', join(dir, 'rb.yaml'), '--yes', '--set', `token=${secret}`, '--incident-dir', incidents]);
    expect(r.code).toBe(0);
    const finished = events(incidents).find((e) => e.type === 'command.finished')!;
    for (const stream of ['stdout', 'stderr'] as const) {
      const text = finished.data[stream] as string;
      expect(text.endsWith(MASK)).toBe(true);
      expect(text).not.toContain(secret.slice(0, 3));
    }
    expect(finished.data.truncated).toEqual(['stdout', 'stderr']);
    const log = readdirSync(incidents)
      .map((n) => readFileSync(join(incidents, n), 'utf8'))
      .join('');
    expect(log).not.toContain('TOPSEC');
    expect(r.stderr + r.stdout).not.toContain('TOPSEC');
  });
});

describe('a broken screen in the middle of a run', () => {
  it('lets the running command finish, then pauses the incident and exits 141 when stderr goes away', async () => {
    const dir = tempDir({
      'rb.yaml': [
        'format: sevkit/v1',
        'id: gone',
        'title: Gone',
        'class: server-failure',
        'severity: SEV3',
        'steps:',
        '  - id: slow',
        '    command:',
        `      run: 'sleep 2; echo posted >> "${'$'}SEV_INCIDENT_ID.done"'`,
        '  - id: after',
        '    instructions: After.',
        '    milestone: resolved',
      ].join('\n'),
    });
    const incidents = join(dir, 'incidents');
    const child = spawn(process.execPath, [SEV, 'run', join(dir, 'rb.yaml'), '--yes', '--incident-dir', incidents], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', CI: 'true', FORCE_COLOR: undefined },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // Read the first lines, then close our end: sev's next write to stderr fails.
    await new Promise<void>((resolve) => child.stderr.once('data', () => resolve()));
    child.stderr.destroy();
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(141);
    const types = events(incidents).map((e) => e.type);
    // The command was not killed halfway: it ended by itself, and only then was the walk paused.
    expect(types.slice(types.indexOf('command.started'))).toEqual([
      'command.started',
      'command.finished',
      'step.completed',
      'step.started',
      'incident.paused',
    ]);
    expect(events(incidents).find((e) => e.type === 'command.finished')?.data.ok).toBe(true);
    expect(events(incidents).find((e) => e.type === 'incident.paused')?.data.reason).toBe('output-closed');
    expect(readdirSync(dir).filter((n) => n.endsWith('.done'))).toHaveLength(1);
  });
});
