import { allInputs, type Runbook } from '../runbook/model.js';
import { inputEnvName, renderTemplate } from '../runbook/template.js';

interface RunFacts {
  incident: string;
  severity: string;
  responder: string;
  step: string;
  /** When the incident was opened (RFC 3339 UTC), for checks that escalate by time. */
  started: string;
  /** When the `detected` milestone was recorded, once it is. */
  detectedAt?: string;
}

/**
 * The environment of a check or command: its own `env` (templated), every input as SEV_<NAME>, and the
 * facts of the run. This is the only way a value reaches a command: nothing is pasted into its text.
 */
export function processEnv(
  runbook: Runbook,
  inputs: Record<string, string | undefined>,
  facts: RunFacts,
  own: Record<string, string>,
  templateValues: Record<string, string | undefined> = inputs,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(own)) env[name] = renderTemplate(value, templateValues);
  for (const def of allInputs(runbook)) {
    const value = inputs[def.name];
    if (value !== undefined) env[inputEnvName(def.name)] = value;
  }
  env.SEV_INCIDENT_ID = facts.incident;
  env.SEV_SEVERITY = facts.severity;
  env.SEV_RESPONDER = facts.responder;
  env.SEV_RUNBOOK = runbook.id;
  env.SEV_STEP = facts.step;
  env.SEV_INCIDENT_STARTED = facts.started;
  if (facts.detectedAt) env.SEV_DETECTED_AT = facts.detectedAt;
  return env;
}
