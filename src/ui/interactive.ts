import { input, password, select, Separator } from '@inquirer/prompts';
import type { ChalkInstance } from 'chalk';
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
  FormField,
  InputFormView,
  Reply,
  Responder,
  StepView,
  UnfinishedDeliveryView,
  UnfinishedView,
} from '../engine/responder.js';
import { timeLeft } from '../regulator/assess.js';
import { Interrupted } from '../engine/errors.js';
import { isPromptCancel } from './prompt-cancel.js';
import type { CheckResultData, DeliveryDecision, ProcessResultData, UnfinishedDecision } from '../incident/events.js';
import { SEVERITIES, type ChoiceOption, type InputDef, type Severity } from '../runbook/model.js';
import { printable } from '../diagnostics/report.js';
import { checkSpinners } from './check-spinners.js';
import { commandProgress } from './command-progress.js';
import {
  announcementBox,
  assessmentBox,
  checkTable,
  commandBox,
  commandQuestion,
  commandResult,
  dueNotice,
  linksBox,
  outlineBox,
  stepHeader,
  UNFINISHED_LABELS,
  unfinishedNotice,
  utc,
} from './render.js';
import { formatDuration } from '../text/duration.js';
import { formCommand, formLines, withValue } from './input-form.js';

type Meta = { meta: 'note' | 'action' | 'skip' | 'pause' | 'severity' | 'back' | 'outline' | 'links' } | { meta: 'update'; clock: string };
type Pick<T> = { value: T } | Meta;

const TEXT_COMMANDS = '/note /action /skip /sev /pause /help';

/** What /help shows: every text command, and how a time may be answered. */
export const HELP = [
  'What can be typed at a text prompt (the menus offer the same):',
  '  /note TEXT      add a note to the incident log',
  '  /action TEXT    add an action item (for the postmortem)',
  '  /sev SEV1       change the severity (SEV1 to SEV4)',
  '  /skip REASON    skip this step, saying why',
  '  /back           go back to the step done before this one (what it did is not undone)',
  '  /outline        the steps, with where you are',
  "  /links          the runbook's dashboards and consoles",
  '  /update         send the update a clock is due for (while one is due)',
  '  /pause          pause; sev resume continues here',
  '  /help           this list',
  'A time may be typed as 09:30 (today, your time zone), 20m ago, now,',
  'or in full: 2026-11-26T03:12Z (UTC unless an offset follows).',
].join('\n');

/**
 * A person at a terminal: prompts (inquirer), a spinner per running check, tables (cli-table3).
 * Everything is drawn on stderr, so stdout keeps only results. Every question also offers a note, an
 * action item, a severity change, a skip and a pause.
 */
export class InteractiveResponder implements Responder {
  private readonly context: { input: NodeJS.ReadStream; output: NodeJS.WriteStream; signal?: AbortSignal };
  /** Text typed at a prompt is shown through it: a secret typed into a note shows masked, as the log keeps it. */
  private mask: (text: string) => string = (t) => t;
  private readonly shown = (value: string) => this.mask(value);
  /** The clocks due now whose update can be sent from any prompt (/update, or the menu entry). */
  private updates: DueClockNotice[] = [];

  constructor(
    private readonly c: ChalkInstance,
    signal?: AbortSignal,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.context = { input: process.stdin, output: stream, signal };
  }

  private say(text: string): void {
    this.stream.write(`${text}\n`);
  }

  /** Runs a prompt; Ctrl-C (or the run's abort signal) becomes Interrupted, which pauses the incident. */
  private async prompt<T>(ask: () => Promise<T>): Promise<T> {
    try {
      return await ask();
    } catch (error) {
      if (isPromptCancel(error)) throw new Interrupted();
      throw error;
    }
  }

  private metaChoices(canSkip = true) {
    return [
      new Separator(this.c.dim('──────────')),
      ...this.updates.map((u) => ({
        name: this.c.red(`Send the update to ${printable(u.audience!)} now (${printable(u.title)})`),
        value: { meta: 'update' as const, clock: u.id },
      })),
      { name: 'Add a note', value: { meta: 'note' } as Meta },
      { name: 'Add an action item', value: { meta: 'action' } as Meta },
      { name: 'Change severity', value: { meta: 'severity' } as Meta },
      ...(canSkip ? [{ name: 'Skip this step', value: { meta: 'skip' } as Meta }] : []),
      ...(canSkip ? [{ name: 'Go back to the previous step', value: { meta: 'back' } as Meta }] : []),
      { name: 'Show the steps (where I am)', value: { meta: 'outline' } as Meta },
      { name: 'Show the links (dashboards, consoles)', value: { meta: 'links' } as Meta },
      { name: 'Pause (sev resume continues here)', value: { meta: 'pause' } as Meta },
    ];
  }

