import type { ChalkInstance } from 'chalk';
import type { CheckResultData, DeliveryDecision, ProcessResultData, UnfinishedDecision } from '../incident/events.js';
import type { Answers, StepAnswer } from '../engine/answers.js';
import type {
  AnnouncementView,
  AssessmentView,
  ChecksProgress,
  CommandProgress,
  OutlineStep,
  RunbookLink,
  DeliveryChoice,
  DueClockNotice,
  Failure,
  FailureChoice,
  FactQuestion,
  Filing,
  FilingQuestion,
  InputFormView,
  Reply,
  Responder,
  StepView,
  UnfinishedDeliveryView,
  UnfinishedView,
} from '../engine/responder.js';
import { timeLeft } from '../regulator/assess.js';
import { MASK } from '../engine/mask.js';
import { MissingAnswer } from '../engine/errors.js';
import type { ChoiceOption, InputDef } from '../runbook/model.js';
import { plainProgress } from './command-progress.js';
import {
  announcementBox,
  assessmentBox,
  checkTable,
  commandBox,
  commandResult,
  dueNotice,
  linksBox,
  outlineBox,
  stepHeader,
  unfinishedNotice,
} from './render.js';

const YES = new Set(['yes', 'y', 'true', 'on', 'ok', 'done', 'sent']);
const NO = new Set(['no', 'n', 'false', 'off', 'not sent']);
const FAILURE_CHOICES: FailureChoice[] = ['retry', 'continue', 'stop'];
const DELIVERY_CHOICES: Record<string, DeliveryChoice> = { retry: 'retry', copy: 'copy', continue: 'continue', 'go on': 'continue' };
const DELIVERY_DECISIONS: Record<string, DeliveryDecision> = {
  resend: 'resend',
  'send again': 'resend',
  sent: 'sent',
  'mark as sent': 'sent',
  skip: 'skip',
};

interface ScriptedOptions {
  answers?: Answers;
  yes: boolean;
  /** Asked when the answers do not cover a question: a person at a terminal. Without one, a missing answer ends the run. */
  fallback?: Responder;
  /** Where the walk is narrated: stderr, so stdout stays for results. */
  out: NodeJS.WritableStream;
  color: ChalkInstance;
}

/**
 * Answers from an answers file and --yes, for drills and automation. Every step answer is taken in
 * order; the last one given for a step is used again when the step comes back (except `retry`, which
 * would loop for ever).
 */
export class ScriptedResponder implements Responder {
  private readonly queues = new Map<string, StepAnswer[]>();
  private readonly last = new Map<string, StepAnswer>();
  /** Entries whose note was given already. */
  private readonly delivered = new WeakSet<StepAnswer>();
  private mask: (text: string) => string = (t) => t;
  /** The clocks due now whose update the answers say to send. */
  private dueUpdates: DueClockNotice[] = [];
  /** Rounds (id@due) whose update was asked for already: never twice for one round. */
  private readonly updatesSent = new Set<string>();
  /** How many lines of the running command were printed live. */
  private streamed: () => number = () => 0;

  constructor(private readonly options: ScriptedOptions) {
    for (const [id, list] of options.answers?.steps ?? []) this.queues.set(id, [...list]);
  }

  /** With --yes or an answers file, an input the answers leave out takes its default. */
  private get defaults(): boolean {
    return this.options.yes || this.options.answers !== undefined;
  }

  private say(text: string): void {
    this.options.out.write(`${text}\n`);
  }

  private take(step: string): StepAnswer | undefined {
    const queue = this.queues.get(step);
    if (queue?.length) {
      const entry = queue.shift()!;
      this.last.set(step, entry);
      return entry;
    }
    const previous = this.last.get(step);
    if (previous && previous.answer !== 'retry' && previous.onFail !== 'retry') return previous;
    return undefined;
  }

  /** A note in the entry comes before its answer (the entry is put back for it); a skip or pause replaces it. */
  private extra<T>(step: string, entry: StepAnswer | undefined): Reply<T> | undefined {
    if (!entry) return undefined;
    if (entry.note && !this.delivered.has(entry)) {
      this.delivered.add(entry);
      this.queues.get(step)?.unshift(entry);
      return { kind: 'note', text: entry.note };
    }
    if (entry.skip) return { kind: 'skip', reason: entry.skip };
    if (entry.pause) return { kind: 'pause' };
    return undefined;
  }

  private missing(what: string): never {
    const file = this.options.answers ? ` in ${this.options.answers.file}` : '';
    throw new MissingAnswer(`no answer for ${what}${file}, and no terminal to ask`);
  }

