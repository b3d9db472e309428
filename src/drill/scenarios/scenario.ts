import type { DemoWallet } from '../wallet.js';

/** A step a correct walk of the scenario runs, and what to practise when it was skipped. */
export interface ExpectedStep {
  step: string;
  why: string;
}

/**
 * One drill: the runbook it practises, the fault injected into the demo wallet, what the pager says, the inputs
 * that point the runbook at the demo wallet, and what the score expects. Each runbook's scenarios are a module of
 * their own beside this one, listed in index.ts.
 */
export interface Scenario {
  name: string;
  runbook: string;
  summary: string;
  /** The branch of the runbook this scenario takes (its choice step and answer), for --list. */
  branch: string;
  inject: (wallet: DemoWallet) => Promise<void>;
  pager: (wallet: DemoWallet) => string;
  inputs: (wallet: DemoWallet) => Record<string, string>;
  /** Whether the fault is fixed at the end, and what was seen. */
  fixed: (wallet: DemoWallet) => Promise<{ ok: boolean; detail: string }>;
  /**
   * The scenario's own money invariant, beside the wallet's (every payment acknowledged booked once, none pending):
   * what its fault puts at risk, e.g. a bank's payouts made twice. Counted in the score's "money right".
   */
  money?: (wallet: DemoWallet) => Promise<{ ok: boolean; detail: string }>;
  /** Targets from the fault's start, in minutes. */
  targets: { detect: number; mitigate: number; resolve: number };
  expected: ExpectedStep[];
}