  /** Turns a meta entry into a reply, asking what it needs (the note's text, the reason, the severity). */
  private async meta<T>(m: Meta): Promise<Reply<T>> {
    switch (m.meta) {
      case 'note':
      case 'action': {
        const text = await this.prompt(() =>
          input(
            {
              message: m.meta === 'note' ? 'Note:' : 'Action item:',
              transformer: this.shown,
              validate: (v) => (v.trim() ? true : 'An empty note says nothing: type its text.'),
            },
            this.context,
          ),
        );
        return { kind: 'note', text, action: m.meta === 'action' };
      }
      case 'skip': {
        const reason = await this.prompt(() =>
          input(
            {
              message: 'Why skip this step?',
              transformer: this.shown,
              validate: (v) => (v.trim() ? true : 'Say why, for the postmortem.'),
            },
            this.context,
          ),
        );
        return { kind: 'skip', reason };
      }
      case 'severity': {
        const to = await this.prompt(() =>
          select<Severity>({ message: 'New severity', choices: SEVERITIES.map((s) => ({ name: s, value: s })) }, this.context),
        );
        return { kind: 'severity', to };
      }
      case 'pause':
        return { kind: 'pause' };
      case 'back':
      case 'outline':
      case 'links':
        return { kind: m.meta };
      case 'update':
        return { kind: 'update', clock: m.clock };
    }
  }

  /** The text commands a prompt offers: /update only while an update is due. */
  private get textCommands(): string {
    return this.updates.length ? `/update ${TEXT_COMMANDS}` : TEXT_COMMANDS;
  }

  private textCommand(answer: string): Reply<string> | undefined {
    return updateCommand(answer, this.updates) ?? textCommand(answer);
  }

  private textCommandProblem(answer: string): string | undefined {
    // Shown under the prompt, which stays: /help is never an answer.
    if (answer.trim() === '/help') return HELP;
    return updateCommand(answer, this.updates) ? undefined : (updateProblem(answer, this.updates) ?? textCommandProblem(answer));
  }

  private async ask<T>(message: string, choices: { name: string; value: T; description?: string }[], canSkip = true): Promise<Reply<T>> {
    const picked = await this.prompt(() =>
      select<Pick<T>>(
        {
          message,
          choices: [
            ...choices.map((ch) => ({ name: ch.name, value: { value: ch.value } as Pick<T>, description: ch.description })),
            ...this.metaChoices(canSkip),
          ],
          pageSize: 12,
          loop: false,
        },
        this.context,
      ),
    );
    return 'meta' in picked ? this.meta<T>(picked) : { kind: 'answer', value: picked.value };
  }

  async input(def: InputDef, problem?: string): Promise<Reply<string>> {
    if (problem) this.say(this.c.red(`  ${problem}`));
    const message = printable(def.prompt) + (def.description ? this.c.dim(` (${printable(def.description)})`) : '');
    if (def.choices?.length)
      return this.ask(
        message,
        def.choices.map((ch) => ({ name: ch, value: ch })),
        false,
      );
    if (def.secret) {
      const value = await this.prompt(() => password({ message, mask: '•' }, this.context));
      return { kind: 'answer', value };
    }
    const answer = await this.prompt(() =>
      input(
        {
          message: `${message} ${this.c.dim(`[${this.textCommands}]`)}`,
          default: def.default,
          transformer: this.shown,
          validate: (v) => this.textCommandProblem(v) ?? true,
        },
        this.context,
      ),
    );
    return this.textCommand(answer) ?? { kind: 'answer', value: answer };
  }

