import { dirname } from 'node:path';
import { FileReader } from '../files/read-file.js';
import { compareDiagnostics, type Diagnostic, type Position } from './diagnostic.js';
import { buildRunbook, type Runbook } from './model.js';
import { gatherFacts } from './rules/facts.js';
import { RULES, RULE_IDS } from './rules/index.js';
import { checkSchema } from './schema.js';
import { quickLint } from './quick.js';
import { parseRunbookBytes, type RunbookSource } from './source.js';
import { isTriageBytes, lintTriageBytes } from '../triage/matrix.js';
import { checkTranslation, type TranslationAt } from './rules/translation.js';
import { buildTranslation, isTranslationBytes, TRANSLATION_SCHEMA, type Translation } from './translation.js';
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
   * validated, but not a runbook, so never listed; and for a translation (format sevkit-translation/v1),
   * which is shown only over the runbook it translates.
   */
  kind?: 'triage' | 'regulators' | 'translation';
  translation?: Translation;
  /** For a translation: the runbook it was checked against (and is shown over), with its own findings. */
  against?: LintResult;
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
  // A translation goes through the same decoding, parsing and schema check, with its own schema.
  if (isTranslationBytes(bytes)) return lintTranslationBytes(file, bytes);
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

/**
 * The first half of checking a translation, which needs no other file: parse and schema. The findings
 * that need the runbook it translates are added by `checkTranslationAgainst`.
 */
function lintTranslationBytes(file: string, bytes: Uint8Array): LintResult {
  const { source, diagnostics } = parseRunbookBytes(file, bytes);
  const result: LintResult = { file, source, diagnostics: [...diagnostics], kind: 'translation' };
  if (!source || source.value === undefined) return finish(result);
  for (const problem of checkSchema(source.value, TRANSLATION_SCHEMA)) {
    result.diagnostics.push({ file, ...source.locate(problem.path, problem.part), rule: problem.rule, severity: 'error', message: problem.message });
  }
  const value = source.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return finish(result);
  result.translation = buildTranslation(value, source);
  return finish(result);
}

/**
 * Adds a translation's findings against the runbook it translates (undefined when none has its id):
 * stray and missing texts, templates, the version it was written for. Suppression comments apply.
 */
