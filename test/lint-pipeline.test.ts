import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintBytes } from '../src/lint/files.js';
import { decodeRunbookBytes, parseRunbookBytes, parseValues } from '../src/runbook/source.js';
import { generateRunbook } from './bench/lib/corpus.mjs';
import { aStringMatching, ROOT } from './helpers.js';

const CLEAN = `format: sevkit/v1
id: clean
title: Clean
class: network
severity: SEV3
checks:
  up: { run: 'curl -fsS "$SEV_URL" | grep -q ok && echo "a & b" 2>&1', timeout: 5s }
inputs:
  url: { prompt: URL, default: "http://127.0.0.1/health" }
steps:
  - id: look
    instructions: Check {{ url }}.
    checks: [up]
    milestone: resolved
`;

/** Parses the values as the linter does; returns whether js-yaml read them (no positional parse). */
function readByJsYaml(text: string): { jsyaml: boolean; value: unknown } {
  const { source } = decodeRunbookBytes('f.yaml', Buffer.from(text));
  parseValues(source!);
  return { jsyaml: source!.lazy && source!.doc === undefined, value: source!.value };
}

/**
 * The contract of the value parse: where js-yaml reads a file, the positional parser reads it too,
 * with no finding and to the same value, keys in the same order.
 */
function agrees(text: string): boolean {
  const read = readByJsYaml(text);
  if (!read.jsyaml) return false;
  const positional = parseRunbookBytes('f.yaml', Buffer.from(text));
  expect(positional.diagnostics).toEqual([]);
  expect(JSON.stringify(read.value)).toBe(JSON.stringify(positional.source!.value));
  expect(read.value).toEqual(positional.source!.value);
  return true;
}

const short = (text: string) => lintBytes('f.yaml', Buffer.from(text)).diagnostics.map((d) => `${d.line}:${d.col} ${d.rule}`);

