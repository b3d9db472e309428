import type { Diagnostic } from '../runbook/diagnostic.js';

/** What a formatter needs of one checked file: its findings and, for excerpts, its lines. */
export interface FileReport {
  file: string;
  lines?: string[];
  diagnostics: Diagnostic[];
}

export interface FormatOptions {
  strict: boolean;
  color: boolean;
  quiet?: boolean;
}

export interface Totals {
  files: number;
  errors: number;
  warnings: number;
  failures: number;
}

export function totals(reports: FileReport[], strict: boolean): Totals {
  const all = reports.flatMap((r) => r.diagnostics);
  const errors = all.filter((d) => d.severity === 'error').length;
  const warnings = all.length - errors;
  return { files: reports.length, errors, warnings, failures: strict ? all.length : errors };
}
