import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, InvalidRunbookError, UserError } from '../errors.js';
import { findRunbookFiles } from './files.js';
import { checkTranslationAgainst, lintBytes, lintFile, lintFiles, readRunbookFile, type LintResult } from '../lint/files.js';
import type { Runbook } from './model.js';
import { applyTranslation, isTranslationBytes } from './translation.js';

/** The runbooks that ship with sev. */
export const SHIPPED_DIR = fileURLToPath(new URL('../../runbooks/', import.meta.url));

interface CatalogEntry {
  runbook?: Runbook;
  result: LintResult;
  origin: 'local' | 'shipped';
  /** The languages it is translated into, with the file of each (see translationDirs). */
  translations: { lang: string; file: string }[];
}

function dirs(runbooksDir: string): { dir: string; origin: CatalogEntry['origin'] }[] {
  const local = resolve(runbooksDir);
  const out: { dir: string; origin: CatalogEntry['origin'] }[] = [];
  if (existsSync(local)) out.push({ dir: local, origin: 'local' });
  if (resolve(SHIPPED_DIR) !== local) out.push({ dir: resolve(SHIPPED_DIR), origin: 'shipped' });
  return out;
}

/**
 * Where the translations of a runbook are looked for: its own directory, then the team's --runbooks
 * directory (a team may translate a shipped runbook). A team's runbook that hides a shipped one is not
 * given the shipped one's translations: they were written for another runbook.
 */
function translationDirs(runbookFile: string, runbooksDir: string): string[] {
  const local = resolve(runbooksDir);
  return [...new Set([resolve(dirname(runbookFile)), ...(existsSync(local) ? [local] : [])])];
}

const sameLang = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Every runbook in the team's directory, then the shipped ones; a team's runbook hides a shipped one with its id. */
export async function listCatalog(runbooksDir: string): Promise<CatalogEntry[]> {
  const entries: CatalogEntry[] = [];
  const translations: LintResult[] = [];
  const seen = new Set<string>();
  for (const { dir, origin } of dirs(runbooksDir)) {
    for (const result of lintFiles(await findRunbookFiles([dir]))) {
      if (result.kind === 'translation') {
        translations.push(result);
        continue;
      }
      if (result.kind) continue; // the triage matrix, the regulators file and the policy live here too; they are not runbooks
      const key = result.runbook?.id || result.file;
      if (seen.has(key)) continue;
      seen.add(key);
      entries.push({ runbook: result.runbook, result, origin, translations: [] });
    }
  }
  for (const entry of entries) {
    if (!entry.runbook?.id) continue;
    const where = translationDirs(entry.result.file, runbooksDir);
    for (const dir of where) {
      for (const t of translations) {
        const tr = t.translation;
        if (!tr || tr.translates !== entry.runbook.id || resolve(dirname(t.file)) !== dir) continue;
        if (!entry.translations.some((x) => sameLang(x.lang, tr.lang))) entry.translations.push({ lang: tr.lang, file: t.file });
      }
    }
  }
  return entries;
}

const looksLikePath = (ref: string) => /[\\/]|\.ya?ml$/i.test(ref);

/** Finds a runbook by id (the team's directory first, then the shipped ones) or by path. */
async function resolveRunbook(ref: string, runbooksDir: string): Promise<LintResult> {
  if (looksLikePath(ref) || existsSync(ref)) {
    if (!existsSync(ref))
      throw new UserError(`${ref}: no such file`, EXIT.usage, 'Give a runbook id (see sev list) or the path of a runbook file.');
    const result = lintFile(ref);
    return result.kind === 'translation' ? withItsRunbook(result, runbooksDir) : result;
  }
  const entries = await listCatalog(runbooksDir);
  const match = entries.find((e) => e.runbook?.id === ref);
  if (!match) {
    const ids = entries.flatMap((e) => (e.runbook?.id ? [e.runbook.id] : []));
    const { closest } = await import('./suggest.js');
    const suggestion = closest(ref, ids);
    throw new UserError(
      `no runbook with id "${ref}"${suggestion ? `: did you mean "${suggestion}"?` : ''}`,
      EXIT.usage,
      'Run sev list to see the runbooks available.',
    );
  }
  return match.result;
}

/**
 * A translation given by its path, checked against the runbook it translates: found by id in the
 * translation's own directory, then the team's --runbooks directory, then the shipped ones.
 */
