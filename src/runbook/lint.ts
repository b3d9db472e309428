import { readFile, stat } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { compareDiagnostics, type Diagnostic, type Position } from './diagnostic.js';
import { buildRunbook, type Runbook } from './model.js';
import { RULES, RULE_IDS } from './rules/index.js';
import { checkSchema } from './schema.js';
import { quickLint } from './quick.js';
import { parseRunbookBytes, type RunbookSource } from './source.js';
import { isTriageBytes, lintTriageBytes } from '../triage/matrix.js';

export interface LintResult {
  file: string;
  source?: RunbookSource;
  runbook?: Runbook;
  diagnostics: Diagnostic[];
  /** Set for a triage matrix (format sevkit-triage/v1): validated, but not a runbook, so never listed. */
  kind?: 'triage';
}

const DISABLE = /(?:^|\s)#\s*sev-disable-line\b([^#]*)/;

/**
 * Reads `# sev-disable-line rule-a, rule-b` comments. A comment after content covers its own line;
 * a comment alone on its line covers the next line too. Without rule ids it covers every rule.
 */
function suppressions(source: RunbookSource, report: (d: Diagnostic) => void): Map<number, Set<string> | 'all'> {
  const byLine = new Map<number, Set<string> | 'all'>();
  const add = (line: number, ids: Set<string> | 'all') => {
    const existing = byLine.get(line);
    if (existing === 'all' || ids === 'all') byLine.set(line, 'all');
    else byLine.set(line, new Set([...(existing ?? []), ...ids]));
  };
  source.lines.forEach((text, index) => {
    const match = DISABLE.exec(text);
    if (!match) return;
    const line = index + 1;
    const names = match[1]!.split(/[\s,]+/).filter(Boolean);
    for (const name of names) {
      if (!RULE_IDS.has(name)) {
        const col = text.indexOf(name, match.index) + 1;
        report({ file: source.file, line, col, rule: 'unknown-rule', severity: 'warning', message: `sev-disable-line names unknown rule "${name}"` });
      }
    }
    const ids = names.length ? new Set(names) : 'all';
    add(line, ids);
    if (text.slice(0, match.index).trim() === '') add(line + 1, ids);
  });
  return byLine;
}

/** Reads, parses, schema-checks and rule-checks one runbook given as bytes. Never throws on bad input. */
export function lintBytes(file: string, bytes: Uint8Array, options: { quick?: boolean } = {}): LintResult {
  if (isTriageBytes(bytes)) {
    const triage = lintTriageBytes(file, bytes);
    return { file, source: triage.source, diagnostics: triage.diagnostics, kind: 'triage' };
  }
  if (options.quick !== false) {
    const clean = quickLint(file, bytes);
    if (clean) return { file, source: clean.source, runbook: clean.runbook, diagnostics: [] };
  }
  const { source, diagnostics } = parseRunbookBytes(file, bytes);
  const result: LintResult = { file, source, diagnostics: [...diagnostics] };
  if (!source || source.value === undefined) return finish(result);
  const at = (path: readonly (string | number)[], part: 'key' | 'value'): Position => source.locate(path, part);

  for (const problem of checkSchema(source.value)) {
    result.diagnostics.push({ file, ...at(problem.path, problem.part), rule: problem.rule, severity: 'error', message: problem.message });
  }
  const value = source.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return finish(result);

  const runbook = buildRunbook(value, file, source.hash);
  result.runbook = runbook;
  for (const rule of RULES) {
    rule.check({
      runbook,
      report(path, message, options = {}) {
        result.diagnostics.push({ file, ...at(path, options.part ?? 'value'), rule: rule.id, severity: options.severity ?? rule.severity, message });
      },
    });
  }
  return finish(result);
}

function finish(result: LintResult): LintResult {
  if (result.source) {
    const extra: Diagnostic[] = [];
    const byLine = suppressions(result.source, (d) => extra.push(d));
    result.diagnostics = result.diagnostics.filter((d) => {
      const ids = byLine.get(d.line);
      return !(ids === 'all' || ids?.has(d.rule));
    });
    result.diagnostics.push(...extra);
  }
  result.diagnostics = dedupe(result.diagnostics).sort(compareDiagnostics);
  return result;
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.line}:${d.col}:${d.rule}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export async function lintFile(file: string): Promise<LintResult> {
  let bytes: Uint8Array;
  try {
    // Looked at before reading: a FIFO would wait for a writer, and a device like /dev/zero never ends.
    const info = await stat(file);
    if (!info.isFile() && !info.isDirectory()) throw new Error('not a regular file');
    bytes = await readFile(file);
  } catch (error) {
    throw ioError(file, error);
  }
  return lintBytes(file, bytes);
}

export function ioError(file: string, error: unknown): UserError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
  return new UserError(`${file}: ${reason}`);
}

/** Lints many files and adds the findings that need them all: two runbooks with one id. */
export async function lintFiles(files: string[]): Promise<LintResult[]> {
  const results = await Promise.all(files.map(lintFile));
  const firstById = new Map<string, LintResult>();
  for (const result of results) {
    const id = result.runbook?.id;
    if (!id || !result.source) continue;
    const lang = result.runbook?.lang;
    // A translation (same id, another lang) is the same runbook, not a clash.
    const key = `${id}\u0000${lang ?? ''}`;
    const first = firstById.get(key);
    if (!first) {
      firstById.set(key, result);
      continue;
    }
    const duplicate: Diagnostic = {
      file: result.file,
      ...result.source.locate(['id']),
      rule: 'duplicate-runbook-id',
      severity: 'error',
      message: `runbook id "${id}" is also used by ${first.file}: ids must be unique`,
    };
    // Found after finish() applied sev-disable-line comments, so apply them to this finding here.
    const ids = suppressions(result.source, () => {}).get(duplicate.line);
    if (ids === 'all' || ids?.has(duplicate.rule)) continue;
    result.diagnostics.push(duplicate);
    result.diagnostics.sort(compareDiagnostics);
  }
  return results;
}
