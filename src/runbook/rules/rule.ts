import type { Runbook } from '../model.js';
import type { Path } from '../source.js';
import type { RuleFacts } from './facts.js';

export interface Report {
  part?: 'key' | 'value';
  severity?: 'error' | 'warning';
}

export interface RuleContext {
  runbook: Runbook;
  /** What several rules read of the runbook, gathered once before they run. */
  facts: RuleFacts;
  report: (path: Path, message: string, options?: Report) => void;
}

/** One semantic rule: an id (used in output and in sev-disable-line), a default severity and a visitor. */
export interface Rule {
  id: string;
  severity: 'error' | 'warning';
  description: string;
  check(ctx: RuleContext): void;
}
