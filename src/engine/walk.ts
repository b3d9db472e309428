import { printableText } from '../diagnostics/report.js';
import { UserError } from '../errors.js';
import type { AnyEvent, EventData, EventType, IncidentEvent } from '../incident/events.js';
import { apply, type IncidentState } from '../incident/replay.js';
import { END, allInputs, type Action, type InputDef, type Runbook, type Severity, type Step } from '../runbook/model.js';
import { renderTemplate } from '../runbook/template.js';
import { formatDuration } from '../text/duration.js';
import { processEnv } from './env.js';
import type { CheckRun } from './checks.js';
import { inputProblem } from './inputs.js';
import { inputTime, timeForms, typedTime } from './typed-time.js';
import { compileWhole } from '../runbook/regex.js';
import { MASK, masker, noMask, type Masker } from './mask.js';
import { Interrupted, MissingAnswer } from './errors.js';
import { groupData, groupOf } from './group-ref.js';
import { processRunner, type Runner } from './runner.js';
import { byHandOnly, type Announcer } from './announcer.js';
import { announce, leaveUnfinishedLivePosts, postLive, type AnnounceDeps } from './announce.js';
import type { ClockLine, Failure, FailureChoice, OutlineStep, Reply, Responder, StepView } from './responder.js';
import { clockEvents, dueClocks, overdue } from '../clocks/run.js';
import type { ClockDef } from '../clocks/model.js';
import type { ClockEvent } from '../incident/clock-state.js';
import { updateAudience, updateDraft } from './update-draft.js';
import { loadRules, rulesFile } from '../regulator/rules-file.js';
import type { RegulatorRules } from '../regulator/rules.js';
import type { Settled, StepContext, StepEnd } from './steps/context.js';
import { STEPS } from './steps/table.js';

/** Where events go: the incident log. Returns the event as written. */
export type EventSink = <T extends EventType>(type: T, data: EventData[T]) => IncidentEvent<T, EventData[T]>;

export interface WalkOptions {
  runbook: Runbook;
  /** The incident so far, folded from its log; the walk keeps folding every event it writes. */
  state: IncidentState;
  sink: EventSink;
  responder: Responder;
  signal?: AbortSignal;
  /**
   * Pauses the walk at its next question, without stopping a check or command that runs (the responder's
   * screen went away: nobody sees the questions, but a command half done is worse than one let finish).
   */
  pauseSignal?: AbortSignal;
  /** sev was hung up on or terminated: the walk stops, a state-changing command that runs is left to finish. */
  leaveSignal?: AbortSignal;
  /** Input values given with --set: checked, never asked. */
  presets?: Record<string, string>;
  /** --yes: confirmations are answered yes and commands run without asking. */
  yes?: boolean;
  /** What runs checks and commands, sleeps between attempts and tells the time: real processes and the system clock by default. */
  runner?: Runner;
  /** Where announcements are delivered (the team config's channels); without one, every announcement is sent by hand. */
  announcer?: Announcer;
  /** The regulator notification rules; by default the file beside the runbook, else the shipped one. */
  regulatorRules?: () => RegulatorRules;
  /** The clocks the incident keeps (the team policy's merged with the runbook's); none by default. */
  clocks?: readonly ClockDef[];
}

/** From this many inputs with a default on, they are asked as one form: below it, one prompt is as quick. */
export const FORM_MIN = 2;

/** An input the form asks: a runbook's, with a default, and not secret (a secret is typed, never shown). */
function formInput(def: InputDef): boolean {
  return !def.stepId && !def.secret && def.default !== undefined;
}

/** How many open clocks the header shows. */
const HEADER_CLOCKS = 3;
/** A clock falls due this long before its deadline: the responder is told while the update can still be on time. */
export const DUE_SOON_MS = 5 * 60_000;

