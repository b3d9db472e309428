import { END, type Milestone, type Severity } from '../runbook/model.js';
import { foldClockEvent, type ClockState } from './clock-state.js';
import type { AnyEvent, CloseOutcome, DeliveryKind, IncidentEvent, ProcessGroupData, RunbookRef } from './events.js';

/** A command or check whose start is in the log and whose end is not; no group in a log of an older sev. */
export interface Unfinished extends Partial<ProcessGroupData> {
  step: string;
  command: string;
  /** When it started: the time of its start event. */
  time: string;
  changesState: boolean;
}

/** A delivery whose attempt is in the log and whose end is not: it may have reached the channel. */
export interface UnfinishedDelivery {
  step?: string;
  channel: string;
  audience: string;
  key: string;
  kind: DeliveryKind;
  /** When its last attempt started. */
  time: string;
}

type IncidentStatus = 'open' | 'paused' | 'closed';

/** What a log says about an incident: the one fold that resume, status and reports share. */
export interface IncidentState {
  incident: string;
  runbook?: RunbookRef;
  responder: string;
  severity?: Severity;
  dryRun: boolean;
  started?: string;
  lastTime?: string;
  status: IncidentStatus;
  outcome?: CloseOutcome;
  /** Why it was closed without walking on (sev close). */
  closeReason?: string;
  /** The step in progress, or the next one to start; undefined before the first step. */
  step?: string;
  /** Whether `step` was started and not finished (a resume runs it again). */
  stepInProgress: boolean;
  /** Values of the inputs answered so far; secret ones are listed in `secrets` and have no value here. */
  inputs: Record<string, string>;
  secrets: Set<string>;
  /** How many times each step was started: an answers file may give one answer per visit. */
  visits: Map<string, number>;
  /** The steps completed or skipped, in order, less those gone back over: where /back returns to. */
  trail: string[];
  /** The steps whose last end was a skip. */
  skipped: Set<string>;
  /** `at`: when it really happened, when the responder typed a time other than the event's. */
  milestones: Map<Milestone, { time: string; step?: string; at?: string }>;
  pauseReason?: string;
  /** The command started and not finished (nor decided on), if any: a resume asks before doing anything about it. */
  unfinishedCommand?: Unfinished;
  /**
   * The command of the step in progress that ended, with its result, when the step itself was not
   * completed (sev stopped in between): a resume takes that result instead of running the command again.
   */
  finishedCommand?: { step: string; ok: boolean; time: string };
  /** Checks started and not finished, by name: a resume stops those still running. */
  unfinishedChecks: Map<string, Unfinished>;
  /** Deliveries started and not finished (nor decided on), by key: a resume asks before sending any again. */
  unfinishedDeliveries: Map<string, UnfinishedDelivery>;
  /**
   * Channels the announcement of the step in progress reached (delivered, or marked sent by the responder),
   * when the step itself was not completed: a resume does not send to them again.
   */
  stepDeliveries: Set<string>;
  /** How many times each step was completed or skipped: a step walked again announces afresh (a new idempotency key). */
  stepRounds: Map<string, number>;
  /** Idempotency keys of deliveries done with (delivered, marked sent, or left): a new delivery takes a key not among them. */
  settledDeliveryKeys: Set<string>;
  /** The latest id a channel's service gave a delivery of this incident (a status page incident, updated by the next). */
  channelMessages: Map<string, string>;
  /** Regulator filings so far: notification id → deadline name → when it was filed. */
  regulatorFilings: Map<string, Map<string, string>>;
  /** The clocks so far, by id: what is open and due, what has ended. */
  clocks: Map<string, ClockState>;
  /** Each clock's title and audience as its clock.started copied them, so status names a clock from the log alone. */
  clockNames: Map<string, { title: string; audience?: string }>;
  events: number;
}

export function initialState(): IncidentState {
  return {
    incident: '',
    responder: '',
    dryRun: false,
    status: 'open',
    stepInProgress: false,
    inputs: {},
    secrets: new Set(),
    visits: new Map(),
    trail: [],
    skipped: new Set(),
    milestones: new Map(),
    unfinishedChecks: new Map(),
    unfinishedDeliveries: new Map(),
    stepDeliveries: new Set(),
    stepRounds: new Map(),
    settledDeliveryKeys: new Set(),
    channelMessages: new Map(),
    regulatorFilings: new Map(),
    clocks: new Map(),
    clockNames: new Map(),
    events: 0,
  };
}

