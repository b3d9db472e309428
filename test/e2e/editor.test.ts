import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, ROOT, sev } from '../helpers.js';
import { YamlLanguageServer, type LspCompletion, type LspDiagnostic } from '../lsp.js';

// A runbook with one error of each kind an author makes first; the editor must show every one.
const PLANTED = `# yaml-language-server: $schema=./runbook.schema.json
format: sevkit/v1
id: planted
title: Planted errors
class: server-failure
severity: SEV3
summry: a typo of summary
checks:
  api-health:
    run: curl -fsS http://127.0.0.1:8080/health
    retries: many
    timeout: 10 seconds
steps:
  - id: two-actions
    confirm: Is it up?
    command:
      run: systemctl restart api
  - id: waits
    wait:
      check: api-health
    milestone: resolved
`;

// A step being written: the cursor on the empty line under its id.
const WRITING = `# yaml-language-server: $schema=./runbook.schema.json
format: sevkit/v1
id: writing
title: Being written
class: server-failure
severity: SEV3
steps:
  - id: first
    
`;

const RUNBOOKS = join(ROOT, 'runbooks');

function at(diagnostics: LspDiagnostic[], line: number): string[] {
  return diagnostics.filter((d) => d.range.start.line === line).map((d) => d.message);
}

function documentation(item: LspCompletion | undefined): string {
  const doc = item?.documentation;
  return typeof doc === 'string' ? doc : (doc?.value ?? '');
}

describe('yaml-language-server with the shipped schemas', { timeout: 60_000 }, () => {
  let server: YamlLanguageServer;
  beforeAll(async () => {
    server = new YamlLanguageServer();
    await server.start();
  });
  afterAll(async () => server?.stop());

  it('shows every planted error at its line, each in words that say what is wrong', async () => {
    const diagnostics = await server.open(join(RUNBOOKS, 'planted.yaml'), PLANTED);
    // Lines are 0-based in LSP.
    expect(at(diagnostics, 6), 'unknown key').toEqual(['Property summry is not allowed.']);
    expect(at(diagnostics, 10), 'wrong type').toEqual(['Incorrect type. Expected "integer".']);
    expect(at(diagnostics, 11), 'bad duration').toEqual(['Not a duration: write it like 500ms, 30s, 5m, 1h or 1m30s.']);
    expect(at(diagnostics, 14), 'two actions: the first').toEqual([
      'A step does exactly one thing, and this one already has command: move this action into a step of its own.',
    ]);
    expect(at(diagnostics, 15), 'two actions: the second').toEqual([
      'A step does exactly one thing, and this one already has confirm: move this action into a step of its own.',
    ]);
    expect(at(diagnostics, 18), 'missing required key').toEqual(['Missing property "timeout".']);
    expect(diagnostics).toHaveLength(6);
  });

  it('offers the keys of a step with their documentation', async () => {
    const file = join(RUNBOOKS, 'writing.yaml');
    await server.open(file, WRITING);
    const items = await server.complete(file, 8, 4);
    const byLabel = new Map(items.map((item) => [item.label, item]));
    for (const key of [
      'title',
      'instructions',
      'confirm',
      'choice',
      'input',
      'checks',
      'wait',
      'command',
      'announce',
      'regulator',
      'next',
      'on_fail',
    ]) {
      expect(documentation(byLabel.get(key)), key).not.toBe('');
    }
    expect(documentation(byLabel.get('title'))).toBe('Short title of the step, shown as its heading.');
  });

  it('finds no problem in any shipped file (their modelines resolve, the schemas load)', async () => {
    const files = readdirSync(RUNBOOKS).filter((name) => name.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(10);
    for (const name of files) {
      const text = readFileSync(join(RUNBOOKS, name), 'utf8');
      expect(text.split('\n')[0], name).toMatch(/^# yaml-language-server: \$schema=\.\/[a-z]+\.schema\.json$/);
      const diagnostics = await server.open(join(RUNBOOKS, name), text);
      expect(
        diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`),
        name,
      ).toEqual([]);
    }
  });
});

describe('sev validate on the same planted errors', () => {
  it('reports each once, the duration and the two actions by their rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sev-planted-'));
    writeFileSync(join(dir, 'planted.yaml'), PLANTED.replace('./runbook.schema.json', join(RUNBOOKS, 'runbook.schema.json')));
    const r = sev(['validate', dir, '--format', 'json']);
    const found = parseJson<{ diagnostics: { line: number; rule: string }[] }>(r.stdout).diagnostics.map((d) => [d.line, d.rule]);
    expect(found).toEqual([
      [7, 'unknown-key'],
      [11, 'schema'],
      [12, 'invalid-duration'],
      [16, 'multiple-actions'],
      [20, 'schema'],
    ]);
  });
});
