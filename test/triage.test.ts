import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { classify, type TriageAnswers } from '../src/triage/classify.js';
import { loadMatrix } from '../src/triage/load.js';
import { isTriageBytes, lintTriageBytes } from '../src/triage/matrix.js';
import { ROOT, sev, tempDir } from './helpers.js';

const MATRIX = join(ROOT, 'runbooks/triage.yaml');
const matrix = loadMatrix(MATRIX);

type Row = [string, Record<string, string | string[]>, string, string];
const base = { functions: ['payment'], users: 'few', money: 'no', data: 'no', outside: 'none', signal: 'servers', duration: 'under-15m' };
const a = (over: Record<string, string | string[]>) => ({ ...base, ...over });

// [what, answers, expected class, expected severity]
const TABLE: Row[] = [
  ['most users cannot pay, servers down', a({ users: 'most', functions: ['payment', 'transfer'] }), 'server-failure', 'SEV1'],
  ['a few users, servers, short', a({}), 'server-failure', 'SEV3'],
  ['a host down, nobody affected', a({ users: 'none', functions: ['none'] }), 'server-failure', 'SEV4'],
  ['many users slow, network', a({ users: 'many', signal: 'network' }), 'network', 'SEV2'],
  ['DNS, most users cannot log in', a({ users: 'most', functions: ['login'], signal: 'network' }), 'network', 'SEV1'],
  ['errors after a deploy, a few users', a({ signal: 'release', functions: ['bill-pay'] }), 'software-bug', 'SEV3'],
  ['a release that double-debits', a({ signal: 'release', money: 'yes', data: 'yes' }), 'data-error', 'SEV1'],
  ['balances off the ledger, no outage', a({ functions: ['none'], users: 'few', data: 'yes', signal: 'data' }), 'data-error', 'SEV2'],
  ['money maybe wrong, cause unknown', a({ money: 'maybe', signal: 'unknown' }), 'server-failure', 'SEV2'],
  ['money wrong, cause unknown', a({ money: 'yes', signal: 'unknown' }), 'data-error', 'SEV1'],
  ['account takeover', a({ functions: ['login'], outside: 'attacker', signal: 'access' }), 'security', 'SEV1'],
  ['odd admin actions, attacker not confirmed', a({ functions: ['none'], users: 'none', outside: 'unknown', signal: 'access' }), 'security', 'SEV2'],
  ['a bank is down, top-ups fail for many', a({ functions: ['top-up'], users: 'many', outside: 'bank', signal: 'partner' }), 'third-party', 'SEV2'],
  ['a channel down, withdrawals of a few users for 2 hours', a({ functions: ['withdrawal'], outside: 'bank', signal: 'partner', duration: '1h-4h' }), 'third-party', 'SEV2'],
  ['a biller down, a few users, short', a({ functions: ['bill-pay'], outside: 'bank', signal: 'partner' }), 'third-party', 'SEV3'],
  ['many users, transfers down 5 hours', a({ users: 'many', functions: ['transfer'], duration: 'over-4h' }), 'server-failure', 'SEV1'],
  ['nothing points anywhere', a({ signal: 'unknown', outside: 'unknown' }), 'server-failure', 'SEV3'],
];

const toAnswers = (raw: Record<string, string | string[]>): TriageAnswers => Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));

describe('triage matrix (runbooks/triage.yaml)', () => {
  it.each(TABLE)('%s → %s %s', (_what, answers, cls, severity) => {
    const verdict = classify(matrix, toAnswers(answers));
    expect({ class: verdict.class, severity: verdict.severity }).toEqual({ class: cls, severity });
    expect(verdict.runbook).toBe(cls);
    expect(verdict.reasons.class).not.toBe('');
  });

  it('recommends only runbooks that ship', () => {
    const shipped = sev(['list', '--json'], { cwd: tempDir() });
    const ids = (JSON.parse(shipped.stdout) as { id: string }[]).map((r) => r.id);
    for (const rule of matrix.classes) expect(ids).toContain(rule.runbook);
  });

  it('fits its JSON schema (the one editors use)', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'runbooks/triage.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true }).compile(schema);
    expect(validate(parse(readFileSync(MATRIX, 'utf8'))), JSON.stringify(validate.errors)).toBe(true);
  });

  it('is recognised by its format line', () => {
    expect(isTriageBytes(readFileSync(MATRIX))).toBe(true);
    expect(isTriageBytes(readFileSync(join(ROOT, 'runbooks/network.yaml')))).toBe(false);
  });

  it('reports rules naming unknown questions or values at file:line:col, and a default that is not last', () => {
    const text = readFileSync(MATRIX, 'utf8')
      .replace("if: { signal: release }", "if: { signl: release }")
      .replace("if: { signal: network }", "if: { signal: netwrk }")
      .replace(/  - severity: SEV4\n    because: no user is affected yet\n/, '  - severity: SEV4\n    if: { users: none }\n    because: no user is affected yet\n');
    const { diagnostics } = lintTriageBytes('m.yaml', Buffer.from(text));
    const lines = text.split('\n');
    const at = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    expect(diagnostics.map((d) => [d.line, d.rule, d.message])).toEqual([
      [at('signl: release'), 'unknown-key', expect.stringContaining('no question is named "signl"')],
      [at('signal: netwrk'), 'schema', expect.stringContaining('question "signal" has no option "netwrk"')],
      [at('- severity: SEV4'), 'schema', expect.stringContaining('the last rule of severities must have no "if"')],
    ]);
  });
});

