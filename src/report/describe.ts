import type { AnyEvent, IncidentEvent } from '../incident/events.js';
import type { LineStore, Row } from './rows.js';
import { oneLine } from './sanitize.js';
import { formatDuration } from '../text/duration.js';

/** The parsed event of a row: kept, or (a lean row) parsed again from its line in the file. */
export function eventOf(row: Row, lines?: LineStore): IncidentEvent {
  if (row.event) return row.event;
  if (!lines) throw new Error(`the event at line ${row.line} was not kept and its log cannot be read again`);
  return JSON.parse(lines.line(row)) as IncidentEvent;
}

export { oneLine };

export type Kind =
  | 'milestone'
  | 'severity'
  | 'failure'
  | 'check'
  | 'command'
  | 'announcement'
  | 'note'
  | 'action'
  | 'step'
  | 'incident'
  | 'input'
  | 'unknown';

/** What sort of event it is, for colours, markers and filters. A failed check or command is a failure. */
export function kindOf(event: IncidentEvent): Kind {
  const e = event as AnyEvent;
  switch (e.type) {
    case 'milestone':
      return 'milestone';
    case 'severity.changed':
      return 'severity';
    case 'check.result':
      return e.data.status === 'CRITICAL' || e.data.status === 'UNKNOWN' ? 'failure' : 'check';
    case 'wait.finished':
      return e.data.passed ? 'check' : 'failure';
    case 'command.started':
    case 'command.unfinished':
      return 'command';
    case 'check.started':
      return 'check';
    case 'command.finished':
      return e.data.ok ? 'command' : 'failure';
    case 'step.completed':
      return e.data.result === 'failed' ? 'failure' : 'step';
    case 'announcement':
    case 'delivery.started':
    case 'delivery.unfinished':
      return 'announcement';
    case 'delivery.finished':
      return e.data.ok ? 'announcement' : 'failure';
    case 'note':
      return e.data.action || isTodo(e.data.text) ? 'action' : 'note';
    case 'incident.started':
    case 'incident.joined':
    case 'incident.paused':
    case 'incident.resumed':
    case 'incident.closed':
    case 'incident.taken-over':
      return 'incident';
    case 'input.set':
      return 'input';
    case 'step.started':
    case 'step.answered':
    case 'step.skipped':
    case 'step.jumped':
    case 'regulator.assessed':
    case 'regulator.pending':
      return 'step';
    case 'regulator.filed':
      return 'announcement';
    case 'alert.received':
    case 'alert.evidence':
      return 'incident';
    case 'clock.missed':
      return 'failure';
    case 'clock.started':
    case 'clock.met':
    case 'clock.stopped':
      return 'step';
    default:
      return 'unknown';
  }
}

export const isTodo = (text: unknown) => typeof text === 'string' && /^\s*TODO\b[:\s-]*/i.test(text);

const exitOf = (d: { exit: number | null; signal?: string; timedOut: boolean; error?: string }) =>
  d.error ? `could not start: ${oneLine(d.error, 80)}` : d.timedOut ? 'timed out' : d.signal ? `killed by ${d.signal}` : `exit ${d.exit}`;

const UNFINISHED: Record<string, string> = {
  wait: 'the responder waited for it',
  kill: 'the responder killed it',
  rerun: 'run again',
  done: 'marked done by the responder',
  failed: 'marked failed by the responder',
};

const DELIVERY_DECIDED: Record<string, string> = {
  resend: 'sent again',
  sent: 'marked as sent by the responder',
  skip: 'not sent again',
};

/**
 * A short sentence for an event, the same in every format, on one line and sanitised (every field of the
 * event in it comes from the log). Unknown types are shown generically.
 */
export function describe(event: IncidentEvent): string {
  return oneLine(sentence(event), 600);
}

