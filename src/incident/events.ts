import type { Milestone, Severity } from '../runbook/model.js';

/** Version of the log format, written into every event as `v`. */
export const LOG_VERSION = 1;

/** One line of an incident log. */
export interface IncidentEvent<T extends string = string, D = object> {
  v: number;
  /** Unique across every log, so a merge can tell one event copied into two files. */
  id: string;
  /** 1, 2, 3… within one log file, without gaps. */
  seq: number;
  /** RFC 3339, UTC, milliseconds. */
  time: string;
  incident: string;
  actor: string;
  type: T;
  data: D;
}

export interface RunbookRef {
  id: string;
  title: string;
  version?: string;
  /** sha256 of the runbook file's bytes when the incident started. */
  hash: string;
  file: string;
  /** The language of the texts shown, when the runbook or its translation names one. */
  lang?: string;
  /** The translation whose texts were shown over the runbook's: its language, sha256 and file. */
  translation?: { lang: string; hash: string; file: string };
}

/** How an incident ended; a reader meets outcomes it does not know as plain text. */
export type CloseOutcome = 'completed' | 'stopped' | 'abandoned' | 'duplicate';

/** What marks a drill's incident log: the scenario played and the seed of its traffic. */
export interface DrillMark {
  scenario: string;
  seed: number;
}

export type CheckStatus = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN' | 'SKIPPED';

/** The data of each event type. A reader keeps events of types it does not know. */
export interface EventData {
  /** `drill`: the incident is a practice run of `sev drill` against its demo wallet (scenario and seed). */
  'incident.started': {
    runbook: RunbookRef;
    severity: Severity;
    responder: string;
    dryRun: boolean;
    host: string;
    sevVersion: string;
    drill?: DrillMark;
  };
  'incident.joined': { runbook: RunbookRef; severity: Severity; responder: string; host: string; sevVersion: string };
  'incident.resumed': { step: string; runbookChanged: boolean };
  'incident.paused': { step: string; reason: 'interrupted' | 'responder' | 'missing-answer' | 'signal' | 'output-closed'; detail?: string };
  /** Another host's walker was replaced, at the responder's word (`sev resume --take-over`). */
  'incident.taken-over': { from: { responder: string; host: string; pid: number; since: string } };
  /**
   * The walk ended (completed, or stopped on a failed step), or someone closed the incident without walking
   * on (`sev close`: abandoned, or a duplicate of another), for the `reason` they gave. `step`: where the
   * walk was, empty when no step had started.
   */
  'incident.closed': { outcome: CloseOutcome; step: string; reason?: string };
  'input.set': { name: string; value?: string; secret?: true; step?: string };
  'step.started': { step: string; index: number; kind: string; title?: string };
  'step.answered': { step: string; answer: string };
  'step.completed': { step: string; result: 'done' | 'failed'; next: string };
  'step.skipped': { step: string; reason: string; next: string };
  /** The responder went back (/back) from `step` to `to`, the step done before it; nothing done there is undone. */
  'step.jumped': { step: string; to: string; reason: 'back' };
  'check.result': CheckResultData;
  'wait.finished': { step: string; check: string; passed: boolean; attempts: number; durationMs: number; status: CheckStatus };
  /**
   * Written once the command's process group exists and before the command itself runs; without a group
   * when the program could not be found (the event still says who confirmed it).
   */
  'command.started': {
    step: string;
    command: string;
    confirmedBy: 'responder' | 'yes-flag' | 'runbook' | 'rerun';
    changesState?: boolean;
  } & Partial<ProcessGroupData>;
  /**
   * What the responder decided about a command that started in an earlier run of sev and has no recorded
   * end: wait for it or kill it while it still runs; once it is gone, run it again or mark it done or failed.
   */
  'command.unfinished': {
    step: string;
    command: string;
    startedAt: string;
    state: 'alive' | 'gone' | 'elsewhere';
    decision: UnfinishedDecision;
  } & Partial<ProcessGroupData>;
  'check.started': { step: string; check: string; attempt: number } & ProcessGroupData;
  'command.finished': ProcessResultData & { step: string; ok: boolean };
  /**
   * The audience was told: sent by hand (the responder said so, or copied it after a channel failed), or
   * delivered through channels. `clock`: sent as the update a clock was due for, from whatever step the walk was at.
   */
  announcement: { step: string; audience: string; channel?: string; subject?: string; message: string; clock?: string };
  /**
   * Written before each attempt to send to a channel, so a later sev knows the message may be out there.
   * `key` is the delivery's idempotency key: the same for every attempt, and for a send again after a crash.
   * No `step` for the live feed's posts, which belong to a milestone or severity change, not to a step.
   */
  'delivery.started': { step?: string; channel: string; audience: string; key: string; attempt: number; kind: DeliveryKind };
  /** A delivery's end: `status` of the last attempt, `messageId` the service's id of what it created. */
  'delivery.finished': {
    step?: string;
    channel: string;
    audience: string;
    key: string;
    ok: boolean;
    status?: number;
    messageId?: string;
    attempts: number;
    detail: string;
    maybeDelivered?: boolean;
  };
  /** What the responder decided about a delivery an earlier run started and did not see end. */
  'delivery.unfinished': { step?: string; channel: string; audience: string; key: string; startedAt: string; decision: DeliveryDecision };
  note: { text: string; action: boolean; step?: string };
  /**
   * `at`: when it really happened, when that is not the moment of the event: as the responder typed it, or as
   * an alert says (`evidence`: the id of that alert.received event).
   */
  milestone: { milestone: Milestone; step?: string; at?: string; evidence?: string };
  /**
   * The Alertmanager alert an incident started from, or one that arrived later (resolved): as it came, labels
   * and annotations unchanged (whoever shows them sanitises them). `receivedAt`: when it reached sev.
   */
  'alert.received': {
    fingerprint?: string;
    status: 'firing' | 'resolved';
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt: string;
    endsAt?: string;
    generatorURL?: string;
    receivedAt: string;
  };
  /** What the responder decided about a milestone a received alert offers (a resolved alert: resolved at its end). */
  'alert.evidence': { fingerprint?: string; milestone: Milestone; at: string; accepted: boolean; evidence: string };
  'severity.changed': { from: Severity; to: Severity; step?: string; reason?: string };
  /** A regulator step's verdict: the facts, and for every notification of the rules whether it applies, why, and its deadlines. */
  'regulator.assessed': {
    step: string;
    rules: { file: string; version?: string; hash: string };
    facts: Record<string, { value: string; source: string }>;
    notifications: AssessedNotificationData[];
  };
  /** A notification's deadline met by a filing: when (as the responder gave it, UTC), by whom, the regulator's reference. */
  'regulator.filed': {
    step: string;
    notification: string;
    regulator: string;
    deadline: string;
    at: string;
    by: string;
    reference?: string;
    due?: string;
    lateMs: number;
  };
  /** The responder said a notification's deadline is not filed yet. */
  'regulator.pending': { step: string; notification: string; regulator: string; deadline: string; due?: string };
  /**
   * A clock (a promise with a deadline, src/clocks/) started: `at` when it started (a clock that starts
   * some time after a milestone, or again once met, starts at a moment of its own), `due` when it falls due.
   * Its title and audience are copied so a report reads the log alone.
   */
  'clock.started': { clock: string; title: string; audience?: string; at: string; due: string };
  /** The open instance of a clock kept: `by` what (announcement to users), `at` when; `lateMs` when after due. */
  'clock.met': { clock: string; by: string; at: string; due: string; lateMs?: number };
  /** The open instance of a clock passed its due time unmet; it stays open until it is met or the clock ends. */
  'clock.missed': { clock: string; due: string };
  /** The clock ended (its `until` happened, `by`, at `at`): nothing more of it is due. */
  'clock.stopped': { clock: string; by: string; at: string };
}

