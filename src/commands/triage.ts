import { isMap, LineCounter, parseDocument } from 'yaml';
import { EXIT, UserError } from '../errors.js';
import { readTextFile } from '../files/read-file.js';
import { classify, normaliseAnswer, type TriageAnswers, type Verdict } from '../triage/classify.js';
import { loadMatrix, matrixFile } from '../triage/matrix-file.js';
import type { TriageMatrix, TriageQuestion } from '../triage/matrix.js';
import { paint, write } from '../ui/output.js';
import { isPromptCancel } from '../ui/prompt-cancel.js';
import { canPrompt } from '../session/drive.js';
import { printable } from '../report/sanitize.js';
import { shellWord } from '../text/shell-word.js';

export interface TriageOptions {
  runbooks: string;
  incidentDir?: string;
  answers?: string;
  matrix?: string;
  json?: boolean;
  run?: boolean;
  runAnswers?: string;
  set?: string[];
  as?: string;
  dryRun?: boolean;
  new?: boolean;
  resume?: boolean;
  alert?: string;
  alertIndex?: string;
}

/** An answers file of `sev triage`: question id → a value or label (a list for a multiple-choice question). */
function readTriageAnswers(file: string, matrix: TriageMatrix): TriageAnswers {
  const text = readTextFile(file, 'answers file');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const error = doc.errors[0];
  if (error) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    throw new UserError(`${file}:${line}:${col}: ${error.message.split('\n')[0]}`, EXIT.usage);
  }
  if (doc.contents === null) return {};
  if (!isMap(doc.contents)) throw new UserError(`${file}:1:1: expected a mapping of question id to answer`, EXIT.usage);
  let value: Record<string, unknown>;
  try {
    value = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
  } catch (error) {
    // An alias bomb, or an alias with no anchor: bad input, not a bug.
    throw new UserError(`${file}: ${(error as Error).message.split('\n')[0]}`, EXIT.usage);
  }
  const answers: TriageAnswers = {};
  for (const pair of doc.contents.items) {
    const key = String((pair.key as { value?: unknown } | null)?.value);
    const { line, col } = lineCounter.linePos((pair.key as { range?: number[] } | null)?.range?.[0] ?? 0);
    const question = matrix.questions.find((q) => q.id === key);
    if (!question)
      throw new UserError(
        `${file}:${line}:${col}: unknown question "${key}"`,
        EXIT.usage,
        `Questions: ${matrix.questions.map((q) => q.id).join(', ')}`,
      );
    answers[key] = normaliseAnswer(question, value[key], `${file}:${line}:${col}`);
  }
  return answers;
}

async function ask(question: TriageQuestion): Promise<string[]> {
  const { select, checkbox } = await import('@inquirer/prompts');
  const context = { output: process.stderr };
  const choices = question.options.map((o) => ({ name: o.label, value: o.value }));
  try {
    if (question.multiple) {
      return await checkbox({ message: question.prompt, choices, required: true, loop: false }, context);
    }
    return [await select({ message: question.prompt, choices, loop: false }, context)];
  } catch (error) {
    if (isPromptCancel(error)) throw new UserError('triage interrupted', EXIT.interrupted);
    throw error;
  }
}

function runArgs(verdict: Verdict): string {
  return `sev run ${verdict.runbook} --severity ${verdict.severity}`;
}

function render(verdict: Verdict, matrix: TriageMatrix): string {
  const c = paint();
  const lines = [
    `${c.bold('Class')}     ${verdict.class} ${c.dim(`— ${verdict.reasons.class}`)}`,
    `${c.bold('Severity')}  ${verdict.severity} ${c.dim(`— ${verdict.reasons.severity}`)}`,
    ...verdict.reasons.adjustments.map(
      (a) => `          ${a.from === a.to ? `stays ${a.to}` : `${a.from} → ${a.to}`} ${c.dim(`— ${a.because}`)}`,
    ),
    ...(verdict.page.length ? [`${c.bold('Page')}      ${verdict.page.join(', ')}`] : []),
    `${c.bold('Runbook')}   ${verdict.runbook}`,
    `${c.bold('Answers')}   ${matrix.questions.map((q) => `${q.id}: ${verdict.answers[q.id]!.join(', ')}`).join(' · ')}`,
    '',
    `Start it: ${runArgs(verdict)}`,
  ];
  return lines.join('\n');
}