  /**
   * The inputs with their defaults as one list; Enter accepts them all. A number (or a name) changes one,
   * `3=VALUE` at once; after a change the list is shown again, with the changed values marked.
   */
  async inputForm(form: InputFormView): Promise<Reply<Record<string, string>>> {
    let fields = form.fields;
    for (;;) {
      this.say(this.c.bold('Inputs') + this.c.dim(' (* changed)'));
      for (const line of formLines(fields, form.preset, this.stream.columns || 80)) this.say(line);
      const current = fields;
      const answer = await this.prompt(() =>
        input(
          {
            message: `Enter accepts all; a number changes one ${this.c.dim(`(3, or 3=VALUE) [/note /pause /help]`)}`,
            transformer: this.shown,
            validate: (v) => {
              const problem = this.textCommandProblem(v);
              if (problem) return problem;
              if (this.textCommand(v)) return true;
              const command = formCommand(v, current);
              return command.kind === 'problem' ? command.message : true;
            },
          },
          this.context,
        ),
      );
      const text = this.textCommand(answer);
      if (text) return text as Reply<Record<string, string>>;
      const command = formCommand(answer, fields);
      if (command.kind === 'accept') return { kind: 'answer', value: Object.fromEntries(fields.map((f) => [f.def.name, f.value])) };
      if (command.kind === 'set') fields = withValue(fields, command.field, command.value);
      if (command.kind === 'edit') fields = withValue(fields, command.field, await this.formValue(fields[command.field]!));
    }
  }

  /** A new value for one input of the form: its choices as a menu, else typed (Enter keeps the value it has). */
  private async formValue(field: FormField): Promise<string> {
    const { def } = field;
    const message = printable(def.prompt) + (def.description ? this.c.dim(` (${printable(def.description)})`) : '');
    if (def.choices?.length)
      return this.prompt(() =>
        select({ message, choices: def.choices!.map((ch) => ({ name: ch, value: ch })), default: field.value, loop: false }, this.context),
      );
    return this.prompt(() =>
      input(
        { message, default: field.value, transformer: this.shown, validate: (v) => field.problem(v === '' ? field.value : v) ?? true },
        this.context,
      ),
    );
  }

  showStep(view: StepView): void {
    this.say(stepHeader(view, this.c));
  }

  acknowledge(): Promise<Reply<true>> {
    return this.ask('Done?', [{ name: 'Done', value: true as const }]);
  }

  confirm(_view: StepView, question: string): Promise<Reply<boolean>> {
    return this.ask(question, [
      { name: 'Yes', value: true },
      { name: 'No', value: false },
    ]);
  }

  choose(_view: StepView, question: string, options: ChoiceOption[]): Promise<Reply<ChoiceOption>> {
    return this.ask(
      question,
      options.map((o) => ({
        name: o.label,
        value: o,
        description: [o.severity ? `sets ${o.severity}` : '', o.goto ? `goes to ${o.goto}` : ''].filter(Boolean).join(', ') || undefined,
      })),
    );
  }

  showCommand(command: string, options?: { dryRun?: boolean }): void {
    this.say(commandBox(command, this.c, options?.dryRun));
  }

  confirmCommand(view: StepView): Promise<Reply<boolean>> {
    const q = commandQuestion(view.dryRun);
    return this.ask(q.message, [
      { name: q.yes, value: true },
      { name: q.no, value: false },
    ]);
  }

  showAnnouncement(announcement: AnnouncementView): void {
    this.say(announcementBox(announcement, this.c));
  }

  announce(): Promise<Reply<boolean>> {
    return this.ask('Copy and send it, then confirm:', [
      { name: 'Sent', value: true },
      { name: 'Not sent', value: false },
    ]);
  }

  confirmDelivery(_view: StepView, _announcement: AnnouncementView, channels: string[]): Promise<Reply<boolean>> {
    return this.ask(`Send it to ${printable(channels.join(', '))}?`, [
      { name: 'Send it', value: true },
      { name: "Don't send it", value: false },
    ]);
  }

  deliveryFailed(_view: StepView, channel: string, detail: string): Promise<Reply<DeliveryChoice>> {
    this.say(this.c.red(`  ✘ ${printable(detail)}`));
    return this.ask('What now?', [
      { name: `Retry ${printable(channel)}`, value: 'retry' as const },
      { name: 'Copy the text and send it by hand', value: 'copy' as const },
      { name: `Go on without ${printable(channel)}`, value: 'continue' as const },
    ]);
  }

