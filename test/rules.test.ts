import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../src/runbook/diagnostic.js';
import { lintBytes, lintFiles } from '../src/lint/files.js';
import { READ_RULES, RULES } from '../src/runbook/rules/index.js';
import { TRANSLATION_RULES } from '../src/runbook/rules/translation.js';
import { MAX_RUNBOOK_BYTES } from '../src/runbook/source.js';
import { aStringContaining, type Run, sev, tempDir } from './helpers.js';

// ---------------------------------------------------------------------------------------------------------
// A small valid runbook, and variants of it. The header is always lines 1-5, so `steps:` is line 6.
// ---------------------------------------------------------------------------------------------------------

const HEAD = `format: sevkit/v1
id: base
title: Base runbook
class: server-failure
severity: SEV3
`;
const DONE = `  - id: done
    confirm: Is it fixed?
    milestone: resolved
`;
/** The header, then `body` from line 6 on (a leading newline is dropped so bodies read as written). */
const doc = (body: string) => HEAD + body.replace(/^\n/, '');
/** The header, then `steps:` (line 6) with `step` from line 7 on, followed by the resolved step `done`. */
const start = (step: string) => doc(`steps:\n${step.replace(/^\n/, '')}\n${DONE}`);
const BASE = start(`
  - id: start
    instructions: Look at the dashboard.`);

const bytes = (text: string) => new TextEncoder().encode(text);
/** Bytes from text and raw byte values, e.g. concat('caf', [0xe9]). */
const concat = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Uint8Array.from(p))));
/** `text` padded with a comment line to exactly `size` bytes. */
const padded = (text: string, size: number) => `${text}#${'x'.repeat(size - Buffer.byteLength(text) - 2)}\n`;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const show = (ds: Diagnostic[]) => ds.map((d) => `${d.line}:${d.col} ${d.severity} [${d.rule}] ${d.message}`);
/** The `file:line:col: severity: message [rule]` lines of `sev validate` text output. */
const findingLines = (r: Run) => r.stdout.split('\n').filter((l) => /:\d+:\d+: (error|warning): /.test(l));

/** "Billion laughs": 9 levels, each a list of 9 aliases of the level below (9^9 strings once expanded). */
function aliasBomb(): string {
  const names = 'abcdefghij';
  const lines = [`a: &a [${Array(9).fill('lol').join(', ')}]`];
  for (let i = 1; i <= 9; i++)
    lines.push(
      `${names[i]}: &${names[i]} [${Array(9)
        .fill(`*${names[i - 1]}`)
        .join(', ')}]`,
    );
  return lines.join('\n') + '\n';
}

/**
 * Lints one runbook through the module; with `first`, lints it as the second of two files (for cross-file
 * rules); with `runbook` too, after that runbook (which a translation in `first` and `input` may translate).
 */
function lint(input: string | Uint8Array, first?: string, runbook?: string): Diagnostic[] {
  const data = typeof input === 'string' ? bytes(input) : input;
  if (first === undefined) return lintBytes('runbook.yaml', data).diagnostics;
  const dir = tempDir({ 'a.yaml': first, 'b.yaml': data, ...(runbook === undefined ? {} : { 'r.yaml': runbook }) });
  const files = [join(dir, 'a.yaml'), join(dir, 'b.yaml')];
  const results = lintFiles(runbook === undefined ? files : [join(dir, 'r.yaml'), ...files]);
  return results.at(-1)!.diagnostics;
}

// ---------------------------------------------------------------------------------------------------------
// One case per rule: a runbook that triggers it, where it points, and a close variant that does not.
// ---------------------------------------------------------------------------------------------------------

interface Case {
  rule: string;
  severity: 'error' | 'warning';
  bad: string | Uint8Array;
  /** Line, column, and the text found there in `bad` ('' when the file has no text to point into). */
  at: [line: number, col: number, text: string];
  message: string;
  /** The close variant: `bad` with every `from` replaced by `to`, or a whole file. It must lint clean. */
  fix: [from: string, to: string] | { good: string | Uint8Array };
  /** Other rules the bad runbook is expected to trigger as well. */
  also?: string[];
  /** Lint as the second of two files, after this one. */
  first?: string;
  /** With `first`: a runbook linted before both. */
  runbook?: string;
}

/** A complete German translation of BASE: line 2 names the runbook, steps: is line 5, start: line 6, done: line 8. */
const TR = `format: sevkit-translation/v1
translates: base
lang: de
title: Grundlage
steps:
  start:
    instructions: Schau aufs Dashboard.
  done:
    confirm: Ist es behoben?
`;

