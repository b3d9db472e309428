import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { EXIT, InvalidRunbookError, UserError } from '../errors.js';
import { printable } from '../diagnostics/report.js';
import { Claim, type TakeOver, type Walker } from '../incident/claim.js';
import { LogWriter } from '../incident/log.js';
import { apply, resumePoint } from '../incident/replay.js';
import { findIncident, incidentDir, listIncidents, lookedIn, POINT_ELSEWHERE, stateOf, walkerLog } from '../incident/store.js';
import { loadRunbook } from '../runbook/catalog.js';
import type { RunbookRef } from '../incident/events.js';
import { checkTranslationAgainst, lintFile, type LintResult } from '../lint/files.js';
import { applyTranslation } from '../runbook/translation.js';
import type { Runbook } from '../runbook/model.js';
import { paint } from '../ui/output.js';
import { canPrompt, loginName, prepare, readAnswers, walkIncident, type WalkCliOptions } from './drive.js';
import { printLogProblems } from '../ui/warnings.js';

export interface ResumeOptions extends WalkCliOptions {
  runbooks: string;
  incidentDir?: string;
  force?: boolean;
  takeOver?: boolean;
}

/** The incident's runbook: the file it started from if it is still there, else the same id. */
async function runbookOf(ref: RunbookRef, runbooksDir: string): Promise<Runbook> {
  const runbook = existsSync(ref.file) ? usableFile(lintFile(ref.file)) : (await loadRunbook(ref.id, runbooksDir)).runbook;
  if (!ref.translation) return runbook;
  // Shown in the language it started in: the same translation, checked against the runbook as it is now.
  const file = ref.translation.file;
  if (!existsSync(file))
    throw new UserError(
      `the translation ${file} the incident started with is gone`,
      EXIT.usage,
      "Put it back, or resume in the runbook's own language with --force.",
    );
  const translation = checkTranslationAgainst(lintFile(file), { file: runbook.file, runbook, diagnostics: [] });
  if (!translation.translation || translation.diagnostics.some((d) => d.severity === 'error')) throw new InvalidRunbookError(translation);
  return applyTranslation(runbook, translation.translation);
}

function usableFile(result: LintResult): Runbook {
  if (!result.runbook || result.kind || result.diagnostics.some((d) => d.severity === 'error')) throw new InvalidRunbookError(result);
  return result.runbook;
}

/** With no incident named, the one incident that is not closed. */
function onlyOpenIncident(dir: string, from?: string): string {
  const open = listIncidents(dir).filter((i) => stateOf(walkerLog(i)).status !== 'closed');
  if (open.length === 1) return open[0]!.id;
  if (open.length === 0)
    throw new UserError(
      `no open or paused incident in ${lookedIn(dir, from)}`,
      EXIT.usage,
      `sev status lists the incidents there. ${POINT_ELSEWHERE}`,
    );
  throw new UserError(`${open.length} incidents are open or paused: say which one (${open.map((i) => i.id).join(', ')})`, EXIT.usage);
}

/** Another host's walker is replaced only when the responder agrees: two walkers would run commands twice. */
function takeOverConsent(options: ResumeOptions): TakeOver | undefined {
  if (!options.takeOver) return undefined;
  return async (walker: Walker) => {
    const question =
      `${walker.responder} walks this incident from host ${walker.host} (pid ${walker.pid}, since ${walker.since}). ` +
      'Take it over? Only if that sev is gone: two walkers would run the same commands twice.';
    if (!canPrompt()) {
      if (options.yes) return true;
      throw new UserError(
        `--take-over needs a confirmation: ${question}`,
        EXIT.usage,
        'Run it at a terminal to confirm, or add --yes once you are sure.',
      );
    }
    const { confirm } = await import('@inquirer/prompts');
    return confirm({ message: question, default: false }, { output: process.stderr });
  };
}

/**
 * Resumes an incident (the one open or paused one when none is named): claims it, reads its log again
 * under the claim, checks its runbook is the one it started with, and walks on from where it stopped. For
 * sev resume, and for sev run when the responder chooses to go on with an open incident.
 */
export async function resumeIncident(ref: string | undefined, options: ResumeOptions): Promise<void> {
  const dir = incidentDir(options.incidentDir);
  const from = options.settings?.incidentDir.from;
  const found = findIncident(dir, ref ?? onlyOpenIncident(dir, from), from);
  const answers = readAnswers(options);
  const responder = options.as || answers?.responder || loginName();
  // The incident's own directory: a log given by its path may live elsewhere than --incident-dir.
  const home = dirname(walkerLog(found, responder).file);
  // One walker at a time: the claim comes first, and the log is read again under it, so a run that
  // ended or paused a moment ago is seen as it is now.
  const claim = await Claim.take(home, found.id, responder, takeOverConsent(options));
  try {
    const incident = findIncident(home, found.id);
    const log = walkerLog(incident, responder);
    printLogProblems([log]);
    const state = stateOf(log);
    if (!state.runbook)
      throw new UserError(`${log.file}: the log does not say which runbook the incident follows (no incident.started event)`, EXIT.usage);
    if (state.status === 'closed') {
      throw new UserError(
        `incident ${incident.id} is closed (${state.outcome} at ${state.lastTime}); there is nothing to resume`,
        EXIT.usage,
        `sev note ${incident.id} "…" still adds notes to it.`,
      );
    }
    let runbook: Runbook;
    try {
      runbook = await runbookOf(state.runbook, options.runbooks);
    } catch (error) {
      // A gone or broken translation need not stop a forced resume: the runbook's own texts are shown.
      if (!(options.force && state.runbook.translation)) throw error;
      runbook = await runbookOf({ ...state.runbook, translation: undefined }, options.runbooks);
    }
    const changed = runbook.hash !== state.runbook.hash || runbook.translation?.hash !== state.runbook.translation?.hash;
    if (changed && !options.force) {
      throw new UserError(
        runbook.hash !== state.runbook.hash
          ? `the runbook ${runbook.file} has changed since incident ${incident.id} started`
          : `the translation ${state.runbook.translation?.file ?? runbook.translation?.file} has changed since incident ${incident.id} started`,
        EXIT.usage,
        'Resuming with other steps than the ones the incident began with may skip or repeat work. ' +
          `Check the change, then go on with sev resume ${incident.id} --force.`,
      );
    }
    const prepared = prepare(runbook, answers, options.set, options.runbooks);
    const writer = LogWriter.open(log.file, incident.id, responder);
    writer.guard = () => claim.assertHeld();
    // The state goes on from the events written here, folded as any reader of the log folds them.
    if (claim.replaced) {
      const { responder: from, host, pid, since } = claim.replaced;
      apply(state, writer.append('incident.taken-over', { from: { responder: from, host, pid, since } }));
    }
    const step = resumePoint(state, runbook.steps[0]?.id);
    apply(state, writer.append('incident.resumed', { step, runbookChanged: changed }));
    const c = paint(process.stderr);
    process.stderr.write(
      `${c.bold(`Resuming incident ${incident.id}`)} at step ${printable(step)} · ${state.severity} · ${printable(responder)}\n${c.dim(`Log: ${log.file}`)}\n`,
    );
    if (state.secrets.size)
      process.stderr.write(
        c.dim(`Secret inputs are never written to the log, so they are asked again: ${[...state.secrets].join(', ')}\n`),
      );
    await walkIncident(runbook, state, writer, options, prepared);
  } finally {
    claim.release();
  }
}
