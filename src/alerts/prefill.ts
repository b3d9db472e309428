import type { Alert } from './payload.js';

// An input a runbook declares with `from_alert: labels.instance` or `from_alert: annotations.summary`
// takes its value from the alert the run starts from. Only labels and annotations can be named: they are
// what a team controls in its alerting rules; the rest of an alert is Alertmanager's bookkeeping.

/** An input as prefill needs it: its name and, when declared, where in an alert its value is. */
export interface AlertInput {
  name: string;
  fromAlert?: string;
}

export interface Prefill {
  /** Input name → value taken from the alert. */
  values: Record<string, string>;
  /** Inputs that name a label or annotation the alert does not have: asked as usual. */
  absent: { name: string; fromAlert: string }[];
}

const FIELD = /^(labels|annotations)\.(.+)$/;

/** Why a `from_alert` value names nothing an alert has, or undefined when it is well formed. */
export function fromAlertError(fromAlert: string): string | undefined {
  return FIELD.test(fromAlert) ? undefined : `from_alert is labels.<name> or annotations.<name>, not ${JSON.stringify(fromAlert)}`;
}

/** The value an alert gives a `from_alert` path, or undefined when it has none. */
export function alertField(alert: Alert, fromAlert: string): string | undefined {
  const m = FIELD.exec(fromAlert);
  if (!m) return undefined;
  const map = m[1] === 'labels' ? alert.labels : alert.annotations;
  const name = m[2]!;
  return Object.hasOwn(map, name) ? map[name] : undefined;
}

/**
 * The values of the inputs declared with `from_alert`. A value is taken as the alert has it: it becomes an
 * input like a --set value, and goes through the same checks (pattern, choices) before the walk uses it.
 */
export function prefill(inputs: readonly AlertInput[], alert: Alert): Prefill {
  const values: Record<string, string> = {};
  const absent: Prefill['absent'] = [];
  for (const input of inputs) {
    if (input.fromAlert === undefined) continue;
    const value = alertField(alert, input.fromAlert);
    if (value === undefined) absent.push({ name: input.name, fromAlert: input.fromAlert });
    else values[input.name] = value;
  }
  return { values, absent };
}
