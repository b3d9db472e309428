import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { matchAlert } from '../src/alerts/match.js';
import { classify, type TriageAnswers } from '../src/triage/classify.js';
import { loadMatrix } from '../src/triage/matrix-file.js';
import { isTriageBytes, lintTriageBytes } from '../src/triage/matrix.js';
import { aStringMatching, ROOT, sev, tempDir } from './helpers.js';

const MATRIX = join(ROOT, 'runbooks/triage.yaml');
const matrix = loadMatrix(MATRIX);

const base = {
  functions: ['payment'],
  users: 'few',
  money: 'no',
  data: 'no',
  outside: 'none',
  signal: 'servers',
  duration: 'under-15m',
  peak: 'no',
  public: 'no',
};
const a = (over: Record<string, string | string[]>) => ({ ...base, ...over });

interface Row {
  what: string;
  answers: Record<string, string | string[]>;
  class: string;
  runbook: string;
  severity: string;
  /** The severity rule's `because`. */
  because: RegExp;
  /** Each adjustment that held: from → to. */
  adjusted?: string[];
  page?: string[];
  /** Also asked through bin/sev.js triage --answers --json. */
  cli?: true;
}
const row = (
  what: string,
  answers: Record<string, string | string[]>,
  cls: string,
  severity: string,
  because: RegExp,
  more: Partial<Row> = {},
): Row => ({ what, answers, class: cls, runbook: cls, severity, because, ...more });

