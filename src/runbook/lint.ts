import { dirname } from 'node:path';
import { FileReader } from '../files/read-file.js';
import { compareDiagnostics, START, type Diagnostic } from './diagnostic.js';
import { buildRunbook, type Runbook } from './model.js';
import { gatherFacts } from './rules/facts.js';
import { RULES, RULE_IDS, type RuleContext } from './rules/index.js';
import { checkSchema, RUNBOOK_SCHEMA } from './schema.js';
import { decodeRunbookBytes, parseValues, type Path, type RunbookSource } from './source.js';
import { isTriageBytes, lintTriageBytes } from '../triage/matrix.js';
import { checkTranslation, type TranslationAt } from './rules/translation.js';
import { buildTranslation, isTranslationBytes, TRANSLATION_SCHEMA, type Translation } from './translation.js';
import { isRegulatorsBytes, lintRegulatorsBytes } from '../regulator/rules.js';
import { isPolicyBytes, lintPolicyBytes } from '../clocks/policy.js';

/** Kept under these names for the modules and tests that import them from the linter. */
export { FileReader as RunbookReader, ioError } from '../files/read-file.js';

export interface LintResult {
  file: string;
  source?: RunbookSource;
  runbook?: Runbook;
  diagnostics: Diagnostic[];
  /**
   * Set for a triage matrix (format sevkit-triage/v1), a regulators file (sevkit-regulators/v1) or the
   * team policy (sevkit-policy/v1):
   * validated, but not a runbook, so never listed; and for a translation (format sevkit-translation/v1),
   * which is shown only over the runbook it translates.
   */
  kind?: 'triage' | 'regulators' | 'policy' | 'translation';
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

/** A finding of the schema, a rule or a pass over several files, by path: located only when reported. */
interface Finding {
  /** The value (or key) it concerns; 'top' is the start of the file. */
  at: Path | 'top';
  part: 'key' | 'value';
  rule: string;
  severity: 'error' | 'warning';
  message: string;
}

/** A file through the pipeline up to its findings: the read ones located, the others by path. */
interface Checked {
  result: LintResult;
  found: Finding[];
}

/**
 * The pipeline of one file up to its findings: decode (size, NUL, UTF-8, BOM), parse the values
 * (js-yaml, or the positional parser where needed: see parseValues), the schema, the typed runbook or
 * translation, the rules. A triage matrix and a regulators file are read by their own modules.
 */
function checkBytes(file: string, bytes: Uint8Array): Checked {
  if (isTriageBytes(bytes)) {
    const triage = lintTriageBytes(file, bytes);
    return { result: { file, source: triage.source, diagnostics: triage.diagnostics, kind: 'triage' }, found: [] };
  }
  if (isRegulatorsBytes(bytes)) {
    const rules = lintRegulatorsBytes(file, bytes);
    return { result: { file, source: rules.source, diagnostics: rules.diagnostics, kind: 'regulators' }, found: [] };
  }
  if (isPolicyBytes(bytes)) {
    const policy = lintPolicyBytes(file, bytes);
    return { result: { file, source: policy.source, diagnostics: policy.diagnostics, kind: 'policy' }, found: [] };
  }
  const isTranslation = isTranslationBytes(bytes);
  const { source, diagnostics } = decodeRunbookBytes(file, bytes);
  const result: LintResult = isTranslation ? { file, source, diagnostics, kind: 'translation' } : { file, source, diagnostics };
  const found: Finding[] = [];
  if (!source || diagnostics.length > 0) return { result, found };
  diagnostics.push(...parseValues(source));
  const value = source.value;
  if (value === undefined) return { result, found };
  for (const problem of checkSchema(value, isTranslation ? TRANSLATION_SCHEMA : RUNBOOK_SCHEMA)) {
    found.push({ at: problem.path, part: problem.part, rule: problem.rule, severity: 'error', message: problem.message });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { result, found };
  if (isTranslation) {
    result.translation = buildTranslation(value, source);
    return { result, found };
  }
  const runbook = buildRunbook(value, source);
  result.runbook = runbook;
  const facts = gatherFacts(runbook);
  for (const rule of RULES) {
    const context: RuleContext = {
      runbook,
      facts,
      report: (path, message, options) => found.push({ at: path, part: options?.part ?? 'value', rule: rule.id, severity: options?.severity ?? rule.severity, message }),
    };
    rule.check(context);
  }
  return { result, found };
}

/**
 * The end of the pipeline: locates the findings (the positional parse happens here, for a file with
 * any), drops those a sev-disable-line comment covers, warns of unknown rule ids in those comments,
 * and sorts. A triage matrix is sorted by its own module and knows no suppression comments.
 */
function finish({ result, found }: Checked): LintResult {
  if (result.kind === 'triage') return result;
  const { source } = result;
  if (found.length === 0 && result.diagnostics.length === 0 && !(source && hasSuppressions(source))) return result;
  const located = found.map((f) => locate(result.file, source, f));
  const byLine = source && hasSuppressions(source) ? suppressions(source, (d) => located.push(d)) : undefined;
  const all = byLine ? result.diagnostics.filter((d) => !covered(byLine, d)) : result.diagnostics;
  for (const d of located) if (!byLine || d.rule === 'unknown-rule' || !covered(byLine, d)) all.push(d);
  result.diagnostics = dedupe(all).sort(compareDiagnostics);
  return result;
}

function locate(file: string, source: RunbookSource | undefined, f: Finding): Diagnostic {
  const position = f.at === 'top' || !source ? START : source.locate(f.at, f.part);
  return { file, ...position, rule: f.rule, severity: f.severity, message: f.message };
}

const hasSuppressions = (source: RunbookSource) => source.text.includes('sev-disable-line');
const covered = (byLine: Map<number, Set<string> | 'all'>, d: Diagnostic) => {
  const ids = byLine.get(d.line);
  return ids === 'all' || ids?.has(d.rule) === true;
};

/** Reads, parses, schema-checks and rule-checks one file given as bytes. Never throws on bad input. */
export function lintBytes(file: string, bytes: Uint8Array): LintResult {
  return finish(checkBytes(file, bytes));
}

/** A translation's findings against the runbook it translates (stray and missing texts, templates, version). */
function translationFindings(result: LintResult, against: LintResult | undefined): Finding[] {
  const { translation, source } = result;
  if (!translation || !source) return [];
  result.against = against?.runbook ? against : undefined;
  const found: Finding[] = [];
  checkTranslation(translation, source.value, result.against?.runbook, (at: TranslationAt, rule, severity, message) => {
    found.push(at === 'top' ? { at, part: 'value', rule, severity, message } : { at: at.path, part: at.part, rule, severity, message });
  });
  return found;
}

/**
 * Adds a translation's findings against the runbook it translates (undefined when none has its id),
 * for a translation linted on its own. Suppression comments apply.
 */
export function checkTranslationAgainst(result: LintResult, against: LintResult | undefined): LintResult {
  const source = result.source;
  const located = translationFindings(result, against).map((f) => locate(result.file, source, f));
  const byLine = source && hasSuppressions(source) ? suppressions(source, () => {}) : undefined;
  for (const d of located) if (!byLine || !covered(byLine, d)) result.diagnostics.push(d);
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
interface LintOptions {
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
 * Findings that need more than one file: two runbooks with one id, two translations of one runbook
 * into one language. Files are seen one after the other, each after the ones before it, and the later
 * file gets the finding, so the pass needs no file twice.
 */
class CatalogPass {
  private readonly firstById = new Map<string, string>();
  private readonly firstTranslation = new Map<string, string>();

  see({ result, found }: Checked): void {
    const { file, runbook, source, translation } = result;
    if (!source) return;
    if (translation) {
      const key = `${translation.translates}\u0000${translation.lang}`;
      const first = this.firstTranslation.get(key);
      if (first === undefined) this.firstTranslation.set(key, file);
      else found.push({ at: ['lang'], part: 'value', rule: 'duplicate-translation', severity: 'error', message: `${first} translates "${translation.translates}" into ${translation.lang} too: keep one translation per language` });
      return;
    }
    // A translation is a file of its own format, so two runbooks never share an id, whatever their lang.
    if (!runbook?.id || result.kind !== undefined) return;
    const first = this.firstById.get(runbook.id);
    if (first === undefined) this.firstById.set(runbook.id, file);
    else found.push({ at: ['id'], part: 'value', rule: 'duplicate-runbook-id', severity: 'error', message: `runbook id "${runbook.id}" is also used by ${first}: ids must be unique` });
  }
}

/**
 * Lints files one after the other, with the catalog pass over them, and hands each result to `keep`.
 * A translation is finished after every file is read, since the runbook it translates may come later.
 * Files are read synchronously: nothing else runs meanwhile, and it saves a wait per file.
 */
function lintEach<T>(files: readonly string[], keep: (result: LintResult) => T, options: LintOptions = {}): T[] {
  const reader = new FileReader();
  const finder = new RunbookFinder(reader, options.references ?? []);
  const catalog = new CatalogPass();
  const translations: { index: number; checked: Checked }[] = [];
  const out = files.map((file, index) => {
    const checked = checkBytes(file, reader.read(file));
    catalog.see(checked);
    const { result } = checked;
    if (result.translation && result.source) {
      translations.push({ index, checked });
      return undefined as T;
    }
    if (result.runbook?.id && result.source && result.kind !== 'triage') finder.note(result.runbook.id, file);
    return keep(finish(checked));
  });
  for (const { index, checked } of translations) {
    const { result, found } = checked;
    const id = result.translation!.translates;
    found.push(...translationFindings(result, id ? finder.find(id, result.file) : undefined));
    out[index] = keep(finish(checked));
  }
  return out;
}

/** Lints many files, keeping each one's runbook (sev list, run). */
export async function lintFiles(files: string[], options: LintOptions = {}): Promise<LintResult[]> {
  return lintEach(files, (result) => result, options);
}

/** What `sev validate` keeps of one file: its findings and, when it has any, its lines for excerpts. */
interface FileFindings {
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
