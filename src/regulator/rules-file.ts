import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, UserError } from '../errors.js';
import { firstError } from '../lint/document.js';
import { FileReader } from '../files/read-file.js';
import { inLanguage, lintRegulatorsBytes, type RegulatorRules, type RulesLint } from './rules.js';

/** The rules that ship with sev, next to the shipped runbooks. */
const SHIPPED_RULES = fileURLToPath(new URL('../../runbooks/regulators.yaml', import.meta.url));
const RULES_FILE_NAME = 'regulators.yaml';

/**
 * The regulators file a runbook uses: the team's (`<runbooks>/regulators.yaml`), else one beside the
 * runbook, else the shipped one. A team's file replaces the shipped one whole, as a team's runbook
 * replaces the shipped runbook with its id: rules merged from two files would be nobody's.
 */
export function rulesFile(runbookFile: string, runbooksDir?: string): string {
  const candidates = [
    runbooksDir ? join(resolve(runbooksDir), RULES_FILE_NAME) : undefined,
    join(dirname(resolve(runbookFile)), RULES_FILE_NAME),
  ];
  return candidates.find((f): f is string => f !== undefined && existsSync(f)) ?? SHIPPED_RULES;
}

const cache = new Map<string, RulesLint>();

/** Lints a regulators file once per process (the validator asks for it once per runbook). */
export function lintRulesFile(file: string): RulesLint {
  let result = cache.get(file);
  if (!result) {
    result = lintRegulatorsBytes(file, Buffer.from(new FileReader().read(file)));
    cache.set(file, result);
  }
  return result;
}

/** Loads the rules, with their texts in `lang` where the file has them; a file with problems is refused with the first of them at file:line:col. */
export function loadRules(file: string, lang?: string): RegulatorRules {
  const { rules, diagnostics } = lintRulesFile(file);
  const refused = firstError(diagnostics) ?? (rules ? undefined : `${file}: not a regulators file`);
  if (refused !== undefined || !rules)
    throw new UserError(refused ?? `${file}: not a regulators file`, EXIT.usage, `Fix the regulators file first: sev validate ${file}`);
  return inLanguage(rules, lang);
}
