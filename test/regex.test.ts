import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileSearch, compileWhole, MAX_PATTERN_LENGTH, patternError } from '../src/runbook/regex.js';
import { generateRunbook, rng } from './bench/lib/corpus.mjs';
import { ROOT, sev, tempDir } from './helpers.js';

const whole = (pattern: string, text: string) => compileWhole(pattern)!.test(text);
const search = (pattern: string, text: string) => compileSearch(pattern)!.test(text);

describe('patterns run on RE2', () => {
  it('an input pattern matches the whole answer, an expectation anywhere in the output', () => {
    expect(whole('[a-z]+', 'abc')).toBe(true);
    expect(whole('[a-z]+', 'abc1')).toBe(false);
    expect(whole('[a-z]+', '1abc')).toBe(false);
    // The whole answer, whichever alternative reaches the end (as ^(?:a|ab)$ did).
    expect(whole('a|ab', 'ab')).toBe(true);
    expect(whole('a|ab', 'abc')).toBe(false);
    expect(search('[a-z]+', '12 abc 34')).toBe(true);
    expect(search('^OK:', 'OK: 3 nodes')).toBe(true);
    expect(search('^OK:', 'NOT OK: 3 nodes')).toBe(false);
    // ^ and $ mean the start and end of the text, not of a line, unless (?m) says so: as before.
    expect(search('^OK:', 'note\nOK: 3 nodes')).toBe(false);
    expect(search('(?m)^OK:', 'note\nOK: 3 nodes')).toBe(true);
    expect(search('ok$', 'ok\n')).toBe(false);
  });

  it('takes (a+)+ and (x+x+)+y on 64 KiB and answers', () => {
    const as = 'a'.repeat(64 * 1024);
    expect(search('(a+)+$', as)).toBe(true);
    expect(search('(a+)+$', `${as}b`)).toBe(false);
    expect(search('(a+)+b', as)).toBe(false);
    expect(whole('(a+)+', as)).toBe(true);
    expect(whole('(a+)+', `${as}!`)).toBe(false);
    expect(whole('(x+x+)+y', 'x'.repeat(64 * 1024))).toBe(false);
    expect(search('(x+x+)+y', `${'x'.repeat(64 * 1024)}y`)).toBe(true);
  });

  it('names what it refuses, and why', () => {
    const linear = '(patterns run in linear time)';
    expect(patternError('(a)\\1')).toBe(`back-references such as \\1 are not supported ${linear}`);
    expect(patternError('(?<n>a)\\k<n>')).toBe(`back-references such as \\k<name> are not supported ${linear}`);
    expect(patternError('(?=a)')).toBe(`look-aheads such as (?=…) are not supported ${linear}`);
    expect(patternError('a(?!b)')).toBe(`look-aheads such as (?!…) are not supported ${linear}`);
    expect(patternError('(?<=a)b')).toBe(`look-behinds such as (?<=…) are not supported ${linear}`);
    expect(patternError('(?<!a)b')).toBe(`look-behinds such as (?<!…) are not supported ${linear}`);
    expect(patternError('caf\\u00e9')).toMatch(/^\\u escapes are not RE2 syntax: write a code point as \\x\{e9\}/);
    expect(patternError('\\p{Letter}+')).toMatch(/^unknown Unicode class \\p\{Letter\}: RE2 takes .* short names, such as \\p\{L\}/);
    expect(patternError('\\p{Script=Greek}')).toMatch(/^unknown Unicode class \\p\{Script=Greek\}/);
    expect(patternError('a{1001}')).toMatch(
      /^invalid repeat count: `\{1001\}`: a repeat count, nested repeats multiplied, may be at most 1000$/,
    );
    expect(patternError('(a{100}){100}')).toMatch(/^invalid repeat count/);
    expect(patternError('[a-z')).toBe('missing closing ]: `[a-z`');
    expect(patternError('(?x) a')).toBe('invalid or unsupported Perl syntax: `(?x`');
    expect(patternError('a'.repeat(MAX_PATTERN_LENGTH + 1))).toBe(
      `longer than ${MAX_PATTERN_LENGTH} characters (${MAX_PATTERN_LENGTH + 1}): split it, or match less`,
    );
    expect(patternError('a'.repeat(MAX_PATTERN_LENGTH))).toBeUndefined();
    // Refused patterns compile to nothing, and an invalid one is never a match at run time.
    expect(compileSearch('(?=a)')).toBeUndefined();
    expect(compileWhole('(a)\\1')).toBeUndefined();
  });

  it('never throws, whatever the pattern', () => {
    for (const pattern of [
      '('.repeat(3000),
      `${'('.repeat(1000)}a${')'.repeat(1000)}`,
      '\ud800',
      'a\u0000b',
      '\\',
      '[',
      ')',
      '*',
      '\\x{110000}',
      '(?P<>a)',
      '(?<n>a)(?<n>b)',
    ]) {
      const error = patternError(pattern);
      expect(error === undefined || (typeof error === 'string' && error.length > 0)).toBe(true);
    }
    expect(patternError('('.repeat(3000))).toMatch(/nests too deeply|missing closing \)/);
    expect(search('a\u0000b', 'xa\u0000by')).toBe(true);
  });

  // What runbooks wrote before, where JavaScript's RegExp (u flag) and RE2 part ways: the choices made.
  it('takes the common classes and groups, and some syntax RegExp did not', () => {
    expect(whole('\\d+', '0123456789')).toBe(true);
    expect(whole('\\d', '٣')).toBe(false); // ASCII digits only, as with RegExp
    expect(whole('\\w+\\s\\w+', 'ab_1 c')).toBe(true);
    expect(whole('\\p{L}+', 'Zürich')).toBe(true);
    expect(whole('\\p{Lu}\\p{Ll}+', 'Ñandú')).toBe(true);
    expect(whole('\\p{Han}+', '钱包')).toBe(true); // RE2 takes a script by its name alone
    expect(whole('\\pL+', 'abc')).toBe(true);
    expect(whole('(?<year>\\d{4})-(?P<month>\\d{2})', '2026-11')).toBe(true);
    expect(whole('[[:alpha:]]+[[:digit:]]?', 'abc7')).toBe(true); // RegExp refused this with the u flag
    expect(whole('(?i)wallet', 'WALLET')).toBe(true); // RegExp on Node 20 refused inline flags
    expect(search('(?s)begin.*end', 'begin\nend')).toBe(true);
    expect(search('begin.*end', 'begin\nend')).toBe(false);
    expect(whole('\\x{1F600}', '😀')).toBe(true);
    expect(whole('.', '😀')).toBe(true); // one code point, as with the u flag
    expect(whole('\\Q1.5*\\E', '1.5*')).toBe(true);
    expect(whole('a\\-b', 'a-b')).toBe(true);
  });

  it('differs from RegExp in \\s and . only at characters output and answers seldom hold', () => {
    // RE2's \s is [\t\n\f\r ]: no vertical tab and no Unicode spaces (RegExp's \s had both).
    expect(search('\\s', '\u000b')).toBe(false);
    expect(search('\\s', '\u00a0')).toBe(false);
    expect(search('\\s', '\u3000')).toBe(false);
    expect(whole('\\S+', 'a\u00a0b')).toBe(true);
    // RE2's . matches anything but \n, so also \r, U+2028 and U+2029 (RegExp's did not).
    expect(whole('a.b', 'a\rb')).toBe(true);
    expect(whole('a.b', 'a\u2028b')).toBe(true);
    expect(whole('a.b', 'a\nb')).toBe(false);
  });
});

