/** One problem found in a runbook, at a 1-based line and column of its file. */
export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  endLine?: number;
  endCol?: number;
  rule: string;
  severity: 'error' | 'warning';
  message: string;
}

export interface Position {
  line: number;
  col: number;
  endLine?: number;
  endCol?: number;
}

export const START: Position = { line: 1, col: 1 };

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.rule.localeCompare(b.rule);
}

/** A diagnostic is a failure when it is an error, or any finding under --strict. */
export function isFailure(d: Diagnostic, strict: boolean): boolean {
  return d.severity === 'error' || strict;
}
