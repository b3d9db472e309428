import { EXIT, UserError } from '../errors.js';
import { langChoice, listCatalog, loadRunbook } from '../runbook/catalog.js';
import { canPrompt } from '../session/drive.js';
import { startIncident, type StartOptions } from '../session/start.js';

export interface RunOptions extends StartOptions {
  lang?: string;
  /** An Alertmanager webhook payload (a file, or - for stdin) to start from. */
  alert?: string;
  alertIndex?: string;
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
  if (options.alert !== undefined) {
    // Loaded only for a run from an alert: a plain run stays as quick to start as it was.
    const { readFiringAlert, sayPicked, startFromAlert } = await import('../session/from-alert.js');
    const picked = await readFiringAlert(options.alert, options.alertIndex);
    sayPicked(picked);
    await startFromAlert(ref, picked, options);
    return;
  }
  const { runbook } = await loadRunbook(ref ?? (await pickRunbook(options.runbooks)), options.runbooks, langChoice(options.lang));
  await startIncident(runbook, options);
}
