import type { Runbook } from '../model.js';
import type { Path } from '../source.js';

export interface Report {
  part?: 'key' | 'value';
  severity?: 'error' | 'warning';
}

export interface RuleContext {
  runbook: Runbook;
  report(path: Path, message: string, options?: Report): void;
}

/** One semantic rule: an id (used in output and in sev-disable-line), a default severity and a visitor. */
export interface Rule {
  id: string;
  severity: 'error' | 'warning';
  description: string;
  check(ctx: RuleContext): void;
}
