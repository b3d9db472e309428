import { printableText } from '../diagnostics/report.js';
import { UserError } from '../errors.js';
import type { CheckResultData, EventData, EventType, IncidentEvent } from '../incident/events.js';
import { apply, type IncidentState } from '../incident/replay.js';
import { shownCommand } from '../runbook/command-text.js';
import { durationMs } from '../runbook/duration.js';
import { DEFAULTS, END, allInputs, type Action, type InputDef, type Runbook, type Severity, type Step } from '../runbook/model.js';
import { renderTemplate } from '../runbook/template.js';
import { formatDuration } from '../text/duration.js';
import { processEnv } from './env.js';
import { isFailing, unmet, type CheckRun } from './checks.js';
import { inputProblem } from './inputs.js';
import { MASK, masker, noMask, type Masker } from './mask.js';
import { Interrupted, MissingAnswer } from './errors.js';
import { awaitGroup, endGroup, groupState } from './process.js';
import { processRunner, type Runner } from './runner.js';
import type { Failure, FailureChoice, Reply, Responder, StepView } from './responder.js';
import type { ProcessRef } from '../incident/owner.js';
import type { Unfinished } from '../incident/replay.js';
import { loadRules, rulesFile } from '../regulator/rules-file.js';
import type { RegulatorRules } from '../regulator/rules.js';
import { regulatorStep } from './regulator-step.js';

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
  /** The regulator notification rules; by default the file beside the runbook, else the shipped one. */
  regulatorRules?: () => RegulatorRules;
}

export type WalkOutcome =
  | { kind: 'completed' }
  | { kind: 'stopped'; step: string }
  | { kind: 'paused'; step: string; reason: 'responder' | 'interrupted' }
  /** A script's answers left a question open (or answered it wrongly), and nobody is there to ask. */
  | { kind: 'paused'; step: string; reason: 'missing-answer'; detail: string };

type StepEnd = { kind: 'next'; next: string; result: 'done' | 'failed'; at?: string } | { kind: 'skip'; reason: string } | { kind: 'stop' } | { kind: 'pause' };

