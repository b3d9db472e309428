import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, sev, tempDir } from './helpers.js';

const RUNBOOKS = join(ROOT, 'runbooks');
const SHIPPED = ['server-failure', 'network', 'data-error', 'disaster-recovery'] as const;

interface RunbookFile {
  id: string;
  class: string;
  severity: string;
  steps: { id: string }[];
}

interface Finding {
  file: string;
  line: number;
  col: number;
  rule: string;
  severity: string;
  message: string;
}

const text = (id: string) => readFileSync(join(RUNBOOKS, `${id}.yaml`), 'utf8');
const read = (id: string) => parse(text(id)) as RunbookFile;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function json<T>(r: { code: number | null; stdout: string; stderr: string }, what: string): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`${what} printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

describe('shipped runbooks', () => {
  it('all validate with no finding under --strict', () => {
    const r = sev(['validate', RUNBOOKS, '--strict', '--format', 'json']);
    const report = json<{ files: string[]; diagnostics: Finding[] }>(r, 'sev validate');
    const listing = report.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message} [${d.rule}]`).join('\n');
    expect(report.diagnostics, `sev validate --strict found:\n${listing}`).toEqual([]);
    expect(r.code, r.stderr).toBe(0);
    for (const id of SHIPPED)
      expect(
        report.files.some((f) => f.endsWith(`${id}.yaml`)),
        `${id}.yaml was not checked`,
      ).toBe(true);
  });

  it.each(SHIPPED)('%s.yaml has its id and class and points editors at the schema', (id) => {
    expect(text(id).split('\n')[0]).toBe('# yaml-language-server: $schema=./runbook.schema.json');
    expect(read(id)).toMatchObject({ id, class: id });
  });

  it('sev list --json lists each with the class, severity and step count of its file', () => {
    const cwd = tempDir(); // no ./runbooks here: only the shipped ones are listed
    const r = sev(['list', '--json'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const rows = json<{ id: string; lang: string; class: string; severity: string; steps: number; origin: string; errors: number }[]>(
      r,
      'sev list',
    );
    for (const id of SHIPPED) {
      const source = read(id);
      // One row per runbook: a translation is no row of its own, it is among the row's languages.
      expect(rows.filter((row) => row.id === id && !row.lang)).toEqual([
        expect.objectContaining({
          id,
          class: source.class,
          severity: source.severity,
          steps: source.steps.length,
          origin: 'shipped',
          errors: 0,
        }),
      ]);
    }
  });

  it.each(SHIPPED)('sev show %s prints every step id, numbered in order', (id) => {
    const r = sev(['show', id], { cwd: tempDir() });
    expect(r.code, r.stderr).toBe(0);
    const missing = read(id)
      .steps.map((step, i) => ({ step: step.id, n: i + 1 }))
      .filter(({ step, n }) => !new RegExp(`^\\s*${n}\\. ${escape(step)}(?: |$)`, 'm').test(r.stdout));
    expect(missing, `steps missing from sev show ${id}`).toEqual([]);
  });
});