export type WalkOutcome =
  | { kind: 'completed' }
  | { kind: 'stopped'; step: string }
  | { kind: 'paused'; step: string; reason: 'responder' | 'interrupted' }
  /** A script's answers left a question open (or answered it wrongly), and nobody is there to ask. */
  | { kind: 'paused'; step: string; reason: 'missing-answer'; detail: string };

/**
 * Walks a runbook for one responder: asks, runs checks and commands, and writes every answer and result
 * as an event before going on. It touches no terminal and no file itself: the responder and the sink do.
 */
export class Walk {
  private readonly runbook: Runbook;
  private readonly state: IncidentState;
  private readonly responder: Responder;
  private readonly signal?: AbortSignal;
  private readonly pauseSignal?: AbortSignal;
  private readonly leaveSignal?: AbortSignal;
  /** What stops checks and read-only commands: Ctrl-C, a hang-up or a termination. */
  private readonly stopSignal?: AbortSignal;
  /** Any of them: what a question, a wait between attempts, or a wait for an earlier run's command gives way to. */
  private readonly anySignal?: AbortSignal;
  private readonly runner: Runner;
  private readonly announcer: Announcer;
  /** Live posts under way, in order: awaited before the next question and before the walk ends. */
  private livePosts: Promise<void> = Promise.resolve();
  private readonly yes: boolean;
  private readonly presets: Record<string, string>;
  /** Secret values live in memory only: the log holds just the fact that they were given. */
  private readonly secretValues = new Map<string, string>();
  private mask: Masker = noMask;
  private current = '';
  private readonly clocks: readonly ClockDef[];
  /** Rounds of clocks (id@due) the responder was told are due, so each is told once. */
  private readonly toldDue = new Set<string>();

  constructor(private readonly options: WalkOptions) {
    this.runbook = options.runbook;
    this.state = options.state;
    this.responder = options.responder;
    this.signal = options.signal;
    this.pauseSignal = options.pauseSignal;
    this.leaveSignal = options.leaveSignal;
    this.stopSignal = anyOf([options.signal, options.leaveSignal]);
    this.anySignal = anyOf([options.signal, options.leaveSignal, options.pauseSignal]);
    this.runner = options.runner ?? processRunner;
    this.announcer = options.announcer ?? byHandOnly;
    this.yes = Boolean(options.yes);
    this.presets = options.presets ?? {};
    this.clocks = options.clocks ?? [];
  }

  /** Writes an event, then the clock events it brings (a clock started, met, ended, or missed meanwhile). */
  private emit<T extends EventType>(type: T, data: EventData[T]): IncidentEvent<T, EventData[T]> {
    const event = this.options.sink(type, data);
    apply(this.state, event);
    if (type === 'milestone' || type === 'severity.changed') this.live(event as AnyEvent);
    if (this.clocks.length) this.emitClocks(clockEvents(this.clocks, this.state, event, this.runner.now().getTime()));
    return event;
  }

  /** A milestone or severity change posted to the live feed as it happens, after what was posted before it. */
  private live(event: AnyEvent): void {
    const deps = {
      state: this.state,
      runbook: this.runbook,
      responder: this.responder,
      emit: this.emit.bind(this),
      announcer: this.announcer,
      signals: { stop: this.stopSignal },
    };
    const post =
      event.type === 'milestone'
        ? () => postLive(deps, 'milestone', event.data.milestone, `Milestone: ${event.data.milestone}`)
        : event.type === 'severity.changed'
          ? () =>
              postLive(
                deps,
                'severity',
                `severity-${event.seq}`,
                `Severity ${event.data.from} → ${event.data.to}${event.data.reason ? `: ${event.data.reason}` : ''}`,
              )
          : undefined;
    if (post) this.livePosts = this.livePosts.then(post);
  }

  private emitClocks(events: ClockEvent[]): void {
    for (const e of events) apply(this.state, this.options.sink(e.type, e.data));
  }

  // ── clocks ──────────────────────────────────────────────────────────────