/** Every pattern of the shipped runbooks and the benchmark corpus, as inputs or as expectations. */
function runbookPatterns(): { whole: Set<string>; search: Set<string> } {
  const out = { whole: new Set<string>(), search: new Set<string>() };
  const walk = (node: unknown, key?: string): void => {
    if (Array.isArray(node)) return node.forEach((child) => walk(child));
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'pattern' && typeof v === 'string') out.whole.add(v);
      else if (key === 'expect' && ['stdout', 'stderr', 'stdout_not'].includes(k) && typeof v === 'string') out.search.add(v);
      else walk(v, k);
    }
  };
  const dir = join(ROOT, 'runbooks');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) walk(parse(readFileSync(join(dir, file), 'utf8')));
  for (let i = 0; i < 40; i++) walk(parse(generateRunbook(11, i).text));
  return out;
}

// Texts like the answers and outputs those patterns meet, cut and spliced at random below.
const SAMPLES = [
  'https://grafana.example.com/d/wallet?orgId=1',
  'http://127.0.0.1:8080/health',
  'postgres://app@db-1:5432/wallet',
  'postgresql://db',
  '2026-11-26T03:05:00Z',
  '2026-11-26 03:05',
  'unknown',
  'wallet-api',
  'db-primary.eu-west-1',
  'ops@example.com',
  'v2.14.3',
  'INC-12345',
  '9e107d9d372bb6826bd81d3542a419d6',
  'AB12CD34',
  'eu-west-1',
  '15 minutes',
  '2 hours',
  '3 days',
  'none',
  'fees',
  '12.50 EUR',
  '1250 USD',
  'A summary of what happened to payments',
  '{"enabled": false}',
  '{"enabled":true}',
  '{"status": "ok"}',
  '{"status":"pass"}',
  '{"state": "paused"}',
  '{"state":"queueing"}',
  '{"overdue": 0}',
  '{"overdue":10}',
  '{"frozen": true}',
  '"revoked"',
  '"decided_by": "bob"',
  '{"version": "1.2.0"}',
  '{"channel": "email"}',
  '"channels": []',
  '"campaign": 7',
  '"required_for": []',
  '"pending": 12',
  '"indicator": "none"',
  '"resultType":"vector","value":[1700000000,"12.5"]',
  '"value":[1,"0.3"]',
  'OK: 3 nodes',
  'CRITICAL: 2 nodes',
  '0 transactions',
  '12 transactions',
  '3 packets transmitted, 3 received, 0% packet loss',
  '0.0% packet loss',
  '100% packet loss',
  '0 wallets',
  '0 duplicate rows',
  '0 customers',
  '0 completed',
  '0 queued and 0 pending',
  '0 payments',
  '0 money movements',
  '0 accounts',
  'active (running)',
  'ActiveState=active',
  '200',
  '503',
  '10.0.0.12',
  '  0.00  ',
  '42',
  '',
  ' ',
  'will not expire',
  'Zürich 钱包 😀',
  'a_b-c.d',
  'EUR',
  '0 compensation',
  'registered 3 affected users',
  'no compensation decided',
  'primary, taking writes',
  'standby: site_b',
  'replay paused',
  'replay pause requested',
  'PRIMARY: wrote a heartbeat at 03:05\ncommitted',
  'OK: the app writes to the new primary',
  'present on the new primary',
  'START TIME: 2026-11-26',
  'in recovery now: false',
  '{"voice_fallback": true}',
];
// Characters where RE2 and RegExp are known to differ (see above) are left out of the mutations.
const ALPHABET = 'azAZ09_-.:/@%"{}[],? \t\n#=+*éü中😀';

