import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAnswers } from '../src/engine/answers.js';
import { sev, tempDir } from './helpers.js';

const file = (text: string) => join(tempDir({ 'answers.yaml': text }), 'answers.yaml');
const refusal = (text: string) => {
  try {
    loadAnswers(file(text));
  } catch (error) {
    return (error as Error).message.replace(/^.*answers\.yaml:/, 'answers.yaml:');
  }
  throw new Error('not refused');
};

describe('an answers file, read like every YAML file', () => {
  it('reads inputs, answers per visit, facts and filings', () => {
    const answers = loadAnswers(
      file(
        [
          'responder: drill-bot',
          'severity: SEV2',
          'inputs: { port: 8080, dry: true }',
          'steps:',
          '  restart: yes',
          '  verify: [retry, continue]',
          '  purge: { skip: not needed, pause: true }',
          '  report: { facts: { records: 0 }, filed: { gdpr: [yes, not yet, { at: 2026-11-26T04:10Z, by: dpo }] } }',
        ].join('\n'),
      ),
    );
    expect(answers).toMatchObject({ responder: 'drill-bot', severity: 'SEV2', inputs: { port: '8080', dry: 'yes' } });
    expect(Object.fromEntries(answers.steps)).toEqual({
      restart: [{ answer: 'yes' }],
      verify: [{ answer: 'retry' }, { answer: 'continue' }],
      purge: [{ skip: 'not needed', pause: true }],
      report: [{ facts: { records: '0' }, filed: { gdpr: [{}, 'not yet', { at: '2026-11-26T04:10Z', by: 'dpo' }] } }],
    });
  });

  it('answers nothing when the file holds no document', () => {
    expect(loadAnswers(file('')).steps.size).toBe(0);
    expect(loadAnswers(file('# nothing yet\n')).inputs).toEqual({});
  });

  it('says where a problem is, at file:line:col, as a runbook finding does', () => {
    expect(refusal('steps:\n  restart: { answr: yes }\n')).toBe(
      'answers.yaml:2:14: unknown key "answr": did you mean "answer"? (allowed: answer, on_fail, note, skip, pause, rerun, running, delivery, facts, filed)',
    );
    expect(refusal('inputs:\n  a: 1\nseverity: SEV9\n')).toBe(
      'answers.yaml:3:11: "severity" must be one of SEV1, SEV2, SEV3, SEV4; got "SEV9"',
    );
    expect(refusal('steps:\n  verify:\n    - retry\n    - [a, b]\n')).toBe(
      'answers.yaml:4:7: "1" must be a string or a number or true or false, not a list',
    );
    expect(refusal('steps:\n  x: { rerun: maybe }\n  y: { running: later }\n')).toBe(
      'answers.yaml:2:15: "rerun" must be one of yes, done, failed, true; got "maybe" (and 1 more)',
    );
    expect(refusal('steps:\n  report: { filed: { gdpr: [yes, soon] } }\n')).toBe(
      'answers.yaml:2:34: a filing is yes, not yet, or { at, by, reference }',
    );
    expect(refusal('steps: { a: 1\n')).toMatch(/^answers\.yaml:2:1: /);
    expect(refusal('bogus: 1\n')).toBe('answers.yaml:1:1: unknown key "bogus" (allowed: responder, severity, inputs, steps, clocks)');
  });
});

describe('sev check reads --set and the answers file as sev run does', () => {
  const runbook = [
    'format: sevkit/v1',
    'id: chk',
    'title: Check',
    'class: server-failure',
    'severity: SEV3',
    'inputs:',
    '  port:',
    '    prompt: Port',
    "    pattern: '^[0-9]+$'",
    'checks:',
    '  up:',
    '    run: "true"',
    'steps:',
    '  - id: look',
    '    checks: [up]',
    '    milestone: resolved',
  ].join('\n');

  it('refuses a --set that names no input, or a value the input does not take', () => {
    const dir = tempDir({ 'rb.yaml': runbook });
    const unknown = sev(['check', join(dir, 'rb.yaml'), '--set', 'pot=1'], { input: '' });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--set pot: the runbook has no input "pot": did you mean "port"\?/);
    const bad = sev(['check', join(dir, 'rb.yaml'), '--set', 'port=http'], { input: '' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--set port: /);
    expect(sev(['check', join(dir, 'rb.yaml'), '--set', 'port=1'], { input: '' }).code).toBe(0);
  });

  it('refuses an answers file naming a step the runbook does not have, before any check runs', () => {
    const dir = tempDir({ 'rb.yaml': runbook, 'a.yaml': 'inputs: { port: 1 }\nsteps: { lok: done }\n' });
    const r = sev(['check', join(dir, 'rb.yaml'), '--answers', join(dir, 'a.yaml')], { input: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the runbook chk has no step "lok": did you mean "look"\?/);
  });
});