export function checkTranslationAgainst(result: LintResult, against: LintResult | undefined): LintResult {
  const { translation, source } = result;
  if (!translation || !source) return result;
  result.against = against?.runbook ? against : undefined;
  const found: Diagnostic[] = [];
  checkTranslation(translation, source.value, result.against?.runbook, (at: TranslationAt, rule, severity, message) => {
    const position = at === 'top' ? { line: 1, col: 1 } : source.locate(at.path, at.part);
    found.push({ file: result.file, ...position, rule, severity, message });
  });
  const byLine = suppressions(source, () => {});
  for (const d of found) {
    const ids = byLine.get(d.line);
    if (!(ids === 'all' || ids?.has(d.rule))) result.diagnostics.push(d);
  }
  result.diagnostics = dedupe(result.diagnostics).sort(compareDiagnostics);
  return result;
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

/** Where the runbooks a translation may translate are found, besides the files checked together with it. */
export interface LintOptions {
  /** Further runbook files (the team's --runbooks directory, then the shipped ones), read only when needed. */
  references?: readonly string[];
}

/**
 * Finds the runbook of an id for a translation: among the files checked, one in the translation's own
 * directory first, then the first found; then among the reference files. Only file names are kept of
 * the files checked, so a runbook is read again when a translation needs it.
 */
class RunbookFinder {
  private readonly checked = new Map<string, string[]>();
  private readonly cache = new Map<string, LintResult>();
  private referencesRead = 0;
  private readonly referenceFiles = new Map<string, string>();

  constructor(
    private readonly reader: FileReader,
    private readonly references: readonly string[],
  ) {}

  note(id: string, file: string): void {
    const files = this.checked.get(id);
    if (files) files.push(file);
    else this.checked.set(id, [file]);
  }

  find(id: string, near: string): LintResult | undefined {
    const files = this.checked.get(id);
    const file = files?.find((f) => dirname(f) === dirname(near)) ?? files?.[0] ?? this.reference(id);
    if (file === undefined) return undefined;
    const cached = this.cache.get(file);
    if (cached) return cached;
    const result = lintBytes(file, this.reader.read(file));
    if (result.runbook) this.cache.set(file, result);
    return result;
  }

  private reference(id: string): string | undefined {
    while (!this.referenceFiles.has(id) && this.referencesRead < this.references.length) {
      const file = this.references[this.referencesRead++]!;
      let result: LintResult;
      try {
        result = lintBytes(file, this.reader.read(file));
      } catch {
        continue; // an unreadable reference file is not the one checked; it cannot hold the runbook
      }
      const id = result.kind === undefined ? result.runbook?.id : undefined;
      if (id && !this.referenceFiles.has(id)) {
        this.referenceFiles.set(id, file);
        this.cache.set(file, result);
      }
    }
    return this.referenceFiles.get(id);
  }
}

/**
 * Lints files one after the other, each with the findings that need the files before it (two runbooks
 * with one id), and hands each result to `keep`. A translation is finished after every file is read,
 * since the runbook it translates may come later. Files are read synchronously: nothing else runs
 * meanwhile, and it saves a wait per file.
 */
function lintEach<T>(files: readonly string[], keep: (result: LintResult) => T, options: LintOptions = {}): T[] {
  const firstById = new Map<string, string>();
  const firstTranslation = new Map<string, string>();
  const reader = new FileReader();
  const finder = new RunbookFinder(reader, options.references ?? []);
  const translations: { index: number; result: LintResult }[] = [];
  const out = files.map((file, index) => {
    const result = lintBytes(file, reader.read(file));
    const { runbook, source, translation } = result;
    if (translation && source) {
      const key = `${translation.translates}\u0000${translation.lang}`;
      const first = firstTranslation.get(key);
      if (first === undefined) firstTranslation.set(key, file);
      else addFinding(result, source, { ...source.locate(['lang']), rule: 'duplicate-translation', message: `${first} translates "${translation.translates}" into ${translation.lang} too: keep one translation per language` });
      translations.push({ index, result });
      return undefined as T;
    }
    if (runbook?.id && source && result.kind !== 'triage') {
      finder.note(runbook.id, file);
      // A translation is a file of its own format now, so two runbooks never share an id, whatever their lang.
      const first = firstById.get(runbook.id);
      if (first === undefined) firstById.set(runbook.id, file);
      else addFinding(result, source, { ...source.locate(['id']), rule: 'duplicate-runbook-id', message: `runbook id "${runbook.id}" is also used by ${first}: ids must be unique` });
    }
    return keep(result);
  });
  for (const { index, result } of translations) {
    const id = result.translation!.translates;
    out[index] = keep(checkTranslationAgainst(result, id ? finder.find(id, result.file) : undefined));
  }
  return out;
}

/** Adds a finding that needs other files, unless a sev-disable-line comment covers its line. */
function addFinding(result: LintResult, source: RunbookSource, finding: Pick<Diagnostic, 'line' | 'col' | 'endLine' | 'endCol' | 'rule' | 'message'>): void {
  const d: Diagnostic = { file: source.file, severity: 'error', ...finding };
  // Found after finish() applied sev-disable-line comments, so apply them to this finding here.
  const ids = suppressions(source, () => {}).get(d.line);
  if (ids === 'all' || ids?.has(d.rule)) return;
  result.diagnostics.push(d);
  result.diagnostics.sort(compareDiagnostics);
}

/** Lints many files, keeping each one's runbook (sev list, run). */
export async function lintFiles(files: string[], options: LintOptions = {}): Promise<LintResult[]> {
  return lintEach(files, (result) => result, options);
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
export function checkFiles(files: readonly string[], options: LintOptions = {}): FileFindings[] {
  return lintEach(files, ({ file, diagnostics, source }) => ({ file, diagnostics, lines: diagnostics.length ? source?.lines : undefined }), options);
}