  private clockLines(now: number): ClockLine[] {
    const byId = new Map(this.clocks.map((d) => [d.id, d]));
    return dueClocks(this.clocks, this.state, now).map((c) => {
      const audience = updateAudience(byId.get(c.id));
      return { id: c.id, title: c.title, dueAt: c.dueAt, inMs: c.inMs, ...(audience ? { audience } : {}) };
    });
  }

  /**
   * Before a question: what time alone brought (a clock missed), the header's clocks brought up to date,
   * and the responder told of the clocks due now (within DUE_SOON_MS of their deadline, or past it).
   */
  private tellClocks(view?: StepView): void {
    if (!this.clocks.length) return;
    const now = this.runner.now().getTime();
    this.emitClocks(overdue(this.clocks, this.state, now));
    const lines = this.clockLines(now);
    if (view) view.clocks = lines.slice(0, HEADER_CLOCKS);
    const due = lines
      .filter((c) => c.inMs <= DUE_SOON_MS)
      .map((c) => {
        const key = `${c.id}@${c.dueAt}`;
        const fresh = !this.toldDue.has(key);
        this.toldDue.add(key);
        return { ...c, fresh };
      });
    this.responder.clocksDue(due);
  }

  /**
   * "Send the update now": the clock's audience gets the runbook's latest announcement to it, through the
   * one announce (its channels, or by hand), and the announcement meets the clock.
   */
  private async sendUpdate(
    clockId: string,
    view: StepView | undefined,
    decided: boolean,
  ): Promise<Exclude<Settled<never>, { kind: 'answer' }> | undefined> {
    const def = this.clocks.find((d) => d.id === clockId);
    const audience = updateAudience(def);
    if (!def || !audience || !this.state.clocks.get(clockId)?.open) {
      this.responder.info(`No update is due for ${def?.title ?? clockId}.`);
      return undefined;
    }
    if (!view) {
      this.responder.info('The update can be sent once the first step is shown.');
      return undefined;
    }
    const draft = updateDraft(this.runbook, def, audience, this.current, (t) => this.text(t), this.state.incident);
    const deps = this.announceDeps(view);
    // Sent when the announcement is logged: not when every channel failed and the responder went on.
    let sent = false;
    const emit: AnnounceDeps['emit'] = (type, data) => {
      if (type === 'announcement') sent = true;
      return deps.emit(type, data);
    };
    const end = await announce({ ...deps, emit }, { ...draft, clock: def.id, decided });
    if (end.kind !== 'done') return end;
    this.responder.info(sent ? `Update for ${def.title} sent to ${audience}.` : `Update for ${def.title} not sent: it is still due.`);
    return undefined;
  }

  private announceDeps(view: StepView): AnnounceDeps {
    return {
      state: this.state,
      runbook: this.runbook,
      responder: this.responder,
      view,
      yes: this.yes,
      emit: (type, data) => this.emit(type, data),
      settle: (ask) => this.settle(ask, view),
      announcer: this.announcer,
      signals: { interrupt: this.signal, leave: this.leaveSignal, stop: this.stopSignal, any: this.anySignal },
    };
  }

  async run(): Promise<WalkOutcome> {
    try {
      return await this.walk();
    } finally {
      // A post under way is let finish (or fail) and logged before the walk's end is.
      await this.livePosts.catch(() => undefined);
    }
  }

