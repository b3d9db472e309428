import { checkPolicyBytes, isPolicyBytes } from '../clocks/policy.js';
import { checkConfigBytes, isConfigFile } from '../config/config.js';
import { isRegulatorsBytes, checkRegulatorsBytes } from '../regulator/rules.js';
import type { Diagnostic } from '../runbook/diagnostic.js';
import { checkRunbookBytes } from '../runbook/lint.js';
import type { Runbook } from '../runbook/model.js';
import { RULE_IDS } from '../runbook/rules/index.js';
import type { RunbookSource } from '../runbook/source.js';
import { checkTranslationBytes, isTranslationBytes, type Translation } from '../runbook/translation.js';
import { checkMatrixBytes, isTriageBytes } from '../triage/matrix.js';
import type { Finding, Suppression, YamlDocument } from './document.js';

/** The kinds of file `sev validate` checks; a file whose format line names none of the others is a runbook. */
export type FileKind = 'runbook' | 'translation' | 'triage' | 'regulators' | 'policy' | 'config';

export interface LintResult {
  file: string;
  source?: RunbookSource;
  runbook?: Runbook;
  diagnostics: Diagnostic[];
  /**
   * Set for a triage matrix (format sevkit-triage/v1), a regulators file (sevkit-regulators/v1) or the team
   * policy (sevkit-policy/v1) or the team config (sev.config.yaml, .sevrc.yaml, or format sevkit-config/v1):
   * validated, but not a runbook, so never listed; and for a translation (format sevkit-translation/v1),
   * which is shown only over the runbook it translates.
   */
  kind?: Exclude<FileKind, 'runbook'>;
  translation?: Translation;
  /** For a translation: the runbook it was checked against (and is shown over), with its own findings. */
  against?: LintResult;
}

/** A file through its kind's checker, up to its findings: the read ones located, the others by path. */
export interface Checked {
  result: LintResult;
  found: Finding[];
  /** How the file's sev-disable-line comments apply; undefined: the kind knows none. */
  suppression?: Suppression;
}

/** Comments may name any rule sev knows, of any kind of file. */
const SUPPRESSIBLE: Suppression = { known: RULE_IDS };

function checked(
  { file, source, diagnostics, found }: YamlDocument,
  extra: Omit<LintResult, 'file' | 'source' | 'diagnostics'>,
  suppression?: Suppression,
): Checked {
  return { result: { file, source, diagnostics, ...extra }, found, ...(suppression ? { suppression } : {}) };
}

/**
 * Each kind's checker, found by a cheap sniff of the file's first bytes (its format line). Every checker
 * reads its file through the shared pipeline (lint/document.ts) with its own schema; what one kind
 * checks beyond that is its own module's business.
 */
const KINDS: readonly {
  kind: Exclude<FileKind, 'runbook'>;
  is(bytes: Uint8Array, file: string): boolean;
  check(file: string, bytes: Uint8Array): Checked;
}[] = [
  { kind: 'triage', is: isTriageBytes, check: (file, bytes) => checked(checkMatrixBytes(file, bytes).document, { kind: 'triage' }) },
  {
    kind: 'config',
    is: (bytes, file) => isConfigFile(file, bytes),
    check: (file, bytes) => checked(checkConfigBytes(file, bytes).document, { kind: 'config' }, SUPPRESSIBLE),
  },
  {
    kind: 'policy',
    is: isPolicyBytes,
    check: (file, bytes) => checked(checkPolicyBytes(file, bytes).document, { kind: 'policy' }, SUPPRESSIBLE),
  },
  {
    kind: 'regulators',
    is: isRegulatorsBytes,
    check: (file, bytes) => checked(checkRegulatorsBytes(file, bytes).document, { kind: 'regulators' }, SUPPRESSIBLE),
  },
  {
    kind: 'translation',
    is: isTranslationBytes,
    check: (file, bytes) => {
      const { document, translation } = checkTranslationBytes(file, bytes);
      return checked(document, { kind: 'translation', ...(translation ? { translation } : {}) }, SUPPRESSIBLE);
    },
  },
];

/** Checks one file given as bytes with its kind's checker, up to its findings. Never throws on bad input. */
export function checkBytes(file: string, bytes: Uint8Array): Checked {
  const other = KINDS.find((k) => k.is(bytes, file));
  if (other) return other.check(file, bytes);
  const { document, runbook } = checkRunbookBytes(file, bytes);
  return checked(document, runbook ? { runbook } : {}, SUPPRESSIBLE);
}