const CHECKED = `checks:
  api-health:
    run: curl -fsS http://127.0.0.1:8080/health
`;

/** A secret input, shown in the instructions and passed to a command's env (the right place: env is not shown). */
const secretShown = (instructions: string, auth: string) =>
  doc(`
inputs:
  token:
    prompt: API token
    secret: true
steps:
  - id: start
    instructions: ${instructions}
    command:
      run: curl -H "$AUTH" http://127.0.0.1:8080/
      env: { AUTH: "${auth}" }
${DONE}`);

const CASES: Case[] = [
  // Read rules: found while reading the file, before any semantic rule can run.
  {
    rule: 'encoding',
    severity: 'error',
    at: [1, 1, ''],
    message: 'binary file (contains a NUL byte)',
    bad: concat('format: sevkit/v1\nid: ba', [0], 'se\n'),
    fix: { good: BASE },
  },
  {
    rule: 'file-too-large',
    severity: 'error',
    at: [1, 1, ''],
    message: 'file is 2.0 MB, over the 2.0 MB limit',
    bad: padded(BASE, MAX_RUNBOOK_BYTES + 1),
    fix: { good: padded(BASE, MAX_RUNBOOK_BYTES) },
  },
  {
    rule: 'empty-file',
    severity: 'error',
    at: [1, 1, ''],
    message: 'file is empty',
    bad: '',
    fix: { good: BASE },
  },
  {
    rule: 'yaml-syntax',
    severity: 'error',
    at: [3, 8, '"Base'],
    message: 'Missing closing "quote (the string opened here is never closed)',
    bad: BASE.replace('title: Base runbook', 'title: "Base runbook'),
    fix: ['"Base runbook', '"Base runbook"'],
  },
  {
    rule: 'duplicate-key',
    severity: 'error',
    at: [4, 1, 'title: Again'],
    message: 'duplicate key: each key may appear once',
    bad: BASE.replace('class:', 'title: Again\nclass:'),
    fix: ['title: Again', 'summary: Again'],
  },
  {
    rule: 'multiple-documents',
    severity: 'error',
    at: [12, 1, '---'],
    message: 'more than one YAML document',
    bad: `${BASE}---\n${BASE}`,
    fix: { good: `---\n${BASE}...\n` },
  },
  {
    rule: 'yaml-alias-limit',
    severity: 'error',
    at: [1, 1, 'a: &a'],
    message: 'too many alias expansions (over 100)',
    bad: aliasBomb(),
    fix: { good: BASE.replace('Look at the dashboard.', '&look Look.').replace('Is it fixed?', '*look') },
  },
  {
    rule: 'schema',
    severity: 'error',
    at: [5, 11, 'SEV5'],
    message: '"severity" must be one of SEV1, SEV2, SEV3, SEV4; got "SEV5"',
    bad: BASE.replace('SEV3', 'SEV5'),
    fix: ['SEV5', 'SEV4'],
  },
  {
    rule: 'schema',
    severity: 'error',
    at: [1, 1, 'format'],
    message: 'missing required key "title"',
    bad: BASE.replace('title: Base runbook\n', ''),
    fix: { good: BASE },
  },
  {
    rule: 'unknown-key',
    severity: 'error',
    at: [6, 1, 'summery'],
    message: 'unknown key "summery": did you mean "summary"?',
    bad: BASE.replace('steps:', 'summery: Use it when the API is down.\nsteps:'),
    fix: ['summery', 'summary'],
  },
  {
    rule: 'unknown-key',
    severity: 'error',
    at: [8, 5, 'instructoins'],
    message: 'unknown key "instructoins": did you mean "instructions"?',
    bad: BASE.replace('instructions', 'instructoins'),
    fix: ['instructoins', 'instructions'],
    also: ['multiple-actions'],
  },
  {
    rule: 'duplicate-runbook-id',
    severity: 'error',
    at: [2, 5, 'base'],
    message: 'runbook id "base" is also used by',
    first: BASE,
    bad: BASE,
    fix: { good: TR }, // a translation names the id it translates: no clash
  },
  // Translations: the schema, then the rules that compare one with the runbook it translates.
  {
    rule: 'unknown-key',
    severity: 'error',
    at: [9, 5, 'run'],
    message: 'unknown key "run" (allowed: title, instructions, confirm, choice, input, announce)',
    bad: TR.replace('  done:\n', '  done:\n    run: psql -c "delete from ledger_entries"\n'),
    fix: { good: TR },
  },
  {
    rule: 'translation-without-runbook',
    severity: 'error',
    at: [2, 13, 'bsae'],
    message: 'no runbook has the id "bsae"',
    first: BASE,
    bad: TR.replace('translates: base', 'translates: bsae'),
    fix: ['bsae', 'base'],
  },
  {
    rule: 'stray-translation-key',
    severity: 'error',
    at: [10, 3, 'restart'],
    message: 'base has no step "restart": remove "restart" or correct it',
    first: BASE,
    bad: `${TR}  restart:\n    title: Neu starten\n`,
    fix: { good: TR },
  },
  {
    rule: 'missing-translation',
    severity: 'warning',
    at: [5, 1, 'steps'],
    message: "no de text for steps.done.confirm: the runbook's own text is shown",
    first: BASE,
    bad: TR.replace('  done:\n    confirm: Ist es behoben?\n', ''),
    fix: { good: TR },
  },
  {
    rule: 'outdated-translation',
    severity: 'warning',
    at: [10, 18, '"1.0.0"'],
    message: 'written for version 1.0.0 of base, which is at version 1.1.0 now',
    first: BASE.replace('severity: SEV3', 'severity: SEV3\nversion: "1.1.0"'),
    bad: `${TR}runbook_version: "1.0.0"\n`,
    fix: ['"1.0.0"', '"1.1.0"'],
  },
  {
    rule: 'duplicate-translation',
    severity: 'error',
    at: [3, 7, 'de'],
    message: 'translates "base" into de too: keep one translation per language',
    runbook: BASE,
    first: TR,
    bad: TR,
    fix: ['lang: de', 'lang: fr'],
  },
  {
    rule: 'undefined-input',
    severity: 'error',
    at: [7, 19, 'Schau'],
    message: '{{ hots }} is not an input or a fact of the incident',
    first: BASE,
    bad: TR.replace('Schau aufs Dashboard.', 'Schau auf {{ hots }}.'),
    fix: ['{{ hots }}', '{{ incident.id }}'],
  },
  {
    rule: 'unknown-rule',
    severity: 'warning',
    at: [8, 62, 'unsued-input'],
    message: 'sev-disable-line names unknown rule "unsued-input"',
    bad: BASE.replace('dashboard.', 'dashboard.  # sev-disable-line unsued-input'),
    fix: ['unsued-input', 'unused-input'],
  },

  // Semantic rules.
  {
    rule: 'duplicate-step-id',
    severity: 'error',
    at: [9, 9, 'start'],
    message: 'step id "start" is already used by step 1',
    bad: start(`
  - id: start
    instructions: Look at the dashboard.
  - id: start
    instructions: Look at the logs.`),
    fix: ['id: start\n    instructions: Look at the logs', 'id: logs\n    instructions: Look at the logs'],
  },
  {
    rule: 'duplicate-step-id',
    severity: 'error',
    at: [7, 9, 'end'],
    message: 'step id "end" is reserved',
    bad: BASE.replace('id: start', 'id: end'),
    fix: ['id: end', 'id: ending'],
  },
  {
    rule: 'unknown-step',
    severity: 'error',
    at: [9, 11, 'dome'],
    message: 'no step has the id "dome": did you mean "done"?',
    bad: start(`
  - id: start
    instructions: Look at the dashboard.
    next: dome`),
    fix: ['dome', 'done'],
    also: ['unreachable-step'],
  },
  {
    rule: 'unreachable-step',
    severity: 'warning',
    at: [10, 9, 'orphan'],
    message: 'step "orphan" can never be reached from the first step',
    bad: start(`
  - id: start
    instructions: Look at the dashboard.
    next: done
  - id: orphan
    instructions: Nobody comes here.`),
    fix: ['next: done', 'next: orphan'],
  },
  {
    rule: 'loop-without-exit',
    severity: 'error',
    at: [7, 9, 'start'],
    message: 'steps start → check loop with no way to the end',
    bad: start(`
  - id: start
    instructions: Restart the API.
  - id: check
    instructions: Look again.
    next: start`),
    fix: ['instructions: Look again.', 'confirm: { question: Still down?, on_no: { goto: done } }'], // the loop stays, with an exit
    also: ['unreachable-step'],
  },
  {
    rule: 'multiple-actions',
    severity: 'error',
    at: [9, 5, 'announce'],
    message: 'step "start" has both confirm and announce',
    bad: start(`
  - id: start
    confirm: Ready?
    announce: { audience: users, message: We are on it. }`),
    fix: ['    confirm: Ready?\n', ''],
  },
  {
    rule: 'multiple-actions',
    severity: 'error',
    at: [7, 9, 'start'],
    message: 'step "start" has nothing to do',
    bad: BASE.replace('    instructions: Look at the dashboard.\n', ''),
    fix: { good: BASE },
  },
  {
    rule: 'undefined-check',
    severity: 'error',
    at: [11, 14, 'api-helth'],
    message: 'no check is named "api-helth": did you mean "api-health"?',
    bad: doc(`${CHECKED}steps:
  - id: start
    checks: [api-helth]
${DONE}`),
    fix: ['api-helth', 'api-health'],
  },
  {
    rule: 'undefined-input',
    severity: 'error',
    at: [11, 19, 'Open'],
    message: '{{ helth_url }} is not an input or a fact of the incident: did you mean {{ health_url }}?',
    bad: doc(`
inputs:
  health_url:
    prompt: Health endpoint
steps:
  - id: start
    instructions: Open {{ helth_url }} or {{ health_url }}.
${DONE}`),
    fix: ['helth_url', 'health_url'],
  },
  {
    rule: 'template-syntax',
    severity: 'error',
    at: [8, 19, 'Incident'],
    message: 'unclosed "{{": close it with "}}"',
    bad: BASE.replace('Look at the dashboard.', 'Incident {{ incident.id is open.'),
    fix: ['incident.id is', 'incident.id }} is'],
  },
  {
    rule: 'template-in-command',
    severity: 'error',
    at: [9, 12, 'echo'],
    message: 'commands are never templated, so {{ incident.id }} would not be replaced',
    bad: start(`
  - id: start
    command:
      run: echo {{ incident.id }}`),
    fix: ['{{ incident.id }}', '"$SEV_INCIDENT_ID"'],
  },
  {
    rule: 'undefined-env',
    severity: 'warning',
    at: [9, 12, 'echo'],
    message: '$SEV_INCIDENT_IDX is not set by sev: no input is named incident_idx (did you mean $SEV_INCIDENT_ID?)',
    bad: start(`
  - id: start
    command:
      run: echo "$SEV_INCIDENT_IDX"`),
    fix: ['_IDX', '_ID'],
  },
  {
    rule: 'unused-input',
    severity: 'warning',
    at: [7, 3, 'host'],
    message: 'input "host" is asked but never used',
    bad: doc(`
inputs:
  host:
    prompt: Which host?
steps:
  - id: start
    instructions: Log in.
${DONE}`),
    fix: ['Log in.', 'Log in to {{ host }}.'],
  },
  {
    rule: 'reserved-input-name',
    severity: 'error',
    at: [7, 3, 'responder:'],
    message: 'input name "responder" is reserved: sev sets $SEV_RESPONDER itself',
    bad: doc(`
inputs:
  responder:
    prompt: Who is on call?
steps:
  - id: start
    instructions: Page {{ responder }}.
${DONE}`),
    fix: ['responder', 'on_call'],
  },
  {
    rule: 'reserved-input-name',
    severity: 'error',
    at: [11, 14, 'name: host'],
    message: 'input "host" is defined twice',
    bad: doc(`
inputs:
  host:
    prompt: Which host?
steps:
  - id: start
    input: { name: host, prompt: Which host now? }
    instructions: Log in to {{ host }}.
${DONE}`),
    fix: ['name: host,', 'name: other_host,'],
  },
  {
    rule: 'secret-in-text',
    severity: 'warning',
    at: [12, 19, 'Send'],
    message: 'secret input "token" is shown in a text: it will be masked',
    bad: secretShown('Send {{ token }}.', 'Bearer x'),
    fix: { good: secretShown('Send the request.', 'Bearer {{ token }}') },
  },
  {
    rule: 'secret-from-alert',
    severity: 'error',
    at: [10, 17, 'labels.token'],
    message: 'secret input "token" cannot come from an alert',
    bad: doc(`
inputs:
  token:
    prompt: API token
    secret: true
    from_alert: labels.token
steps:
  - id: start
    instructions: Call the API.
    command:
      run: curl -H "$AUTH" http://127.0.0.1:8080/
      env: { AUTH: "Bearer {{ token }}" }
${DONE}`),
    fix: ['    from_alert: labels.token\n', ''],
  },
  {
    rule: 'invalid-default',
    severity: 'error',
    at: [10, 14, 'asia'],
    message: 'default "asia" is not one of the choices: eu, us',
    bad: doc(`
inputs:
  region:
    prompt: Region
    choices: [eu, us]
    default: asia
steps:
  - id: start
    instructions: Fail over {{ region }}.
${DONE}`),
    fix: ['asia', 'eu'],
  },
  {
    rule: 'invalid-default',
    severity: 'error',
    at: [10, 14, 'EU'],
    message: `default "EU" does not match the input's pattern [a-z]{2}`,
    bad: doc(`
inputs:
  region:
    prompt: Region
    pattern: '[a-z]{2}'
    default: EU
steps:
  - id: start
    instructions: Fail over {{ region }}.
${DONE}`),
    fix: ['default: EU', 'default: eu'],
  },
  {
    rule: 'invalid-regex',
    severity: 'error',
    at: [9, 14, `'[a-z'`],
    message: 'invalid regular expression "[a-z": missing closing ]: `[a-z`',
    bad: doc(`
inputs:
  region:
    prompt: Region
    pattern: '[a-z'
steps:
  - id: start
    instructions: Fail over {{ region }}.
${DONE}`),
    fix: [`'[a-z'`, `'[a-z]+'`],
  },
  {
    rule: 'invalid-duration',
    severity: 'error',
    at: [8, 53, '5 minutes'],
    message: '"5 minutes" is not a duration',
    bad: BASE.replace('instructions: Look at the dashboard.', 'command: { run: systemctl restart api, timeout: 5 minutes }'),
    fix: ['5 minutes', '5m'],
  },
  {
    rule: 'invalid-duration',
    severity: 'error',
    at: [11, 41, '25h'],
    message: '25h is longer than 24h',
    bad: BASE.replace('steps:', `${CHECKED}steps:`).replace(
      'instructions: Look at the dashboard.',
      'wait: { check: api-health, timeout: 25h }',
    ),
    fix: ['25h', '24h'],
  },
  {
    rule: 'invalid-duration',
    severity: 'error',
    at: [9, 15, '0s'],
    message: 'a duration of zero leaves no time at all',
    bad: BASE.replace('steps:', `${CHECKED}    interval: 0s\nsteps:`),
    fix: ['0s', '500ms'],
  },
  {
    rule: 'unconfirmed-command',
    severity: 'warning',
    at: [8, 53, 'false'],
    message: 'step "start" changes state without a confirmation',
    bad: BASE.replace('instructions: Look at the dashboard.', 'command: { run: systemctl restart api, confirm: false }'),
    fix: ['confirm: false', 'confirm: false, changes_state: false'],
  },
  {
    rule: 'missing-resolved-milestone',
    severity: 'warning',
    at: [6, 1, 'steps:'],
    message: 'no step has milestone: resolved',
    bad: BASE.replace('milestone: resolved', 'milestone: mitigated'),
    fix: ['class: server-failure', 'class: customer-care'], // not required of follow-up work
  },
  {
    rule: 'regulator-facts',
    severity: 'error',
    at: [13, 9, 'records_leakd'],
    message: 'declares no fact "records_leakd": did you mean "records_leaked"?',
    bad: doc(`
inputs:
  leaked:
    prompt: How many records leaked?
steps:
  - id: notify
    regulator:
      facts:
        records_leakd: leaked
${DONE}`),
    fix: ['records_leakd', 'records_leaked'],
  },
  {
    rule: 'milestone-order',
    severity: 'warning',
    at: [12, 16, 'detected'],
    message: 'milestone detected comes after resolved (step "done")',
    bad: doc(`steps:\n${DONE}  - id: start\n    instructions: Look at the dashboard.\n    milestone: detected\n`),
    fix: ['milestone: detected', 'milestone: resolved'],
  },
  {
    rule: 'clock-reference',
    severity: 'error',
    at: [9, 21, 'stat'],
    message: 'no step has the id "stat": did you mean "start"?',
    bad: doc(`
clocks:
  - id: fix-due
    title: Fix it
    starts: { step: stat }
    due: 30m
    met_by: { step: done }
steps:
  - id: start
    instructions: Look at the dashboard.
${DONE}`),
    fix: ['{ step: stat }', '{ step: start }'],
  },
  {
    rule: 'clock-reference',
    severity: 'error',
    at: [10, 21, 'users_afected'],
    message: 'no input is called "users_afected": did you mean "users_affected"?',
    bad: doc(`
clocks:
  - id: big-incident-update
    title: Tell the regulator
    starts: { step: start }
    while: { input: users_afected, above: 100 }
    due: 30m
    met_by: { step: done }
steps:
  - id: start
    input: { name: users_affected, prompt: How many users? }
${DONE}`),
    fix: ['users_afected', 'users_affected'],
  },
  {
    rule: 'clock-never-starts',
    severity: 'warning',
    at: [9, 29, 'users'],
    message: 'no announce step speaks to "users", so the clock never starts',
    bad: doc(`
clocks:
  - id: user-updates
    title: Update users
    starts: { announcement: users }
    due: 30m
    audience: users
steps:
  - id: start
    instructions: Look at the dashboard.
${DONE}`),
    fix: [
      '  - id: start\n    instructions: Look at the dashboard.',
      '  - id: start\n    announce: { audience: users, message: We are on it. }',
    ],
  },
];

