import os from 'node:os';
import { loadAnswers, type Answers } from '../engine/answers.js';
import { inputProblem, parseSets } from '../engine/inputs.js';
import type { Responder } from '../engine/responder.js';
import type { Settings } from '../config/settings.js';
import { configAnnouncer } from './announcer.js';
import { Walk, type WalkOutcome } from '../engine/walk.js';
import { EXIT, ExitCode, UserError } from '../errors.js';
import type { LogWriter } from '../incident/log.js';
import type { IncidentState } from '../incident/replay.js';
import { allInputs, type Runbook } from '../runbook/model.js';
import { loadRules, rulesFile } from '../regulator/rules-file.js';
import { closest } from '../runbook/suggest.js';
import { paint } from '../ui/output.js';
import { onOutputClosed } from '../ui/terminal.js';
import { ScriptedResponder } from '../ui/scripted.js';
import { mergeClocks, type ClockDef } from '../clocks/model.js';
import { loadPolicy, policyFile } from '../clocks/policy-file.js';

/** The options `sev run` and `sev resume` share. */
export interface WalkCliOptions {
  answers?: string;
  yes?: boolean;
  set?: string[];
  as?: string;
  /** The team's runbooks directory: its regulators.yaml replaces the shipped one. */
  runbooks?: string;
  /** The settings in force; the team config's channels deliver the announcements. */
  settings?: Settings;
}

/** A person can be asked only with a terminal on both ends, and never in CI. */
export function canPrompt(): boolean {
  const ci = process.env.CI;
  return Boolean(process.stdin.isTTY && process.stderr.isTTY) && (ci === undefined || ci === '' || ci === 'false');
}

export function loginName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER || process.env.LOGNAME || 'responder';
  }
}

export function readAnswers(options: WalkCliOptions): Answers | undefined {
  return options.answers ? loadAnswers(options.answers) : undefined;
}

/** --set values, refused when they name no input of the runbook or are not acceptable values for it. */
function presets(runbook: Runbook, sets: string[] | undefined): Record<string, string> {
  const values = parseSets(sets);
  const inputs = allInputs(runbook);
  const names = inputs.map((i) => i.name);
  for (const [name, value] of Object.entries(values)) {
    const def = inputs.find((i) => i.name === name);
    if (!def) {
      const guess = closest(name, names);
      throw new UserError(`--set ${name}: the runbook has no input "${name}"${guess ? `: did you mean "${guess}"?` : ''}`, EXIT.usage);
    }
    const problem = inputProblem(def, value);
    if (problem) throw new UserError(`--set ${name}: ${problem}`, EXIT.usage);
  }
  return values;
}

/**
 * An answers file names inputs and steps of the runbook: a name it does not have is a typo that would only
 * show later as a missing answer, so it is refused before anything starts.
 */
function checkAnswers(runbook: Runbook, answers: Answers | undefined): void {
  if (!answers) return;
  const unknown = (kind: string, name: string, names: string[]) => {
    const guess = closest(name, names);
    return new UserError(
      `${answers.file}: the runbook ${runbook.id} has no ${kind} "${name}"${guess ? `: did you mean "${guess}"?` : ''}`,
      EXIT.usage,
    );
  };
  const inputs = runbook.inputs.map((i) => i.name);
  for (const [name, value] of Object.entries(answers.inputs)) {
    const def = runbook.inputs.find((i) => i.name === name);
    if (!def) throw unknown('input', name, inputs);
    const problem = inputProblem(def, value);
    if (problem) throw new UserError(`${answers.file}: input ${name}: ${problem}`, EXIT.usage);
  }
  const steps = runbook.steps.map((st) => st.id);
  for (const id of answers.steps.keys()) if (!steps.includes(id)) throw unknown('step', id, steps);
}

/** The answers' `clocks:` name clocks the incident keeps: a typo would only show as an update never sent. */
function checkClockAnswers(clocks: readonly ClockDef[], answers: Answers | undefined): void {
  const ids = clocks.map((c) => c.id);
  for (const id of Object.keys(answers?.clocks ?? {})) {
    if (ids.includes(id)) continue;
    const guess = closest(id, ids);
    throw new UserError(`${answers!.file}: the incident keeps no clock "${id}"${guess ? `: did you mean "${guess}"?` : ''}`, EXIT.usage);
  }
}