  unfinishedDelivery(_view: StepView, delivery: UnfinishedDeliveryView): Promise<Reply<DeliveryDecision>> {
    this.say(
      this.c.yellow(
        `  The delivery to ${printable(delivery.channel)} (${printable(delivery.audience)}), started at ${delivery.startedAt} ` +
          'by an earlier run of sev, did not see its end: it may have been sent.',
      ),
    );
    return this.ask('What now?', [
      { name: 'Send it again', value: 'resend' as const },
      { name: 'Mark it as sent (I checked: it arrived)', value: 'sent' as const },
      { name: 'Skip it', value: 'skip' as const },
    ]);
  }

  copyText(text: string): void {
    this.say(`${this.c.bold('Send this by hand:')}\n${text}`);
  }

  onFailure(_view: StepView, failure: Failure): Promise<Reply<FailureChoice>> {
    this.say(this.c.red(`  ✘ ${failure.summary}`));
    return this.ask('What now?', [
      { name: 'Retry', value: 'retry' as const },
      { name: 'Continue anyway', value: 'continue' as const },
      { name: 'Stop the run', value: 'stop' as const },
    ]);
  }

  unfinished(_view: StepView, command: UnfinishedView): Promise<Reply<UnfinishedDecision>> {
    this.say(unfinishedNotice(command, this.c));
    return this.ask(
      'What now?',
      command.choices.map((choice) => ({ name: UNFINISHED_LABELS[choice], value: choice })),
    );
  }

  /** Each fact in turn: yes-no ones as a choice, counts and durations typed (the default offered from the milestones). */
  async regulatorFacts(_view: StepView, questions: FactQuestion[]): Promise<Reply<Record<string, string>>> {
    const answers: Record<string, string> = {};
    for (const q of questions) {
      const message = printable(q.prompt) + (q.description ? this.c.dim(` (${printable(q.description)})`) : '');
      if (q.type === 'yes-no') {
        const reply = await this.ask(message, [
          { name: 'Yes', value: 'yes' },
          { name: 'No', value: 'no' },
        ]);
        if (reply.kind !== 'answer') return reply;
        answers[q.name] = reply.value;
        continue;
      }
      const answer = await this.prompt(() =>
        input(
          {
            message: `${message} ${this.c.dim(`[${this.textCommands}]`)}`,
            default: q.default,
            transformer: this.shown,
            validate: (v) =>
              this.textCommandProblem(v) ??
              (this.textCommand(v) ? true : (q.problem(v.trim() === '' && q.default ? q.default : v) ?? true)),
          },
          this.context,
        ),
      );
      const command = this.textCommand(answer);
      if (command) return command as Reply<Record<string, string>>;
      answers[q.name] = answer.trim() === '' && q.default ? q.default : answer;
    }
    return { kind: 'answer', value: answers };
  }

  showAssessment(assessment: AssessmentView): void {
    this.say(assessmentBox(assessment, this.c, (due) => timeLeft(due, new Date())));
  }

  /** Filed or not yet; when filed: at what UTC time (now by default), by whom, and the regulator's reference. */
  async regulatorFiled(_view: StepView, q: FilingQuestion): Promise<Reply<Filing>> {
    const due = q.deadline.due
      ? `due ${utc(q.deadline.due)}, ${timeLeft(q.deadline.due, new Date())}`
      : `due when ${q.deadline.waitingFor} is known`;
    const reply = await this.ask(
      `${printable(q.notification.title)} (${printable(q.notification.regulator)}): ${q.deadline.name} report filed? ${this.c.dim(due)}`,
      [
        { name: 'Filed', value: true },
        { name: 'Not yet', value: false },
      ],
    );
    if (reply.kind !== 'answer') return reply;
    if (!reply.value) return { kind: 'answer', value: { filed: false } };
    const now = utc(q.now);
    const at = await this.prompt(() =>
      input(
        { message: 'Filed at (09:30, 20m ago, now, or a UTC time):', default: now, validate: (v) => q.timeProblem(v) ?? true },
        this.context,
      ),
    );
    const by = await this.prompt(() =>
      input(
        { message: 'Filed by:', default: q.by, transformer: this.shown, validate: (v) => (v.trim() ? true : 'Say who filed it.') },
        this.context,
      ),
    );
    const reference = await this.prompt(() =>
      input({ message: "The regulator's reference (empty if none):", transformer: this.shown }, this.context),
    );
    return { kind: 'answer', value: { filed: true, at, by: by.trim(), ...(reference.trim() ? { reference: reference.trim() } : {}) } };
  }