  private async walk(): Promise<WalkOutcome> {
    try {
      await this.stopLeftoverChecks();
      leaveUnfinishedLivePosts({ state: this.state, responder: this.responder, emit: (type, data) => this.emit(type, data) });
      if (this.runbook.links.length) this.responder.showLinks(this.runbook.links, 'start');
      if ((await this.askInputs()) === 'pause') return this.pause('responder');
      let id = this.state.step ?? this.runbook.steps[0]?.id ?? END;
      while (id !== END) {
        const step = this.runbook.steps.find((s) => s.id === id);
        if (!step) throw new UserError(`the runbook has no step "${id}" any more; the incident cannot go on with this runbook`);
        this.current = step.id;
        this.emit('step.started', { step: step.id, index: step.index, kind: step.kind, ...(step.title ? { title: step.title } : {}) });
        const end = await this.runStep(step);
        // A severity change the step made is posted before the step's end is logged.
        await this.livePosts;
        if (end.kind === 'pause') return this.pause('responder');
        if (end.kind === 'back') {
          id = this.goBack(step);
          continue;
        }
        if (end.kind === 'stop') {
          this.emit('step.completed', { step: step.id, result: 'failed', next: END });
          this.emit('incident.closed', { outcome: 'stopped', step: step.id });
          return { kind: 'stopped', step: step.id };
        }
        const next = end.kind === 'skip' ? this.fallThrough(step) : end.next;
        if (end.kind === 'skip') this.emit('step.skipped', { step: step.id, reason: end.reason, next });
        else {
          if (end.result === 'done' && step.milestone && !this.state.milestones.has(step.milestone)) {
            this.emit('milestone', { milestone: step.milestone, step: step.id, ...(end.at ? { at: end.at } : {}) });
            await this.livePosts;
          }
          this.emit('step.completed', { step: step.id, result: end.result, next });
        }
        id = next;
      }
      this.emit('incident.closed', { outcome: 'completed', step: this.current });
      return { kind: 'completed' };
    } catch (error) {
      if (error instanceof Interrupted)
        return this.pause(
          this.signal?.aborted
            ? 'interrupted'
            : this.leaveSignal?.aborted
              ? 'signal'
              : this.pauseSignal?.aborted
                ? 'output-closed'
                : 'interrupted',
        );
      if (error instanceof MissingAnswer) {
        this.emit('incident.paused', { step: this.current, reason: 'missing-answer', detail: error.message });
        return { kind: 'paused', step: this.current, reason: 'missing-answer', detail: error.message };
      }
      throw error;
    }
  }

  /**
   * Checks that an earlier run of sev started and never saw end (it was killed) only read: any still running
   * on this host are stopped, so that their results, which nobody will read, cost nothing more.
   */
  private async stopLeftoverChecks(): Promise<void> {
    for (const [name, check] of this.state.unfinishedChecks) {
      const group = groupOf(check);
      if (this.runner.groupState(group) !== 'alive') continue;
      this.responder.info(`check ${name}, started at ${check.time} by an earlier run of sev, was still running: stopping it`);
      await this.runner.endGroup(group);
    }
    this.state.unfinishedChecks.clear();
  }

  private pause(reason: 'responder' | 'interrupted' | 'signal' | 'output-closed'): WalkOutcome {
    this.emit('incident.paused', { step: this.current, reason });
    return { kind: 'paused', step: this.current, reason: reason === 'responder' ? 'responder' : 'interrupted' };
  }

  // ── inputs ──────────────────────────────────────────────────────────────

  /**
   * Asks the runbook's inputs not yet answered, and again every secret one: secrets are not in the log.
   * Those with a default come first, as one form (Enter accepts them all); the others are asked one by one.
   * Each is logged in the runbook's order, whichever way it was answered.
   */
  private async askInputs(): Promise<'done' | 'pause'> {
    const pending = [
      ...this.runbook.inputs.filter((def) => !(def.name in this.state.inputs)),
      ...allInputs(this.runbook).filter((def) => def.stepId && def.secret && this.state.secrets.has(def.name)),
    ];
    const formed = await this.askForm(pending);
    if (formed === 'pause') return 'pause';
    for (const def of pending) {
      if (typeof (await this.askInput(def, undefined, formed[def.name])) !== 'string') return 'pause';
    }
    return 'done';
  }

