import type { Milestone } from '../runbook/model.js';
import type { Alert } from './payload.js';

// The postmortem's clocks start from the alert: impact started when Alertmanager says the alert started,
// and the incident was detected when the alert reached us. An end an alert reports is never a milestone
// by itself: a resolved alert is evidence the responder is shown and decides on.

export interface AlertMilestone {
  milestone: Milestone;
  /** RFC 3339 UTC with milliseconds, as the log writes times. */
  at: string;
}

export interface AlertMilestones {
  milestones: AlertMilestone[];
  /** Something about the times the responder should hear of, such as a clock ahead of ours. */
  warnings: string[];
}

/** Alertmanager's "no time": the zero time of Go. */
const ZERO_YEAR = /^0001-01-01T/;

/** An alert's time as the log writes it, or undefined for none or one that does not parse. */
export function alertTime(time: string | undefined): string | undefined {
  if (!time || ZERO_YEAR.test(time)) return undefined;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** impact-started = the alert's startsAt, detected = when it arrived. */
export function alertMilestones(alert: Alert, arrivedAt: Date): AlertMilestones {
  const detected = arrivedAt.toISOString();
  const started = alertTime(alert.startsAt);
  const warnings: string[] = [];
  const milestones: AlertMilestone[] = [];
  if (started === undefined) {
    warnings.push(`the alert has no start time (startsAt ${JSON.stringify(alert.startsAt)}): impact-started is left to the responder`);
  } else {
    // Kept as the alert says even when it is later than the arrival: changing it would hide whose clock is wrong.
    if (started > detected) warnings.push(`the alert started at ${started}, after it arrived (${detected}): the sending clock is ahead`);
    milestones.push({ milestone: 'impact-started', at: started });
  }
  milestones.push({ milestone: 'detected', at: detected });
  return { milestones, warnings };
}

/**
 * What a resolved alert offers for the resolved milestone: its end time, for the responder to accept or
 * not. Undefined for a firing alert, or a resolved one without an end.
 */
export function resolvedEvidence(alert: Alert): AlertMilestone | undefined {
  if (alert.status !== 'resolved') return undefined;
  const at = alertTime(alert.endsAt);
  return at === undefined ? undefined : { milestone: 'resolved', at };
}