  /** The update of a clock due now that the answers say to send, before any other answer. */
  private update<T>(): Reply<T> | undefined {
    const due = this.dueUpdates.find((d) => !this.updatesSent.has(`${d.id}@${d.dueAt}`));
    if (!due) return undefined;
    this.updatesSent.add(`${due.id}@${due.dueAt}`);
    this.say(this.options.color.dim(`  → send the update for ${due.title} (from the answers file)`));
    return { kind: 'update', clock: due.id, decided: true };
  }

  /** The entry for a question of a step: its note/skip/pause first, then its answer. */
  private async step<T>(
    view: StepView,
    what: string,
    parse: (answer: string) => T | undefined,
    fallback: () => Promise<Reply<T>>,
    byDefault?: T,
    shown?: string,
    secret = false,
  ): Promise<Reply<T>> {
    const update = this.update<T>();
    if (update) return update;
    const entry = this.take(view.step.id);
    const extra = this.extra<T>(view.step.id, entry);
    if (extra) {
      if (extra.kind === 'note') this.say(this.options.color.dim(`  ✎ note: ${this.mask(extra.text)}`));
      if (extra.kind === 'skip') this.say(this.options.color.dim(`  skipped: ${this.mask(extra.reason)}`));
      return extra;
    }
    if (entry?.answer !== undefined) {
      const value = parse(entry.answer);
      if (value === undefined) throw new MissingAnswer(`step "${view.step.id}": "${entry.answer}" does not answer ${what}`);
      if (shown) this.say(shown);
      this.say(this.options.color.dim(`  → ${secret ? MASK : entry.answer} (from the answers file)`));
      return { kind: 'answer', value };
    }
    if (shown && !this.options.fallback) this.say(shown);
    if (byDefault !== undefined) return { kind: 'answer', value: byDefault };
    if (this.options.fallback) return fallback();
    return this.missing(`step "${view.step.id}" (${what})`);
  }

  async input(def: InputDef, problem?: string): Promise<Reply<string>> {
    const update = this.update<string>();
    if (update) return update;
    const given = def.stepId ? undefined : this.options.answers?.inputs[def.name];
    if (problem) {
      if (this.options.fallback) return this.options.fallback.input(def, problem);
      throw new MissingAnswer(`input "${def.name}": ${problem}`);
    }
    if (given !== undefined) return { kind: 'answer', value: given };
    // With --yes or an answers file an input takes its default. One that is not required and has no
    // default is left empty there, and also with nobody to ask, rather than stopping the run.
    const optional = !def.required && def.default === undefined;
    const byDefault = this.defaults || !this.options.fallback ? (optional ? '' : this.defaults ? def.default : undefined) : undefined;
    if (def.stepId) {
      const view = { step: { id: def.stepId } } as StepView;
      const fallback = () => this.options.fallback!.input(def);
      return this.step(view, `the input "${def.name}"`, (a) => a, fallback, byDefault, `  ? ${def.prompt}`, def.secret);
    }
    if (byDefault !== undefined) return { kind: 'answer', value: byDefault };
    if (this.options.fallback) return this.options.fallback.input(def);
    return this.missing(`input "${def.name}"${def.default === undefined ? ' (it has no default)' : ''}`);
  }

  /**
   * Each input of the form as input() answers it: the answers file's value, else (with --yes or an answers
   * file) its default. With neither, a person at the terminal gets the form; with nobody there, the inputs
   * are left to input(), which says which answer is missing.
   */
  async inputForm(form: InputFormView): Promise<Reply<Record<string, string>>> {
    const update = this.update<Record<string, string>>();
    if (update) return update;
    if (!this.defaults && this.options.fallback) return this.options.fallback.inputForm(form);
    const values: Record<string, string> = {};
    for (const { def } of form.fields) {
      const given = this.options.answers?.inputs[def.name];
      if (given !== undefined) values[def.name] = given;
      else if (this.defaults && def.default !== undefined) values[def.name] = def.default;
    }
    return { kind: 'answer', value: values };
  }

  showStep(view: StepView): void {
    this.say(stepHeader(view, this.options.color));
  }

  acknowledge(view: StepView): Promise<Reply<true>> {
    return this.step(
      view,
      'the instructions',
      () => true as const,
      () => this.options.fallback!.acknowledge(view),
      this.options.yes ? true : undefined,
    );
  }

  confirm(view: StepView, question: string): Promise<Reply<boolean>> {
    return this.step(view, 'a yes/no question', yesNo, () => this.options.fallback!.confirm(view, question), undefined, `  ? ${question}`);
  }

