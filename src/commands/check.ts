import { isFailing, runChecks } from '../engine/checks.js';
import { processEnv } from '../engine/env.js';
import { inputProblem } from '../engine/inputs.js';
import { masker } from '../engine/mask.js';
import { EXIT, ExitCode, UserError } from '../errors.js';
import { langChoice, loadRunbook } from '../runbook/catalog.js';
import { allInputs, type InputDef, type Runbook } from '../runbook/model.js';
import { paint, write } from '../ui/output.js';
import { checkTable } from '../ui/render.js';
import { terminalWidth } from '../ui/table.js';
import { canPrompt, loginName, prepare, readAnswers, type Prepared } from '../session/drive.js';
import { Interrupted } from '../engine/errors.js';

export interface CheckOptions {
  runbooks: string;
  answers?: string;
  set?: string[];
  json?: boolean;
  lang?: string;
}

/** Inputs from --set, the answers file and defaults; a person is asked for the rest, a script fails. */
async function inputValues(runbook: Runbook, options: CheckOptions, prepared: Prepared): Promise<Record<string, string>> {
  const given = { ...prepared.answers?.inputs, ...prepared.presets };
  const values: Record<string, string> = {};
  const missing: InputDef[] = [];
  // The runbook's inputs are needed; an input step's value is used when given (a check may read it).
  // Nobody to ask (a script, or an answers file given): an input that is not required and has no default is empty.
  const unattended = Boolean(options.answers) || !canPrompt();
  for (const def of allInputs(runbook)) {
    const value = given[def.name] ?? def.default ?? (unattended && !def.required ? '' : undefined);
    if (value === undefined) {
      if (!def.stepId) missing.push(def);
      continue;
    }
    const problem = inputProblem(def, value);
    if (problem) throw new UserError(`input ${def.name}: ${problem}`, EXIT.usage);
    values[def.name] = value;
  }
  if (missing.length && !canPrompt()) {
    throw new UserError(
      `no value for ${missing.map((d) => d.name).join(', ')}`,
      EXIT.usage,
      'Give them with --set NAME=VALUE or in an --answers file.',
    );
  }
  if (missing.length) {
    const { input, password } = await import('@inquirer/prompts');
    for (const def of missing) {
      const ask = def.secret ? password : input;
      values[def.name] = await ask(
        { message: def.prompt, validate: (v: string) => inputProblem(def, v) ?? true },
        { output: process.stderr },
      );
    }
  }
  return values;
}

export async function checkCommand(ref: string, options: CheckOptions): Promise<void> {
  const { runbook } = await loadRunbook(ref, options.runbooks, langChoice(options.lang));
  if (runbook.checks.length === 0) throw new UserError(`${runbook.id} defines no checks`, EXIT.usage);
  // The answers file and --set values are read and checked as sev run checks them.
  const inputs = await inputValues(runbook, options, prepare(runbook, readAnswers(options), options.set));
  const secrets = allInputs(runbook)
    .filter((d) => d.secret)
    .map((d) => inputs[d.name] ?? '');
  // Outside an incident, the checks run as if it opened now and nothing was detected yet.
  const facts = { incident: '', severity: runbook.severity, responder: loginName(), step: '', started: new Date().toISOString() };

  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  const progress = options.json
    ? undefined
    : (await import('../ui/check-spinners.js')).checkSpinners(
        runbook.checks.map((ch) => ch.name),
        process.stderr,
        paint(process.stderr),
      );
  let results;
  try {
    results = await runChecks(
      runbook.checks,
      { env: (own) => processEnv(runbook, inputs, facts, own), signal: controller.signal, mask: masker(secrets) },
      (r) => progress?.done(r),
    );
  } catch (error) {
    if (error instanceof Interrupted) throw new ExitCode(EXIT.interrupted);
    throw error;
  } finally {
    progress?.stop();
    process.off('SIGINT', onSignal);
  }
  const failed = results.filter((r) => isFailing(r.status));
  if (options.json) {
    write(JSON.stringify({ runbook: runbook.id, ok: failed.length === 0, results }, null, 2));
  } else {
    write(checkTable(results, paint(), terminalWidth()));
    const warnings = results.filter((r) => r.status === 'WARNING').length;
    write(
      (failed.length ? `${failed.length} of ${results.length} checks failing` : `all ${results.length} checks pass`) +
        (warnings ? `, ${warnings} with a warning` : ''),
    );
  }
  if (failed.length) throw new ExitCode(EXIT.findings);
}