/** Folds one event into the state (in place, for speed over long logs) and returns it. */
export function apply(state: IncidentState, event: IncidentEvent): IncidentState {
  const e = event as AnyEvent;
  state.events++;
  state.lastTime = e.time;
  if (!state.incident) state.incident = e.incident;
  switch (e.type) {
    case 'incident.started':
    case 'incident.joined':
      state.runbook ??= e.data.runbook;
      state.responder ||= e.data.responder;
      state.severity ??= e.data.severity;
      state.started ??= e.time;
      if (e.type === 'incident.started') state.dryRun = e.data.dryRun;
      break;
    case 'incident.resumed':
      state.status = 'open';
      state.pauseReason = undefined;
      break;
    case 'incident.paused':
      state.status = 'paused';
      state.pauseReason = e.data.reason;
      break;
    case 'incident.closed':
      state.status = 'closed';
      state.outcome = e.data.outcome;
      state.closeReason = e.data.reason;
      state.stepInProgress = false;
      break;
    case 'input.set':
      if (e.data.secret) state.secrets.add(e.data.name);
      else if (e.data.value !== undefined) state.inputs[e.data.name] = e.data.value;
      break;
    case 'step.started':
      state.step = e.data.step;
      state.stepInProgress = true;
      state.visits.set(e.data.step, (state.visits.get(e.data.step) ?? 0) + 1);
      break;
    case 'step.completed':
    case 'step.skipped':
      state.step = e.data.next;
      state.stepInProgress = false;
      state.finishedCommand = undefined;
      state.stepDeliveries.clear();
      state.stepRounds.set(e.data.step, (state.stepRounds.get(e.data.step) ?? 0) + 1);
      state.trail.push(e.data.step);
      if (e.type === 'step.skipped') state.skipped.add(e.data.step);
      else state.skipped.delete(e.data.step);
      break;
    case 'step.jumped':
      state.step = e.data.to;
      state.stepInProgress = false;
      state.finishedCommand = undefined;
      state.stepDeliveries.clear();
      if (state.trail[state.trail.length - 1] === e.data.to) state.trail.pop();
      break;
    case 'milestone':
      if (!state.milestones.has(e.data.milestone))
        state.milestones.set(e.data.milestone, { time: e.time, step: e.data.step, ...(e.data.at ? { at: e.data.at } : {}) });
      break;
    case 'severity.changed':
      state.severity = e.data.to;
      break;
    case 'command.started':
      state.unfinishedCommand = {
        step: e.data.step,
        command: e.data.command,
        time: e.time,
        changesState: e.data.changesState !== false,
        ...(e.data.pgid === undefined ? {} : { pgid: e.data.pgid }),
        ...(e.data.host === undefined ? {} : { host: e.data.host }),
        ...(e.data.processStart ? { processStart: e.data.processStart } : {}),
      };
      break;
    case 'command.finished':
      state.unfinishedCommand = undefined;
      state.finishedCommand = { step: e.data.step, ok: e.data.ok, time: e.time };
      break;
    case 'command.unfinished':
      if (e.data.decision !== 'wait' && e.data.decision !== 'kill') state.unfinishedCommand = undefined;
      break;
    case 'check.started':
      state.unfinishedChecks.set(e.data.check, {
        step: e.data.step,
        command: e.data.check,
        time: e.time,
        changesState: false,
        pgid: e.data.pgid,
        host: e.data.host,
        ...(e.data.processStart ? { processStart: e.data.processStart } : {}),
      });
      break;
    case 'check.result':
      state.unfinishedChecks.delete(e.data.check);
      break;
    case 'delivery.started':
      state.unfinishedDeliveries.set(e.data.key, {
        ...(e.data.step === undefined ? {} : { step: e.data.step }),
        channel: e.data.channel,
        audience: e.data.audience,
        key: e.data.key,
        kind: e.data.kind ?? 'announcement',
        time: e.time,
      });
      break;
    case 'delivery.finished':
      state.unfinishedDeliveries.delete(e.data.key);
      if (e.data.ok) state.settledDeliveryKeys.add(e.data.key);
      if (e.data.ok && e.data.messageId) state.channelMessages.set(e.data.channel, e.data.messageId);
      if (e.data.ok && e.data.step !== undefined) state.stepDeliveries.add(e.data.channel);
      break;
    case 'delivery.unfinished':
      state.unfinishedDeliveries.delete(e.data.key);
      if (e.data.decision !== 'resend') state.settledDeliveryKeys.add(e.data.key);
      if (e.data.decision === 'sent' && e.data.step !== undefined) state.stepDeliveries.add(e.data.channel);
      break;
    case 'regulator.filed': {
      const filings = state.regulatorFilings.get(e.data.notification) ?? new Map<string, string>();
      filings.set(e.data.deadline, e.data.at);
      state.regulatorFilings.set(e.data.notification, filings);
      break;
    }
    case 'clock.started':
      state.clockNames.set(e.data.clock, { title: e.data.title, ...(e.data.audience ? { audience: e.data.audience } : {}) });
      foldClockEvent(state.clocks, e);
      break;
    case 'clock.met':
    case 'clock.missed':
    case 'clock.stopped':
      foldClockEvent(state.clocks, e);
      break;
    default:
      break;
  }
  return state;
}

export function replay(events: Iterable<IncidentEvent>): IncidentState {
  const state = initialState();
  for (const event of events) apply(state, event);
  return state;
}

/** The step where a resumed run goes on; END when the walk has nothing left. */
export function resumePoint(state: IncidentState, firstStep: string | undefined): string {
  return state.step ?? firstStep ?? END;
}
