import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { EXIT, InvalidRunbookError, UserError } from '../errors.js';
import { printable } from '../diagnostics/report.js';
import { Claim, type TakeOver, type Walker } from '../incident/claim.js';
import { LogWriter } from '../incident/log.js';
import { findIncident, incidentDir, listIncidents, stateOf, walkerLog } from '../incident/store.js';
import { loadRunbook } from '../runbook/catalog.js';
import { lintFile } from '../runbook/lint.js';
import type { Runbook } from '../runbook/model.js';
import { paint } from '../ui/output.js';
import { canPrompt, checkAnswers, loginName, presets, readAnswers, walkIncident, type WalkCliOptions } from '../ui/session.js';
import { printLogProblems } from '../ui/warnings.js';

export interface ResumeOptions extends WalkCliOptions {
  runbooks: string;
  incidentDir?: string;
  force?: boolean;
  takeOver?: boolean;
}

/** The incident's runbook: the file it started from if it is still there, else the same id. */
async function runbookOf(file: string, id: string, runbooksDir: string): Promise<Runbook> {
  if (existsSync(file)) {
    const result = await lintFile(file);
    if (!result.runbook || result.diagnostics.some((d) => d.severity === 'error')) throw new InvalidRunbookError(result);
    return result.runbook;
  }
  return (await loadRunbook(id, runbooksDir)).runbook;
}

/** With no incident named, the one incident that is not closed. */
function onlyOpenIncident(dir: string): string {
  const open = listIncidents(dir).filter((i) => stateOf(walkerLog(i)).status !== 'closed');
  if (open.length === 1) return open[0]!.id;
  if (open.length === 0) throw new UserError(`no open or paused incident in ${dir}`, EXIT.usage, 'sev status lists the incidents there.');
  throw new UserError(`${open.length} incidents are open or paused: say which one (${open.map((i) => i.id).join(', ')})`, EXIT.usage);
}

/** Another host's walker is replaced only when the responder agrees: two walkers would run commands twice. */
function takeOverConsent(options: ResumeOptions): TakeOver | undefined {
  if (!options.takeOver) return undefined;
  return async (walker: Walker) => {
    const question = `${walker.responder} walks this incident from host ${walker.host} (pid ${walker.pid}, since ${walker.since}). Take it over? Only if that sev is gone: two walkers would run the same commands twice.`;
    if (!canPrompt()) {
      if (options.yes) return true;
      throw new UserError(`--take-over needs a confirmation: ${question}`, EXIT.usage, 'Run it at a terminal to confirm, or add --yes once you are sure.');
    }
    const { confirm } = await import('@inquirer/prompts');
    return confirm({ message: question, default: false }, { output: process.stderr });
  };
}

export async function resumeCommand(ref: string | undefined, options: ResumeOptions): Promise<void> {
  const dir = incidentDir(options.incidentDir);
  const found = findIncident(dir, ref ?? onlyOpenIncident(dir));
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
    if (!state.runbook) throw new UserError(`${log.file}: the log does not say which runbook the incident follows (no incident.started event)`, EXIT.usage);
    if (state.status === 'closed') {
      throw new UserError(`incident ${incident.id} is closed (${state.outcome} at ${state.lastTime}); there is nothing to resume`, EXIT.usage, `sev note ${incident.id} "…" still adds notes to it.`);
    }
    const runbook = await runbookOf(state.runbook.file, state.runbook.id, options.runbooks);
    const changed = runbook.hash !== state.runbook.hash;
    if (changed && !options.force) {
      throw new UserError(
        `the runbook ${runbook.file} has changed since incident ${incident.id} started`,
        EXIT.usage,
        'Resuming with other steps than the ones the incident began with may skip or repeat work. Check the change, then use --force to go on.',
      );
    }
    presets(runbook, options.set);
    checkAnswers(runbook, answers);
    const writer = LogWriter.open(log.file, incident.id, responder);
    writer.guard = () => claim.assertHeld();
    if (claim.replaced) {
      const { responder: from, host, pid, since } = claim.replaced;
      writer.append('incident.taken-over', { from: { responder: from, host, pid, since } });
    }
    const step = state.step ?? runbook.steps[0]?.id ?? 'end';
    writer.append('incident.resumed', { step, runbookChanged: changed });
    state.status = 'open';
    const c = paint(process.stderr);
    process.stderr.write(`${c.bold(`Resuming incident ${incident.id}`)} at step ${printable(step)} · ${state.severity} · ${printable(responder)}\n${c.dim(`Log: ${log.file}`)}\n`);
    if (state.secrets.size) process.stderr.write(c.dim(`Secret inputs are never written to the log, so they are asked again: ${[...state.secrets].join(', ')}\n`));
    await walkIncident(runbook, state, writer, { ...options, answersData: answers });
  } finally {
    claim.release();
  }
}