  /** The pending inputs with a default, as one form; none when fewer than FORM_MIN (one prompt is as quick). */
  private async askForm(pending: InputDef[]): Promise<Record<string, string> | 'pause'> {
    const defs = pending.filter((def) => formInput(def) && !(def.name in this.presets));
    if (defs.length < FORM_MIN) return {};
    const view = {
      fields: defs.map((def) => ({
        def,
        value: def.default!,
        problem: (answer: string) => {
          const settled = this.settleAnswer(def, answer);
          return 'problem' in settled ? settled.problem : undefined;
        },
      })),
      preset: this.runbook.inputs
        .filter((def) => def.name in this.presets)
        .map((def) => ({ name: def.name, value: this.presets[def.name]!, secret: def.secret })),
    };
    for (;;) {
      const reply = await this.settle(() => this.responder.inputForm(view));
      if (reply.kind === 'pause') return 'pause';
      if (reply.kind === 'answer') return reply.value;
      this.responder.info(
        reply.kind === 'skip'
          ? 'The inputs cannot be skipped: accept them, change some, or pause.'
          : 'The inputs come before the first step: there is no step to go back to.',
      );
    }
  }

  /**
   * Asks one input until it is valid; records it (masked when secret). Or the responder pauses, or (at a step) goes back.
   * `given`: the value the form settled, taken as the first answer (asked again only when it does not do).
   */
  private async askInput(def: InputDef, view?: StepView, given?: string): Promise<string | { kind: 'pause' | 'back' }> {
    let value: string | undefined;
    if (def.name in this.presets) {
      value = this.presets[def.name]!;
      const problem = inputProblem(def, value);
      if (problem) throw new UserError(`--set ${def.name}: ${problem}`);
    } else {
      let problem: string | undefined;
      let offered = given;
      for (;;) {
        let answer: string;
        if (offered !== undefined) {
          answer = offered;
          offered = undefined;
        } else {
          const reply = await this.settle(() => this.responder.input(def, problem), view);
          if (reply.kind === 'pause') return reply;
          if (reply.kind === 'skip') {
            this.responder.info('An input cannot be skipped: give a value, or pause.');
            continue;
          }
          if (reply.kind === 'back') {
            if (view) return reply;
            this.responder.info('The inputs come before the first step: there is no step to go back to.');
            continue;
          }
          answer = reply.value;
        }
        const settled = this.settleAnswer(def, answer);
        if ('problem' in settled) {
          problem = settled.problem;
          continue;
        }
        if (settled.told) this.responder.info(settled.told);
        value = settled.value;
        break;
      }
    }
    if (def.secret) {
      this.secretValues.set(def.name, value);
      this.mask = masker(this.secretValues.values());
      this.responder.useMask(this.mask);
      this.emit('input.set', { name: def.name, secret: true, ...(def.stepId ? { step: def.stepId } : {}) });
    } else {
      this.emit('input.set', { name: def.name, value, ...(def.stepId ? { step: def.stepId } : {}) });
    }
    return value;
  }

  /**
   * An answer as the input keeps it (empty: the default; a time as typed: UTC, and `told` says so), or why
   * it does not do.
   */
  private settleAnswer(def: InputDef, typed: string): { value: string; told?: string } | { problem: string } {
    let answer = typed === '' && def.default !== undefined ? def.default : typed;
    let told: string | undefined;
    const at = def.time && answer.trim() ? typedTime(answer, this.runner.now()) : undefined;
    if (at && inputTime(at) !== answer) {
      told = `${answer.trim()} is ${inputTime(at)}`;
      answer = inputTime(at);
    }
    let problem = inputProblem(def, answer);
    // The runbook's pattern says it as a regular expression: a time answer is told what it may be in words.
    if (problem && def.time && answer.trim())
      problem = `expected ${timeForms()}${def.pattern && compileWhole(def.pattern)?.test('unknown') ? ', or unknown' : ''}`;
    return problem ? { problem } : { value: answer, ...(told ? { told } : {}) };
  }

  // ── replies ─────────────────────────────────────────────────────────────

