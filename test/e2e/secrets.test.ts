import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, sev, tempDir } from '../helpers.js';

/** A secret input's value is masked wherever it would appear: the log, the screen, the reports. */

const DRILL = join(ROOT, 'test/fixtures/run/drill.yaml');
const MASK = '••••••';
const SECRET = 'tok-SECRET-42';

interface Event {
  seq: number;
  type: string;
  data: Record<string, unknown>;
}

function theLog(dir: string): { text: string; events: Event[] } {
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  expect(files).toHaveLength(1);
  const text = readFileSync(join(dir, files[0]!), 'utf8');
  return {
    text,
    events: text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Event),
  };
}

describe('a note holding a secret', () => {
  /** The drill, walked from an answers file whose notes name the secret token: a plain note and a TODO (an action item). */
  function walkWithNotes() {
    const dir = tempDir({ marker: 'bad' });
    const incidents = join(dir, 'incidents');
    writeFileSync(
      join(dir, 'answers.yaml'),
      `inputs: { token: ${SECRET} }
steps:
  where: { note: "the token ${SECRET} was used by the deploy", answer: ${join(dir, 'marker')} }
  confirm-outage: continue
  declare: { note: "TODO rotate ${SECRET} today", answer: Some users }
  tell-users: yes
  restart: yes
  wrap-up: yes
`,
    );
    const run = sev(['run', DRILL, '--answers', 'answers.yaml', '--as', 'alice', '--incident-dir', incidents], {
      cwd: dir,
      env: { CI: 'true' },
    });
    return { dir, incidents, run };
  }

  it('is masked in the log and in the postmortem, as a note and as an action item', () => {
    const { dir, incidents, run } = walkWithNotes();
    expect(run.code, run.stderr).toBe(0);
    const log = theLog(incidents);
    expect(log.events.filter((e) => e.type === 'note').map((e) => e.data)).toEqual([
      { text: `the token ${MASK} was used by the deploy`, action: false, step: 'where' },
      { text: `TODO rotate ${MASK} today`, action: false, step: 'declare' },
    ]);
    expect(log.text).not.toContain(SECRET);
    const id = log.events[0] as unknown as { incident: string };
    const postmortem = sev(['postmortem', id.incident, '--incident-dir', incidents], { cwd: dir });
    expect(postmortem.code, postmortem.stderr).toBe(0);
    expect(postmortem.stdout).toMatch(new RegExp(`^\\| 1 \\| rotate ${MASK} today \\| \\| \\| alice, `, 'm'));
    expect(postmortem.stdout).not.toContain(SECRET);
  });

  it('is masked on screen of the scripted run', () => {
    const { run } = walkWithNotes();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`✎ note: the token ${MASK} was used by the deploy`);
    expect(run.stderr).toContain(`✎ note: TODO rotate ${MASK} today`);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });
});

describe("a check's or a command's stderr holding a secret", () => {
  const RUNBOOK = `format: sevkit/v1
id: leaky
title: Leaky
class: server-failure
severity: SEV3
inputs:
  token: { prompt: API token, secret: true }
checks:
  auth:
    run: 'echo "auth refused for token $SEV_TOKEN" >&2; exit 1'
    timeout: 5s
steps:
  - id: look
    checks: [auth]
    on_fail: continue
  - id: retry
    command:
      run: 'echo "retrying with token $SEV_TOKEN" >&2'
      timeout: 5s
`;

  it('is masked in the log and on screen of sev run', () => {
    const dir = tempDir({ 'leaky.yaml': RUNBOOK, 'answers.yaml': `inputs: { token: ${SECRET} }\nsteps: { retry: yes }\n` });
    const incidents = join(dir, 'incidents');
    const r = sev(['run', 'leaky.yaml', '--answers', 'answers.yaml', '--incident-dir', incidents], { cwd: dir, env: { CI: 'true' } });
    expect(r.code, r.stderr).toBe(0);
    const log = theLog(incidents);
    expect(log.events.filter((e) => e.type === 'check.result').map((e) => [e.data.status, e.data.stdout, e.data.stderr])).toEqual([
      ['CRITICAL', '', `auth refused for token ${MASK}\n`],
    ]);
    expect(log.events.filter((e) => e.type === 'command.finished').map((e) => [e.data.ok, e.data.stdout, e.data.stderr])).toEqual([
      [true, '', `retrying with token ${MASK}\n`],
    ]);
    expect(log.text).not.toContain(SECRET);
    // On screen: the check table shows stderr when there is no stdout, the command's result shows its stderr.
    expect(r.stderr).toMatch(new RegExp(`│ auth\\s+│ CRITICAL │ .* │ auth refused for token ${MASK}\\s+│`));
    expect(r.stderr).toContain(`│ retrying with token ${MASK}`);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('is masked in the results of sev check', () => {
    const dir = tempDir({ 'leaky.yaml': RUNBOOK });
    const json = sev(['check', 'leaky.yaml', '--set', `token=${SECRET}`, '--json'], { cwd: dir, env: { CI: 'true' } });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { results: { check: string; stderr: string }[] };
    expect(report.results.map((c) => [c.check, c.stderr])).toEqual([['auth', `auth refused for token ${MASK}\n`]]);
    const table = sev(['check', 'leaky.yaml', '--set', `token=${SECRET}`], { cwd: dir, env: { CI: 'true' } });
    expect(table.stdout).toContain(`auth refused for token ${MASK}`);
    expect(json.stdout + json.stderr + table.stdout + table.stderr).not.toContain(SECRET);
  });
});

describe('expectations are matched against the output as it was', () => {
  // A secret as short as "0" or "1" rewrites ordinary output once masked: a match must not depend on it.
  const runbook = (expect: string) => `format: sevkit/v1
id: judged
title: Judged on the real output
class: data-error
severity: SEV3
inputs:
  pin: { prompt: PIN, secret: true }
checks:
  counts:
    run: 'echo "failed_transfers=0 mismatch=1"'
    expect: { ${expect} }
steps:
  - id: look
    checks: [counts]
    on_fail: continue
    milestone: resolved
`;

  it.each([
    ['stdout: "failed_transfers=0\\\\b"', '0', 'OK'],
    ['stdout_not: "mismatch=1"', '1', 'CRITICAL'],
  ])('%s with the secret %s is %s', (expectation, pin, status) => {
    const dir = tempDir({ 'rb.yaml': runbook(expectation) });
    const json = sev(['check', 'rb.yaml', '--set', `pin=${pin}`, '--json'], { cwd: dir, env: { CI: 'true' } });
    const report = JSON.parse(json.stdout) as { results: { status: string; stdout: string }[] };
    expect(report.results.map((r) => r.status)).toEqual([status]);
    // What is shown is still masked.
    expect(report.results[0]!.stdout).toContain(MASK);
  });
});
