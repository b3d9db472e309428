import type { Severity } from '../runbook/model.js';
import { compileWhole, patternError } from '../runbook/regex.js';

// Which runbook an alert calls for, at which severity: the first rule whose every label matcher holds.
// A matcher is the label's value, or `=~` and an RE2 pattern the whole value must match (anchored, as
// Alertmanager anchors its own), compiled by runbook/regex.ts so that a pattern from a rules file runs
// in time linear in the label it is matched against. A label the alert does not have is the empty
// string, as in Alertmanager: `severity: '=~|none'` holds for an alert without one.

export interface AlertRule {
  match: Record<string, string>;
  runbook: string;
  severity: Severity;
  /** Why, shown with the recommendation (the triage matrix's rules have one; a --rules file's may not). */
  because?: string;
}

export interface AlertMatch {
  runbook: string;
  severity: Severity;
  because?: string;
  /** The rule's place in its list, to say which one decided. */
  rule: number;
}

const REGEX = '=~';

/** Why a matcher cannot be used (an RE2 pattern that does not compile), or undefined. */
export function matcherError(matcher: string): string | undefined {
  return matcher.startsWith(REGEX) ? patternError(matcher.slice(REGEX.length)) : undefined;
}

function holds(matcher: string, value: string): boolean {
  if (!matcher.startsWith(REGEX)) return matcher === value;
  // A pattern that does not compile holds for nothing; the rules file's check has said why.
  return compileWhole(matcher.slice(REGEX.length))?.test(value) ?? false;
}

/** The first rule every matcher of which holds for the labels, or undefined. A rule with no matchers holds always. */
export function matchAlert(rules: readonly AlertRule[], labels: Readonly<Record<string, string>>): AlertMatch | undefined {
  for (const [i, rule] of rules.entries()) {
    if (Object.entries(rule.match).every(([name, matcher]) => holds(matcher, Object.hasOwn(labels, name) ? labels[name]! : ''))) {
      return { runbook: rule.runbook, severity: rule.severity, ...(rule.because ? { because: rule.because } : {}), rule: i };
    }
  }
  return undefined;
}