// One row per situation: the answers, and the class, runbook, severity and reasons they must give.
const TABLE: Row[] = [
  // Users first: most users hit is at least SEV2 whatever the function; money at risk raises it.
  row(
    'most users cannot pay, servers down',
    a({ users: 'most', functions: ['payment', 'transfer'] }),
    'server-failure',
    'SEV1',
    /most users cannot pay or log in/,
    { cli: true },
  ),
  row(
    'most users hit, no money function (notifications late)',
    a({ users: 'most', functions: ['none'] }),
    'server-failure',
    'SEV2',
    /most users are hit, whatever the function/,
    { cli: true },
  ),
  row(
    'most users hit, no money function, money may be wrong',
    a({ users: 'most', functions: ['none'], money: 'maybe' }),
    'server-failure',
    'SEV1',
    /may be wrong for many users/,
  ),
  row(
    'many users, money may be wrong',
    a({ users: 'many', money: 'maybe', signal: 'unknown' }),
    'server-failure',
    'SEV1',
    /may be wrong for many users/,
  ),
  row('a few users, servers, short', a({}), 'server-failure', 'SEV3', /a few users/),
  row('a host down, nobody affected', a({ users: 'none', functions: ['none'] }), 'server-failure', 'SEV4', /no user is affected/),
  row('many users slow, network', a({ users: 'many', signal: 'network' }), 'network', 'SEV2', /many users are affected/),
  row(
    'DNS, most users cannot log in',
    a({ users: 'most', functions: ['login'], signal: 'network' }),
    'network',
    'SEV1',
    /most users cannot pay or log in/,
  ),
  row('errors after a deploy, a few users', a({ signal: 'release', functions: ['bill-pay'] }), 'software-bug', 'SEV3', /a few users/),
  row(
    'a release that double-debits',
    a({ signal: 'release', money: 'yes', data: 'yes' }),
    'data-error',
    'SEV1',
    /money is wrong or leaving/,
  ),
  row(
    'balances off the ledger, no outage',
    a({ functions: ['none'], users: 'few', data: 'yes', signal: 'data' }),
    'data-error',
    'SEV2',
    /money may be at risk/,
  ),
  row(
    'money maybe wrong, cause unknown, a few users',
    a({ money: 'maybe', signal: 'unknown' }),
    'server-failure',
    'SEV2',
    /money may be at risk/,
  ),
  row('money wrong, cause unknown', a({ money: 'yes', signal: 'unknown' }), 'data-error', 'SEV1', /money is wrong or leaving/),
  row(
    'many users, transfers down 5 hours',
    a({ users: 'many', functions: ['transfer'], duration: 'over-4h' }),
    'server-failure',
    'SEV1',
    /many for over an hour/,
  ),
  row(
    'many users, money wrong',
    a({ users: 'many', money: 'yes', data: 'yes', signal: 'data' }),
    'data-error',
    'SEV1',
    /money is or may be wrong for many users/,
  ),
  row(
    'most users hit, no money function, money wrong',
    a({ users: 'most', functions: ['none'], money: 'yes', signal: 'unknown' }),
    'data-error',
    'SEV1',
    /money is or may be wrong for many users/,
  ),
  row('nothing points anywhere', a({ signal: 'unknown', outside: 'unknown' }), 'server-failure', 'SEV3', /a few users/),
  // Account takeover: one contained account is SEV3, money out or several accounts SEV2, a wave or our systems SEV1.
  row(
    'one account taken over, contained, no money out',
    a({ functions: ['login'], outside: 'takeover-one', signal: 'access' }),
    'security',
    'SEV3',
    /one account taken over, contained/,
    { cli: true },
  ),
  row(
    'one account taken over, money left it',
    a({ functions: ['login'], outside: 'takeover-one', signal: 'access', money: 'yes' }),
    'security',
    'SEV2',
    /money left a taken-over account/,
  ),
  row(
    'one account taken over, money may have left',
    a({ functions: ['login'], outside: 'takeover-one', signal: 'access', money: 'maybe' }),
    'security',
    'SEV2',
    /money left a taken-over account/,
  ),
  row(
    'one account taken over while most users cannot log in: users first',
    a({ users: 'most', functions: ['login'], outside: 'takeover-one', signal: 'access' }),
    'security',
    'SEV1',
    /most users cannot pay or log in/,
  ),
  row(
    'one account taken over while most users see slow statements',
    a({ users: 'most', functions: ['none'], outside: 'takeover-one', signal: 'access' }),
    'security',
    'SEV2',
    /most users are hit/,
  ),
  row(
    'several accounts taken over, no money out',
    a({ functions: ['login'], outside: 'takeover-several', signal: 'access' }),
    'security',
    'SEV2',
    /several accounts taken over/,
  ),
  row(
    'a wave of takeovers',
    a({ functions: ['login'], users: 'few', outside: 'takeover-wave', signal: 'access' }),
    'security',
    'SEV1',
    /a wave of takeovers/,
    { cli: true },
  ),
  row(
    'unknown admin access to our systems',
    a({ functions: ['none'], users: 'none', outside: 'intrusion', signal: 'access' }),
    'security',
    'SEV1',
    /someone in our systems/,
  ),
  row(
    'someone unauthorised, reach not known yet',
    a({ functions: ['login'], outside: 'attacker', signal: 'access' }),
    'security',
    'SEV1',
    /someone in our systems/,
  ),
  row(
    'odd admin actions, attacker not confirmed',
    a({ functions: ['none'], users: 'none', outside: 'unknown', signal: 'access' }),
    'security',
    'SEV2',
    /money may be at risk/,
  ),
  // Third parties: banks and channels, and non-bank vendors.
  row(
    'a bank is down, top-ups fail for many',
    a({ functions: ['top-up'], users: 'many', outside: 'bank', signal: 'partner' }),
    'third-party',
    'SEV2',
    /many users are affected/,
  ),
  row(
    'a channel down, withdrawals of a few users for 2 hours',
    a({ functions: ['withdrawal'], outside: 'bank', signal: 'partner', duration: '1h-4h' }),
    'third-party',
    'SEV2',
    /core money flow has failed for over an hour/,
  ),
  row(
    'a biller down, a few users, short',
    a({ functions: ['bill-pay'], outside: 'bank', signal: 'partner' }),
    'third-party',
    'SEV3',
    /a few users/,
  ),
  row(
    'the SMS/OTP provider fails, many cannot log in',
    a({ functions: ['login'], users: 'many', outside: 'vendor', signal: 'partner' }),
    'third-party',
    'SEV2',
    /many users are affected/,
    { cli: true },
  ),
  row(
    'the KYC provider is down, a few sign-ups fail',
    a({ functions: ['login'], outside: 'vendor', signal: 'unknown' }),
    'third-party',
    'SEV3',
    /a few users/,
  ),
  row(
    'the risk engine is down, most payments refused',
    a({ functions: ['payment'], users: 'most', outside: 'vendor', signal: 'partner' }),
    'third-party',
    'SEV1',
    /most users cannot pay/,
  ),
  // Stale reads are not wrong data; a lost site or database is disaster recovery.
  row(
    'stale balances from replica lag, many users',
    a({ functions: ['none'], users: 'many', data: 'stale', signal: 'servers' }),
    'server-failure',
    'SEV2',
    /many users are affected/,
    { cli: true },
  ),
  row(
    'stale balances that look like a data error',
    a({ functions: ['none'], data: 'stale', signal: 'data', money: 'maybe' }),
    'server-failure',
    'SEV2',
    /money may be at risk/,
  ),
  row(
    'stale balances let users spend twice: money is wrong',
    a({ data: 'stale', signal: 'data', money: 'yes' }),
    'data-error',
    'SEV1',
    /money is wrong or leaving/,
  ),
  row(
    'the primary database is lost',
    a({ users: 'most', functions: ['payment', 'transfer'], signal: 'site-lost', outside: 'unknown' }),
    'disaster-recovery',
    'SEV1',
    /primary database lost/,
    { cli: true },
  ),
  row(
    'a table must be restored from backup, a few users',
    a({ functions: ['none'], data: 'yes', signal: 'site-lost' }),
    'disaster-recovery',
    'SEV1',
    /primary database lost/,
  ),
  // Peak hours raise one level; being in public is at least SEV2 and pages the communications lead.
  row('a few users, servers, at peak', a({ peak: 'yes' }), 'server-failure', 'SEV2', /a few users/, {
    adjusted: ['SEV3 → SEV2'],
    cli: true,
  }),
  row('many users slow on a sales day', a({ users: 'many', signal: 'network', peak: 'yes' }), 'network', 'SEV1', /many users/, {
    adjusted: ['SEV2 → SEV1'],
  }),
  row('SEV1 at peak stays SEV1', a({ users: 'most', peak: 'yes' }), 'server-failure', 'SEV1', /most users cannot pay/, {
    adjusted: ['SEV1 → SEV1'],
  }),
  row(
    'peak hours, but nobody affected',
    a({ users: 'none', functions: ['none'], peak: 'yes' }),
    'server-failure',
    'SEV4',
    /no user is affected/,
  ),
  row(
    'peak hours, one contained takeover',
    a({ functions: ['login'], outside: 'takeover-one', signal: 'access', peak: 'yes' }),
    'security',
    'SEV3',
    /one account taken over/,
  ),
  row('a few users, trending on social media', a({ public: 'yes' }), 'server-failure', 'SEV2', /a few users/, {
    adjusted: ['SEV3 → SEV2'],
    page: ['communications-lead'],
    cli: true,
  }),
  row(
    'nobody affected, but the press asks',
    a({ users: 'none', functions: ['none'], public: 'yes' }),
    'server-failure',
    'SEV2',
    /no user is affected/,
    { adjusted: ['SEV4 → SEV2'], page: ['communications-lead'] },
  ),
  row(
    'one takeover trending on social media',
    a({ functions: ['login'], outside: 'takeover-one', signal: 'access', public: 'yes' }),
    'security',
    'SEV2',
    /one account taken over/,
    { adjusted: ['SEV3 → SEV2'], page: ['communications-lead'] },
  ),
  row('at peak and in public', a({ peak: 'yes', public: 'yes' }), 'server-failure', 'SEV2', /a few users/, {
    adjusted: ['SEV3 → SEV2', 'SEV2 → SEV2'],
    page: ['communications-lead'],
  }),
  row(
    'SEV1 in public stays SEV1, the communications lead is paged',
    a({ money: 'yes', signal: 'data', public: 'yes' }),
    'data-error',
    'SEV1',
    /money is wrong/,
    { adjusted: ['SEV1 → SEV1'], page: ['communications-lead'] },
  ),
];

