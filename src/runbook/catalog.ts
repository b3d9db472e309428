import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { findRunbookFiles } from './files.js';
import { lintFile, lintFiles, type LintResult } from './lint.js';
import type { Runbook } from './model.js';

/** The runbooks that ship with sev. */
export const SHIPPED_DIR = fileURLToPath(new URL('../../runbooks/', import.meta.url));

export interface CatalogEntry {
  runbook?: Runbook;
  result: LintResult;
  origin: 'local' | 'shipped';
}

function dirs(runbooksDir: string): { dir: string; origin: CatalogEntry['origin'] }[] {
  const local = resolve(runbooksDir);
  const out: { dir: string; origin: CatalogEntry['origin'] }[] = [];
  if (existsSync(local)) out.push({ dir: local, origin: 'local' });
  if (resolve(SHIPPED_DIR) !== local) out.push({ dir: resolve(SHIPPED_DIR), origin: 'shipped' });
  return out;
}

/** Every runbook in the team's directory, then the shipped ones; a team's runbook hides a shipped one with its id. */
export async function listCatalog(runbooksDir: string): Promise<CatalogEntry[]> {
  const entries: CatalogEntry[] = [];
  const seen = new Set<string>();
  for (const { dir, origin } of dirs(runbooksDir)) {
    for (const result of await lintFiles(await findRunbookFiles([dir]))) {
      if (result.kind) continue; // the triage matrix and the regulators file live here too; they are not runbooks
      const key = result.runbook ? `${result.runbook.id}\u0000${result.runbook.lang ?? ''}` : result.file;
      if (seen.has(key)) continue;
      seen.add(key);
      entries.push({ runbook: result.runbook, result, origin });
    }
  }
  return entries;
}

const looksLikePath = (ref: string) => /[\\/]|\.ya?ml$/i.test(ref);

/** Finds a runbook by id (the team's directory first, then the shipped ones) or by path. */
export async function resolveRunbook(ref: string, runbooksDir: string): Promise<LintResult> {
  if (looksLikePath(ref) || existsSync(ref)) {
    if (!existsSync(ref)) throw new UserError(`${ref}: no such file`, 2, 'Give a runbook id (see sev list) or the path of a runbook file.');
    return lintFile(ref);
  }
  const entries = await listCatalog(runbooksDir);
  const matches = entries.filter((e) => e.runbook?.id === ref);
  // Prefer the variant without a language tag, then the first found.
  const match = matches.find((e) => !e.runbook?.lang) ?? matches[0];
  if (!match) {
    const ids = entries.flatMap((e) => (e.runbook?.id ? [e.runbook.id] : []));
    const { closest } = await import('./suggest.js');
    const suggestion = closest(ref, ids);
    throw new UserError(`no runbook with id "${ref}"${suggestion ? `: did you mean "${suggestion}"?` : ''}`, 2, 'Run sev list to see the runbooks available.');
  }
  return match.result;
}

/** A runbook ready to use: refused with the validator's own diagnostics when it has errors. */
export class InvalidRunbookError extends Error {
  constructor(readonly result: LintResult) {
    super(`${result.file} has errors; fix them first (sev validate ${result.file})`);
    this.name = 'InvalidRunbookError';
  }
}

export async function loadRunbook(ref: string, runbooksDir: string): Promise<{ runbook: Runbook; result: LintResult }> {
  const result = await resolveRunbook(ref, runbooksDir);
  if (result.kind === 'triage') throw new UserError(`${result.file} is the triage matrix, not a runbook`, 2, 'sev triage uses it; sev validate checks it.');
  if (result.kind === 'regulators') throw new UserError(`${result.file} holds the regulator notification rules, not a runbook`, 2, 'Regulator steps of runbooks use it; sev validate checks it.');
  if (!result.runbook || result.diagnostics.some((d) => d.severity === 'error')) throw new InvalidRunbookError(result);
  return { runbook: result.runbook, result };
}
