import { isAbsolute, relative, resolve, sep } from 'node:path';
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

interface Totals {
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

export { isFailure } from '../runbook/diagnostic.js';

/** The directory that CI systems resolve paths against: the checkout in GitHub Actions, else the working directory. */
export function reportRoot(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.GITHUB_WORKSPACE || process.cwd());
}

/** `file` relative to `root` with forward slashes, or undefined when it lies outside `root`. */
export function relativeTo(root: string, file: string): string | undefined {
  const rel = relative(root, resolve(file));
  if (rel === '' || isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`)) return undefined;
  return rel.split(sep).join('/');
}

interface Span {
  line: number;
  col: number;
  /** Last line of the range. */
  endLine: number;
  /** Column just after the range on endLine (exclusive), or undefined for "to the end of endLine". */
  endCol?: number;
}

/**
 * The range of a finding, tidied for CI systems: a range that ends at column 1 of a later line really ends
 * with the line before, and a missing or backwards end collapses to the start.
 */
export function span(d: Diagnostic): Span {
  let endLine = d.endLine ?? d.line;
  let endCol = d.endCol ?? (d.endLine === undefined ? d.col : undefined);
  if (endLine < d.line) {
    endLine = d.line;
    endCol = d.col;
  } else if (endLine > d.line && endCol === 1) {
    endLine -= 1;
    endCol = undefined;
  }
  if (endLine === d.line && endCol !== undefined && endCol < d.col) endCol = d.col;
  return { line: d.line, col: d.col, endLine, endCol };
}

// The one sanitiser of printed text; validate's formats use it as the reports do.
export { printable, printableText } from '../report/sanitize.js';