function texts(): string[] {
  const r = rng(20261202);
  const out = [...SAMPLES];
  for (let i = 0; i < 3000; i++) {
    let text = r.pick(SAMPLES);
    if (r.next() < 0.3) text += r.pick(['', ' ', '\n', ',']) + r.pick(SAMPLES);
    for (let m = r.int(0, 3); m > 0; m--) {
      const at = r.int(0, text.length);
      const kind = r.int(0, 3);
      if (kind === 0) text = text.slice(0, at) + r.pick([...ALPHABET]) + text.slice(at);
      else if (kind === 1) text = text.slice(0, at) + text.slice(at + 1);
      else if (kind === 2) text = text.slice(0, at) + text.slice(at, at + r.int(1, 6)).repeat(2) + text.slice(at + 6);
      else text = text.slice(0, at) + (r.next() < 0.5 ? 'x'.repeat(r.int(60, 210)) : '');
    }
    out.push(text);
  }
  return out;
}

describe('the patterns of the shipped runbooks mean what they meant with RegExp', () => {
  const patterns = runbookPatterns();
  const corpus = texts();

  it('finds patterns to compare', () => {
    expect(patterns.whole.size).toBeGreaterThan(15);
    expect(patterns.search.size).toBeGreaterThan(30);
  });

  it.each([...patterns.whole])('input pattern %s', (pattern) => {
    const re2 = compileWhole(pattern)!;
    const js = new RegExp(`^(?:${pattern})$`, 'u');
    const differ = corpus.filter((t) => re2.test(t) !== js.test(t));
    expect(differ).toEqual([]);
    // Both outcomes were seen, or the comparison showed nothing.
    expect(corpus.some((t) => js.test(t))).toBe(true);
    expect(corpus.some((t) => !js.test(t))).toBe(true);
  });

  it.each([...patterns.search])('expectation %s', (pattern) => {
    const re2 = compileSearch(pattern)!;
    const js = new RegExp(pattern, 'u');
    const differ = corpus.filter((t) => re2.test(t) !== js.test(t));
    expect(differ).toEqual([]);
    expect(corpus.some((t) => js.test(t))).toBe(true);
    expect(corpus.some((t) => !js.test(t))).toBe(true);
  });
});

const HEAD = `format: sevkit/v1
id: patterns
title: Patterns
class: server-failure
severity: SEV3
`;

