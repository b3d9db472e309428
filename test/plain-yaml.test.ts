import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { Document, parse, stringify, visit } from 'yaml';
import { parsePlainYaml } from '../src/runbook/plain-yaml.js';
// @ts-expect-error: the benchmark's corpus generator is plain JavaScript.
import { generateRunbook, rng as seeded } from './bench/lib/corpus.mjs';
import { ROOT } from './helpers.js';

/** The same seed gives the same numbers, so every run tests the same texts. */
const rng = (seed: number) => seeded(seed) as { next: () => number; int: (min: number, max: number) => number; pick: <T>(list: readonly T[]) => T };

type Outcome = { value: unknown } | { error: string };

function attempt(read: () => unknown): Outcome {
  try {
    return { value: read() };
  } catch (error) {
    return { error: String((error as Error).message).split('\n')[0]! };
  }
}

/** Prints a value so that key order and negative zero count as differences. */
function print(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && Object.is(v, -0) ? '(negative zero)' : v)) ?? 'undefined';
}

/**
 * The contract of the plain parser: it may decline, but whatever it returns, js-yaml (core schema) and
 * yaml read the same text without an error and to the same value, keys in the same order.
 * Returns whether the plain parser took the text.
 */
function agree(text: string): boolean {
  const plain = parsePlainYaml(text);
  if (plain === undefined) return false;
  const others: [string, Outcome][] = [
    ['js-yaml', attempt(() => jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA }))],
    ['yaml', attempt(() => parse(text))],
  ];
  for (const [name, outcome] of others) {
    expect(outcome, `${name} on ${JSON.stringify(text)}`).toEqual({ value: plain });
    expect(print((outcome as { value: unknown }).value), `${name} on ${JSON.stringify(text)}`).toBe(print(plain));
  }
  return true;
}

