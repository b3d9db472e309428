import { parse } from 'yaml';
import { UserError } from '../errors.js';
import { readTextFile } from '../files/read-file.js';
import { oneLine } from '../report/sanitize.js';
import { SEVERITIES, type Severity } from '../runbook/model.js';
import { matcherError, type AlertRule } from './match.js';

// The rules that map alert labels to a runbook and a severity, from a YAML file given with --rules, until
// the triage matrix holds them:
//
//   rules:
//     - { match: { alertname: HighErrorRate, service: payments }, runbook: server-failure, severity: SEV2 }
//     - { match: { alertname: '=~Ledger.*' }, runbook: data-error, severity: SEV1 }
//
// Checked here, all at once, so that a bad rule is a one-line error before any alert is matched.

const WHAT = 'alert rules file';

export function readAlertRules(file: string): AlertRule[] {
  return parseAlertRules(readTextFile(file, WHAT), file);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseAlertRules(text: string, file: string): AlertRule[] {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100, prettyErrors: false });
  } catch (error) {
    throw new UserError(`${file}: not YAML: ${oneLine((error as Error).message, 160)}`);
  }
  const list = isObject(doc) ? doc.rules : doc;
  if (!Array.isArray(list)) throw new UserError(`${file}: expected rules: a list of { match, runbook, severity }`);
  return list.map((rule: unknown, i) => {
    const at = `${file}: rules[${i}]`;
    if (!isObject(rule)) throw new UserError(`${at}: expected { match, runbook, severity }`);
    const unknown = Object.keys(rule).filter((k) => !['match', 'runbook', 'severity'].includes(k));
    if (unknown.length) throw new UserError(`${at}: unknown key ${oneLine(unknown[0], 60)} (expected match, runbook, severity)`);
    if (!isObject(rule.match)) throw new UserError(`${at}.match: expected a map of label name to value or =~pattern`);
    const match: Record<string, string> = {};
    for (const [name, value] of Object.entries(rule.match)) {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
        throw new UserError(`${at}.match.${oneLine(name, 60)}: expected a value or =~pattern`);
      const matcher = String(value);
      const problem = matcherError(matcher);
      if (problem) throw new UserError(`${at}.match.${oneLine(name, 60)}: ${problem}`);
      match[name] = matcher;
    }
    if (typeof rule.runbook !== 'string' || rule.runbook === '') throw new UserError(`${at}.runbook: expected a runbook id`);
    if (!SEVERITIES.includes(rule.severity as Severity)) throw new UserError(`${at}.severity: expected one of ${SEVERITIES.join(', ')}`);
    return { match, runbook: rule.runbook, severity: rule.severity as Severity };
  });
}