  /** Asks until the reply is an answer, a skip or a pause, recording notes and severity changes on the way. */
  private async settle<T>(ask: () => Promise<Reply<T>>, view?: StepView): Promise<Settled<T>> {
    for (;;) {
      // One turn of the event loop first: a signal or a closed output that has just happened is seen here,
      // even by a scripted walk whose answers never wait for anything.
      await new Promise((resolve) => setImmediate(resolve));
      await this.livePosts;
      if (this.anySignal?.aborted) throw new Interrupted();
      this.tellClocks(view);
      const reply = await ask();
      if (reply.kind === 'note') {
        const text = this.mask(reply.text);
        this.emit('note', { text, action: Boolean(reply.action), ...(this.current ? { step: this.current } : {}) });
        continue;
      }
      if (reply.kind === 'severity') {
        this.changeSeverity(reply.to, reply.reason ?? 'changed by the responder');
        if (view) view.severity = reply.to;
        continue;
      }
      if (reply.kind === 'update') {
        const end = await this.sendUpdate(reply.clock, view, reply.decided === true);
        if (end) return end;
        continue;
      }
      if (reply.kind === 'links') {
        this.responder.showLinks(this.runbook.links, 'asked');
        continue;
      }
      if (reply.kind === 'outline') {
        this.responder.showOutline(this.outline());
        continue;
      }
      if (reply.kind === 'back' && !this.state.trail.length) {
        this.responder.info('This is the first step: there is no step before it to go back to.');
        continue;
      }
      return reply;
    }
  }

  private changeSeverity(to: Severity, reason: string): void {
    const from = this.state.severity ?? this.runbook.severity;
    if (from === to) return;
    this.emit('severity.changed', { from, to, reason, ...(this.current ? { step: this.current } : {}) });
  }

  // ── steps ───────────────────────────────────────────────────────────────

  /** The runbook's steps, with those done or skipped in this incident and the one under way. */
  private outline(): OutlineStep[] {
    const done = new Set(this.state.trail);
    return this.runbook.steps.map((s) => ({
      number: s.index + 1,
      id: s.id,
      ...(s.title ? { title: s.title } : {}),
      state: s.id === this.current ? 'current' : done.has(s.id) ? (this.state.skipped.has(s.id) ? 'skipped' : 'done') : 'todo',
    }));
  }

  /**
   * /back: the step done before this one, logged as a jump. What that step did stays done: a command that
   * changed something is not undone (and is asked about again before it runs a second time).
   */
  private goBack(step: Step): string {
    const to = this.state.trail[this.state.trail.length - 1]!;
    const target = this.runbook.steps.find((s) => s.id === to);
    this.emit('step.jumped', { step: step.id, to, reason: 'back' });
    if (target?.command?.changesState) this.responder.info(`back to ${to}: its command changed state and is not undone by going back`);
    else this.responder.info(`back to ${to}: what was done there stays done`);
    return to;
  }

  private fallThrough(step: Step): string {
    return step.next ?? this.runbook.steps[step.index + 1]?.id ?? END;
  }

  private view(step: Step): StepView {
    const started = this.state.started ? Date.parse(this.state.started) : this.runner.now().getTime();
    return {
      step,
      number: step.index + 1,
      total: this.runbook.steps.length,
      severity: this.state.severity ?? this.runbook.severity,
      incident: this.state.incident,
      elapsedMs: this.runner.now().getTime() - started,
      instructions: step.instructions ? this.text(step.instructions) : undefined,
      dryRun: this.state.dryRun,
      visit: this.state.visits.get(step.id) ?? 1,
      ...(this.clocks.length ? { clocks: this.clockLines(this.runner.now().getTime()).slice(0, HEADER_CLOCKS) } : {}),
    };
  }

  /** Fills templates of a text for people: secrets are masked, terminal control sequences made visible. */
  private text(template: string): string {
    return printableText(this.mask(renderTemplate(template, this.values(true))));
  }