const ACCEPTED: [string, string, Record<string, unknown>][] = [
  ['flow collections nested 40 deep', `a: ${'['.repeat(40)}${']'.repeat(40)}\n`, { a: JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`) as unknown[] }],
  [
    'blocks nested 50 deep, one space a level',
    Array.from({ length: 50 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' end\n',
    Array.from({ length: 50 }).reduceRight<Record<string, unknown> | string>((inner, _, i) => ({ [`k${i}`]: inner }), 'end') as Record<string, unknown>,
  ],
  ['nested mappings', 'a:\n  b:\n    c: 1\n  d: x\ne: y\n', { a: { b: { c: 1 }, d: 'x' }, e: 'y' }],
  ['a sequence indented under its key', 'list:\n  - a\n  - b\n', { list: ['a', 'b'] }],
  ['a sequence at its key’s own indentation', 'steps:\n- one\n- two\nafter: 1\n', { steps: ['one', 'two'], after: 1 }],
  [
    'compact mappings in a sequence',
    'steps:\n  - id: a\n    x: 1\n  - id: b\n    checks: [up]\n',
    { steps: [{ id: 'a', x: 1 }, { id: 'b', checks: ['up'] }] },
  ],
  ['a compact mapping after several spaces', 'steps:\n  -   id: a\n      x: 1\n', { steps: [{ id: 'a', x: 1 }] }],
  ['a sequence at a compact key’s indentation', 's:\n  - a:\n    - x\n    b: 1\n', { s: [{ a: ['x'], b: 1 }] }],
  ['a nested mapping under a compact key', 's:\n  - a:\n      b: 1\n    c: 2\n', { s: [{ a: { b: 1 }, c: 2 }] }],
  ['a sequence entry whose mapping starts on the next line', 's:\n  -\n    a: 1\n    b: 2\n', { s: [{ a: 1, b: 2 }] }],
  ['a sequence nested under an entry', 's:\n  -\n    - a\n    - b\n  - c\n', { s: [['a', 'b'], 'c'] }],
  [
    'a literal block scalar with blank lines inside and after',
    'run: |\n  line 1\n\n  line 3\n    indented\n\n\nnext: 1\n',
    { run: 'line 1\n\nline 3\n  indented\n', next: 1 },
  ],
  ['a literal block scalar with blank lines holding spaces', 'run: |\n  a\n \n  b\n  \nnext: 1\n', { run: 'a\n\nb\n', next: 1 }],
  ['a stripped literal block scalar', 'a: |-\n  x\n  y\n\nb: 1\n', { a: 'x\ny', b: 1 }],
  ['a folded block scalar', 'a: >\n  one\n  two\n\n  three\n\n\n  four\n\n\nb: 1\n', { a: 'one two\nthree\n\nfour\n', b: 1 }],
  ['a stripped folded block scalar', 'a: >-\n  one\n  two\nb: 1\n', { a: 'one two', b: 1 }],
  ['a block scalar with a comment on its header', 'a: | # note\n  x\nb: >- # note\n  y\n', { a: 'x\n', b: 'y' }],
  ['a block scalar at the end of the text', 'a: |\n    deep\n    text\n', { a: 'deep\ntext\n' }],
  ['block scalars as sequence entries', 's:\n  - |\n    echo hi\n  - >-\n    a\n    b\n', { s: ['echo hi\n', 'a b'] }],
  ['a block scalar in a compact mapping', 's:\n  - run: |\n      echo hi\n    x: 1\n', { s: [{ run: 'echo hi\n', x: 1 }] }],
  ['a block scalar holding YAML-looking lines', 'a: |\n  - x\n  k: v # not a comment\n  ---\n  &a *b !t\n', { a: '- x\nk: v # not a comment\n---\n&a *b !t\n' }],
  ['a single-quoted string with a doubled quote', "a: 'it''s'\nb: ''\nc: 'x: y # z'\n", { a: "it's", b: '', c: 'x: y # z' }],
  [
    'a double-quoted string with escapes',
    'a: "line\\nnext \\"q\\" \\u00e9 \\x41 \\\\ \\t \\/ end"\nb: ""\nc: "a: b # c"\n',
    { a: 'line\nnext "q" é A \\ \t / end', b: '', c: 'a: b # c' },
  ],
  ['a flow list of argv with flags', 'run: [kubectl, rollout, undo, --namespace, prod]\n', { run: ['kubectl', 'rollout', 'undo', '--namespace', 'prod'] }],
  ['a flow list with a URL', 'run: [curl, -fsS, https://x.example/a?b=c]\n', { run: ['curl', '-fsS', 'https://x.example/a?b=c'] }],
  ['a flow list with quoted items', `run: [dig, +short, "@1.1.1.1", 'a b', "x\\ty"]\n`, { run: ['dig', '+short', '@1.1.1.1', 'a b', 'x\ty'] }],
  ['a flow mapping', "up: { run: 'x', timeout: 5s }\n", { up: { run: 'x', timeout: '5s' } }],
  ['nested and empty flow collections', 'a: [b, {c: d, e: [f, 1]}, [], {}]\nf: []\ng: {}\nh: [ ]\n', { a: ['b', { c: 'd', e: ['f', 1] }, [], {}], f: [], g: {}, h: [] }],
  ['scalars of every kind in a flow list', 'a: [1, -3, 1.5, true, False, ~, null, yes, 5s, a:b, a#b]\n', { a: [1, -3, 1.5, true, false, null, null, 'yes', '5s', 'a:b', 'a#b'] }],
  ['a flow collection as a sequence entry', 's:\n  - [a, b]\n  - {c: d}\n', { s: [['a', 'b'], { c: 'd' }] }],
  [
    'comments everywhere',
    '# top\na: 1 # after a value\n  # odd indentation\nb:   # after a key\n    # deeper\n  c: x # trailing\n # one space\n   # three spaces\nd: [a, b] # after flow\ne: \'q\' # after quoted\nf: "d" # after double\ns:\n  - x # after an entry\n  # between entries\n  - # before an entry\n    y: 1\n# last\n',
    { a: 1, b: { c: 'x' }, d: ['a', 'b'], e: 'q', f: 'd', s: ['x', { y: 1 }] },
  ],
  ['blank lines between entries', '\n\na: 1\n\n  \nb:\n\n  c: 2\n\n', { a: 1, b: { c: 2 } }],
  ['a leading document start marker', '---\na: 1\n', { a: 1 }],
  ['a leading document start marker with a comment', '# header\n--- # doc\na: 1\n', { a: 1 }],
  ['a last line without a line break', 'a: 1\nb: x', { a: 1, b: 'x' }],
  ['simple numbers', 'a: 0\nb: 12\nc: -3\nd: 1.5\ne: -0.25\nf: 0.0\ng: 123456789012345\n', { a: 0, b: 12, c: -3, d: 1.5, e: -0.25, f: 0, g: 123456789012345 }],
  [
    'strings that look numeric but are not',
    'a: 5s\nb: 1m30s\nc: 1.2.3\nd: v2.3.4\ne: 2024-06-11\nf: 10.0.0.1\ng: 1:30\nh: 1,000\ni: 0a\nj: -1.5.3\nk: 2024-06-11T10:00:00Z\n',
    { a: '5s', b: '1m30s', c: '1.2.3', d: 'v2.3.4', e: '2024-06-11', f: '10.0.0.1', g: '1:30', h: '1,000', i: '0a', j: '-1.5.3', k: '2024-06-11T10:00:00Z' },
  ],
  ['null in every form', 'a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: # comment\ng:   \n', { a: null, b: null, c: null, d: null, e: null, f: null, g: null }],
  ['booleans in every core form', 'a: true\nb: True\nc: TRUE\nd: false\ne: False\nf: FALSE\n', { a: true, b: true, c: true, d: false, e: false, f: false }],
  ['yes, no, on and off as strings', 'a: yes\nb: no\nc: on\nd: off\ne: Yes\nf: OFF\ng: y\nh: n\n', { a: 'yes', b: 'no', c: 'on', d: 'off', e: 'Yes', f: 'OFF', g: 'y', h: 'n' }],
  ['strings near the reserved words', 'a: tru\nb: nulls\nc: TRue\nd: ~x\ne: .infinity\nf: NaN\n', { a: 'tru', b: 'nulls', c: 'TRue', d: '~x', e: '.infinity', f: 'NaN' }],
  [
    'keys with dashes, dollars, dots and underscores',
    'x-note: a\n$schema: b\nk_1: c\na.b: d\n-a: e\n_: f\n.a: g\non: h\nyes: i\n',
    { 'x-note': 'a', $schema: 'b', k_1: 'c', 'a.b': 'd', '-a': 'e', _: 'f', '.a': 'g', on: 'h', yes: 'i' },
  ],
  ['keys that name Object.prototype members', 'constructor: a\ntoString: b\nhasOwnProperty: c\n', { constructor: 'a', toString: 'b', hasOwnProperty: 'c' }],
  [
    'unicode text',
    'a: 中文说明\nb: 🚀 launch\nc: café\nd: "数据 😀"\ne: [日本, ü]\nf: |\n  多行\n  🚀\n',
    { a: '中文说明', b: '🚀 launch', c: 'café', d: '数据 😀', e: ['日本', 'ü'], f: '多行\n🚀\n' },
  ],
  ['a hash not preceded by a space', 'a: a#b\nb: x # c\nc: "#channel"\nd: C#\n', { a: 'a#b', b: 'x', c: '#channel', d: 'C#' }],
  ['a colon not followed by a space', 'a: a:b\nb: http://x\nc: [http://x:8080/p]\nd: {u: http://y/}\n', { a: 'a:b', b: 'http://x', c: ['http://x:8080/p'], d: { u: 'http://y/' } }],
  [
    'plain scalars with inner punctuation',
    'a: Check {{ url }}.\nb: b, c]\nc: -x\nd: --flag\ne: ---\nf: a - b\ng: echo "$X" | grep -q ok && echo \'a & b\' 2>&1\n',
    { a: 'Check {{ url }}.', b: 'b, c]', c: '-x', d: '--flag', e: '---', f: 'a - b', g: 'echo "$X" | grep -q ok && echo \'a & b\' 2>&1' },
  ],
  ['trailing spaces after a value', 'a: x   \nb: [y]  \nc: \'z\'  \n', { a: 'x', b: ['y'], c: 'z' }],
];

const DECLINED: [string, string][] = [
  ['flow collections nested more than 40 deep', `a: ${'['.repeat(41)}${']'.repeat(41)}\n`],
  ['a block indented more than 50 spaces', `a:\n${' '.repeat(51)}b: 1\n`],
  ['an anchor and an alias', 'a: &x 1\nb: *x\n'],
  ['an anchor on a mapping', 'a: &x\n  b: 1\n'],
  ['an alias alone', 'a: *x\n'],
  ['a tag', 'a: !!str 1\n'],
  ['a local tag', 'a: !t x\n'],
  ['a directive', '%YAML 1.2\n---\na: 1\n'],
  ['a multi-line plain scalar', 'a: one\n  two\n'],
  ['a multi-line plain scalar in a sequence', 's:\n  - one\n    two\n'],
  ['a multi-line single-quoted scalar', "a: 'one\n  two'\n"],
  ['a multi-line double-quoted scalar', 'a: "one\n  two"\n'],
  ['a double-quoted scalar with an escaped line break', 'a: "one\\\n  two"\n'],
  ['a single-quoted key', "'a': 1\n"],
  ['a double-quoted key', '"a": 1\n'],
  ['a quoted key in a flow mapping', 'a: {"b": 1}\n'],
  ['a complex key', '? a\n: 1\n'],
  ['a tab as separator', 'a:\tb\n'],
  ['a tab as indentation', 'a:\n\tb: 1\n'],
  ['a tab inside a value', 'a: x\ty\n'],
  ['CRLF line ends', 'a: 1\r\nb: 2\r\n'],
  ['a lone CR', 'a: 1\rb: 2\n'],
  ['a byte order mark', '\ufeffa: 1\n'],
  ['a duplicate key', 'a: 1\na: 2\n'],
  ['a duplicate key in a flow mapping', 'a: {b: 1, b: 2}\n'],
  ['a __proto__ key', '__proto__: 1\n'],
  ['a __proto__ key in a flow mapping', 'a: {__proto__: 1}\n'],
  ['a second document', 'a: 1\n---\nb: 2\n'],
  ['a document end marker', 'a: 1\n...\n'],
  ['a top-level sequence', '- a\n- b\n'],
  ['a top-level scalar', 'hello\n'],
  ['a top-level flow mapping', '{a: 1}\n'],
  ['a top-level mapping that is indented', '  a: 1\n'],
  ['an empty text', ''],
  ['a text of comments only', '# only\n\n'],
  ['a document marker alone', '---\n'],
  ['a flow collection over two lines', 'a: [b,\n  c]\n'],
  ['a flow mapping over two lines', 'a: {b: c\n  }\n'],
  ['a trailing comma in a flow list', 'a: [b, c,]\n'],
  ['a trailing comma in a flow mapping', 'a: {b: c,}\n'],
  ['an empty flow entry', 'a: [b, , c]\n'],
  ['a colon and space in a flow list', 'a: [b: c]\n'],
  ['a flow mapping key without a space', 'a: {b:c}\n'],
  ['text after a flow collection', 'a: [b] c\n'],
  ['keep chomping', 'a: |+\n  x\n\nb: 1\n'],
  ['folded keep chomping', 'a: >+\n  x\n'],
  ['an indentation indicator', 'a: |2\n   x\n'],
  ['an indentation indicator with chomping', 'a: >2-\n   x\n'],
  ['a hex number', 'a: 0x1F\n'],
  ['an octal number', 'a: 0o17\n'],
  ['a binary number', 'a: 0b101\n'],
  ['an exponent', 'a: 1e3\n'],
  ['a capital exponent', 'a: 1.5E-3\n'],
  ['a plus sign', 'a: +5\n'],
  ['a leading dot', 'a: .5\n'],
  ['a trailing dot', 'a: 5.\n'],
  ['negative zero', 'a: -0\n'],
  ['negative zero as a float', 'a: -0.0\n'],
  ['a leading zero', 'a: 007\n'],
  ['an underscore in a number', 'a: 1_000\n'],
  ['infinity', 'a: .inf\n'],
  ['negative infinity', 'a: -.inf\n'],
  ['not a number', 'a: .nan\n'],
  ['a number in a flow list', 'a: [1e3]\n'],
  ['a numeric key', '1: a\n'],
  ['a boolean key', 'true: a\n'],
  ['a null key', 'null: a\n'],
  ['a tilde key', '~: a\n'],
  ['a colon and space in a plain value', 'a: b: c\n'],
  ['a plain value ending in a colon', 'a: b:\n'],
  ['a folded block scalar with a more-indented line', 'a: >\n  x\n    y\n  z\n'],
  ['a block scalar whose first line is blank', 'a: |\n\n  x\n'],
  ['a block scalar without content', 'a: |\nb: 1\n'],
  ['a block scalar ending the text without a line break', 'a: |\n  x'],
  ['a block scalar with text on its header', 'a: |x\n  y\n'],
  ['a control character', 'a: x\x01y\n'],
  ['a delete character', 'a: x\x7fy\n'],
  ['a NUL character', 'a: x\x00y\n'],
  ['a C1 control character', 'a: x\x85y\n'],
  ['an unknown escape', 'a: "\\q"\n'],
  ['an escape that makes a lone surrogate', 'a: "\\ud800"\n'],
  ['a value starting with an indicator', 'a: @x\n'],
  ['a value starting with a percent sign', 'a: %x\n'],
  ['a value starting with a question mark', 'a: ?x\n'],
  ['a value that is a bare dash', 'a: -\n'],
  ['a sequence on the same line as its key', 'a: - b\n'],
  ['a sequence nested on one line', 's:\n  - - a\n'],
  ['an empty sequence entry', 's:\n  -\n'],
  ['a value on the line after its key', 'a:\n  b\n'],
  ['a comment without a space before it', "a: 'x'#c\n"],
  ['a mapping key more indented than its siblings', 'a: 1\n b: 2\n'],
];

function yamlFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(dir, f));
}

describe('the plain YAML parser', () => {
  it.each(ACCEPTED)('takes %s, as js-yaml and yaml read it', (_what, text, expected) => {
    expect(parsePlainYaml(text)).toEqual(expected);
    expect(agree(text)).toBe(true);
  });

  it.each(DECLINED)('declines %s', (_what, text) => {
    expect(parsePlainYaml(text)).toBeUndefined();
    expect(agree(text)).toBe(false);
  });

  it('agrees with js-yaml and yaml on every shipped runbook and fixture', () => {
    const files = [...yamlFiles(join(ROOT, 'runbooks')), ...yamlFiles(join(ROOT, 'test/fixtures'))];
    let taken = 0;
    for (const file of files) if (agree(readFileSync(file, 'utf8'))) taken++;
    expect(files.length).toBeGreaterThanOrEqual(5);
    expect(taken).toBeGreaterThanOrEqual(2);
  });

  it('agrees with js-yaml and yaml on 300 generated runbooks, and takes nearly all of them', () => {
    let taken = 0;
    for (const seed of [11, 20240611]) {
      for (let i = 0; i < 150; i++) {
        const { text } = generateRunbook(seed, i) as { text: string };
        if (agree(text)) taken++;
      }
    }
    expect(taken).toBeGreaterThanOrEqual(285);
  });
});

const INSERTS = [': ', ' #', "'", '"', '-', '- ', '[', ']', '{', '}', ',', '|', '>', '&a ', '*a', '!t ', '?', '\\', '\n', ' ', '0', '.', 'e', '~', '\t'];

/** Small edits, by whole characters: a text read from a file never holds half of a surrogate pair. */
function mutate(text: string, r: ReturnType<typeof rng>): string {
  const edits = r.int(1, 3);
  for (let n = 0; n < edits; n++) {
    const lines = text.split('\n');
    const line = r.int(0, lines.length - 1);
    switch (r.int(0, 5)) {
      case 0: {
        const chars = Array.from(text);
        chars.splice(r.int(0, Math.max(0, chars.length - 1)), 1);
        text = chars.join('');
        break;
      }
      case 1:
        lines.splice(line, 0, lines[line]!);
        text = lines.join('\n');
        break;
      case 2: {
        const by = r.pick([-2, -1, 1, 2]);
        lines[line] = by > 0 ? ' '.repeat(by) + lines[line] : lines[line]!.replace(by === -1 ? /^ / : /^ {1,2}/, '');
        text = lines.join('\n');
        break;
      }
      case 3: {
        const other = r.int(0, lines.length - 1);
        [lines[line], lines[other]] = [lines[other]!, lines[line]!];
        text = lines.join('\n');
        break;
      }
      default: {
        const chars = Array.from(text);
        chars.splice(r.int(0, chars.length), 0, r.pick(INSERTS));
        text = chars.join('');
      }
    }
  }
  return text;
}

/** Runs `check` on each item, collecting the texts it fails on, shortest first, instead of stopping at the first. */
function failures<T>(items: Iterable<T>, check: (item: T) => void, textOf: (item: T) => string = String): { text: string; error: string }[] {
  const found = new Map<string, string>();
  for (const item of items) {
    try {
      check(item);
    } catch (error) {
      found.set(textOf(item), String((error as Error).message).split('\n')[0]!);
    }
  }
  return [...found].map(([text, error]) => ({ text, error })).sort((a, b) => a.text.length - b.text.length);
}

function* mutants(r: ReturnType<typeof rng>): Generator<string> {
  const runbooks = Array.from({ length: 40 }, (_, i) => (generateRunbook(5, i) as { text: string }).text);
  for (let k = 0; k < 6000; k++) {
    const kind = r.next();
    if (kind < 0.4) {
      yield mutate(r.pick(ACCEPTED)[1], r);
      continue;
    }
    const lines = r.pick(runbooks).split('\n');
    const from = kind < 0.7 ? 0 : r.int(0, lines.length - 1);
    const window = lines.slice(from, from + r.int(3, 20));
    const depth = (line: string) => line.length - line.trimStart().length;
    const indent = Math.min(...window.filter((l) => l.trim()).map(depth), 99);
    yield mutate(`${window.map((l) => l.slice(Math.min(indent, depth(l)))).join('\n')}\n`, r);
  }
  for (let k = 0; k < 60; k++) yield mutate(r.pick(runbooks), r);
}

describe('the plain YAML parser on mutated texts', () => {
  it('never returns what js-yaml or yaml would not, over 6060 mutants', () => {
    let count = 0;
    let taken = 0;
    const failed = failures(mutants(rng(20240611)), (text) => {
      count++;
      if (agree(text)) taken++;
    });
    expect(count).toBe(6060);
    expect(taken).toBeGreaterThan(1000);
    expect(failed.slice(0, 5)).toEqual([]);
  });
});

const KEY_HEAD = 'abcdefghijklmnopqrstuvwxyz';
const KEY_TAIL = 'abcdefghijklmnopqrstuvwxyz0123456789_-';
const WORDS = [
  'alpha', 'beta gamma', "it's", 'say "hi"', 'a #b', 'a#b', 'a: b', 'a:b', 'http://x.example/a?b=c', '5s', '1m30s', '1.2.3', 'v2.3.4',
  '2024-06-11', '10.0.0.1', '12', '-3', '1.5', '0x1F', '1e3', '-0', '.5', 'true', 'True', 'yes', 'null', '~', '', ' ', ' lead', 'trail ',
  'é', '中文', '😀 emoji', '-', '- x', '[a]', '{a}', '!t', '&a', '*a', '%x', '@x', '`x', '?', ':', ',', '|', '>', '\\', 'back\\slash',
  'tab\there', 'line1\nline2', 'l1\nl2\n', 'l1\n\nl2\n\n', '\nlead', 'x\n  indented\ny', 'end\n', '---', '...', '#', 'café au lait',
  'kubectl -n prod get pods', '__proto__', 'a\u2028b', 'ctrl\x01', 'nul\0',
];

function randomKey(r: ReturnType<typeof rng>): string {
  let key = r.pick([...KEY_HEAD]);
  for (let n = r.int(0, 8); n > 0; n--) key += r.pick([...KEY_TAIL]);
  return key;
}

function randomString(r: ReturnType<typeof rng>): string {
  const kind = r.next();
  if (kind < 0.6) return r.pick(WORDS);
  if (kind < 0.8) return `${r.pick(WORDS)} ${r.pick(WORDS)}`;
  let s = '';
  for (let n = r.int(1, 4); n > 0; n--) s += r.pick(WORDS) + r.pick(['\n', ' ', '', '\n\n']);
  return s;
}

function randomValue(r: ReturnType<typeof rng>, depth: number): unknown {
  const kind = r.next();
  if (depth < 3 && kind < 0.2) {
    const out: Record<string, unknown> = {};
    for (let n = r.int(0, 5); n > 0; n--) out[randomKey(r)] = randomValue(r, depth + 1);
    return out;
  }
  if (depth < 3 && kind < 0.35) return Array.from({ length: r.int(0, 4) }, () => randomValue(r, depth + 1));
  if (kind < 0.75) return randomString(r);
  if (kind < 0.85) return r.pick([0, 1, 12, -3, 1.5, -2.25, 123456, 0.1, 1e21]);
  if (kind < 0.93) return r.next() < 0.5;
  return null;
}

function randomDocument(r: ReturnType<typeof rng>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let n = r.int(1, 6); n > 0; n--) out[randomKey(r)] = randomValue(r, 1);
  return out;
}

/** Nested collections in flow style, the top one in block style, each on one line. */
function nestedFlow(value: unknown): string {
  const doc = new Document(value);
  const flow = (_key: unknown, node: { flow?: boolean }, path: readonly unknown[]) => {
    if (path.length > 1) node.flow = true;
  };
  visit(doc, { Map: flow, Seq: flow });
  return doc.toString({ lineWidth: 0 });
}

const WRITERS: [string, (value: unknown) => string][] = [
  ['yaml', (v) => stringify(v)],
  ['yaml, no line width', (v) => stringify(v, { lineWidth: 0 })],
  ['yaml, double quotes', (v) => stringify(v, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' })],
  ['yaml, single quotes', (v) => stringify(v, { defaultStringType: 'QUOTE_SINGLE', defaultKeyType: 'PLAIN' })],
  ['yaml, literal blocks', (v) => stringify(v, { defaultStringType: 'BLOCK_LITERAL', defaultKeyType: 'PLAIN' })],
  ['yaml, double quotes for keys too', (v) => stringify(v, { defaultStringType: 'QUOTE_DOUBLE' })],
  ['yaml, flow', (v) => stringify(v, { collectionStyle: 'flow' })],
  ['yaml, nested flow', nestedFlow],
  ['js-yaml', (v) => jsyaml.dump(v)],
  ['js-yaml, flow level 1', (v) => jsyaml.dump(v, { flowLevel: 1 })],
];

describe('the plain YAML parser on written documents', () => {
  it('reads back what yaml and js-yaml write, when it takes the text', () => {
    const r = rng(7);
    const written: [string, unknown, string][] = [];
    for (let k = 0; k < 400; k++) {
      const value = randomDocument(r);
      for (const [name, write] of WRITERS) written.push([name, value, write(value)]);
    }
    let taken = 0;
    const takenBy = new Map<string, number>();
    const failed = failures(
      written,
      ([name, value, text]) => {
        if (!agree(text)) return;
        taken++;
        takenBy.set(name, (takenBy.get(name) ?? 0) + 1);
        expect(print(parsePlainYaml(text)), `${name} wrote ${JSON.stringify(text)}`).toBe(print(value));
      },
      ([, , text]) => text,
    );
    expect(written.length).toBe(4000);
    expect(taken / written.length).toBeGreaterThan(0.4);
    for (const name of ['yaml', 'yaml, double quotes', 'yaml, literal blocks', 'yaml, nested flow', 'js-yaml', 'js-yaml, flow level 1']) {
      expect(takenBy.get(name) ?? 0, name).toBeGreaterThan(100);
    }
    expect(failed.slice(0, 5)).toEqual([]);
  });
});

describe('the plain YAML parser where js-yaml and yaml part ways', () => {
  it.each([
    ['a first key that starts with three dashes', '---x: 1\n'],
    ['a first key of three dashes', '---: 1\n'],
    ['a key of more than 1024 characters', `${'k'.repeat(1025)}: 1\n`],
    ['a lone surrogate in a plain value', 'a: x\ud800\n'],
  ])('declines %s', (_what, text) => {
    expect(agree(text)).toBe(false);
  });
});