describe('sev validate and sev run with patterns RE2 takes or refuses', () => {
  it('validates (a+)+ and (x+x+)+y against long defaults, and reports the one that does not match', () => {
    const dir = tempDir({
      'slow.yaml': `${HEAD}inputs:
  name:
    prompt: Name
    pattern: '(a+)+'
    default: '${'a'.repeat(5000)}!'
  code:
    prompt: Code
    pattern: '(x+x+)+y'
    default: '${'x'.repeat(5000)}y'
steps:
  - id: s
    instructions: Use {{ name }} and {{ code }}.
    milestone: resolved
`,
      'fine.yaml': `${HEAD}inputs:
  name:
    prompt: Name
    pattern: '(a+)+'
    default: '${'a'.repeat(5000)}'
steps:
  - id: s
    instructions: Use {{ name }}.
    milestone: resolved
`,
    });
    const bad = sev(['validate', join(dir, 'slow.yaml')], { timeout: 10_000 });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(
      /slow\.yaml:10:14: error: default "a{5000}!" does not match the input's pattern \(a\+\)\+ \[invalid-default\]/,
    );
    expect(bad.stdout).not.toContain('(x+x+)+y [invalid-default]');
    expect(bad.stdout).toMatch(/1 error/);
    const good = sev(['validate', join(dir, 'fine.yaml')], { timeout: 10_000 });
    expect(good.stdout).toMatch(/no problems/);
    expect(good.code).toBe(0);
  });

  it('reports a back-reference and a look-ahead at their line and column', () => {
    const dir = tempDir({
      'refused.yaml': `${HEAD}inputs:
  twice:
    prompt: Twice
    pattern: '(a)\\1'
checks:
  ahead:
    run: echo ok
    expect:
      stdout: '(?=ok)'
      stdout_not: "(?<!n)ok"
steps:
  - id: s
    instructions: Use {{ twice }}.
    checks: [ahead]
    milestone: resolved
`,
    });
    const r = sev(['validate', join(dir, 'refused.yaml')]);
    expect(r.code).toBe(1);
    const file = join(dir, 'refused.yaml');
    expect(r.stdout).toContain(
      `${file}:9:14: error: invalid regular expression "(a)\\\\1": back-references such as \\1 are not supported (patterns run in linear time) [invalid-regex]`,
    );
    expect(r.stdout).toContain(
      `${file}:14:15: error: invalid regular expression "(?=ok)": look-aheads such as (?=…) are not supported (patterns run in linear time) [invalid-regex]`,
    );
    expect(r.stdout).toContain(
      `${file}:15:19: error: invalid regular expression "(?<!n)ok": ` +
        'look-behinds such as (?<!…) are not supported (patterns run in linear time) [invalid-regex]',
    );
    expect(r.stdout).toMatch(/3 errors/);
    // The machine-readable formats carry the same place.
    const json = JSON.parse(sev(['validate', file, '--format', 'json']).stdout) as {
      diagnostics: { line: number; col: number; rule: string }[];
    };
    expect(json.diagnostics.filter((d) => d.rule === 'invalid-regex').map((d) => [d.line, d.col])).toEqual([
      [9, 14],
      [14, 15],
      [15, 19],
    ]);
    // sev run refuses the runbook with the same diagnostics, as bad input.
    const run = sev(['run', file, '--yes', '--incident-dir', join(dir, 'inc')], { env: { CI: 'true' } });
    expect(run.code).toBe(2);
    expect(run.stderr + run.stdout).toContain('back-references such as \\1 are not supported');
  });

  it('runs a check whose expectation is (a+)+ on 64 KiB of a’s, to the right result', () => {
    const as = "head -c 65536 /dev/zero | tr '\\\\0' a";
    const dir = tempDir({
      'big.yaml': `${HEAD}checks:
  all-a:
    run: "${as}"
    timeout: 2s
    expect: { stdout: '(a+)+$' }
  then-b:
    run: "${as}"
    timeout: 2s
    expect: { stdout: '(a+)+b' }
steps:
  - id: look
    checks: [all-a, then-b]
    on_fail: continue
    milestone: resolved
`,
    });
    const r = sev(['run', join(dir, 'big.yaml'), '--yes', '--incident-dir', join(dir, 'inc')], {
      cwd: dir,
      env: { CI: 'true' },
      timeout: 20_000,
    });
    expect(r.code).toBe(0);
    const log = readdirSync(join(dir, 'inc')).find((f) => f.endsWith('.jsonl'))!;
    const results = readFileSync(join(dir, 'inc', log), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: { check?: string; status?: string; reason?: string } })
      .filter((e) => e.type === 'check.result')
      .map((e) => [e.data.check, e.data.status, e.data.reason]);
    expect(results).toEqual([
      ['all-a', 'OK', 'exit 0'],
      ['then-b', 'CRITICAL', 'stdout does not match /(a+)+b/'],
    ]);
  });
});
