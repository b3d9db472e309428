import { alertMilestones } from '../alerts/milestones.js';
import type { Alert } from '../alerts/payload.js';
import { prefill } from '../alerts/prefill.js';
import { inputProblem } from '../engine/inputs.js';
import { EXIT, UserError } from '../errors.js';
import type { EventData, IncidentEvent } from '../incident/events.js';
import type { LogWriter } from '../incident/log.js';
import { oneLine } from '../report/sanitize.js';
import { allInputs, type Runbook } from '../runbook/model.js';
import type { Prepared } from './drive.js';

// What an incident that starts from an alert adds to the start: inputs prefilled from the alert's labels
// and annotations, the alert itself in the log, and the milestones it dates (impact started, detected).

/** An alert as an incident starts from it: the alert, and when it reached sev (the detected milestone). */
export interface AlertStart {
  alert: Alert;
  arrivedAt: Date;
}

export interface AlertPresets {
  /** Input name → value from the alert, checked like a --set value. */
  values: Record<string, string>;
  /** Shown to the responder: where each value came from. */
  shown: string[];
}

/**
 * The values inputs declared with `from_alert` take from the alert. A --set value or an answers file's
 * input comes first (the responder said it); a value the input would refuse is refused as a --set one is,
 * before anything is written; a secret input never takes one (sev validate refuses the declaration: the
 * alert is in the log, and its labels with it).
 */
export function alertPresets(runbook: Runbook, alert: Alert, prepared: Prepared): AlertPresets {
  const inputs = allInputs(runbook);
  const given = new Set([...Object.keys(prepared.presets), ...Object.keys(prepared.answers?.inputs ?? {})]);
  const wanted = inputs.filter((i) => i.fromAlert !== undefined && !i.secret && !given.has(i.name));
  const { values, absent } = prefill(
    wanted.map((i) => ({ name: i.name, fromAlert: i.fromAlert })),
    alert,
  );
  const shown: string[] = [];
  for (const def of wanted) {
    const value = values[def.name];
    if (value === undefined) continue;
    const problem = inputProblem(def, value);
    if (problem)
      throw new UserError(
        `input ${def.name} from the alert's ${def.fromAlert} ${JSON.stringify(oneLine(value, 80))}: ${problem}`,
        EXIT.usage,
        `Give its value with --set ${def.name}=VALUE: a --set value comes before the alert's.`,
      );
    shown.push(`${def.name} = ${oneLine(value, 120)} (the alert's ${def.fromAlert})`);
  }
  for (const a of absent) shown.push(`${a.name}: the alert has no ${a.fromAlert}, so it is asked`);
  return { values, shown };
}

export function alertData(alert: Alert, receivedAt: Date): EventData['alert.received'] {
  return {
    ...(alert.fingerprint ? { fingerprint: alert.fingerprint } : {}),
    status: alert.status,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: alert.startsAt,
    ...(alert.endsAt && !alert.endsAt.startsWith('0001-01-01T') ? { endsAt: alert.endsAt } : {}),
    ...(alert.generatorURL ? { generatorURL: alert.generatorURL } : {}),
    receivedAt: receivedAt.toISOString(),
  };
}

/** alert.received, then impact-started at the alert's start and detected at its arrival, each naming the alert. */
export function recordAlertStart(writer: LogWriter, start: AlertStart): { events: IncidentEvent[]; warnings: string[] } {
  const received = writer.append('alert.received', alertData(start.alert, start.arrivedAt));
  const { milestones, warnings } = alertMilestones(start.alert, start.arrivedAt);
  const events: IncidentEvent[] = [received];
  for (const m of milestones) events.push(writer.append('milestone', { milestone: m.milestone, at: m.at, evidence: received.id }));
  return { events, warnings };
}