/** Whether to start the recommended incident: --run, else the responder's word at a terminal. */
async function confirmStart(options: TriageOptions, runbook: string, severity: string): Promise<boolean> {
  if (options.run) return true;
  if (!canPrompt() || options.json) return false;
  const { confirm } = await import('@inquirer/prompts');
  try {
    return await confirm({ message: `Start ${runbook} now at ${severity}?`, default: true }, { output: process.stderr });
  } catch (error) {
    if (isPromptCancel(error)) throw new UserError('triage interrupted', EXIT.interrupted);
    throw error;
  }
}

/** The recommendation an alert's labels give by the matrix's alert rules, and the incident it starts. */
async function triageAlert(file: string, options: TriageOptions): Promise<void> {
  const { readFiringAlert, recommendForAlert, noRuleError, sayPicked, startFromAlert } = await import('../session/from-alert.js');
  const { alertName } = await import('../alerts/pick.js');
  const picked = await readFiringAlert(file, options.alertIndex);
  sayPicked(picked);
  const { match, matrix } = recommendForAlert(picked.alert, options.runbooks, options.matrix);
  if (!match) throw noRuleError(picked.alert, matrix);
  const command = `sev run ${match.runbook} --severity ${match.severity} --alert ${shellWord(file)}`;
  if (options.json) {
    write(
      JSON.stringify(
        {
          matrix,
          alert: { name: alertName(picked.alert), fingerprint: picked.alert.fingerprint ?? null, index: picked.index },
          runbook: match.runbook,
          severity: match.severity,
          because: match.because ?? '',
          rule: match.rule,
          command,
        },
        null,
        2,
      ),
    );
  } else {
    const c = paint();
    write(
      [
        `${c.bold('Alert')}     ${alertName(picked.alert)}`,
        `${c.bold('Runbook')}   ${printable(match.runbook)} ${c.dim(`— ${printable(match.because ?? `alert rule ${match.rule + 1}`)}`)}`,
        `${c.bold('Severity')}  ${match.severity}`,
        '',
        `Start it: ${printable(command)}`,
      ].join('\n'),
    );
  }
  if (!(await confirmStart(options, match.runbook, match.severity))) return;
  await startFromAlert(match.runbook, picked, {
    runbooks: options.runbooks,
    incidentDir: options.incidentDir,
    severity: match.severity,
    answers: options.runAnswers,
    set: options.set,
    as: options.as,
    dryRun: options.dryRun,
    new: options.new,
    resume: options.resume,
  });
}

export async function triageCommand(options: TriageOptions): Promise<void> {
  if (options.alert !== undefined) return triageAlert(options.alert, options);
  const file = matrixFile(options.matrix, options.runbooks);
  const matrix = loadMatrix(file);
  const answers = options.answers ? readTriageAnswers(options.answers, matrix) : {};
  const missing = matrix.questions.filter((q) => !answers[q.id]?.length);
  const interactive = canPrompt();
  if (missing.length && !interactive) {
    throw new UserError(
      options.answers
        ? `${options.answers}: no answer for ${missing.map((q) => `"${q.id}"`).join(', ')}`
        : 'sev triage asks questions, and there is no terminal to ask them on',
      EXIT.usage,
      options.answers
        ? `Add them to the answers file (question id: value).`
        : `Give the answers with --answers FILE (question id: value; the questions are in ${file}).`,
    );
  }
  for (const question of missing) answers[question.id] = await ask(question);
  const verdict = classify(matrix, answers);

  if (options.json) write(JSON.stringify({ matrix: file, ...verdict, command: runArgs(verdict) }, null, 2));
  else write(render(verdict, matrix));

  let start = Boolean(options.run);
  if (!start && interactive && !options.json) {
    const { confirm } = await import('@inquirer/prompts');
    try {
      start = await confirm({ message: `Start ${verdict.runbook} now at ${verdict.severity}?`, default: true }, { output: process.stderr });
    } catch (error) {
      if (isPromptCancel(error)) throw new UserError('triage interrupted', EXIT.interrupted);
      throw error;
    }
  }
  if (!start) return;
  // Loaded only when an incident starts: a triage that only answers stays quick to start.
  const { langChoice, loadRunbook } = await import('../runbook/catalog.js');
  const { startIncident } = await import('../session/start.js');
  const { runbook } = await loadRunbook(verdict.runbook, options.runbooks, langChoice(undefined));
  await startIncident(runbook, {
    runbooks: options.runbooks,
    incidentDir: options.incidentDir,
    severity: verdict.severity,
    answers: options.runAnswers,
    set: options.set,
    as: options.as,
    dryRun: options.dryRun,
    new: options.new,
    resume: options.resume,
  });
}