function sentence(event: IncidentEvent): string {
  const e = event as AnyEvent;
  switch (e.type) {
    case 'incident.started':
      return (
        `incident started: runbook ${e.data.runbook?.id ?? '?'}${e.data.runbook?.version ? ` v${e.data.runbook.version}` : ''}, ` +
        `${e.data.severity}, responder ${e.data.responder}${e.data.host ? ` on ${e.data.host}` : ''}${e.data.dryRun ? ' (DRY RUN)' : ''}`
      );
    case 'incident.joined':
      return `joined the incident: responder ${e.data.responder}${e.data.host ? ` on ${e.data.host}` : ''}`;
    case 'incident.paused':
      return `paused at ${e.data.step} (${e.data.reason}${e.data.detail ? `: ${oneLine(e.data.detail, 80)}` : ''})`;
    case 'incident.resumed':
      return `resumed at ${e.data.step}${e.data.runbookChanged ? ' (the runbook had changed)' : ''}`;
    case 'incident.closed':
      return `incident closed: ${e.data.outcome}${e.data.step ? ` at ${e.data.step}` : ''}${e.data.reason ? ` (${oneLine(e.data.reason, 200)})` : ''}`;
    case 'input.set':
      return `input ${e.data.name} = ${e.data.secret ? '•••••• (secret)' : oneLine(e.data.value, 80)}`;
    case 'step.started':
      return `step ${e.data.step} started${e.data.title ? `: ${oneLine(e.data.title, 80)}` : ''} (${e.data.kind})`;
    case 'step.answered':
      return `step ${e.data.step}: answered ${oneLine(e.data.answer, 80)}`;
    case 'step.completed':
      return `step ${e.data.step} ${e.data.result === 'failed' ? 'FAILED' : 'done'} → ${e.data.next}`;
    case 'step.skipped':
      return `step ${e.data.step} skipped (${oneLine(e.data.reason, 80)}) → ${e.data.next}`;
    case 'step.jumped':
      return `went back from step ${e.data.step} to ${e.data.to}`;
    case 'check.result':
      return `check ${e.data.check}: ${e.data.status} (${oneLine(e.data.reason, 80)})${e.data.attempts > 1 ? ` after ${e.data.attempts} attempts` : ''}`;
    case 'wait.finished':
      return (
        `wait for ${e.data.check}: ${e.data.passed ? 'passed' : 'gave up'} ` +
        `after ${e.data.attempts} attempt${e.data.attempts === 1 ? '' : 's'} (${e.data.status})`
      );
    case 'command.started':
      return `command: $ ${oneLine(e.data.command, 160)}`;
    case 'command.unfinished': {
      const where =
        e.data.state === 'alive' ? 'still running' : e.data.state === 'gone' ? 'no longer running' : `on host ${oneLine(e.data.host, 60)}`;
      return `command started at ${e.data.startedAt} by an earlier run, ${where}: ${UNFINISHED[e.data.decision] ?? oneLine(e.data.decision, 20)}`;
    }
    case 'check.started':
      return `check ${e.data.check} started${e.data.attempt > 1 ? ` (attempt ${e.data.attempt})` : ''}`;
    case 'incident.taken-over':
      return `took the incident over from ${oneLine(e.data.from?.responder, 60)} (host ${oneLine(e.data.from?.host, 60)}, pid ${e.data.from?.pid})`;
    case 'command.finished':
      return `command ${e.data.ok ? 'done' : 'FAILED'}: ${exitOf(e.data)}, ${formatDuration(e.data.durationMs, 'spaced')}`;
    case 'announcement':
      return (
        `${e.data.clock ? 'update' : 'announcement'} to ${e.data.audience}${e.data.channel ? ` via ${e.data.channel}` : ''}: ` +
        oneLine(e.data.subject ? `${e.data.subject}: ${e.data.message}` : e.data.message, 160)
      );
    case 'delivery.started':
      return `delivery to ${oneLine(e.data.channel, 60)} (${oneLine(e.data.audience, 60)}) started${e.data.attempt > 1 ? ` (attempt ${e.data.attempt})` : ''}`;
    case 'delivery.finished':
      return (
        `delivery to ${oneLine(e.data.channel, 60)} ${e.data.ok ? 'done' : 'FAILED'}: ${oneLine(e.data.detail, 160)}` +
        (e.data.status !== undefined ? `, status ${e.data.status}` : '') +
        (e.data.messageId ? `, id ${oneLine(e.data.messageId, 80)}` : '') +
        (e.data.attempts > 1 ? `, after ${e.data.attempts} attempts` : '')
      );
    case 'delivery.unfinished':
      return (
        `delivery to ${oneLine(e.data.channel, 60)} started at ${oneLine(e.data.startedAt, 30)} by an earlier run: ` +
        (DELIVERY_DECIDED[e.data.decision] ?? oneLine(e.data.decision, 20))
      );
    case 'note':
      return `${e.data.action ? 'action item' : 'note'}: ${oneLine(e.data.text, 200)}`;
    case 'milestone':
      return (
        `MILESTONE ${e.data.milestone}` +
        (e.data.at ? ` (at ${oneLine(e.data.at, 40)}, ${e.data.evidence ? 'as the alert says' : 'as given by the responder'})` : '')
      );
    case 'alert.received': {
      const state =
        e.data.status === 'resolved'
          ? `resolved${e.data.endsAt ? ` at ${oneLine(e.data.endsAt, 40)}` : ''}`
          : `firing since ${oneLine(e.data.startsAt, 40)}`;
      return (
        `alert ${oneLine(e.data.labels?.alertname ?? '', 80)} ${state}` +
        (e.data.annotations?.summary ? `: ${oneLine(e.data.annotations.summary, 160)}` : '') +
        (e.data.fingerprint ? ` (fingerprint ${oneLine(e.data.fingerprint, 40)})` : '')
      );
    }
    case 'alert.evidence':
      return `the alert's ${oneLine(e.data.milestone, 20)} at ${oneLine(e.data.at, 40)} ${e.data.accepted ? 'accepted' : 'declined'} as the milestone`;
    case 'severity.changed':
      return `severity ${e.data.from} → ${e.data.to}${e.data.reason ? ` (${oneLine(e.data.reason, 80)})` : ''}`;
    case 'regulator.assessed': {
      const all = Array.isArray(e.data.notifications) ? e.data.notifications : [];
      const applying = all.filter((n) => n?.applies);
      const dues = applying.map(
        (n) =>
          `${n.id} ${n.deadlines?.[0]?.name ?? ''} due ${n.deadlines?.[0]?.due ?? `when ${n.deadlines?.[0]?.waitingFor ?? '?'} is known`}`,
      );
      return `regulator assessment: ${applying.length} of ${all.length} notifications apply${dues.length ? ` (${oneLine(dues.join('; '), 300)})` : ''}`;
    }
    case 'regulator.filed':
      return (
        `regulator notification filed: ${oneLine(e.data.notification, 60)} ${oneLine(e.data.deadline, 20)} ` +
        `at ${oneLine(e.data.at, 30)} by ${oneLine(e.data.by, 60)}` +
        (e.data.reference ? ` (reference ${oneLine(e.data.reference, 60)})` : '') +
        (e.data.lateMs > 0 ? `, ${formatDuration(e.data.lateMs, 'spaced')} late` : e.data.due ? ', on time' : '')
      );
    case 'clock.started':
      return `clock ${oneLine(e.data.title, 80)} started, due ${oneLine(e.data.due, 30)}`;
    case 'clock.met':
      return (
        `clock ${oneLine(e.data.clock, 60)} met by ${oneLine(e.data.by, 80)}` +
        (e.data.lateMs ? `, ${formatDuration(e.data.lateMs, 'spaced')} late` : ', on time')
      );
    case 'clock.missed':
      return `clock ${oneLine(e.data.clock, 60)} MISSED: due ${oneLine(e.data.due, 30)} passed unmet`;
    case 'clock.stopped':
      return `clock ${oneLine(e.data.clock, 60)} ended (${oneLine(e.data.by, 80)})`;
    case 'regulator.pending':
      return (
        `regulator notification not filed yet: ${oneLine(e.data.notification, 60)} ${oneLine(e.data.deadline, 20)}` +
        (e.data.due ? `, due ${oneLine(e.data.due, 30)}` : '')
      );
    default:
      return `${oneLine(event.type, 60)} (unknown event type): ${oneLine(JSON.stringify(event.data), 160)}`;
  }
}