  choose(view: StepView, question: string, options: ChoiceOption[]): Promise<Reply<ChoiceOption>> {
    const pick = (answer: string) => {
      const a = answer.trim().toLowerCase();
      return options.find((o) => o.label.toLowerCase() === a || o.value.toLowerCase() === a);
    };
    return this.step(
      view,
      `a choice of ${options.map((o) => `"${o.label}"`).join(', ')}`,
      pick,
      () => this.options.fallback!.choose(view, question, options),
      undefined,
      `  ? ${question}`,
    );
  }

  showCommand(command: string, options?: { dryRun?: boolean }): void {
    this.say(commandBox(command, this.options.color, options?.dryRun));
  }

  confirmCommand(view: StepView, command: string): Promise<Reply<boolean>> {
    return this.step(view, 'whether to run the command (yes/no)', yesNo, () => this.options.fallback!.confirmCommand(view, command));
  }

  showAnnouncement(announcement: AnnouncementView): void {
    this.say(announcementBox(announcement, this.options.color));
  }

  announce(view: StepView, announcement: AnnouncementView): Promise<Reply<boolean>> {
    return this.step(view, 'whether the announcement was sent (yes/no)', yesNo, () => this.options.fallback!.announce(view, announcement));
  }

  confirmDelivery(view: StepView, announcement: AnnouncementView, channels: string[]): Promise<Reply<boolean>> {
    return this.step(view, `whether to send the announcement to ${channels.join(', ')} (yes/no)`, yesNo, () =>
      this.options.fallback!.confirmDelivery(view, announcement, channels),
    );
  }

  /**
   * The on_fail of the step's entry (retry, copy or continue); without one and with nobody to ask, the
   * walk goes on: a channel that fails never stops an incident.
   */
  async deliveryFailed(view: StepView, channel: string, detail: string): Promise<Reply<DeliveryChoice>> {
    this.say(this.options.color.red(`  ✘ ${detail}`));
    const current = this.last.get(view.step.id);
    if (current?.onFail !== undefined) {
      const value = DELIVERY_CHOICES[current.onFail.trim().toLowerCase()];
      if (!value) throw new MissingAnswer(`step "${view.step.id}": on_fail "${current.onFail}" is not retry, copy or continue`);
      if (value === 'retry') current.onFail = undefined;
      this.say(this.options.color.dim(`  → on_fail: ${current.onFail ?? value} (from the answers file)`));
      return { kind: 'answer', value };
    }
    if (this.options.fallback) return this.options.fallback.deliveryFailed(view, channel, detail);
    this.say(this.options.color.dim(`  going on without ${channel} (the answers do not say on_fail: retry or copy)`));
    return { kind: 'answer', value: 'continue' };
  }

  /** `delivery:` (resend, sent, skip) from the step's entries, used once; never a default, not even with --yes. */
  async unfinishedDelivery(view: StepView, delivery: UnfinishedDeliveryView): Promise<Reply<DeliveryDecision>> {
    this.say(
      this.options.color.yellow(
        `  The delivery to ${delivery.channel} (${delivery.audience}) started at ${delivery.startedAt} ` +
          'by an earlier run of sev did not see its end: it may have been sent.',
      ),
    );
    const queue = this.queues.get(view.step.id) ?? [];
    const entry = queue.find((e) => e.delivery !== undefined);
    if (entry) {
      const given = entry.delivery!;
      entry.delivery = undefined;
      if (Object.values(entry).every((v) => v === undefined)) queue.splice(queue.indexOf(entry), 1);
      const decision = DELIVERY_DECISIONS[given.trim().toLowerCase()];
      if (!decision) throw new MissingAnswer(`step "${view.step.id}": delivery: ${given} is not resend, sent or skip`);
      this.say(this.options.color.dim(`  → delivery: ${given} (from the answers file)`));
      return { kind: 'answer', value: decision };
    }
    if (this.options.fallback) return this.options.fallback.unfinishedDelivery(view, delivery);
    return this.missing(
      `step "${view.step.id}": its delivery to ${delivery.channel} started at ${delivery.startedAt} and did not finish ` +
        '(say delivery: resend, delivery: sent or delivery: skip)',
    );
  }

  copyText(text: string): void {
    this.say(`  Send this by hand:\n${text}`);
  }

