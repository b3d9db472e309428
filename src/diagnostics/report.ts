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

export interface Span {
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

/**
 * Characters that would move the cursor, ring the bell or start an escape sequence on a terminal, and the
 * bidirectional controls that can make a line read differently from what it holds.
 */
const UNPRINTABLE = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Text of several lines safe to print on a terminal: line breaks and tabs are kept, other controls made visible. */
export function printableText(s: string): string {
  return s.split('\n').map(printable).join('\n');
}

/** Text safe to print on a terminal, one line: such characters become visible escapes like \x1b or \u202e. */
export function printable(s: string): string {
  return s.replace(UNPRINTABLE, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
