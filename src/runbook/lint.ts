import { FileReader } from '../files/read-file.js';
import { compareDiagnostics, type Diagnostic, type Position } from './diagnostic.js';
import { buildRunbook, type Runbook } from './model.js';
import { gatherFacts } from './rules/facts.js';
import { RULES, RULE_IDS } from './rules/index.js';
import { checkSchema } from './schema.js';
import { quickLint } from './quick.js';
import { parseRunbookBytes, type RunbookSource } from './source.js';
import { isTriageBytes, lintTriageBytes } from '../triage/matrix.js';
import { isRegulatorsBytes, lintRegulatorsBytes } from '../regulator/rules.js';

/** Kept under these names for the modules and tests that import them from the linter. */
export { FileReader as RunbookReader, ioError } from '../files/read-file.js';

export interface LintResult {
  file: string;
  source?: RunbookSource;
  runbook?: Runbook;
  diagnostics: Diagnostic[];
  /**
   * Set for a triage matrix (format sevkit-triage/v1) or a regulators file (sevkit-regulators/v1):
   * validated, but not a runbook, so never listed.
   */
  kind?: 'triage' | 'regulators';
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
  if (isRegulatorsBytes(bytes)) {
    const rules = lintRegulatorsBytes(file, bytes);
    return finish({ file, source: rules.source, diagnostics: rules.diagnostics, kind: 'regulators' });
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

  const runbook = buildRunbook(value, source);
  result.runbook = runbook;
  const facts = gatherFacts(runbook);
  for (const rule of RULES) {
    rule.check({
      runbook,
      facts,
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

/** The bytes of one runbook file, in a buffer of their own. */
export function readRunbookFile(file: string): Uint8Array {
  return Buffer.from(new FileReader().read(file));
}

/** Lints one file; a file that cannot be read is a usage error. */
export async function lintFile(file: string): Promise<LintResult> {
  return lintBytes(file, readRunbookFile(file));
}

/**
 * Lints files one after the other, each with the findings that need the files before it (two runbooks
 * with one id), and hands each result to `keep`. Files are read synchronously: nothing else runs
 * meanwhile, and it saves a wait per file.
 */
function lintEach<T>(files: readonly string[], keep: (result: LintResult) => T): T[] {
  const firstById = new Map<string, string>();
  const reader = new FileReader();
  return files.map((file) => {
    const result = lintBytes(file, reader.read(file));
    const { runbook, source } = result;
    if (runbook?.id && source) {
      // A translation (same id, another lang) is the same runbook, not a clash.
      const key = `${runbook.id}\u0000${runbook.lang ?? ''}`;
      const first = firstById.get(key);
      if (first === undefined) firstById.set(key, file);
      const duplicate = first !== undefined && duplicateFinding(source, runbook.id, first);
      if (duplicate) {
        result.diagnostics.push(duplicate);
        result.diagnostics.sort(compareDiagnostics);
      }
    }
    return keep(result);
  });
}

/** The duplicate-runbook-id finding, unless a sev-disable-line comment covers the id's line. */
function duplicateFinding(source: RunbookSource, id: string, first: string): Diagnostic | undefined {
  const duplicate: Diagnostic = {
    file: source.file,
    ...source.locate(['id']),
    rule: 'duplicate-runbook-id',
    severity: 'error',
    message: `runbook id "${id}" is also used by ${first}: ids must be unique`,
  };
  // Found after finish() applied sev-disable-line comments, so apply them to this finding here.
  const ids = suppressions(source, () => {}).get(duplicate.line);
  return ids === 'all' || ids?.has(duplicate.rule) ? undefined : duplicate;
}

/** Lints many files, keeping each one's runbook (sev list, run). */
export async function lintFiles(files: string[]): Promise<LintResult[]> {
  return lintEach(files, (result) => result);
}

/** What `sev validate` keeps of one file: its findings and, when it has any, its lines for excerpts. */
export interface FileFindings {
  file: string;
  diagnostics: Diagnostic[];
  lines?: string[];
}

/**
 * Lints many files for their findings alone. Each file's runbook and parsed value are dropped as soon
 * as it is checked, so a large tree is checked in little memory, and faster (what is dropped young
 * costs the garbage collector nothing).
 */
export function checkFiles(files: readonly string[]): FileFindings[] {
  return lintEach(files, ({ file, diagnostics, source }) => ({ file, diagnostics, lines: diagnostics.length ? source?.lines : undefined }));
}