describe('sev validate and sev list with the matrix', () => {
  it('validate checks the matrix with the runbooks; list leaves it out', () => {
    const dir = tempDir({ 'runbooks/triage.yaml': readFileSync(MATRIX, 'utf8').replace('prompt: How long has it lasted?', 'promt: How long has it lasted?') });
    const bad = sev(['validate', join(dir, 'runbooks'), '--format', 'json']);
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as { diagnostics: { rule: string; message: string; line: number }[] };
    expect(report.diagnostics.map((d) => d.message).sort()).toEqual([expect.stringContaining('missing required key "prompt"'), expect.stringContaining('unknown key "promt"')]);
    writeFileSync(join(dir, 'runbooks/triage.yaml'), readFileSync(MATRIX));
    expect(sev(['validate', join(dir, 'runbooks'), '--strict']).code).toBe(0);
    const list = sev(['list', '--json'], { cwd: dir });
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { file: string }[]).some((r) => r.file.endsWith('triage.yaml'))).toBe(false);
  });
});

describe('sev triage', () => {
  const answersFile = (content: string) => {
    const dir = tempDir({ 'answers.yaml': content });
    return { dir, file: join(dir, 'answers.yaml') };
  };
  const full = 'functions: [payment, transfer]\nusers: most\nmoney: "no"\ndata: "no"\noutside: none\nsignal: release\nduration: 15m-1h\n';

  it('--answers --json prints the class, severity, runbook, reasons and the command', () => {
    const { dir, file } = answersFile(full);
    const r = sev(['triage', '--answers', file, '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ class: 'software-bug', runbook: 'software-bug', severity: 'SEV1', command: 'sev run software-bug --severity SEV1' });
  });

  it('takes labels too (case-insensitive), and prints a readable verdict', () => {
    const { dir, file } = answersFile(full.replace('users: most', 'users: "most or all users (over half)"'));
    const r = sev(['triage', '--answers', file], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Class\s+software-bug — /m);
    expect(r.stdout).toMatch(/^Severity\s+SEV1 — /m);
    expect(r.stdout).toContain('Start it: sev run software-bug --severity SEV1');
  });

  it.each([
    ['', /sev triage asks questions, and there is no terminal/],
    ['users: most\n', /no answer for "functions", "money"/],
    ['users: everyone\n', /answers\.yaml:1:1: "everyone" is not an answer to "users"/],
    ['colour: blue\n', /answers\.yaml:1:1: unknown question "colour"/],
    ['users: [most, few]\n', /"users" takes one answer, got 2/],
  ])('without a terminal, refuses %j with exit 2 and one line', (content, message) => {
    const { dir, file } = answersFile(content);
    const r = sev(content === '' ? ['triage'] : ['triage', '--answers', file], { cwd: dir, env: { CI: 'true' }, input: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a team matrix in --runbooks replaces the shipped one; --run starts the runbook at the derived severity', () => {
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
steps:
  - id: look
    instructions: Look around.
    milestone: resolved
`,
      'answers.yaml': "down: 'yes'\n",
      'run.yaml': 'steps: { look: done }\n',
    });
    const r = sev(['triage', '--answers', 'answers.yaml', '--run', '--run-answers', 'run.yaml', '--as', 'ana', '--incident-dir', 'inc'], { cwd: dir, env: { CI: 'true' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Start it: sev run drill --severity SEV1');
    const status = JSON.parse(sev(['status', '--json', '--incident-dir', join(dir, 'inc')]).stdout) as { runbook: string; severity: string; status: string }[];
    expect(status).toEqual([expect.objectContaining({ runbook: 'drill', severity: 'SEV1', status: 'closed' })]);
  });
});

describe('the README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### `sev triage`'), readme.indexOf('## The incident log'));

  it('shows a matrix example that sev validate accepts', () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(section.slice(section.indexOf('format: sevkit-triage/v1') - 80))![1]!;
    expect(example).toContain('format: sevkit-triage/v1');
    const dir = tempDir({ 'triage.yaml': example });
    const r = sev(['validate', join(dir, 'triage.yaml'), '--strict']);
    expect(r.code, r.stdout).toBe(0);
  });

  it('shows the verdict sev triage really prints for its example answers', () => {
    const dir = tempDir({ 'triage-answers.yaml': 'functions: transfer\nusers: few\nmoney: "yes"\ndata: "yes"\noutside: none\nsignal: data\nduration: 15m-1h\n' });
    const r = sev(['triage', '--answers', 'triage-answers.yaml'], { cwd: dir, env: { CI: 'true' } });
    const shown = /\$ sev triage --answers triage-answers\.yaml\n([\s\S]*?)```/.exec(section)![1]!;
    expect(r.stdout).toBe(shown);
  });
});