  clocksDue(due: DueClockNotice[]): void {
    this.updates = due.filter((d) => d.audience);
    for (const d of due)
      if (d.fresh)
        this.say(
          dueNotice(
            d,
            this.c,
            due.filter((u) => u.audience).length > 1 ? `/update ${d.id} sends the update` : '/update (or the menu) sends the update',
          ),
        );
  }

  useMask(mask: (text: string) => string): void {
    this.mask = mask;
  }

  checksStarted(names: string[]): ChecksProgress {
    return checkSpinners(names, this.stream, this.c);
  }

  checksFinished(results: CheckResultData[]): void {
    this.say(checkTable(results, this.c));
  }

  commandStarted(): CommandProgress {
    return commandProgress(this.stream, this.c);
  }

  commandFinished(result: ProcessResultData & { ok: boolean; reason?: string }): void {
    this.say(commandResult(result, this.c));
  }

  waiting(check: string, attempt: number, status: string, remainingMs: number): void {
    this.say(this.c.dim(`  waiting for ${check}: attempt ${attempt} ${status}, ${formatDuration(remainingMs, 'clock')} left`));
  }

  showLinks(links: RunbookLink[], when: 'start' | 'asked'): void {
    if (links.length || when === 'asked') this.say(linksBox(links, this.c));
  }

  showOutline(steps: OutlineStep[]): void {
    this.say(outlineBox(steps, this.c));
  }

  info(message: string): void {
    this.say(this.c.dim(`  ${message}`));
  }
}

const UPDATE_COMMAND = /^\/update(?:\s+(\S+))?\s*$/;

/** `/update` (the one clock due) or `/update <clock>`, while an update is due. */
function updateCommand(answer: string, due: DueClockNotice[]): Reply<string> | undefined {
  const m = UPDATE_COMMAND.exec(answer.trim());
  if (!m) return undefined;
  const clock = m[1] ? due.find((d) => d.id === m[1]) : due.length === 1 ? due[0] : undefined;
  return clock ? { kind: 'update', clock: clock.id } : undefined;
}

function updateProblem(answer: string, due: DueClockNotice[]): string | undefined {
  if (!UPDATE_COMMAND.test(answer.trim())) return undefined;
  if (!due.length) return 'No update is due now.';
  return `Say which: ${due.map((d) => `/update ${d.id}`).join(', ')}`;
}

/** A command is its name alone or followed by a space: `/note/x` is a path, not a note. */
const TEXT_COMMAND = /^\/(note|action|skip|sev|pause|back|outline|links)(?:\s+(.*))?$/s;

/** `/note …`, `/action …`, `/skip …`, `/sev SEV1`, `/pause` typed at a text prompt. */
function textCommand(answer: string): Reply<string> | undefined {
  const m = TEXT_COMMAND.exec(answer.trim());
  if (!m) return undefined;
  const [, command, rest = ''] = m;
  if (command === 'pause') return { kind: 'pause' };
  if (command === 'back' || command === 'outline' || command === 'links') return rest ? undefined : { kind: command };
  if (command === 'skip') return { kind: 'skip', reason: rest || 'skipped by the responder' };
  if (command === 'sev') {
    const to = rest.toUpperCase() as Severity;
    return SEVERITIES.includes(to) ? { kind: 'severity', to } : undefined;
  }
  return rest ? { kind: 'note', text: rest, action: command === 'action' } : undefined;
}

/** Why a text command cannot be done (`/sev SEV9`, `/note` without text), so the prompt asks again instead of taking it as the answer. */
function textCommandProblem(answer: string): string | undefined {
  const m = TEXT_COMMAND.exec(answer.trim());
  if (!m || textCommand(answer)) return undefined;
  if (m[1] === 'back' || m[1] === 'outline' || m[1] === 'links') return `/${m[1]} takes nothing after it`;
  return m[1] === 'sev' ? `/sev takes one of ${SEVERITIES.join(', ')}` : `/${m[1]} needs a text: /${m[1]} TEXT`;
}
