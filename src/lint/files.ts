import { dirname } from 'node:path';
import { FileReader } from '../files/read-file.js';
import type { Diagnostic } from '../runbook/diagnostic.js';
import { checkTranslation, type TranslationAt } from '../runbook/rules/translation.js';
import { finishFindings, type Finding } from './document.js';
import { checkBytes, type Checked, type LintResult } from './kinds.js';

export type { LintResult } from './kinds.js';

/** Kept under these names for the modules and tests that import them from the linter. */
export { FileReader as RunbookReader, ioError } from '../files/read-file.js';

/** A file through its kind's checker and the end of the pipeline: every finding located. */
function finish({ result, found, suppression }: Checked): LintResult {
  result.diagnostics = finishFindings({ file: result.file, source: result.source, diagnostics: result.diagnostics, found }, suppression);
  return result;
}

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
  const found = translationFindings(result, against);
  // The comments' unknown rule ids were reported when the file was linted.
  result.diagnostics = finishFindings({ file: result.file, source: result.source, diagnostics: result.diagnostics, found }, {});
  return result;
}

/** The bytes of one runbook file, in a buffer of their own. */
export function readRunbookFile(file: string): Uint8Array {
  return Buffer.from(new FileReader().read(file));
}

/** Lints one file; a file that cannot be read is a usage error. */
export function lintFile(file: string): LintResult {
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
      else
        found.push({
          at: ['lang'],
          part: 'value',
          rule: 'duplicate-translation',
          severity: 'error',
          message: `${first} translates "${translation.translates}" into ${translation.lang} too: keep one translation per language`,
        });
      return;
    }
    // A translation is a file of its own format, so two runbooks never share an id, whatever their lang.
    if (!runbook?.id || result.kind !== undefined) return;
    const first = this.firstById.get(runbook.id);
    if (first === undefined) this.firstById.set(runbook.id, file);
    else
      found.push({
        at: ['id'],
        part: 'value',
        rule: 'duplicate-runbook-id',
        severity: 'error',
        message: `runbook id "${runbook.id}" is also used by ${first}: ids must be unique`,
      });
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
export function lintFiles(files: string[], options: LintOptions = {}): LintResult[] {
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
  return lintEach(
    files,
    ({ file, diagnostics, source }) => ({ file, diagnostics, lines: diagnostics.length ? source?.lines : undefined }),
    options,
  );
}