/** The part of a verdict a row states. */
const shape = (v: {
  class: string;
  runbook: string;
  severity: string;
  reasons: { class: string; severity: string; adjustments: { from: string; to: string }[] };
  page: string[];
}) => ({
  class: v.class,
  runbook: v.runbook,
  severity: v.severity,
  because: v.reasons.severity,
  adjusted: v.reasons.adjustments.map((x) => `${x.from} → ${x.to}`),
  page: v.page,
  classReason: v.reasons.class,
});
const expected = (r: Row) => ({
  class: r.class,
  runbook: r.runbook,
  severity: r.severity,
  because: aStringMatching(r.because),
  adjusted: r.adjusted ?? [],
  page: r.page ?? [],
  classReason: aStringMatching(/\S/),
});

const toAnswers = (raw: Record<string, string | string[]>): TriageAnswers =>
  Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
const toYaml = (raw: Record<string, string | string[]>) =>
  Object.entries(raw)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? `[${v.join(', ')}]` : JSON.stringify(v)}`)
    .join('\n') + '\n';

describe('triage matrix (runbooks/triage.yaml)', () => {
  it.each(TABLE.map((r) => [r.what, r.class, r.severity, r] as const))('%s → %s %s', (_what, _cls, _sev, r) => {
    expect(shape(classify(matrix, toAnswers(r.answers)))).toEqual(expected(r));
  });

  it.each(TABLE.filter((r) => r.cli).map((r) => [r.what, r] as const))('through bin/sev.js triage --answers --json: %s', (_what, r) => {
    const dir = tempDir({ 'answers.yaml': toYaml(r.answers) });
    const out = sev(['triage', '--answers', 'answers.yaml', '--json'], { cwd: dir, env: { CI: 'true' } });
    expect(out.code, out.stderr).toBe(0);
    const verdict = JSON.parse(out.stdout) as Parameters<typeof shape>[0] & { command: string };
    expect(shape(verdict)).toEqual(expected(r));
    expect(verdict.command).toBe(`sev run ${r.runbook} --severity ${r.severity}`);
  });

  it('recommends only runbooks that ship', () => {
    const shipped = sev(['list', '--json'], { cwd: tempDir() });
    const ids = (JSON.parse(shipped.stdout) as { id: string }[]).map((r) => r.id);
    expect(ids).toContain('server-failure');
    const missing = matrix.classes.map((rule) => rule.runbook).filter((id) => !ids.includes(id));
    expect(missing).toEqual([]);
  });

  it('the table answers every question, and reaches every option of the single-choice ones', () => {
    expect(matrix.questions.map((q) => q.id).sort()).toEqual(Object.keys(base).sort());
    for (const q of matrix.questions.filter((q) => !q.multiple && q.id !== 'duration')) {
      const used = new Set(TABLE.flatMap((r) => [r.answers[q.id]].flat()));
      expect(
        q.options.map((o) => o.value).filter((v) => !used.has(v)),
        q.id,
      ).toEqual([]);
    }
  });

  it('reports adjustments that do nothing, have no condition, or raise by a wrong amount, at file:line:col', () => {
    const text = readFileSync(MATRIX, 'utf8')
      .replace('    raise: 1\n', '    raise: 5\n')
      .replace(
        "  - if: { public: 'yes' }\n    at_least: SEV2\n    page: [communications-lead]\n",
        '  - at_least: SEV0\n    page: [Comms Lead]\n',
      )
      .concat("  - if: { peak: 'yes' }\n    because: nothing to do\n");
    const { diagnostics } = lintTriageBytes('m.yaml', Buffer.from(text));
    const lines = text.split('\n');
    const at = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    expect(diagnostics.map((d) => [d.line, d.message])).toEqual([
      [at('raise: 5'), '"raise" must be one of 1, 2, 3; got 5'],
      [at('- at_least: SEV0'), expect.stringContaining('an adjustment needs an "if"')],
      [at('- at_least: SEV0'), '"at_least" must be one of SEV1, SEV2, SEV3, SEV4; got "SEV0"'],
      [at('page: [Comms Lead]'), '"Comms Lead" must be kebab-case: lowercase letters and digits joined by single dashes'],
      [at('because: nothing to do') - 1, expect.stringContaining('an adjustment does something')],
    ]);
  });

  it('reports what its schema says and what only sev validate can (duplicates), each at file:line:col with its rule', () => {
    const text = readFileSync(MATRIX, 'utf8')
      .replace('  - id: users\n', '  - id: functions\n')
      .replace('      - { value: many, label:', '      - { value: most, label:')
      .replace('    because: no user is affected yet\n', "    because: '  '\n");
    const { diagnostics } = lintTriageBytes('m.yaml', Buffer.from(text));
    const lines = text.split('\n');
    const at = (needle: string, from = 0) => lines.findIndex((l, i) => i >= from && l.includes(needle)) + 1;
    const users = at('- id: functions', at('- id: functions'));
    expect(diagnostics.filter((d) => d.line >= users && d.line < users + 7).map((d) => [d.line, d.rule, d.message])).toEqual([
      [users, 'duplicate-key', 'question id "functions" is used twice'],
      [at('{ value: most', at('{ value: most')), 'schema', 'value "most" appears twice in this question'],
    ]);
    expect(diagnostics.filter((d) => d.message.includes('blank')).map((d) => [d.line, d.rule, d.message])).toEqual([
      [at("because: '  '"), 'schema', '"  " must not be blank'],
    ]);
  });

  it('fits its JSON schema (the one editors use)', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'runbooks/triage.schema.json'), 'utf8')) as object;
    // errorMessage and patternErrorMessage are messages for editors: Ajv in strict mode is told of them.
    const validate = new Ajv({ allErrors: true, keywords: ['errorMessage', 'patternErrorMessage'] }).compile(schema);
    expect(validate(parse(readFileSync(MATRIX, 'utf8'))), JSON.stringify(validate.errors)).toBe(true);
  });

  it('is recognised by its format line', () => {
    expect(isTriageBytes(readFileSync(MATRIX))).toBe(true);
    expect(isTriageBytes(readFileSync(join(ROOT, 'runbooks/network.yaml')))).toBe(false);
  });

  it('reports rules naming unknown questions or values at file:line:col, and a default that is not last', () => {
    const text = readFileSync(MATRIX, 'utf8')
      .replace('if: { signal: release }', 'if: { signl: release }')
      .replace('if: { signal: network }', 'if: { signal: netwrk }')
      .replace(
        / {2}- severity: SEV4\n {4}because: no user is affected yet\n/,
        '  - severity: SEV4\n    if: { users: none }\n    because: no user is affected yet\n',
      );
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
    const dir = tempDir({
      'runbooks/triage.yaml': readFileSync(MATRIX, 'utf8').replace('prompt: How long has it lasted?', 'promt: How long has it lasted?'),
    });
    const bad = sev(['validate', join(dir, 'runbooks'), '--format', 'json']);
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as { diagnostics: { rule: string; message: string; line: number }[] };
    expect(report.diagnostics.map((d) => d.message).sort()).toEqual([
      expect.stringContaining('missing required key "prompt"'),
      expect.stringContaining('unknown key "promt"'),
    ]);
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
  const full =
    'functions: [payment, transfer]\nusers: most\nmoney: "no"\ndata: "no"\noutside: none\nsignal: release\nduration: 15m-1h\npeak: "no"\npublic: "no"\n';

  it('--answers --json prints the class, severity, runbook, reasons and the command', () => {
    const { dir, file } = answersFile(full);
    const r = sev(['triage', '--answers', file, '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      class: 'software-bug',
      runbook: 'software-bug',
      severity: 'SEV1',
      command: 'sev run software-bug --severity SEV1',
    });
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
    ['users: most\n', /no answer for "functions", "money".*"peak", "public"/],
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
    const r = sev(['triage', '--answers', 'answers.yaml', '--run', '--run-answers', 'run.yaml', '--as', 'ana', '--incident-dir', 'inc'], {
      cwd: dir,
      env: { CI: 'true' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Start it: sev run drill --severity SEV1');
    const status = JSON.parse(sev(['status', '--json', '--incident-dir', join(dir, 'inc')]).stdout) as {
      runbook: string;
      severity: string;
      status: string;
    }[];
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
    const dir = tempDir({
      'triage-answers.yaml':
        'functions: transfer\nusers: few\nmoney: "yes"\ndata: "yes"\noutside: none\nsignal: data\nduration: 15m-1h\npeak: "no"\npublic: "yes"\n',
    });
    const r = sev(['triage', '--answers', 'triage-answers.yaml'], { cwd: dir, env: { CI: 'true' } });
    const shown = /\$ sev triage --answers triage-answers\.yaml\n([\s\S]*?)```/.exec(section)![1]!;
    expect(r.stdout).toBe(shown);
  });
});

