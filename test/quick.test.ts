import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintBytes } from '../src/runbook/lint.js';
import { quickLint } from '../src/runbook/quick.js';
// @ts-expect-error: the benchmark's corpus generator is plain JavaScript.
import { generateRunbook } from './bench/lib/corpus.mjs';
import { ROOT } from './helpers.js';

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

/** Both paths must say the same of a file: the quick one may only decline, never disagree. */
function samePaths(file: string, bytes: Uint8Array) {
  const quick = lintBytes(file, bytes);
  const full = lintBytes(file, bytes, { quick: false });
  expect(quick.diagnostics).toEqual(full.diagnostics);
  expect(JSON.stringify(quick.runbook, (k, v) => (k === 'path' ? undefined : v))).toEqual(JSON.stringify(full.runbook, (k, v) => (k === 'path' ? undefined : v)));
}

describe('the quick path of the linter', () => {
  it('takes a clean runbook, with the same runbook and positions computed on demand', () => {
    const quick = quickLint('clean.yaml', Buffer.from(CLEAN));
    expect(quick).toBeDefined();
    expect(quick!.runbook.steps.map((s) => s.id)).toEqual(['look']);
    expect(quick!.source.locate(['steps', 0, 'checks'])).toMatchObject({ line: 13, col: 13 });
    samePaths('clean.yaml', Buffer.from(CLEAN));
  });

  it.each([
    ['an anchor and alias', CLEAN.replace('timeout: 5s', 'timeout: &t 5s').replace('id: clean', 'id: clean\nx-note: *t')],
    ['a tag', CLEAN.replace('title: Clean', 'title: !!str Clean')],
    ['a directive', `%YAML 1.2\n---\n${CLEAN}`],
    ['a flow collection over two lines', CLEAN.replace('checks: [up]', 'checks: [up,\n      up]')],
    ['a suppression comment', CLEAN.replace('milestone: resolved', 'milestone: resolved # sev-disable-line')],
    ['a finding', CLEAN.replace('checks: [up]', 'checks: [down]')],
    ['a duplicate key', CLEAN.replace('title: Clean', 'title: Clean\ntitle: Again')],
    ['two documents', `${CLEAN}---\n${CLEAN}`],
    ['a CR that ends no line', CLEAN.replace('    checks: [up]', '\r    checks: [up]')],
  ])('declines a file with %s, leaving it to the full path', (_what, text) => {
    expect(quickLint('f.yaml', Buffer.from(text))).toBeUndefined();
    samePaths('f.yaml', Buffer.from(text));
  });

  it('agrees with the full path on every shipped runbook and fixture', () => {
    const dirs = [join(ROOT, 'runbooks'), join(ROOT, 'test/fixtures'), join(ROOT, 'test/fixtures/run')];
    let n = 0;
    for (const dir of dirs) {
      for (const name of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
        samePaths(join(dir, name), readFileSync(join(dir, name)));
        n++;
      }
    }
    expect(n).toBeGreaterThanOrEqual(5);
  });

  it('agrees with the full path on 200 generated runbooks, and takes most of them', () => {
    let taken = 0;
    for (let i = 0; i < 200; i++) {
      const { text } = generateRunbook(7, i) as { text: string };
      const bytes = Buffer.from(text);
      if (quickLint(`g${i}.yaml`, bytes)) taken++;
      samePaths(`g${i}.yaml`, bytes);
    }
    expect(taken).toBeGreaterThan(150);
  });
});
