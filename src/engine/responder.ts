import type { CheckResultData, DeliveryDecision, ProcessResultData, UnfinishedDecision } from '../incident/events.js';
import type { ChoiceOption, InputDef, Severity, Step } from '../runbook/model.js';
import type { AssessedNotificationData } from '../incident/events.js';
import type { FactValue } from '../regulator/assess.js';
import type { FactDef } from '../regulator/rules.js';
import type { OutputLine } from './live-lines.js';

/**
 * Besides its answer, at every prompt the responder may add a note, skip the step, pause the run,
 * change the severity or send the update a clock is due for. The engine records each and, for a note,
 * a severity change or an update, asks again.
 */
export type Reply<T> =
  | { kind: 'answer'; value: T }
  | { kind: 'note'; text: string; action?: boolean }
  | { kind: 'skip'; reason: string }
  | { kind: 'pause' }
  | { kind: 'severity'; to: Severity; reason?: string }
  /**
   * "Send the update now": an announcement to the clock's audience, which meets the clock. Shown and confirmed
   * like any announcement, unless `decided`: an answers file that says to send it has decided already.
   */
  | { kind: 'update'; clock: string; decided?: boolean }
  /** Show the runbook's links (dashboards, consoles), or its steps with where the walk is; then ask again. */
  | { kind: 'links' }
  | { kind: 'outline' }
  /** Return to the step done before this one (logged as a jump; nothing done is undone). */
  | { kind: 'back' };

/** One step of the outline: done (or skipped), the one under way, or still to come. */
export interface OutlineStep {
  number: number;
  id: string;
  title?: string;
  state: 'done' | 'skipped' | 'current' | 'todo';
}

export interface RunbookLink {
  title: string;
  url: string;
}

/** An open clock as the header shows it: "Update users: due in 12:04". */
export interface ClockLine {
  id: string;
  title: string;
  /** RFC 3339, UTC. */
  dueAt: string;
  /** Negative once overdue. */
  inMs: number;
  /** The audience an update goes to, when an announcement to it meets the clock. */
  audience?: string;
}

/** A clock due or overdue at a prompt; `fresh` the first time the responder is told of this round. */
export interface DueClockNotice extends ClockLine {
  fresh: boolean;
}

/** What is on screen while a step runs: enough to know where one is at 3 a.m. */
export interface StepView {
  step: Step;
  /** 1-based position and total, for "step 3 of 18". */
  number: number;
  total: number;
  severity: Severity;
  incident: string;
  elapsedMs: number;
  /** Instructions with templates filled in (secrets masked). */
  instructions?: string;
  dryRun: boolean;
  /** How many times this step has been started in this incident, this time included. */
  visit: number;
  /** The open clocks due soonest, overdue ones first (at most three). */
  clocks?: ClockLine[];
}

export type FailureChoice = 'retry' | 'continue' | 'stop';

/** What failed, for the question "retry, continue or stop?". */
export interface Failure {
  what: 'checks' | 'command' | 'wait' | 'confirm';
  summary: string;
}

export interface AnnouncementView {
  audience: string;
  channel?: string;
  subject?: string;
  message: string;
}

/** A channel that could not be reached: retry it, copy the text to send it by hand, or go on without it. */
export type DeliveryChoice = 'retry' | 'copy' | 'continue';

/** A delivery an earlier run of sev started and did not see end: it may have been sent. */
export interface UnfinishedDeliveryView {
  channel: string;
  audience: string;
  startedAt: string;
}

/**
 * A command that an earlier run of sev started and whose end is not in the log. While its process group
 * still runs, the choices are wait and kill; once it is gone (or on another host, where it cannot be
 * looked at), run it again, or mark it done or failed after checking its effect.
 */
export interface UnfinishedView {
  command: string;
  startedAt: string;
  /** Unknown for a log written before sev recorded process groups. */
  host?: string;
  pgid?: number;
  state: 'alive' | 'gone' | 'elsewhere';
  choices: UnfinishedDecision[];
}

/** Progress of a step's checks while they run: a spinner at a terminal, nothing in a script. */
export interface ChecksProgress {
  done(result: CheckResultData): void;
  stop(): void;
}

/** A command while it runs: its output shown as it comes (masked and sanitised already), and the time it has taken. */
export interface CommandProgress {
  output(line: OutputLine): void;
  stop(): void;
}

/** A fact a regulator step asks; `problem` says why an answer does not do (undefined: it does). */
export interface FactQuestion extends FactDef {
  /** From the incident's milestones (a duration), offered as the answer. */
  default?: string;
  problem(answer: string): string | undefined;
}

/** What a regulator step found: shown to the responder before any filing is asked. */
export interface AssessmentView {
  notice: string;
  rulesFile: string;
  version?: string;
  facts: FactValue[];
  notifications: AssessedNotificationData[];
  /** The moment of the assessment (RFC 3339), from which "time left" is counted. */
  now: string;
}