/** What a reply amounts to once notes and severity changes have been recorded. */
type Settled<T> = { kind: 'answer'; value: T } | { kind: 'skip'; reason: string } | { kind: 'pause' };

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
  private readonly yes: boolean;
  private readonly presets: Record<string, string>;
  /** Secret values live in memory only: the log holds just the fact that they were given. */
  private readonly secretValues = new Map<string, string>();
  private mask: Masker = noMask;
  private current = '';

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
    this.yes = Boolean(options.yes);
    this.presets = options.presets ?? {};
  }

  private emit<T extends EventType>(type: T, data: EventData[T]): IncidentEvent<T, EventData[T]> {
    const event = this.options.sink(type, data);
    apply(this.state, event);
    return event;
  }

  async run(): Promise<WalkOutcome> {
    try {
      await this.stopLeftoverChecks();
      if ((await this.askInputs()) === 'pause') return this.pause('responder');
      let id = this.state.step ?? this.runbook.steps[0]?.id ?? END;
      while (id !== END) {
        const step = this.runbook.steps.find((s) => s.id === id);
        if (!step) throw new UserError(`the runbook has no step "${id}" any more; the incident cannot go on with this runbook`);
        this.current = step.id;
        this.emit('step.started', { step: step.id, index: step.index, kind: step.kind, ...(step.title ? { title: step.title } : {}) });
        const end = await this.runStep(step);
        if (end.kind === 'pause') return this.pause('responder');
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
          }
          this.emit('step.completed', { step: step.id, result: end.result, next });
        }
        id = next;
      }
      this.emit('incident.closed', { outcome: 'completed', step: this.current });
      return { kind: 'completed' };
    } catch (error) {
      if (error instanceof Interrupted) return this.pause(this.signal?.aborted ? 'interrupted' : this.leaveSignal?.aborted ? 'signal' : this.pauseSignal?.aborted ? 'output-closed' : 'interrupted');
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
      if (groupState(group) !== 'alive') continue;
      this.responder.info(`check ${name}, started at ${check.time} by an earlier run of sev, was still running: stopping it`);
      await endGroup(group);
    }
    this.state.unfinishedChecks.clear();
  }

  private pause(reason: 'responder' | 'interrupted' | 'signal' | 'output-closed'): WalkOutcome {
    this.emit('incident.paused', { step: this.current, reason });
    return { kind: 'paused', step: this.current, reason: reason === 'responder' ? 'responder' : 'interrupted' };
  }

  // ── inputs ──────────────────────────────────────────────────────────────

  /** Asks the runbook's inputs not yet answered, and again every secret one: secrets are not in the log. */
  private async askInputs(): Promise<'done' | 'pause'> {
    const pending = [
      ...this.runbook.inputs.filter((def) => !(def.name in this.state.inputs)),
      ...allInputs(this.runbook).filter((def) => def.stepId && def.secret && this.state.secrets.has(def.name)),
    ];
    for (const def of pending) {
      const value = await this.askInput(def);
      if (value === undefined) return 'pause';
    }
    return 'done';
  }

  /** Asks one input until it is valid; records it (masked when secret). Undefined when the responder pauses. */
  private async askInput(def: InputDef, view?: StepView): Promise<string | undefined> {
    let value: string | undefined;
    if (def.name in this.presets) {
      value = this.presets[def.name]!;
      const problem = inputProblem(def, value);
      if (problem) throw new UserError(`--set ${def.name}: ${problem}`);
    } else {
      let problem: string | undefined;
      for (;;) {
        const reply = await this.settle(() => this.responder.input(def, problem), view);
        if (reply.kind === 'pause') return undefined;
        if (reply.kind === 'skip') {
          this.responder.info('An input cannot be skipped: give a value, or pause.');
          continue;
        }
        const answer = reply.value === '' && def.default !== undefined ? def.default : reply.value;
        problem = inputProblem(def, answer);
        if (!problem) {
          value = answer;
          break;
        }
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

  // ── replies ─────────────────────────────────────────────────────────────

  /** Asks until the reply is an answer, a skip or a pause, recording notes and severity changes on the way. */
  private async settle<T>(ask: () => Promise<Reply<T>>, view?: StepView): Promise<Settled<T>> {
    for (;;) {
      // One turn of the event loop first: a signal or a closed output that has just happened is seen here,
      // even by a scripted walk whose answers never wait for anything.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.anySignal?.aborted) throw new Interrupted();
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
      return reply;
    }
  }

  private changeSeverity(to: Severity, reason: string): void {
    const from = this.state.severity ?? this.runbook.severity;
    if (from === to) return;
    this.emit('severity.changed', { from, to, reason, ...(this.current ? { step: this.current } : {}) });
  }

  // ── steps ───────────────────────────────────────────────────────────────

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

  private async runStep(step: Step): Promise<StepEnd> {
    const view = this.view(step);
    this.responder.showStep(view);
    const done = (next = this.fallThrough(step)): StepEnd => ({ kind: 'next', next, result: 'done' });
    const answered = (answer: string) => this.emit('step.answered', { step: step.id, answer });

    switch (step.kind) {
      case 'instructions': {
        const reply = await this.settle(() => this.responder.acknowledge(view), view);
        if (reply.kind !== 'answer') return reply;
        answered('done');
        return done();
      }
      case 'confirm': {
        const question = this.text(step.confirm!.question);
        for (;;) {
          const reply = this.yes ? ({ kind: 'answer', value: true } as const) : await this.settle(() => this.responder.confirm(view, question), view);
          if (reply.kind !== 'answer') return reply;
          answered(reply.value ? 'yes' : 'no');
          if (reply.value) return done();
          const end = await this.onFailure(step, view, step.confirm!.onNo, { what: 'confirm', summary: `answered no to: ${question}` });
          if (end !== 'retry') return end;
        }
      }
      case 'choice': {
        const options = step.choice!.options.map((o) => ({ ...o, label: this.text(o.label) }));
        const reply = await this.settle(() => this.responder.choose(view, this.text(step.choice!.question), options), view);
        if (reply.kind !== 'answer') return reply;
        answered(reply.value.label);
        if (reply.value.severity) this.changeSeverity(reply.value.severity, `${step.id}: ${reply.value.label}`);
        return done(reply.value.goto ?? this.fallThrough(step));
      }
      case 'input': {
        const value = await this.askInput({ ...step.input!, prompt: this.text(step.input!.prompt) }, view);
        if (value === undefined) return { kind: 'pause' };
        // An input that answers "when" (impact started at 03:12Z) dates the step's milestone.
        const at = step.milestone && !step.input!.secret ? typedTime(value) : undefined;
        return { ...done(), ...(at ? { at } : {}) };
      }
      case 'checks':
        return this.checksStep(step, view);
      case 'wait':
        return this.waitStep(step, view);
      case 'command':
        return this.commandStep(step, view);
      case 'regulator': {
        const end = await regulatorStep(
          {
            state: this.state,
            responder: this.responder,
            rules: this.options.regulatorRules ?? (() => loadRules(rulesFile(this.runbook.file), this.runbook.lang)),
            emit: (type, data) => this.emit(type, data),
            settle: (ask) => this.settle(ask, view),
            clock: () => this.runner.now(),
            refuse: (message) => {
              throw new MissingAnswer(message);
            },
            // A time typed by a person, or one sev wrote (now, by default) with its milliseconds.
            mask: (text) => this.mask(text),
            typedTime: (value) => typedTime(value) ?? (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value) && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : undefined),
          },
          step,
          view,
        );
        return end.kind === 'done' ? done() : end;
      }
      case 'announce': {
        const a = step.announce!;
        const announcement = { audience: a.audience, channel: a.channel && this.text(a.channel), subject: a.subject && this.text(a.subject), message: this.text(a.message) };
        this.responder.showAnnouncement(announcement);
        const reply = this.yes ? ({ kind: 'answer', value: true } as const) : await this.settle(() => this.responder.announce(view, announcement), view);
        if (reply.kind !== 'answer') return reply;
        if (reply.value) {
          this.emit('announcement', { step: step.id, ...definedOnly(announcement) });
          return done();
        }
        answered('not sent');
        return done();
      }
    }
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
        const reply = await this.settle(
          () => this.responder.onFailure(view, failure),
          view,
        );
        if (reply.kind !== 'answer') return reply;
        this.emit('step.answered', { step: step.id, answer: reply.value });
        const choice: FailureChoice = reply.value;
        if (choice === 'retry') return 'retry';
        if (choice === 'stop') return { kind: 'stop' };
        return { kind: 'next', next: this.fallThrough(step), result: 'failed' };
      }
    }
  }

  private checkDefs(names: string[]) {
    return names.map((name) => {
      const def = this.runbook.checks.find((c) => c.name === name);
      if (!def) throw new UserError(`step "${this.current}" runs check "${name}", which the runbook does not define`);
      return def;
    });
  }

  private record(step: Step, result: CheckResultData): void {
    this.emit('check.result', { ...result, step: step.id });
  }

  private async checksStep(step: Step, view: StepView): Promise<StepEnd> {
    const defs = this.checkDefs(step.checks ?? []);
    for (;;) {
      const progress = this.responder.checksStarted(defs.map((d) => d.name));
      let results: CheckResultData[];
      try {
        results = await this.runner.checks(defs, this.checkRun(step), (r) => progress.done(r));
      } finally {
        progress.stop();
      }
      for (const result of results) this.record(step, result);
      this.responder.checksFinished(results);
      const failed = results.filter((r) => isFailing(r.status));
      if (failed.length === 0) return { kind: 'next', next: this.fallThrough(step), result: 'done' };
      const summary = failed.map((r) => `${r.check} ${r.status} (${r.reason})`).join('; ');
      const end = await this.onFailure(step, view, step.onFail, { what: 'checks', summary });
      if (end !== 'retry') return end;
    }
  }

  private async waitStep(step: Step, view: StepView): Promise<StepEnd> {
    const wait = step.wait!;
    const [def] = this.checkDefs([wait.check]);
    const limitMs = durationMs(wait.timeout, DEFAULTS.waitTimeout);
    const intervalMs = durationMs(wait.interval, DEFAULTS.waitInterval);
    for (;;) {
      const started = this.runner.now().getTime();
      let attempts = 0;
      let last: CheckResultData;
      for (;;) {
        attempts++;
        last = await this.runner.check(def!, this.checkRun(step), 0);
        const remaining = limitMs - (this.runner.now().getTime() - started);
        this.responder.waiting(def!.name, attempts, last.status, Math.max(0, remaining));
        const passed = !isFailing(last.status);
        // A Nagios check that says CRITICAL knows the answer: waiting longer will not change it.
        if (passed || (def!.nagios && last.status === 'CRITICAL') || remaining < intervalMs) break;
        await this.runner.sleep(intervalMs, this.anySignal);
      }
      this.record(step, { ...last, attempts });
      const passed = !isFailing(last.status);
      this.emit('wait.finished', { step: step.id, check: def!.name, passed, attempts, durationMs: this.runner.now().getTime() - started, status: last.status });
      if (passed) return { kind: 'next', next: this.fallThrough(step), result: 'done' };
      const end = await this.onFailure(step, view, wait.onTimeout, { what: 'wait', summary: `${def!.name} did not pass within ${wait.timeout}: ${last.status} (${last.reason})` });
      if (end !== 'retry') return end;
    }
  }

  private async commandStep(step: Step, view: StepView): Promise<StepEnd> {
    const command = step.command!;
    const text = shownCommand(command.run);
    let decided = false;
    // The command ran to its end in an earlier run that stopped before the step was completed: its
    // recorded result stands, and it is not run a second time.
    const finished = this.state.finishedCommand;
    if (finished && finished.step === step.id) {
      this.state.finishedCommand = undefined;
      this.responder.info(`the command already ran (it ended at ${finished.time}, ${finished.ok ? 'successfully' : 'failing'}): not running it again`);
      if (finished.ok) return { kind: 'next', next: this.fallThrough(step), result: 'done' };
      const end = await this.onFailure(step, view, step.onFail, { what: 'command', summary: `${text}: failed at ${finished.time}, in the earlier run` });
      if (end !== 'retry') return end;
    }
    const unfinished = this.state.unfinishedCommand;
    if (unfinished && unfinished.step === step.id) {
      const end = await this.settleUnfinished(step, view, unfinished);
      if (end !== 'rerun') return end;
      decided = true;
    }
    for (;;) {
      this.responder.showCommand(text);
      let confirmedBy: EventData['command.started']['confirmedBy'] = decided ? 'rerun' : 'runbook';
      if (command.confirm && !this.yes && !decided) {
        const reply = await this.settle(() => this.responder.confirmCommand(view, text), view);
        if (reply.kind !== 'answer') return reply;
        if (!reply.value) return { kind: 'skip', reason: 'the responder chose not to run the command' };
        confirmedBy = 'responder';
      } else if (command.confirm && !decided) {
        confirmedBy = 'yes-flag';
      }
      decided = false;
      if (this.state.dryRun) {
        this.responder.info(`dry run: not running ${text}`);
        this.emit('step.answered', { step: step.id, answer: 'dry run: command not run' });
        return { kind: 'next', next: this.fallThrough(step), result: 'done' };
      }
      const start = (group?: ProcessRef) =>
        this.emit('command.started', { step: step.id, command: text, confirmedBy, changesState: command.changesState, ...(group ? groupData(group) : {}) });
      let logged = false;
      const { result, raw } = await this.runner.command({
        run: command.run,
        env: this.env(command.env),
        timeoutMs: durationMs(command.timeout, DEFAULTS.timeout),
        // A state-changing command is killed only at the responder's Ctrl-C; hung up on or terminated, sev
        // leaves it to finish (within its time limit) and the next resume asks about it.
        signal: command.changesState ? this.signal : this.stopSignal,
        ...(command.changesState && this.leaveSignal ? { leaveSignal: this.leaveSignal } : {}),
        mask: this.mask,
        // In the log, with its process group and host, before it runs: a later sev knows what may still run.
        onStart: (group) => {
          start(group);
          logged = true;
        },
      });
      if (!logged) start();
      const problem = result.error ?? (result.timedOut ? `timed out after ${command.timeout}` : unmet(command.expect, { ...result, ...raw }));
      const ok = problem === undefined;
      this.emit('command.finished', { ...result, step: step.id, ok });
      this.responder.commandFinished({ ...result, ok, reason: problem });
      if (ok) return { kind: 'next', next: this.fallThrough(step), result: 'done' };
      const end = await this.onFailure(step, view, step.onFail, { what: 'command', summary: `${text}: ${problem}` });
      if (end !== 'retry') return end;
    }
  }

  /**
   * A command an earlier run started whose end is not in the log (sev was killed, or the log could not take
   * its result). It is never started again beside a copy that still runs, and a state-changing one is not
   * run again unless the responder says so: its effect may already be there.
   */
  private async settleUnfinished(step: Step, view: StepView, unfinished: Unfinished): Promise<StepEnd | 'rerun'> {
    const group = groupOf(unfinished);
    const record = (state: 'alive' | 'gone' | 'elsewhere', decision: EventData['command.unfinished']['decision']) =>
      this.emit('command.unfinished', { step: step.id, command: unfinished.command, startedAt: unfinished.time, state, decision, ...(unfinished.pgid === undefined ? {} : groupData(group)) });
    for (;;) {
      const state = unfinished.pgid === undefined ? 'gone' : groupState(group);
      if (state === 'gone' && !unfinished.changesState) {
        this.responder.info(`the command started at ${unfinished.time} only reads and did not finish: running it again`);
        record(state, 'rerun');
        return 'rerun';
      }
      const choices = state === 'alive' ? (['wait', 'kill'] as const) : (['rerun', 'done', 'failed'] as const);
      const reply = await this.settle(
        () => this.responder.unfinished(view, { command: unfinished.command, startedAt: unfinished.time, host: unfinished.host, pgid: unfinished.pgid, state, choices: [...choices] }),
        view,
      );
      if (reply.kind !== 'answer') return reply;
      const decision = reply.value;
      if (!(choices as readonly string[]).includes(decision)) throw new UserError(`step "${step.id}": "${decision}" is not one of ${choices.join(', ')} here`);
      record(state, decision);
      switch (decision) {
        case 'wait':
          this.responder.info(`waiting for process group ${unfinished.pgid} to end (Ctrl-C pauses)`);
          await awaitGroup(group, this.anySignal);
          continue;
        case 'kill':
          if (!(await endGroup(group))) throw new UserError(`process group ${unfinished.pgid} did not end after SIGKILL`);
          continue;
        case 'rerun':
          return 'rerun';
        case 'done':
          return { kind: 'next', next: this.fallThrough(step), result: 'done' };
        case 'failed': {
          const end = await this.onFailure(step, view, step.onFail, { what: 'command', summary: `${unfinished.command}: started at ${unfinished.time}, marked failed by the responder` });
          return end === 'retry' ? 'rerun' : end;
        }
      }
    }
  }
}

/** The group of an unfinished command; one an older sev did not record is taken as gone (its result is asked). */
function groupOf(unfinished: Unfinished): ProcessRef {
  return { host: unfinished.host ?? '', pid: unfinished.pgid ?? 0, ...(unfinished.processStart ? { start: unfinished.processStart } : {}) };
}

function anyOf(signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((s): s is AbortSignal => s !== undefined);
  return given.length > 1 ? AbortSignal.any(given) : given[0];
}

function groupData(group: ProcessRef) {
  return { pgid: group.pid, host: group.host, ...(group.start ? { processStart: group.start } : {}) };
}

/** A UTC time typed by a person (2026-11-26T03:12Z, 2026-11-26 03:12:30), as RFC 3339; undefined for anything else. */
export function typedTime(value: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?Z?$/.exec(value.trim());
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[3] ?? ':00'}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function definedOnly<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as T;
}