const goodOf = (c: Case) => (Array.isArray(c.fix) ? (c.bad as string).replaceAll(c.fix[0], c.fix[1]) : c.fix.good);
const label = (c: Case) => `${c.rule}: ${c.message}`;

describe('every rule, on both sides', () => {
  it('has a case for each rule id in RULES and READ_RULES, at its declared severity', () => {
    const declared = new Map([...READ_RULES, ...RULES, ...TRANSLATION_RULES].map((r) => [r.id, r.severity]));
    const covered = new Set(CASES.map((c) => c.rule));
    expect(
      [...declared.keys()].filter((id) => !covered.has(id)),
      'rules without a test case',
    ).toEqual([]);
    expect(CASES.filter((c) => declared.get(c.rule) !== c.severity).map(label), 'cases naming an unknown rule or another severity').toEqual(
      [],
    );
  });

  it.each(CASES.map((c) => [label(c), c] as const))('triggers %s', (_, c) => {
    const found = lint(c.bad, c.first, c.runbook);
    const [line, col, text] = c.at;
    expect(
      found.filter((d) => d.rule === c.rule),
      show(found).join('\n'),
    ).toEqual([expect.objectContaining({ rule: c.rule, severity: c.severity, line, col, message: aStringContaining(c.message) })]);
    expect([...new Set(found.map((d) => d.rule))].sort(), 'rules found').toEqual([c.rule, ...(c.also ?? [])].sort());
    if (typeof c.bad === 'string' && text) expect(c.bad.split('\n')[line - 1]!.slice(col - 1)).toMatch(new RegExp(`^${escape(text)}`));
  });

  it.each(CASES.map((c) => [label(c), c] as const))('a close variant is clean: %s', (_, c) => {
    const good = goodOf(c);
    expect(good, 'the fix must change the runbook').not.toEqual(c.bad);
    expect(show(lint(good, c.first, c.runbook))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Bad input is a diagnostic, never a crash: through the module and through the real CLI.
// ---------------------------------------------------------------------------------------------------------

interface BadInput {
  name: string;
  data: string | Uint8Array;
  rule: string;
  at: [line: number, col: number];
  message: string;
}

const BAD_INPUTS: BadInput[] = [
  { name: 'an empty file', data: '', rule: 'empty-file', at: [1, 1], message: 'file is empty' },
  { name: 'a whitespace-only file', data: '  \n\t\n   \n', rule: 'empty-file', at: [1, 1], message: 'file is empty' },
  { name: 'a comment-only file', data: '# nothing here yet\n', rule: 'empty-file', at: [1, 1], message: 'file has no YAML document' },
  {
    name: 'a binary file (NUL bytes)',
    data: concat([0x7f], 'ELF', [2, 1, 1, 0, 0, 0, 0, 0]),
    rule: 'encoding',
    at: [1, 1],
    message: 'binary file (contains a NUL byte)',
  },
  {
    name: 'a Latin-1 file (byte 0xE9)',
    data: concat(HEAD, 'summary: Caf', [0xe9], ' down\n'),
    rule: 'encoding',
    at: [1, 1],
    message: 'file is not valid UTF-8',
  },
  { name: 'a YAML alias bomb', data: aliasBomb(), rule: 'yaml-alias-limit', at: [1, 1], message: 'too many alias expansions' },
  {
    name: 'a 10 MB file',
    data: padded(BASE, 10 * 1024 * 1024),
    rule: 'file-too-large',
    at: [1, 1],
    message: 'file is 10.0 MB, over the 2.0 MB limit',
  },
  { name: 'two documents', data: `${BASE}---\n${BASE}`, rule: 'multiple-documents', at: [12, 1], message: 'more than one YAML document' },
  {
    name: 'a top-level list',
    data: '- format: sevkit/v1\n- id: base\n',
    rule: 'schema',
    at: [1, 1],
    message: 'must be a mapping, not a list',
  },
  { name: 'a top-level scalar', data: 'just some text\n', rule: 'schema', at: [1, 1], message: 'must be a mapping, not "just some text"' },
  {
    name: 'an unclosed quote',
    data: doc('summary: "never closed\nsteps: []\n'),
    rule: 'yaml-syntax',
    at: [6, 10],
    message: 'Missing closing "quote',
  },
  { name: 'a duplicate key', data: doc('id: again\nsteps: []\n'), rule: 'duplicate-key', at: [6, 1], message: 'duplicate key' },
];

describe('bad input', () => {
  it.each(BAD_INPUTS.map((b) => [b.name, b] as const))('%s is one diagnostic from lintBytes', (_, b) => {
    const data = typeof b.data === 'string' ? bytes(b.data) : b.data;
    const result = lintBytes('bad.yaml', data);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        file: 'bad.yaml',
        rule: b.rule,
        severity: 'error',
        line: b.at[0],
        col: b.at[1],
        message: aStringContaining(b.message),
      }),
    ]);
  });

  it.each(BAD_INPUTS.map((b) => [b.name, b] as const))('%s is a one-line error from sev validate, exit 1', (_, b) => {
    const file = join(tempDir({ 'bad.yaml': b.data }), 'bad.yaml');
    const r = sev(['validate', file]);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).toBe('');
    const findings = findingLines(r);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(new RegExp(`^${escape(file)}:${b.at[0]}:${b.at[1]}: error: .*${escape(b.message)}.* \\[${b.rule}\\]$`));
    expect(r.stdout).toContain('1 file checked: 1 error, 0 warnings');
    expect(r.code).toBe(1);
  });

  it('a missing path exits 2 with a one-line message', () => {
    const missing = join(tempDir(), 'nope.yaml');
    const r = sev(['validate', missing]);
    expect(r.stderr).toBe(`sev: ${missing}: no such file or directory\n`);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });

  it('a directory with no yaml files exits 2', () => {
    const dir = tempDir({ 'notes.txt': 'format: sevkit/v1\n', 'sub/readme.md': '# hi\n' });
    const r = sev(['validate', dir]);
    expect(r.stderr).toBe(`sev: no runbook files (*.yaml, *.yml) found in ${dir}\n`);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Inline suppression with # sev-disable-line.
// ---------------------------------------------------------------------------------------------------------

// Line 9 has two findings: an error (template-in-command) and a warning (undefined-env), both at 9:12.
const TWO_ON_A_LINE = start(`
  - id: start
    command:
      run: echo {{ incident.id }} "$SEV_NOPE"`);
const RUN_LINE = 9;

/** `text` with `comment` appended to line `n`. */
const onLine = (text: string, n: number, comment: string) =>
  text
    .split('\n')
    .map((l, i) => (i === n - 1 ? `${l}  ${comment}` : l))
    .join('\n');
/** `text` with `comment` alone on a new line before line `n`. */
const before = (text: string, n: number, comment: string) =>
  text
    .split('\n')
    .toSpliced(n - 1, 0, `      ${comment}`)
    .join('\n');
const rules = (text: string) => lint(text).map((d) => `${d.line}:${d.col} ${d.rule}`);

describe('sev-disable-line', () => {
  it('the unsuppressed runbook has both findings on the line', () => {
    expect(rules(TWO_ON_A_LINE)).toEqual(['9:12 template-in-command', '9:12 undefined-env']);
  });

  it('on the same line, silences the rule it names and only that one', () => {
    expect(rules(onLine(TWO_ON_A_LINE, RUN_LINE, '# sev-disable-line template-in-command'))).toEqual(['9:12 undefined-env']);
  });

  it('alone on the line before, silences the next line', () => {
    expect(rules(before(TWO_ON_A_LINE, RUN_LINE, '# sev-disable-line template-in-command'))).toEqual(['10:12 undefined-env']);
  });

  it('after content, does not reach the next line', () => {
    expect(rules(onLine(TWO_ON_A_LINE, RUN_LINE - 1, '# sev-disable-line'))).toEqual(['9:12 template-in-command', '9:12 undefined-env']);
  });

  it('with several comma-separated ids, silences each', () => {
    expect(rules(onLine(TWO_ON_A_LINE, RUN_LINE, '# sev-disable-line template-in-command, undefined-env'))).toEqual([]);
    expect(rules(onLine(TWO_ON_A_LINE, RUN_LINE, '# sev-disable-line template-in-command,undefined-env'))).toEqual([]);
  });

  it('with no id, silences every rule on the line', () => {
    expect(rules(onLine(TWO_ON_A_LINE, RUN_LINE, '# sev-disable-line'))).toEqual([]);
  });

  it('with another (known) rule id, silences nothing', () => {
    expect(rules(onLine(TWO_ON_A_LINE, RUN_LINE, '# sev-disable-line unused-input'))).toEqual([
      '9:12 template-in-command',
      '9:12 undefined-env',
    ]);
  });

  it('with an unknown id, silences nothing and warns about the id', () => {
    const text = onLine(TWO_ON_A_LINE, RUN_LINE, '# sev-disable-line template-in-comand');
    const found = lint(text);
    expect(found.map((d) => `${d.line}:${d.col} ${d.rule}`)).toEqual([
      '9:12 template-in-command',
      '9:12 undefined-env',
      '9:67 unknown-rule',
    ]);
    expect(text.split('\n')[8]!.slice(66)).toBe('template-in-comand');
    expect(found[2]).toMatchObject({ severity: 'warning', message: 'sev-disable-line names unknown rule "template-in-comand"' });
  });

  // Every finding that points into the text can be silenced on its own line, whatever rule made it.
  const SILENCEABLE = CASES.filter((c) => typeof c.bad === 'string' && !['empty-file', 'file-too-large', 'unknown-rule'].includes(c.rule));
  it.each(SILENCEABLE.map((c) => [label(c), c] as const))('silences %s', (_, c) => {
    const found = lint(onLine(c.bad as string, c.at[0], `# sev-disable-line ${c.rule}`), c.first, c.runbook);
    expect(show(found.filter((d) => d.rule === c.rule))).toEqual([]);
    expect(found.some((d) => d.rule === 'unknown-rule')).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The CLI: all problems reported, --strict, and nothing executed.
// ---------------------------------------------------------------------------------------------------------

describe('sev validate', () => {
  // Three different errors on lines 5, 6 and 9.
  const THREE = start(`
  - id: start
    checks: [api-health]`)
    .replace('SEV3', 'SEV5')
    .replace('steps:', 'sumary: Typo here.\nsteps:');

  it('reports every problem of a file, not just the first', () => {
    expect(lint(THREE).map((d) => `${d.line}:${d.col} ${d.severity} [${d.rule}]`)).toEqual([
      '5:11 error [schema]',
      '6:1 error [unknown-key]',
      '9:14 error [undefined-check]',
    ]);
    const file = join(tempDir({ 'three.yaml': THREE }), 'three.yaml');
    const r = sev(['validate', file]);
    expect(findingLines(r).map((l) => l.slice(file.length + 1).replace(/: error: .* \[/, ' ['))).toEqual([
      '5:11 [schema]',
      '6:1 [unknown-key]',
      '9:14 [undefined-check]',
    ]);
    expect(r.stdout).toContain('1 file checked: 3 errors, 0 warnings');
    expect(r.code).toBe(1);
  });

  it('reports a runbook id shared by two files of a directory once, on the second; a translation names it without clashing', () => {
    const dir = tempDir({ 'a.yaml': BASE, 'b.yaml': BASE, 'c.yaml': TR });
    const r = sev(['validate', dir]);
    const [a, b] = [join(dir, 'a.yaml'), join(dir, 'b.yaml')];
    expect(findingLines(r)).toEqual([`${b}:2:5: error: runbook id "base" is also used by ${a}: ids must be unique [duplicate-runbook-id]`]);
    expect(r.stdout).toContain('3 files checked: 1 error, 0 warnings');
    expect(r.code).toBe(1);
  });

  it('passes a warning-only file, and fails it with --strict', () => {
    const file = join(tempDir({ 'warn.yaml': BASE.replace('steps:', 'inputs:\n  spare:\n    prompt: Never used\nsteps:') }), 'warn.yaml');
    const plain = sev(['validate', file]);
    expect(findingLines(plain)).toEqual([
      `${file}:7:3: warning: input "spare" is asked but never used: reference it as {{ spare }} or $SEV_SPARE [unused-input]`,
    ]);
    expect(plain.code).toBe(0);
    const strict = sev(['validate', '--strict', file]);
    expect(findingLines(strict)).toEqual(findingLines(plain));
    expect(strict.stdout).toContain('(warnings fail under --strict)');
    expect(strict.code).toBe(1);
  });

  it('never runs a check or a command of the runbook', () => {
    const dir = tempDir();
    const marks = ['check-ran', 'command-ran', 'argv-ran'].map((name) => join(dir, name)); // each `touch` would create one
    const file = join(dir, 'touchy.yaml');
    writeFileSync(
      file,
      doc(`
checks:
  marker:
    run: touch ${JSON.stringify(marks[0])}
    timeout: 5s
steps:
  - id: start
    checks: [marker]
  - id: poke
    command:
      run: touch ${JSON.stringify(marks[1])}
  - id: poke-argv
    command:
      run: [touch, ${JSON.stringify(marks[2])}]
  - id: wait-for-it
    wait: { check: marker, timeout: 10s, interval: 1s }
${DONE}`),
    );
    const r = sev(['validate', '--strict', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('1 file checked, no problems');
    expect(r.code).toBe(0);
    expect(readdirSync(dir), 'files in the directory after validate').toEqual(['touchy.yaml']);
  });
});