/** One deadline of an applicable notification, asked: filed (when, by whom, reference) or not yet. */
export interface FilingQuestion {
  notification: AssessedNotificationData;
  deadline: AssessedNotificationData['deadlines'][number];
  /** Offered as "by whom": the responder. */
  by: string;
  now: string;
  /** Why an answered time does not do (undefined: it does). */
  timeProblem(at: string): string | undefined;
}

/** An input of the form before step 1: its value so far (the default until changed). */
export interface FormField {
  def: InputDef;
  value: string;
  /** Why a typed value does not do (undefined: it does), checked as the walk will check it. */
  problem(answer: string): string | undefined;
}

/** An input given before the walk (--set, an alert's label, a drill's values): shown as set, never asked. */
export interface PresetInput {
  name: string;
  value: string;
  secret: boolean;
}

export interface InputFormView {
  fields: FormField[];
  preset: PresetInput[];
}

export type Filing = { filed: true; at: string; by: string; reference?: string } | { filed: false };

/**
 * Everything the engine asks of a person or a script. The interactive responder (prompts, spinners,
 * tables) and the scripted one (answers file, --yes) implement it; the engine never touches a terminal.
 */
export interface Responder {
  /** Asks an input: one of the runbook's at the start, or an input step's. The engine validates the answer. */
  input(def: InputDef, problem?: string): Promise<Reply<string>>;
  /**
   * The runbook's inputs that have a default, asked at once before step 1: accepted as they are, or some
   * changed. The answer holds the value of each input settled (by name); one it leaves out is then asked
   * on its own with input(). The engine checks every value again.
   */
  inputForm(form: InputFormView): Promise<Reply<Record<string, string>>>;
  showStep(view: StepView): void;
  acknowledge(view: StepView): Promise<Reply<true>>;
  confirm(view: StepView, question: string): Promise<Reply<boolean>>;
  choose(view: StepView, question: string, options: ChoiceOption[]): Promise<Reply<ChoiceOption>>;
  /** Shows a command in full before it is confirmed or run. */
  /** Shows a command before it runs; in a dry run, as the one it would run. */
  showCommand(command: string, options?: { dryRun?: boolean }): void;
  /** Asks whether to run the command just shown. */
  confirmCommand(view: StepView, command: string): Promise<Reply<boolean>>;
  showAnnouncement(announcement: AnnouncementView): void;
  /** Asks whether the announcement just shown was sent. */
  announce(view: StepView, announcement: AnnouncementView): Promise<Reply<boolean>>;
  /** Asks whether to send the announcement just shown through these channels. */
  confirmDelivery(view: StepView, announcement: AnnouncementView, channels: string[]): Promise<Reply<boolean>>;
  /** A channel failed (`detail` says why): retry, copy, or go on. */
  deliveryFailed(view: StepView, channel: string, detail: string): Promise<Reply<DeliveryChoice>>;
  /** Asks about a delivery that may have been sent by an earlier run. Never guessed: a script must say. */
  unfinishedDelivery(view: StepView, delivery: UnfinishedDeliveryView): Promise<Reply<DeliveryDecision>>;
  /** Shows a message as it is, to be copied and sent by hand. */
  copyText(text: string): void;
  onFailure(view: StepView, failure: Failure): Promise<Reply<FailureChoice>>;
  /** Asks the facts a regulator step needs (name → answer); the engine reads each answer again. */
  regulatorFacts(view: StepView, questions: FactQuestion[]): Promise<Reply<Record<string, string>>>;
  showAssessment(assessment: AssessmentView): void;
  /** Asks whether one deadline of an applicable notification was filed. */
  regulatorFiled(view: StepView, question: FilingQuestion): Promise<Reply<Filing>>;
  /** Asks what to do about a command that an earlier run started and did not see end. Never guessed: a script must say. */
  unfinished(view: StepView, command: UnfinishedView): Promise<Reply<UnfinishedDecision>>;
  /**
   * Before every question: the clocks due or overdue now (empty when none). The responder tells of the
   * fresh ones and, for those with an audience, offers to answer with an update.
   */
  clocksDue(due: DueClockNotice[]): void;
  /** The secrets known so far, so that text typed at a prompt (a note) shows masked as the log keeps it. */
  useMask(mask: (text: string) => string): void;
  checksStarted(names: string[]): ChecksProgress;
  checksFinished(results: CheckResultData[]): void;
  /** A command starts: its output is told as it comes, until stop, just before commandFinished. */
  commandStarted(command: string): CommandProgress;
  commandFinished(result: ProcessResultData & { ok: boolean; reason?: string }): void;
  waiting(check: string, attempt: number, status: string, remainingMs: number): void;
  /** The runbook's links: at the start (`when` 'start') and when asked for. */
  showLinks(links: RunbookLink[], when: 'start' | 'asked'): void;
  showOutline(steps: OutlineStep[]): void;
  info(message: string): void;
}
