import type { AlertMilestone } from './milestones.js';
import { resolvedEvidence } from './milestones.js';
import type { Alert, WebhookPayload } from './payload.js';

// A resolved alert that arrives for a running incident is evidence, not a decision: it says when the
// alert ended, and the responder says whether that is when the incident was resolved. Only an alert the
// incident knows (the same fingerprint as one it received) speaks for it: another group's alert, or a
// payload of an unrelated service, says nothing about this incident.

export interface Evidence {
  alert: Alert;
  offer?: AlertMilestone;
}

/** The alerts of a payload that belong to the incident (by fingerprint), each with what it offers. */
export function evidenceFor(payload: WebhookPayload, fingerprints: ReadonlySet<string>): Evidence[] {
  return payload.alerts
    .filter((a) => a.fingerprint !== undefined && fingerprints.has(a.fingerprint))
    .map((alert) => {
      const offer = resolvedEvidence(alert);
      return offer ? { alert, offer } : { alert };
    });
}

/** The end a responder would accept: the latest of the offers (the incident lasts until its last alert ends). */
export function latestOffer(evidence: readonly Evidence[]): AlertMilestone | undefined {
  return evidence.reduce<AlertMilestone | undefined>(
    (latest, e) => (e.offer && (!latest || e.offer.at > latest.at) ? e.offer : latest),
    undefined,
  );
}