  async onFailure(view: StepView, failure: Failure): Promise<Reply<FailureChoice>> {
    const update = this.update<FailureChoice>();
    if (update) return update;
    this.say(this.options.color.red(`  ✘ ${failure.summary}`));
    const parse = (a: string) => FAILURE_CHOICES.find((c) => c === a.trim().toLowerCase());
    // A confirmation or command answered in the same entry says what its failure does with on_fail.
    const current = failure.what === 'confirm' || failure.what === 'command' ? this.last.get(view.step.id) : undefined;
    if (current?.onFail !== undefined) {
      const value = parse(current.onFail);
      if (!value) throw new MissingAnswer(`step "${view.step.id}": on_fail "${current.onFail}" is not retry, continue or stop`);
      if (value === 'retry') current.onFail = undefined;
      return { kind: 'answer', value };
    }
    if (failure.what === 'confirm' || failure.what === 'command') {
      if (this.options.fallback) return this.options.fallback.onFailure(view, failure);
      if (this.options.yes) return { kind: 'answer', value: 'stop' };
      return this.missing(`the failure of step "${view.step.id}" (retry, continue or stop)`);
    }
    return this.step(
      view,
      'a failure (retry, continue or stop)',
      parse,
      () => this.options.fallback!.onFailure(view, failure),
      this.options.yes && !this.options.fallback ? 'stop' : undefined,
    );
  }

  /**
   * The step's `facts:` (fact name → answer), taken with the entry of this visit. A fact the answers leave
   * out takes its default from the milestones when it has one; else, with nobody to ask, the walk pauses.
   */
  async regulatorFacts(view: StepView, questions: FactQuestion[]): Promise<Reply<Record<string, string>>> {
    const update = this.update<Record<string, string>>();
    if (update) return update;
    const entry = this.take(view.step.id);
    const extra = this.extra<Record<string, string>>(view.step.id, entry);
    if (extra) return extra;
    const given = entry?.facts ?? {};
    const unknown = Object.keys(given).filter((name) => !questions.some((q) => q.name === name));
    if (unknown.length)
      throw new MissingAnswer(
        `step "${view.step.id}": facts ${unknown.join(', ')} are not asked here (asked: ${questions.map((q) => q.name).join(', ')})`,
      );
    const missing = questions.filter((q) => given[q.name] === undefined && q.default === undefined);
    if (missing.length && this.options.fallback && !entry?.facts) return this.options.fallback.regulatorFacts(view, questions);
    if (missing.length) return this.missing(`step "${view.step.id}" (facts: ${missing.map((q) => q.name).join(', ')})`);
    for (const q of questions)
      this.say(this.options.color.dim(`  ? ${q.prompt} → ${given[q.name] ?? `${q.default} (from the milestones)`}`));
    return { kind: 'answer', value: given };
  }

  showAssessment(assessment: AssessmentView): void {
    const now = new Date(assessment.now);
    this.say(assessmentBox(assessment, this.options.color, (due) => timeLeft(due, now)));
  }

  /**
   * The step's `filed:` entry for the notification: one value per deadline, in order (a list for several):
   * `not yet`, `yes` (now, by the responder), or { at, by, reference }. Left out, the deadline is recorded
   * as not filed: a script never claims a filing nobody made.
   */
  async regulatorFiled(view: StepView, question: FilingQuestion): Promise<Reply<Filing>> {
    const update = this.update<Filing>();
    if (update) return update;
    const entry = this.last.get(view.step.id);
    const queue = entry?.filed?.[question.notification.id];
    const label = `${question.notification.id} ${question.deadline.name}`;
    if (!queue?.length) {
      if (this.options.fallback && !entry?.filed) return this.options.fallback.regulatorFiled(view, question);
      this.say(this.options.color.dim(`  ${label}: not filed yet (the answers do not say it was)`));
      return { kind: 'answer', value: { filed: false } };
    }
    const given = queue.shift()!;
    if (given === 'not yet') {
      this.say(this.options.color.dim(`  ${label}: not filed yet (from the answers file)`));
      return { kind: 'answer', value: { filed: false } };
    }
    const filing = {
      at: given.at ?? question.now,
      by: given.by ?? question.by,
      ...(given.reference ? { reference: given.reference } : {}),
    };
    const problem = question.timeProblem(filing.at);
    if (problem) throw new MissingAnswer(`step "${view.step.id}": filed ${question.notification.id}: ${problem}`);
    this.say(
      this.options.color.dim(
        `  ${label}: filed at ${filing.at} by ${filing.by}${filing.reference ? `, reference ${filing.reference}` : ''} (from the answers file)`,
      ),
    );
    return { kind: 'answer', value: { filed: true, ...filing } };
  }

