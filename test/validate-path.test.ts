import { createHash } from 'node:crypto';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkFiles, lintBytes, lintFiles, RunbookReader } from '../src/lint/files.js';
import { fullValidator, isValid } from '../src/runbook/schema-check.js';
import { checkSchema } from '../src/runbook/schema.js';
import { scanTemplate } from '../src/runbook/template.js';
import { generateRunbook, rng } from './bench/lib/corpus.mjs';
import { aStringContaining, ROOT, sev, tempDir } from './helpers.js';

/** The same seed gives the same mutations. */
const random = (seed: number) => rng(seed).next;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Replaces one value somewhere in the document with a value of another kind, or removes or adds a key. */
function mutate(doc: Json, next: () => number): Json {
  const copy = structuredClone(doc);
  const replacements: Json[] = ['', '😀', 'x', 0, -1, 1.5, true, null, [], {}, ['a', 'a'], { unknown: 1 }, 'SEV9', 'not-a-duration'];
  const nodes: { parent: Json[] | Record<string, Json>; key: string | number }[] = [];
  const walk = (node: Json) => {
    if (Array.isArray(node)) node.forEach((child, i) => (nodes.push({ parent: node, key: i }), walk(child)));
    else if (node && typeof node === 'object')
      for (const key of Object.keys(node)) {
        nodes.push({ parent: node, key });
        walk(node[key]!);
      }
  };
  walk(copy);
  const at = nodes[Math.floor(next() * nodes.length)]!;
  const choice = next();
  if (choice < 0.15 && !Array.isArray(at.parent)) delete at.parent[at.key as string];
  else if (choice < 0.25 && !Array.isArray(at.parent)) at.parent['x_extra'] = 'surplus';
  else (at.parent as Record<string | number, Json>)[at.key] = replacements[Math.floor(next() * replacements.length)]!;
  return copy;
}

function documents(): Json[] {
  const docs: Json[] = [];
  for (const dir of [join(ROOT, 'runbooks'), join(ROOT, 'test/fixtures'), join(ROOT, 'test/fixtures/run')]) {
    // Runbooks only: the triage matrix, the regulators file and translations have schemas of their own.
    for (const name of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
      const doc = parse(readFileSync(join(dir, name), 'utf8')) as Json;
      if ((doc as { format?: unknown }).format === 'sevkit/v1') docs.push(doc);
    }
  }
  for (let i = 0; i < 50; i++) docs.push(parse(generateRunbook(11, i).text) as Json);
  return docs;
}

describe('the yes/no schema check', () => {
  it('says what the validator that lists every error says, on real runbooks and 3,000 mutations of them', () => {
    const next = random(2024);
    const docs = documents();
    let invalid = 0;
    for (const doc of docs) expect(isValid(doc)).toBe(true);
    for (let i = 0; i < 3000; i++) {
      const doc = mutate(docs[i % docs.length]!, next);
      const full = fullValidator()(doc);
      expect(isValid(doc), JSON.stringify(doc).slice(0, 200)).toBe(full);
      if (!full) invalid++;
    }
    // Enough mutants break the schema for the comparison to mean something.
    expect(invalid).toBeGreaterThan(1000);
  });

  it('counts a string of one astral character as not empty, and an empty one as empty', () => {
    const base = parse(readFileSync(join(ROOT, 'test/fixtures/minimal.yaml'), 'utf8')) as Record<string, Json>;
    expect(isValid({ ...base, title: '😀' })).toBe(true);
    expect(isValid({ ...base, title: '' })).toBe(false);
    expect(checkSchema({ ...base, title: '' })).toEqual([
      expect.objectContaining({ rule: 'schema', path: ['title'], message: '"title" must not be empty' }),
    ]);
  });
});