async function withItsRunbook(result: LintResult, runbooksDir: string): Promise<LintResult> {
  const id = result.translation?.translates;
  if (!id) return result;
  const where = [...new Set([resolve(dirname(result.file)), ...dirs(runbooksDir).map((d) => d.dir)])];
  for (const dir of where) {
    for (const file of await findRunbookFiles([dir])) {
      const bytes = readRunbookFile(file);
      if (isTranslationBytes(bytes)) continue;
      const candidate = lintBytes(file, bytes);
      if (candidate.kind !== 'triage' && candidate.runbook?.id === id) return checkTranslationAgainst(result, candidate);
    }
  }
  return checkTranslationAgainst(result, undefined);
}

/** The translation of a runbook into a language, from the runbook's own directory or the team's. */
async function findTranslation(runbook: LintResult, lang: string, runbooksDir: string): Promise<{ found?: LintResult; langs: string[] }> {
  const id = runbook.runbook!.id;
  const langs: string[] = [];
  for (const dir of translationDirs(runbook.file, runbooksDir)) {
    for (const file of await findRunbookFiles([dir])) {
      const bytes = readRunbookFile(file);
      if (!isTranslationBytes(bytes)) continue;
      const result = lintBytes(file, bytes);
      const tr = result.translation;
      if (!tr || tr.translates !== id) continue;
      if (sameLang(tr.lang, lang)) return { found: checkTranslationAgainst(result, runbook), langs };
      langs.push(tr.lang);
    }
  }
  return { langs };
}

/** Which language to show a runbook in: --lang, else $SEV_LANG (a preference, so a missing translation is no error). */
interface LangChoice {
  lang?: string;
  /** Where it came from: a --lang that names no translation is a usage error, $SEV_LANG falls back quietly. */
  from?: 'flag' | 'env';
}

export function langChoice(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): LangChoice {
  if (flag) return { lang: flag, from: 'flag' };
  if (env.SEV_LANG) return { lang: env.SEV_LANG, from: 'env' };
  return {};
}

/** Whether a runbook's own texts are already in the language asked (a runbook without lang is in English). */
const ownLang = (runbook: Runbook, lang: string) => sameLang(runbook.lang ?? 'en', lang) || (!runbook.lang && /^en-/i.test(lang));

function usable(result: LintResult): Runbook {
  if (result.kind === 'triage')
    throw new UserError(`${result.file} is the triage matrix, not a runbook`, EXIT.usage, 'sev triage uses it; sev validate checks it.');
  if (result.kind === 'config')
    throw new UserError(
      `${result.file} is the team config, not a runbook`,
      EXIT.usage,
      'sev config shows what it sets; sev validate checks it.',
    );
  if (result.kind === 'policy')
    throw new UserError(
      `${result.file} is the team policy (its clocks), not a runbook`,
      EXIT.usage,
      'Every runbook uses it; sev validate checks it.',
    );
  if (result.kind === 'regulators')
    throw new UserError(
      `${result.file} holds the regulator notification rules, not a runbook`,
      EXIT.usage,
      'Regulator steps of runbooks use it; sev validate checks it.',
    );
  if (!result.runbook || result.diagnostics.some((d) => d.severity === 'error')) throw new InvalidRunbookError(result);
  return result.runbook;
}

/**
 * Loads a runbook by id or path, in the language asked: a translation's texts over the runbook's own.
 * A translation given by path is shown over its runbook whatever the language asked. Either file with
 * errors is refused with its diagnostics.
 */
export async function loadRunbook(
  ref: string,
  runbooksDir: string,
  choice: LangChoice = {},
): Promise<{ runbook: Runbook; result: LintResult }> {
  const result = await resolveRunbook(ref, runbooksDir);
  if (result.kind === 'translation') {
    const translation = result.translation;
    if (!translation || result.diagnostics.some((d) => d.severity === 'error')) throw new InvalidRunbookError(result);
    const base = result.against!;
    return { runbook: applyTranslation(usable(base), translation), result: base };
  }
  const runbook = usable(result);
  if (!choice.lang || ownLang(runbook, choice.lang)) return { runbook, result };
  const { found, langs } = await findTranslation(result, choice.lang, runbooksDir);
  if (!found) {
    if (choice.from === 'env') return { runbook, result };
    const has = langs.length ? `it is translated into ${langs.join(', ')}` : 'it has no translation';
    throw new UserError(
      `--lang ${choice.lang}: no ${choice.lang} translation of ${runbook.id} (${has})`,
      EXIT.usage,
      'sev list shows the languages of each runbook.',
    );
  }
  if (!found.translation || found.diagnostics.some((d) => d.severity === 'error')) throw new InvalidRunbookError(found);
  return { runbook: applyTranslation(runbook, found.translation), result };
}