  /**
   * `rerun:` (yes, done, failed) or `running:` (wait, kill) from the step's entries, used once; never a
   * default, not even with --yes: whether a command's effect is there is for a person to find out.
   */
  async unfinished(view: StepView, command: UnfinishedView): Promise<Reply<UnfinishedDecision>> {
    const update = this.update<UnfinishedDecision>();
    if (update) return update;
    this.say(unfinishedNotice(command, this.options.color));
    const key = command.state === 'alive' ? 'running' : 'rerun';
    const queue = this.queues.get(view.step.id) ?? [];
    const entry = queue.find((e) => e[key] !== undefined);
    if (entry) {
      const given = entry[key]!;
      entry[key] = undefined;
      // Used up, it leaves the queue; what else it says (on_fail for a command marked failed) still applies.
      if (Object.values(entry).every((v) => v === undefined)) queue.splice(queue.indexOf(entry), 1);
      else this.last.set(view.step.id, entry);
      const decision = (given === 'yes' ? 'rerun' : given) as UnfinishedDecision;
      if (!command.choices.includes(decision))
        throw new MissingAnswer(
          `step "${view.step.id}": ${key}: ${given} does not apply: the command is ${command.state === 'alive' ? 'still running' : 'not running'}`,
        );
      this.say(this.options.color.dim(`  → ${key}: ${given} (from the answers file)`));
      return { kind: 'answer', value: decision };
    }
    if (this.options.fallback) return this.options.fallback.unfinished(view, command);
    const expected = command.state === 'alive' ? 'running: wait or running: kill' : 'rerun: yes, rerun: done or rerun: failed';
    return this.missing(`step "${view.step.id}": its command started at ${command.startedAt} and did not finish (say ${expected})`);
  }

  /** Told once per round; the answers' `clocks:` say which updates to send, a person at the fallback may send any. */
  clocksDue(due: DueClockNotice[]): void {
    const send = this.options.answers?.clocks ?? {};
    this.dueUpdates = due.filter((d) => d.audience && send[d.id] === 'send');
    if (this.options.fallback) return this.options.fallback.clocksDue(due);
    for (const d of due)
      if (d.fresh)
        this.say(
          dueNotice(
            d,
            this.options.color,
            send[d.id] ? 'the answers send its update' : 'clocks: { ' + d.id + ': send } in the answers file sends it',
          ),
        );
  }

  useMask(mask: (text: string) => string): void {
    this.mask = mask;
    this.options.fallback?.useMask(mask);
  }

  checksStarted(names: string[]): ChecksProgress {
    if (this.options.fallback) return this.options.fallback.checksStarted(names);
    this.say(this.options.color.dim(`  running ${names.length} check${names.length === 1 ? '' : 's'}: ${names.join(', ')}`));
    return { done: () => undefined, stop: () => undefined };
  }

  checksFinished(results: CheckResultData[]): void {
    this.say(checkTable(results, this.options.color));
  }

  commandStarted(command: string): CommandProgress {
    if (this.options.fallback) return this.options.fallback.commandStarted(command);
    const progress = plainProgress(this.options.out, this.options.color);
    this.streamed = progress.shown;
    return progress;
  }

  commandFinished(result: ProcessResultData & { ok: boolean; reason?: string }): void {
    // The lines were printed as they came: the result says how it ended, without them a second time.
    const shown = this.streamed();
    this.streamed = () => 0;
    this.say(commandResult(shown ? { ...result, stdout: '', stderr: '' } : result, this.options.color));
  }

  waiting(check: string, attempt: number, status: string, remainingMs: number): void {
    this.say(this.options.color.dim(`  waiting for ${check}: attempt ${attempt} ${status}, ${Math.ceil(remainingMs / 1000)}s left`));
  }

  /** A script asks for neither; at the start the links would only lengthen every drill's log. */
  showLinks(links: RunbookLink[], when: 'start' | 'asked'): void {
    if (this.options.fallback) return this.options.fallback.showLinks(links, when);
    if (when === 'asked') this.say(linksBox(links, this.options.color));
  }

  showOutline(steps: OutlineStep[]): void {
    if (this.options.fallback) return this.options.fallback.showOutline(steps);
    this.say(outlineBox(steps, this.options.color));
  }

  info(message: string): void {
    this.say(this.options.color.dim(`  ${message}`));
  }
}

function yesNo(answer: string): boolean | undefined {
  const a = answer.trim().toLowerCase();
  if (YES.has(a)) return true;
  if (NO.has(a)) return false;
  return undefined;
}