/** The answers, --set values and clocks of a walk, read and checked once, before anything is written. */
export interface Prepared {
  answers?: Answers;
  presets: Record<string, string>;
  /** The team policy's clocks merged with the runbook's. */
  clocks: ClockDef[];
}

/** `runbooksDir`: the team's runbooks directory, whose policy.yaml replaces the shipped one. */
export function prepare(runbook: Runbook, answers: Answers | undefined, sets: string[] | undefined, runbooksDir?: string): Prepared {
  checkAnswers(runbook, answers);
  // A policy file with problems is refused now, before the incident starts, not at its first clock.
  const clocks = mergeClocks(loadPolicy(policyFile(runbooksDir)).clocks, runbook.clocks);
  checkClockAnswers(clocks, answers);
  return { answers, presets: presets(runbook, sets), clocks };
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: EXIT.interrupted, SIGTERM: 143, SIGHUP: 129, 'output-closed': EXIT.outputClosed };

/**
 * Walks the runbook with the right responder, turns Ctrl-C, a hang-up, a termination or a closed output
 * into a recorded pause, and ends with the exit code of the outcome.
 */
export async function walkIncident(
  runbook: Runbook,
  state: IncidentState,
  writer: LogWriter,
  options: WalkCliOptions,
  prepared: Prepared,
): Promise<void> {
  const controller = new AbortController();
  let signalName: string | undefined;
  // Ctrl-C stops whatever runs; a hang-up or a termination leaves a state-changing command to finish.
  const leaving = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    signalName ??= name;
    if (name === 'SIGINT') controller.abort();
    else leaving.abort();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  // The responder's screen gone (stderr closed, a pipe broken): nobody sees the questions any more. A check
  // or command that runs is let finish; the walk pauses at its next question, and the exit code says why.
  const screenGone = new AbortController();
  const restoreOutput = onOutputClosed(() => {
    signalName ??= 'output-closed';
    screenGone.abort();
  });
  writer.onWarning = (message) => process.stderr.write(`sev: ${message}\n`);

  const c = paint(process.stderr);
  let interactive: Responder | undefined;
  if (canPrompt()) {
    const { InteractiveResponder } = await import('../ui/interactive.js');
    interactive = new InteractiveResponder(c, AbortSignal.any([controller.signal, leaving.signal, screenGone.signal]));
  }
  const scripted = prepared.answers || options.yes || !interactive;
  const responder: Responder = scripted
    ? new ScriptedResponder({ answers: prepared.answers, yes: Boolean(options.yes), fallback: interactive, out: process.stderr, color: c })
    : interactive!;

  let outcome: WalkOutcome;
  try {
    outcome = await new Walk({
      runbook,
      state,
      sink: (type, data) => writer.append(type, data),
      responder,
      signal: controller.signal,
      pauseSignal: screenGone.signal,
      leaveSignal: leaving.signal,
      presets: prepared.presets,
      yes: options.yes,
      announcer: configAnnouncer(options.settings?.config),
      regulatorRules: () => loadRules(rulesFile(runbook.file, options.runbooks), runbook.lang),
      clocks: prepared.clocks,
    }).run();
  } finally {
    for (const s of signals) process.off(s, onSignal);
    writer.close();
    // From here on a closed or full output is sev's ordinary exit 141 or one-line error again.
    restoreOutput();
  }

  const resume = `sev resume ${state.incident}`;
  const out = paint(process.stdout);
  switch (outcome.kind) {
    case 'completed':
      process.stdout.write(
        `${out.green('✔')} Incident ${state.incident} walked to the end${state.dryRun ? ' (dry run)' : ''}. Log: ${writer.path}\n`,
      );
      return;
    case 'stopped':
      process.stdout.write(`${out.red('✘')} Incident ${state.incident} stopped at step ${outcome.step}. Log: ${writer.path}\n`);
      throw new ExitCode(EXIT.findings);
    case 'paused':
      if (outcome.reason === 'missing-answer') {
        throw new UserError(
          outcome.detail,
          EXIT.usage,
          `The incident is paused at this step: add the answer and run ${resume} --answers FILE, or run ${resume} at a terminal.`,
        );
      }
      process.stderr.write(`\nPaused at step ${outcome.step}. Everything so far is in ${writer.path}\nTo continue: ${resume}\n`);
      if (outcome.reason === 'interrupted') throw new ExitCode(SIGNAL_EXIT[signalName ?? 'SIGINT'] ?? EXIT.interrupted);
      return;
  }
}
