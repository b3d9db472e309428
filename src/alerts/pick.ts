import { EXIT, UserError } from '../errors.js';
import { oneLine } from '../report/sanitize.js';
import type { Alert, WebhookPayload } from './payload.js';

// A webhook payload carries a group of alerts (every alert of one alertname, say). An incident starts from
// one of them: the first firing one, unless --alert-index names another (counted from 1, in the payload's
// order, as `sev run --alert` lists them). A simple rule the responder can predict beats a clever one.

export interface PickedAlert {
  alert: Alert;
  /** Its place in the payload, from 1. */
  index: number;
  /** How many alerts the payload holds: more than one is said, with how to pick another. */
  of: number;
}

/** The alert an incident starts from: `--alert-index N`, else the payload's first firing alert. */
export function pickFiring(payload: WebhookPayload, where: string, index?: string): PickedAlert {
  const of = payload.alerts.length;
  if (index !== undefined) {
    const n = Number(index);
    if (!Number.isInteger(n) || n < 1 || n > of)
      throw new UserError(
        `--alert-index ${oneLine(index, 20)}: expected a number from 1 to ${of} (the alerts in ${oneLine(where, 200)})`,
        EXIT.usage,
      );
    const alert = payload.alerts[n - 1]!;
    if (alert.status !== 'firing') throw resolvedRefused(where, n);
    return { alert, index: n, of };
  }
  const n = payload.alerts.findIndex((a) => a.status === 'firing');
  if (n < 0) throw resolvedRefused(where);
  return { alert: payload.alerts[n]!, index: n + 1, of };
}

function resolvedRefused(where: string, n?: number): UserError {
  return new UserError(
    `${oneLine(where, 200)}: ${n === undefined ? 'no alert in it is firing' : `alert ${n} is resolved, not firing`}: an incident starts from a firing alert`,
    EXIT.usage,
    'A resolved alert is evidence for an incident that runs already: sev alert <incident> FILE offers it.',
  );
}

/** An alert's one-line name for the responder: its alertname and the labels that tell it apart. */
export function alertName(alert: Alert): string {
  const { alertname, ...rest } = alert.labels;
  const extra = Object.entries(rest)
    .filter(([k]) => k !== 'severity')
    .slice(0, 3)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return oneLine(`${alertname ?? '(no alertname)'}${extra ? ` {${extra}}` : ''}`, 120);
}
