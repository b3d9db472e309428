import os from 'node:os';
import { resolve } from 'node:path';
import { EXIT, UserError } from '../errors.js';
import { printable } from '../diagnostics/report.js';
import { Claim } from '../incident/claim.js';
import { LogWriter } from '../incident/log.js';
import { replay } from '../incident/replay.js';
import { ensureDir, incidentDir, logPath, newIncidentId } from '../incident/store.js';
import { langChoice, listCatalog, loadRunbook } from '../runbook/catalog.js';
import { SEVERITIES, type Severity } from '../runbook/model.js';
import { paint } from '../ui/output.js';
import { loadRules, rulesFile } from '../regulator/load.js';
import { canPrompt, checkAnswers, loginName, presets, readAnswers, walkIncident, type WalkCliOptions } from '../ui/session.js';
import { VERSION } from '../version.js';

export interface RunOptions extends WalkCliOptions {
  runbooks: string;
  incidentDir?: string;
  dryRun?: boolean;
  severity?: string;
  lang?: string;
}

export function parseSeverity(value: string | undefined): Severity | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase() as Severity;
  if (!SEVERITIES.includes(upper)) throw new UserError(`--severity ${value}: expected one of ${SEVERITIES.join(', ')}`, EXIT.usage);
  return upper;
}

/** With no runbook named, a person picks one from the list; a script must name it. */
async function pickRunbook(runbooksDir: string): Promise<string> {
  if (!canPrompt()) throw new UserError('no runbook given', EXIT.usage, 'Name one: sev run <runbook> (sev list shows them).');
  const entries = (await listCatalog(runbooksDir)).filter((e) => e.runbook && !e.result.diagnostics.some((d) => d.severity === 'error'));
  if (entries.length === 0) throw new UserError(`no runbooks in ${runbooksDir} or among the shipped ones`, EXIT.usage);
  const { select } = await import('@inquirer/prompts');
  return select(
    {
      message: 'Which runbook?',
      choices: entries.flatMap((e) => [
        { name: `${e.runbook!.id}${e.runbook!.lang ? ` (${e.runbook!.lang})` : ''} — ${e.runbook!.title}`, value: e.result.file },
        ...e.translations.map((t) => ({ name: `${e.runbook!.id} (${t.lang})`, value: t.file })),
      ]),
    },
    { output: process.stderr },
  );
}

export async function runCommand(ref: string | undefined, options: RunOptions): Promise<void> {
  const { runbook } = await loadRunbook(ref ?? (await pickRunbook(options.runbooks)), options.runbooks, langChoice(options.lang));
  const answers = readAnswers(options);
  const severity = parseSeverity(options.severity) ?? answers?.severity ?? runbook.severity;
  const responder = options.as || answers?.responder || loginName();
  presets(runbook, options.set);
  checkAnswers(runbook, answers);
  // A regulators file with problems is refused now, not at the regulator step in the middle of the incident.
  if (runbook.steps.some((s) => s.regulator)) loadRules(rulesFile(runbook.file, options.runbooks));

  const dir = incidentDir(options.incidentDir);
  ensureDir(dir);
  const now = new Date();
  const incident = newIncidentId(runbook.id, now);
  // Claimed before its log exists: a resume that finds the log finds its walker too.
  const claim = await Claim.take(dir, incident, responder);
  try {
    const writer = LogWriter.create(logPath(dir, incident, responder), incident, responder);
    writer.guard = () => claim.assertHeld();
    const started = writer.append('incident.started', {
      runbook: {
        id: runbook.id,
        title: runbook.title,
        ...(runbook.version ? { version: runbook.version } : {}),
        hash: runbook.hash,
        file: runbook.file,
        ...(runbook.lang ? { lang: runbook.lang } : {}),
        // The texts came from a translation: which one, so a resume shows the same and notices a change.
        ...(runbook.translation ? { translation: { ...runbook.translation, file: resolve(runbook.translation.file) } } : {}),
      },
      severity,
      responder,
      dryRun: Boolean(options.dryRun),
      host: os.hostname(),
      sevVersion: VERSION,
    });
    const c = paint(process.stderr);
    process.stderr.write(`${c.bold(`Incident ${incident}`)} · ${printable(runbook.title)} · ${severity} · ${printable(responder)}${options.dryRun ? ' · DRY RUN: nothing will be executed' : ''}\n`);
    process.stderr.write(c.dim(`Log: ${writer.path}\n`));
    await walkIncident(runbook, replay([started]), writer, { ...options, answersData: answers });
  } finally {
    claim.release();
  }
}