describe('reading runbook files', () => {
  it('reads files of any size into one buffer, each whole', () => {
    const big = `# ${'x'.repeat(300_000)}\n`;
    const dir = tempDir({ 'small.yaml': 'a: 1\n', 'big.yaml': big, 'empty.yaml': '' });
    const reader = new RunbookReader();
    expect(Buffer.from(reader.read(join(dir, 'small.yaml'))).toString()).toBe('a: 1\n');
    expect(Buffer.from(reader.read(join(dir, 'big.yaml'))).toString()).toBe(big);
    expect(reader.read(join(dir, 'empty.yaml')).length).toBe(0);
    expect(Buffer.from(reader.read(join(dir, 'small.yaml'))).toString()).toBe('a: 1\n');
  });

  it('refuses a FIFO at once, a directory, a missing file and an unreadable one, naming the file', () => {
    const dir = tempDir({ 'locked.yaml': 'a: 1\n' });
    execFileSync('mkfifo', [join(dir, 'pipe.yaml')]);
    chmodSync(join(dir, 'locked.yaml'), 0);
    const reader = new RunbookReader();
    expect(() => reader.read(join(dir, 'pipe.yaml'))).toThrow(`${join(dir, 'pipe.yaml')}: not a regular file`);
    expect(() => reader.read(dir)).toThrow(`${dir}: is a directory`);
    expect(() => reader.read(join(dir, 'none.yaml'))).toThrow(`${join(dir, 'none.yaml')}: no such file or directory`);
    // root reads anything; the check only means something for another user
    if (process.getuid?.() !== 0) expect(() => reader.read(join(dir, 'locked.yaml'))).toThrow('permission denied');
  });

  it('leaves a writer waiting on a FIFO waiting, instead of opening the FIFO', () => {
    const dir = tempDir();
    const fifo = join(dir, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `echo data > '${fifo}'`], { stdio: 'ignore' });
    try {
      const r = sev(['validate', fifo]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('not a regular file');
      // Opening the FIFO for reading would have let the writer finish: it is still waiting when we read it
      // ourselves (a writer gone would leave nothing to read, and cat would wait for its timeout).
      const read = spawnSync('timeout', ['5', 'cat', fifo], { encoding: 'utf8' });
      expect(read.stdout).toBe('data\n');
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it("records the SHA-256 of the file's bytes as the runbook hash, byte order mark included", () => {
    const text = readFileSync(join(ROOT, 'test/fixtures/minimal.yaml'), 'utf8');
    for (const bytes of [
      Buffer.from(text),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
      Buffer.from(text.replace('Minimal', 'Mínimo 最小')),
    ]) {
      const expected = createHash('sha256').update(bytes).digest('hex');
      expect(lintBytes('minimal.yaml', bytes).runbook?.hash).toBe(expected);
    }
  });
});

describe('checking many files', () => {
  it('reports what linting each file reports, with duplicate ids found across files', () => {
    const corpus = Array.from({ length: 30 }, (_, i) => generateRunbook(5, i));
    const files: Record<string, string> = {};
    for (const { name, text } of corpus) files[name] = text;
    // A copy under another name, a broken file and one with findings among clean ones.
    files['zz-copy.yaml'] = corpus[3]!.text;
    files['broken.yaml'] = 'format: sevkit/v1\nid: [unclosed\n';
    files['finding.yaml'] = corpus[4]!.text.replace(/^id: .*$/m, 'id: finding-1').replace('milestone: resolved', 'milestone: detected');
    const dir = tempDir(files);
    const paths = Object.keys(files)
      .sort()
      .map((f) => join(dir, f));
    const checked = checkFiles(paths);
    const linted = lintFiles(paths);
    expect(checked.map((c) => c.file)).toEqual(paths);
    expect(checked.map((c) => c.diagnostics)).toEqual(linted.map((l) => l.diagnostics));
    expect(checked.find((c) => c.file.endsWith('zz-copy.yaml'))!.diagnostics.map((d) => d.rule)).toContain('duplicate-runbook-id');
    // Lines are kept for excerpts only where there is something to show.
    expect(checked.filter((c) => c.lines).map((c) => c.file.split('/').pop())).toEqual(
      expect.arrayContaining(['broken.yaml', 'zz-copy.yaml']),
    );
    expect(checked.find((c) => c.file.endsWith(corpus[0]!.name))!.lines).toBeUndefined();
  });
});

describe('nesting', () => {
  it('is a finding, not a crash, however deep a flow collection nests', () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const dir = tempDir({ 'deep.yaml': `format: sevkit/v1\nid: deep\ntags: ${deep}\n` });
    const r = sev(['validate', join(dir, 'deep.yaml'), '--format', 'json']);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { errors: number }).errors).toBeGreaterThan(0);
    expect(() => lintBytes('deep.yaml', Buffer.from(`a: ${deep}\n`))).not.toThrow();
  });
});

describe('template scanning', () => {
  it.each([
    ['{{ a }}', ['a'], []],
    ['{{{a}}', ['a'], []],
    ['{{a}} and {{', ['a'], [10]],
    ['}} {{ b', [], [3]],
    ['{{ a }}{{b}}', ['a', 'b'], []],
    ['{{ A }} {{ ok }}', ['ok'], [0]],
    ['no template { } here', [], []],
  ])('%s', (text, refs, errorOffsets) => {
    const scan = scanTemplate(text);
    expect(scan.refs.map((r) => r.name)).toEqual(refs);
    expect(scan.errors.map((e) => e.offset)).toEqual(errorOffsets);
  });

  it('finds the first unclosed "{{" where blanking out every complete tag leaves one, on 5,000 random texts', () => {
    const next = random(7);
    const TAG = /\{\{([^{}]*)\}\}/g;
    for (let i = 0; i < 5000; i++) {
      const text = Array.from({ length: 1 + Math.floor(next() * 14) }, () => '{{}} a.'[Math.floor(next() * 7)]).join('');
      const blanked = text.replace(TAG, (m) => ' '.repeat(m.length));
      const unclosed = scanTemplate(text).errors.find((e) => e.message.startsWith('unclosed'));
      expect(unclosed?.offset ?? -1, JSON.stringify(text)).toBe(blanked.indexOf('{{'));
    }
  });
});

describe('sev validate on a tree of plain runbooks', () => {
  it('loads neither the positional YAML library nor a colour library, for --format json', () => {
    const dir = tempDir(Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`r${i}.yaml`, generateRunbook(3, i).text])));
    const trace = join(tempDir(), 'modules.txt');
    const r = sev(['validate', dir, '--format', 'json'], {
      env: { SEV_TRACE_FILE: trace, NODE_OPTIONS: `--import=${join(ROOT, 'test/fixtures/trace-imports.mjs')}` },
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ errors: 0, warnings: 0 });
    const modules = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
    expect(modules.some((m) => m.includes('/dist/runbook/lint.js'))).toBe(true);
    expect(modules.filter((m) => /node_modules\/(yaml|chalk|string-width)\//.test(m))).toEqual([]);
  });

  it('still explains a broken file with its position, loading the positional parser for it', () => {
    const dir = tempDir({ 'ok.yaml': generateRunbook(3, 0).text, 'bad.yaml': 'format: sevkit/v1\nid: x\ntitle: a: b\n' });
    const r = sev(['validate', dir, '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { diagnostics: { file: string; line: number; rule: string }[] };
    expect(report.diagnostics[0]).toMatchObject({ file: aStringContaining('bad.yaml'), line: 3, rule: 'yaml-syntax' });
  });
});
