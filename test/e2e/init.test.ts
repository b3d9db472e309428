import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJson, ROOT, sev } from '../helpers.js';

const SCHEMAS = ['runbook', 'translation', 'triage', 'regulators', 'policy', 'config'];

function temp(): string {
  return mkdtempSync(join(tmpdir(), 'sev-init-'));
}

/** The file a `# yaml-language-server: $schema=…` first line names, resolved from the file's directory. */
function modelineTarget(file: string): string {
  const first = readFileSync(file, 'utf8').split('\n')[0]!;
  const named = /^# yaml-language-server: \$schema=(.+)$/.exec(first)?.[1];
  expect(named, `${file} starts with a modeline`).toBeDefined();
  return resolve(dirname(file), named!);
}

describe('sev init', () => {
  it('scaffolds a runbooks directory that validates, with every modeline resolving to a copy of the schema', () => {
    const cwd = temp();
    mkdirSync(join(cwd, '.git'));
    const r = sev(['init'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const example = join(cwd, 'runbooks', 'service-down.yaml');
    expect(modelineTarget(example)).toBe(join(cwd, 'runbooks', 'runbook.schema.json'));
    for (const name of SCHEMAS) {
      expect(readFileSync(join(cwd, 'runbooks', `${name}.schema.json`), 'utf8'), name).toBe(
        readFileSync(join(ROOT, 'runbooks', `${name}.schema.json`), 'utf8'),
      );
    }
    const config = join(cwd, 'sev.config.yaml');
    expect(existsSync(modelineTarget(config))).toBe(true);
    expect(readFileSync(config, 'utf8')).toContain('runbooks: "./runbooks"');
    const workflow = readFileSync(join(cwd, '.github', 'workflows', 'runbooks.yml'), 'utf8');
    expect(workflow).toContain('RUNBOOKS: "runbooks"');
    expect(workflow).toContain('sev validate --strict "$RUNBOOKS"');

    // Without paths, validate checks the runbooks directory and the config in force: the ones just written.
    const v = sev(['validate', '--strict', '--format', 'json'], { cwd });
    const report = parseJson<{ files: string[]; diagnostics: unknown[] }>(v.stdout);
    expect(report.diagnostics).toEqual([]);
    expect(report.files.sort()).toEqual([config, example].sort());
    expect(v.code).toBe(0);
    const list = parseJson<{ id: string; origin: string }[]>(sev(['list', '--json'], { cwd }).stdout);
    expect(list.find((e) => e.id === 'service-down')).toBeDefined();
  });

  it('never overwrites a file, says which it kept, and writes no config when one is in force', () => {
    const cwd = temp();
    const dir = join(cwd, 'ops', 'runbooks');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'service-down.yaml'), 'mine\n');
    writeFileSync(join(cwd, 'sev.config.yaml'), 'runbooks: ./ops/runbooks\n');
    const r = sev(['init', 'ops/runbooks'], { cwd });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'service-down.yaml'), 'utf8')).toBe('mine\n');
    expect(readFileSync(join(cwd, 'sev.config.yaml'), 'utf8')).toBe('runbooks: ./ops/runbooks\n');
    expect(r.stdout).toMatch(/kept +ops\/runbooks\/service-down\.yaml .*not overwritten/);
    expect(r.stdout).toMatch(/kept +sev\.config\.yaml .*config in force/);
    expect(r.stdout).toMatch(/wrote +ops\/runbooks\/runbook\.schema\.json/);
    // No repository: the workflow goes to the working directory the runbooks lie in.
    expect(readFileSync(join(cwd, '.github', 'workflows', 'runbooks.yml'), 'utf8')).toContain('RUNBOOKS: "ops/runbooks"');
  });
});

describe('sev schema', () => {
  it('prints the runbook schema by default, and another by name', () => {
    expect(sev(['schema']).stdout).toBe(readFileSync(join(ROOT, 'runbooks', 'runbook.schema.json'), 'utf8'));
    expect(parseJson<{ $id: string }>(sev(['schema', 'triage']).stdout).$id).toBe('https://sevkit.dev/schema/triage.schema.json');
  });

  it('--path names an existing file, the one it prints', () => {
    for (const name of ['runbook', 'answers', 'config']) {
      const path = sev(['schema', '--path', name]).stdout.trim();
      expect(path).toBe(join(ROOT, 'runbooks', `${name}.schema.json`));
      expect(existsSync(path)).toBe(true);
    }
  });

  it('refuses an unknown name with the names it knows, exit 2', () => {
    const r = sev(['schema', 'runbok']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no schema named "runbok"');
    expect(r.stderr).toContain('runbook, translation, triage, regulators, policy, answers, config');
  });
});