export interface AssessedNotificationData {
  id: string;
  regulator: string;
  title: string;
  applies: boolean;
  reason: string;
  files: string;
  how: string;
  source: { name: string; url: string };
  /**
   * As the rules define them (so a report can date one whose anchor came later), and `due`, absent while
   * what the deadline counts from (resolution, an earlier filing) has not happened.
   */
  deadlines: {
    name: string;
    rule: string;
    within: string;
    from?: string;
    after?: string;
    noLaterThan?: { within: string; from: string };
    due?: string;
    waitingFor?: string;
  }[];
}

export type EventType = keyof EventData;
const EVENT_TYPES = new Set<string>([
  'incident.started',
  'incident.joined',
  'incident.resumed',
  'incident.paused',
  'incident.closed',
  'incident.taken-over',
  'input.set',
  'step.started',
  'step.answered',
  'step.completed',
  'step.skipped',
  'step.jumped',
  'check.result',
  'wait.finished',
  'command.started',
  'command.finished',
  'command.unfinished',
  'check.started',
  'announcement',
  'delivery.started',
  'delivery.finished',
  'delivery.unfinished',
  'note',
  'milestone',
  'severity.changed',
  'regulator.assessed',
  'regulator.filed',
  'regulator.pending',
  'clock.started',
  'clock.met',
  'clock.missed',
  'clock.stopped',
  'alert.received',
  'alert.evidence',
] satisfies EventType[]);

/** Where a check or command runs: its process group (the id of its leader) on a host. */
export interface ProcessGroupData {
  pgid: number;
  host: string;
  /** The leader's start time as the kernel counts it, so a reused pid is not taken for it. */
  processStart?: string;
}

export type UnfinishedDecision = 'wait' | 'kill' | 'rerun' | 'done' | 'failed';

export type DeliveryKind = 'announcement' | 'milestone' | 'severity';

/** About a delivery that may have been sent: send it again (same key), mark it sent, or leave it. */
export type DeliveryDecision = 'resend' | 'sent' | 'skip';

export interface ProcessResultData {
  exit: number | null;
  signal?: string;
  durationMs: number;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** Set when stdout or stderr was longer than the capture limit and was cut. */
  truncated?: ('stdout' | 'stderr')[];
  /** Why the process could not be started, when it could not. */
  error?: string;
}

export interface CheckResultData extends ProcessResultData {
  step?: string;
  check: string;
  status: CheckStatus;
  attempts: number;
  /** Why the status is what it is, in a few words: "exit 1, expected 0". */
  reason: string;
}

export type AnyEvent = { [K in EventType]: IncidentEvent<K, EventData[K]> }[EventType];

export function isKnown(event: IncidentEvent): event is AnyEvent {
  return EVENT_TYPES.has(event.type);
}