  private values(forDisplay: boolean): Record<string, string | undefined> {
    const started = this.state.started ?? this.runner.now().toISOString();
    const elapsed = Math.max(0, this.runner.now().getTime() - Date.parse(started));
    const values: Record<string, string | undefined> = {
      ...this.state.inputs,
      'incident.id': this.state.incident,
      'incident.severity': this.state.severity ?? this.runbook.severity,
      'incident.started': started,
      'incident.responder': this.state.responder,
      'incident.elapsed': formatDuration(Math.floor(elapsed / 1000) * 1000, 'compact'),
      'runbook.id': this.runbook.id,
      'runbook.title': this.runbook.title,
      'runbook.version': this.runbook.version,
      now: this.runner.now().toISOString(),
    };
    for (const [name, value] of this.secretValues) values[name] = forDisplay ? MASK : value;
    return values;
  }

  private env(own: Record<string, string>): Record<string, string> {
    const values = this.values(false);
    const facts = {
      incident: this.state.incident,
      severity: this.state.severity ?? this.runbook.severity,
      responder: this.state.responder,
      step: this.current,
      started: values['incident.started']!,
      detectedAt: this.state.milestones.get('detected')?.time,
    };
    return processEnv(this.runbook, { ...this.state.inputs, ...Object.fromEntries(this.secretValues) }, facts, own, values);
  }

  private checkRun(step: Step): CheckRun {
    return {
      env: (own) => this.env(own),
      signal: this.stopSignal,
      mask: this.mask,
      dryRun: this.state.dryRun,
      onStart: (check, attempt, group) => this.emit('check.started', { step: step.id, check, attempt, ...groupData(group) }),
    };
  }

  private runStep(step: Step): Promise<StepEnd> {
    const view = this.view(step);
    this.responder.showStep(view);
    return STEPS[step.kind](step, this.context(step, view));
  }

  /** What a step module is handed: the walk's ways of asking, logging and running, bound to this step. */
  private context(step: Step, view: StepView): StepContext {
    // Read at each use: a secret the step itself asks is masked from then on.
    const currentMask = () => this.mask;
    return {
      runbook: this.runbook,
      state: this.state,
      responder: this.responder,
      runner: this.runner,
      announcer: this.announcer,
      view,
      fallThrough: this.fallThrough(step),
      yes: this.yes,
      signals: { interrupt: this.signal, leave: this.leaveSignal, stop: this.stopSignal, any: this.anySignal },
      get mask() {
        return currentMask();
      },
      emit: (type, data) => this.emit(type, data),
      settle: (ask) => this.settle(ask, view),
      onFailure: (action, failure) => this.onFailure(step, view, action, failure),
      askInput: (def) => this.askInput(def, view),
      changeSeverity: (to, reason) => this.changeSeverity(to, reason),
      text: (template) => this.text(template),
      env: (own) => this.env(own),
      checkRun: () => this.checkRun(step),
      regulatorRules: this.options.regulatorRules ?? (() => loadRules(rulesFile(this.runbook.file), this.runbook.lang)),
    };
  }

  /** What a failure does: the runbook's action, or the responder's choice when the action is `ask`. */
  private async onFailure(step: Step, view: StepView, action: Action, failure: Failure): Promise<StepEnd | 'retry'> {
    switch (action.kind) {
      case 'stop':
        return { kind: 'stop' };
      case 'continue':
        return { kind: 'next', next: this.fallThrough(step), result: 'failed' };
      case 'goto':
        return { kind: 'next', next: action.target, result: 'failed' };
      case 'ask': {
        const reply = await this.settle(() => this.responder.onFailure(view, failure), view);
        if (reply.kind !== 'answer') return reply;
        this.emit('step.answered', { step: step.id, answer: reply.value });
        const choice: FailureChoice = reply.value;
        if (choice === 'retry') return 'retry';
        if (choice === 'stop') return { kind: 'stop' };
        return { kind: 'next', next: this.fallThrough(step), result: 'failed' };
      }
    }
  }
}

function anyOf(signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((s): s is AbortSignal => s !== undefined);
  return given.length > 1 ? AbortSignal.any(given) : given[0];
}
