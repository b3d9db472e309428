import type { EventData, EventType, IncidentEvent } from '../../incident/events.js';
import type { IncidentState } from '../../incident/replay.js';
import type { RegulatorRules } from '../../regulator/rules.js';
import type { Action, InputDef, Runbook, Severity, Step } from '../../runbook/model.js';
import type { CheckRun } from '../checks.js';
import type { Announcer } from '../announcer.js';
import type { Masker } from '../mask.js';
import type { Failure, Reply, Responder, StepView } from '../responder.js';
import type { Runner } from '../runner.js';

/** How a step ends: on to a next step (done, or failed and going on), skipped, the incident stopped, or the walk paused. */
export type StepEnd =
  | { kind: 'next'; next: string; result: 'done' | 'failed'; at?: string }
  | { kind: 'skip'; reason: string }
  | { kind: 'stop' }
  | { kind: 'pause' }
  | { kind: 'back' };

/** What a reply amounts to once notes and severity changes have been recorded. */
export type Settled<T> = { kind: 'answer'; value: T } | { kind: 'skip'; reason: string } | { kind: 'pause' } | { kind: 'back' };

/** The signals a step's processes and waits give way to. */
export interface StepSignals {
  /** Ctrl-C: stops every check and command, a state-changing one too. */
  interrupt?: AbortSignal;
  /** sev was hung up on or terminated: a state-changing command that runs is left to finish. */
  leave?: AbortSignal;
  /** Either of them: what stops checks and read-only commands. */
  stop?: AbortSignal;
  /** Any of them or a paused output: what a wait between attempts, or for an earlier run's command, gives way to. */
  any?: AbortSignal;
}

/**
 * What the walk hands a step: the incident so far, the responder, the runner, and the walk's own ways of
 * settling replies, emitting events and deciding what a failure does. A step module knows nothing of the
 * walk beyond this, so a test can drive one with a context of its own making.
 */
export interface StepContext {
  readonly runbook: Runbook;
  /** The incident so far, folded from its log; every event emitted is folded into it at once. */
  readonly state: IncidentState;
  readonly responder: Responder;
  readonly runner: Runner;
  /** Where announcements are delivered: the team's channels, or nowhere (sent by hand). */
  readonly announcer: Announcer;
  /** The step as the responder sees it; a severity changed in a reply is written into it. */
  readonly view: StepView;
  /** Where the step goes unless it says otherwise: its `next`, else the step after it. */
  readonly fallThrough: string;
  /** --yes: confirmations are answered yes and commands run without asking. */
  readonly yes: boolean;
  readonly signals: StepSignals;
  /** The secrets known so far; a step that asks a secret input sees the new one here at once. */
  readonly mask: Masker;
  /** Writes an event to the incident log. */
  emit<T extends EventType>(type: T, data: EventData[T]): IncidentEvent<T, EventData[T]>;
  /** Asks until the reply is an answer, a skip or a pause, recording notes and severity changes on the way. */
  settle<T>(ask: () => Promise<Reply<T>>): Promise<Settled<T>>;
  /** What a failure does: the runbook's action, or the responder's choice when the action is `ask`. */
  onFailure(action: Action, failure: Failure): Promise<StepEnd | 'retry'>;
  /** Asks an input until it is valid (or takes its --set value) and records it; or the responder pauses or goes back. */
  askInput(def: InputDef): Promise<string | { kind: 'pause' | 'back' }>;
  changeSeverity(to: Severity, reason: string): void;
  /** A template filled for people: secrets masked, terminal control sequences made visible. */
  text(template: string): string;
  /** The environment of a check or command: the inputs and incident facts as SEV_ variables, and its own. */
  env(own: Record<string, string>): Record<string, string>;
  /** How the step's checks run: their environment, signal and mask, each start logged with its process group. */
  checkRun(): CheckRun;
  regulatorRules(): RegulatorRules;
}

/** One step kind: runs a step of that kind to its end. */
export type StepRun = (step: Step, ctx: StepContext) => Promise<StepEnd>;

/** The step is done; it goes on where it falls through unless told otherwise. */
export function done(ctx: StepContext, next = ctx.fallThrough, at?: string): StepEnd {
  return { kind: 'next', next, result: 'done', ...(at ? { at } : {}) };
}