describe('the lint pipeline', () => {
  it('reads a clean runbook with js-yaml and parses positions only when one is asked for', () => {
    const result = lintBytes('clean.yaml', Buffer.from(CLEAN));
    expect(result.diagnostics).toEqual([]);
    expect(result.runbook!.steps.map((s) => s.id)).toEqual(['look']);
    expect(result.source!.doc).toBeUndefined();
    expect(result.source!.locate(['steps', 0, 'checks'])).toMatchObject({ line: 13, col: 13 });
    expect(result.source!.doc).toBeDefined();
  });

  it('locates a finding in a file js-yaml read', () => {
    expect(readByJsYaml(CLEAN.replace('checks: [up]', 'checks: [down]')).jsyaml).toBe(true);
    expect(short(CLEAN.replace('checks: [up]', 'checks: [down]'))).toEqual(['13:14 undefined-check']);
  });

  it.each([
    [
      'an alias inside an anchored node',
      CLEAN.replace('inputs:\n', 'inputs:\n  a: &a { prompt: A }\n  b: &b { prompt: B, x: *a }\n  c: *b\n'),
      ['9:3 unused-input', '10:3 unused-input', '10:22 unknown-key', '11:3 unused-input', '11:6 unknown-key'],
    ],
    [
      'an anchor named over 100 times',
      CLEAN.replace('inputs:\n', `x-note: &n note\nx-list: [${Array(101).fill('*n').join(', ')}]\ninputs:\n`),
      ['1:1 yaml-alias-limit'],
    ],
    ['a tag', CLEAN.replace('title: Clean', 'title: !!str Clean'), []],
    ['a directive', `%YAML 1.2\n---\n${CLEAN}`, []],
    ['a flow collection over two lines', CLEAN.replace('checks: [up]', 'checks: [up,\n      up]'), []],
    ['a duplicate key', CLEAN.replace('title: Clean', 'title: Clean\ntitle: Again'), ['4:1 duplicate-key']],
    ['two documents', `${CLEAN}---\n${CLEAN}`, ['15:1 multiple-documents']],
    ['a CR that ends no line', CLEAN.replace('    checks: [up]', '\r    checks: [up]'), ['14:1 yaml-syntax']],
    ['a syntax error', CLEAN.replace('title: Clean', 'title: a: b'), ['3:8 yaml-syntax']],
    ['no mapping', '- just\n- a list\n', ['1:1 schema']],
  ])('gives a file with %s to the positional parser, which says where', (_what, text, expected) => {
    expect(readByJsYaml(text).jsyaml).toBe(false);
    expect(short(text)).toEqual(expected);
  });

  it('reads flat anchors and their aliases with js-yaml, and block scalars as text', () => {
    const text = CLEAN.replace('timeout: 5s', 'timeout: &t 5s')
      .replace('  url:', '  other: { prompt: *t }\n  url:')
      .replace(
        '    instructions: Check {{ url }}.',
        '    instructions: |\n      Check {{ url }}: { a brace group,\n      [ a bracket, &&, *star !bang\n    x-also: *t',
      );
    expect(readByJsYaml(text).jsyaml).toBe(true);
    expect(short(text)).toEqual(['9:3 unused-input', '16:5 unknown-key']);
    expect(agrees(text)).toBe(true);
  });

  it('applies a suppression comment to a finding in a file js-yaml read', () => {
    const text = CLEAN.replace('checks: [up]', 'checks: [down] # sev-disable-line undefined-check, no-such-rule');
    expect(readByJsYaml(text).jsyaml).toBe(true);
    expect(short(text)).toEqual(['13:56 unknown-rule']);
  });

  it('reads every shipped runbook and fixture that js-yaml takes to what the positional parser reads', () => {
    const dirs = [join(ROOT, 'runbooks'), join(ROOT, 'test/fixtures'), join(ROOT, 'test/fixtures/run')];
    let taken = 0;
    for (const dir of dirs) {
      for (const name of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
        if (agrees(readFileSync(join(dir, name), 'utf8'))) taken++;
      }
    }
    expect(taken).toBeGreaterThanOrEqual(5);
  });

  it('reads 200 generated runbooks with js-yaml, to what the positional parser reads', () => {
    let taken = 0;
    for (let i = 0; i < 200; i++) if (agrees(generateRunbook(7, i).text)) taken++;
    expect(taken).toBeGreaterThan(150);
  });
});

describe('one checker per kind of file', () => {
  it('gives each kind its checker, by the format line', () => {
    const kind = (text: string) => lintBytes('f.yaml', Buffer.from(text)).kind;
    expect(kind(CLEAN)).toBeUndefined();
    expect(kind(readFileSync(join(ROOT, 'runbooks/triage.yaml'), 'utf8'))).toBe('triage');
    expect(kind(readFileSync(join(ROOT, 'runbooks/regulators.yaml'), 'utf8'))).toBe('regulators');
    expect(kind(readFileSync(join(ROOT, 'runbooks/network.zh-CN.yaml'), 'utf8'))).toBe('translation');
  });

  it('locates a triage matrix finding from its own schema like a runbook finding', () => {
    const text = readFileSync(join(ROOT, 'runbooks/triage.yaml'), 'utf8').replace(/^version: .*$/m, '$&\nvershun: 2');
    const line = text.split('\n').findIndex((l) => l.startsWith('vershun')) + 1;
    expect(lintBytes('m.yaml', Buffer.from(text)).diagnostics).toEqual([
      expect.objectContaining({
        line,
        col: 1,
        rule: 'unknown-key',
        message: aStringMatching(/^unknown key "vershun": did you mean "version"\?/),
      }),
    ]);
  });

  it('keeps the runbook checker free of the other kinds', () => {
    const imports = [...readFileSync(join(ROOT, 'src/runbook/lint.ts'), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports.filter((m) => /triage|regulator|translation|kinds/.test(m!))).toEqual([]);
  });
});
