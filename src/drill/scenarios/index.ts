import type { Scenario } from './scenario.js';
import { NETWORK } from './network.js';
import { SERVER_FAILURE } from './server-failure.js';

export type { ExpectedStep, Scenario } from './scenario.js';

/** Every drill scenario, in the order --list shows them: one module per runbook. */
export const SCENARIOS: Scenario[] = [...SERVER_FAILURE, ...NETWORK];

export function findScenario(runbook: string | undefined, name: string | undefined): Scenario | undefined {
  const candidates = SCENARIOS.filter((s) => (!runbook || s.runbook === runbook) && (!name || s.name === name));
  return candidates[0];
}
