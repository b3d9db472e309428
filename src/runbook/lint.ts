import { readDocument, type YamlDocument } from '../lint/document.js';
import { buildRunbook, type Runbook } from './model.js';
import { gatherFacts } from './rules/facts.js';
import { RULES, type RuleContext } from './rules/index.js';
import { RUNBOOK_SCHEMA } from './schema.js';

/** A runbook file through the pipeline up to its findings, with its typed runbook when it is a mapping. */
export interface CheckedRunbook {
  document: YamlDocument;
  runbook?: Runbook;
}

/**
 * The runbook's part of the pipeline: the shared read (decode, parse, runbook.schema.json), the typed
 * runbook, then every rule. Findings stay by path until the pass locates them.
 */
export function checkRunbookBytes(file: string, bytes: Uint8Array): CheckedRunbook {
  const document = readDocument(file, bytes, RUNBOOK_SCHEMA);
  const { source, value, found } = document;
  if (!source || !value) return { document };
  const runbook = buildRunbook(value, source);
  const facts = gatherFacts(runbook);
  for (const rule of RULES) {
    const context: RuleContext = {
      runbook,
      facts,
      report: (path, message, options) =>
        found.push({ at: path, part: options?.part ?? 'value', rule: rule.id, severity: options?.severity ?? rule.severity, message }),
    };
    rule.check(context);
  }
  return { document, runbook };
}
