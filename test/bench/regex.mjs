// Runbook patterns run on RE2 (re2js), not RegExp, so that no pattern can take more than linear time.
// This measures what that costs on the work patterns do: a check's expectation searched in 64 KiB of
// output (the output cap), where the text does not match so the whole of it is read; an input's pattern
// matched against a typical answer; and compiling. The pathological rows show why: (a+)+$ on 64 KiB.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './lib/paths.mjs';
import { stats } from './lib/measure.mjs';

const KIB64 = 64 * 1024;

// Expectations of the shipped runbooks, searched in output they do not match.
const SEARCH = [
  '"status":\\s*"ok"',
  '"enabled":\\s*false',
  '(^|\\s)0(\\.0+)?% packet loss',
  '"overdue":\\s*0\\b',
  'ActiveState=active',
  '^0 transaction',
  '"value":\\[[^\\]]*"(?:[1-9]\\d|\\d{3,})(?:\\.\\d+)?"\\]',
  '\\d+\\.\\d+\\.\\d+\\.\\d+',
];
// Input patterns of the shipped runbooks, each with an answer it accepts.
const WHOLE = [
  ['https?://\\S+', 'https://grafana.example.com/d/wallet-api?orgId=1&from=now-1h'],
  ['\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2})?Z?|unknown', '2026-11-26T03:05:00Z'],
  ['none|fees|\\d+(\\.\\d{1,2})? [A-Z]{3}', '1250.00 EUR'],
  ['\\S.{1,79}', 'Payments in the wallet are failing for some users'],
  ['[a-z0-9][a-z0-9._-]*', 'wallet-db-primary.eu-west-1'],
];

/** JSON log lines, as a health endpoint or a log query prints them, cut to exactly 64 KiB. */
function output() {
  const lines = [];
  let size = 0;
  for (let i = 0; size < KIB64; i++) {
    const line =
      `{"time":"2026-11-26T03:${String(i % 60).padStart(2, '0')}:00Z","level":"info","service":"wallet-api","status": "degraded",` +
      `"latency_ms":${(i * 37) % 900},"msg":"request ${i} served by pod-${i % 7}"}`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n').slice(0, KIB64);
}

function time(fn, { runs, warmup }) {
  const samples = [];
  for (let i = 0; i < warmup + runs; i++) {
    const t = performance.now();
    fn();
    const ms = performance.now() - t;
    if (i >= warmup) samples.push(ms);
  }
  return samples;
}

export default {
  name: 'regex',
  description:
    'runbook patterns on re2js against RegExp: expectations searched in 64 KiB of output, input patterns, compiling; (a+)+ on 64 KiB',
  defaults: { runs: 30, warmup: 5 },
  async measure({ runs, warmup, log }) {
    const { compileSearch, compileWhole } = await import(pathToFileURL(join(ROOT, 'dist/runbook/regex.js')).href);
    const { RE2JS } = createRequire(join(ROOT, 'package.json'))('re2js');
    const text = output();

    const re2Search = SEARCH.map((p) => compileSearch(p));
    const jsSearch = SEARCH.map((p) => new RegExp(p, 'u'));
    // Both engines must agree, or the timing compares nothing.
    for (let i = 0; i < SEARCH.length; i++) {
      if (re2Search[i].test(text) || jsSearch[i].test(text))
        throw new Error(`${SEARCH[i]} matches the output: it should be read to the end`);
    }
    const re2Whole = WHOLE.map(([p]) => compileWhole(p));
    const jsWhole = WHOLE.map(([p]) => new RegExp(`^(?:${p})$`, 'u'));
    for (let i = 0; i < WHOLE.length; i++) {
      if (!re2Whole[i].test(WHOLE[i][1]) || !jsWhole[i].test(WHOLE[i][1])) throw new Error(`${WHOLE[i][0]} does not match ${WHOLE[i][1]}`);
    }

    const opts = { runs, warmup };
    const jsS = stats(time(() => jsSearch.forEach((r) => r.test(text)), opts));
    const re2S = stats(time(() => re2Search.forEach((r) => r.test(text)), opts));
    const jsW = stats(
      time(() => {
        for (let k = 0; k < 100; k++) jsWhole.forEach((r, i) => r.test(WHOLE[i][1]));
      }, opts),
    );
    const re2W = stats(
      time(() => {
        for (let k = 0; k < 100; k++) re2Whole.forEach((r, i) => r.test(WHOLE[i][1]));
      }, opts),
    );
    const all = [...SEARCH, ...WHOLE.map(([p]) => p)];
    // V8 compiles a RegExp on its first match and keeps it by its source: each round's patterns are made
    // new by an alternative that never matches (a private-use character and a number), and both engines
    // are timed compiling and matching once.
    let round = 0;
    const fresh = () => all.map((p) => `(?:${p})|\u{E000}${round++}`);
    const jsC = stats(time(() => fresh().forEach((p) => new RegExp(p, 'u').test('x')), opts));
    const re2C = stats(time(() => fresh().forEach((p) => RE2JS.compile(p).test('x')), opts));
    for (let i = 0; i < SEARCH.length; i++) {
      const js = stats(time(() => jsSearch[i].test(text), opts)).median;
      const re2 = stats(time(() => re2Search[i].test(text), opts)).median;
      log(`${SEARCH[i]} on 64 KiB: RegExp ${Math.round(js * 1000)} µs, re2js ${Math.round(re2 * 1000)} µs`);
    }

    // (a+)+$ on a's followed by a b: RegExp backtracks 2^n ways, so it is timed on 24 characters only.
    const evil = compileSearch('(a+)+$');
    const evilText = `${'a'.repeat(KIB64 - 1)}b`;
    if (evil.test(evilText)) throw new Error('(a+)+$ matched a text ending in b');
    const re2Evil = stats(time(() => evil.test(evilText), { runs: Math.min(runs, 10), warmup: 1 }));
    const jsEvil = stats(time(() => /(a+)+$/u.test(`${'a'.repeat(24)}b`), { runs: Math.min(runs, 3), warmup: 0 }));
    log(`RegExp needs ${Math.round(jsEvil.median)} ms for (a+)+$ on 24 a’s and a b, and about twice that for each a more`);

    return {
      unit: 'per batch',
      rows: [
        { label: `RegExp: ${SEARCH.length} expectations, 64 KiB each, no match (baseline)`, stats: jsS },
        { label: `re2js: the same`, stats: re2S, ratio: re2S.median / jsS.median },
        { label: `RegExp: ${WHOLE.length} input patterns × 100 answers (baseline)`, stats: jsW },
        { label: `re2js: the same`, stats: re2W, ratio: re2W.median / jsW.median },
        { label: `RegExp: compile and match once, the ${all.length} patterns (baseline)`, stats: jsC },
        { label: `re2js: the same`, stats: re2C, ratio: re2C.median / jsC.median },
        { label: 'RegExp: (a+)+$ on 24 a’s and a b', stats: jsEvil },
        { label: 're2js: (a+)+$ on 64 KiB, a’s and a b', stats: re2Evil },
      ],
      targets: [
        { label: 'one expectation on 64 KiB, re2js', value: (re2S.median / SEARCH.length) * 1000, max: 5000, unit: 'µs (median)' },
        // Medians: on a shared machine the slowest of a few runs of a millisecond measures the machine.
        { label: '(a+)+$ on 64 KiB, re2js', value: re2Evil.median, max: 50, unit: 'ms (median)' },
      ],
      info: {},
    };
  },
};