describe('the alert rules of the triage matrix', () => {
  const labels = (alertname: string, more: Record<string, string> = {}) => ({ alertname, ...more });

  it('map common alerts to the shipped runbooks, and leave an unknown one to the questions', () => {
    const got = (l: Record<string, string>) => {
      const m = matchAlert(matrix.alerts, l);
      return m && `${m.runbook} ${m.severity}`;
    };
    expect(got(labels('LedgerImbalance'))).toBe('data-error SEV1');
    expect(got(labels('AdminLoginFromNewCountry'))).toBe('security SEV2');
    expect(got(labels('PostgresPrimaryDown'))).toBe('disaster-recovery SEV1');
    expect(got(labels('BankChannelErrors'))).toBe('third-party SEV2');
    expect(got(labels('HighErrorRate', { severity: 'critical' }))).toBe('server-failure SEV2');
    expect(got(labels('HighErrorRate', { severity: 'warning' }))).toBe('server-failure SEV3');
    expect(got(labels('DnsProbeFailed'))).toBe('network SEV2');
    expect(got(labels('SomethingElse'))).toBeUndefined();
    expect(matrix.alerts.filter((rule) => !rule.because)).toEqual([]);
  });

  it('name only runbooks that ship', () => {
    const shipped = sev(['list', '--json'], { cwd: tempDir() });
    const ids = (JSON.parse(shipped.stdout) as { id: string }[]).map((r) => r.id);
    expect(matrix.alerts.length).toBeGreaterThan(0);
    expect(matrix.alerts.map((rule) => rule.runbook).filter((id) => !ids.includes(id))).toEqual([]);
  });

  it('refuses a pattern RE2 cannot take and a rule without its runbook, at file:line:col', () => {
    const text = readFileSync(MATRIX, 'utf8')
      .replace("alertname: '=~(Ledger|Balance|Reconciliation).*'", "alertname: '=~(?=Ledger).*'")
      .replace('    runbook: security\n', '');
    const { diagnostics } = lintTriageBytes('m.yaml', Buffer.from(text));
    const lines = text.split('\n');
    const at = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    expect(diagnostics.map((d) => [d.line, d.rule, d.message])).toEqual([
      [at('=~(?=Ledger)'), 'invalid-regex', expect.stringContaining('look-aheads such as (?=…) are not supported')],
      [at("- match: { alertname: '=~.*(Login"), 'schema', 'missing required key "runbook"'],
    ]);
  });
});
