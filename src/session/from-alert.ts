import { matchAlert, type AlertMatch } from '../alerts/match.js';
import type { Alert } from '../alerts/payload.js';
import { alertName, pickFiring, type PickedAlert } from '../alerts/pick.js';
import { readAlertPayload } from '../alerts/payload.js';
import { EXIT, UserError } from '../errors.js';
import { printable } from '../report/sanitize.js';
import { langChoice, loadRunbook } from '../runbook/catalog.js';
import { loadMatrix, matrixFile } from '../triage/matrix-file.js';
import type { AlertStart } from './alert-record.js';
import { startIncident, type StartOptions } from './start.js';

// Starting an incident from an alert, whichever command has the alert (sev run --alert, sev triage --alert,
// sev alerts): the runbook is the one named, else the one the triage matrix's alert rules give, at the rule's
// severity unless --severity says another.

export interface FromAlertOptions extends StartOptions {
  lang?: string;
  /** The triage matrix whose alert rules decide (default: the team's, else the shipped one). */
  matrix?: string;
}

/** The payload's alert to start from, read now: its arrival is the detected milestone. */
export async function readFiringAlert(file: string, index?: string): Promise<PickedAlert & AlertStart> {
  const payload = await readAlertPayload(file);
  const arrivedAt = new Date();
  return { ...pickFiring(payload, file === '-' ? 'stdin' : file, index), arrivedAt };
}

/** What the triage matrix's alert rules say of an alert, and which matrix said it. */
export function recommendForAlert(alert: Alert, runbooksDir: string, matrix?: string): { match?: AlertMatch; matrix: string } {
  const file = matrixFile(matrix, runbooksDir);
  return { match: matchAlert(loadMatrix(file).alerts, alert.labels), matrix: file };
}

export function noRuleError(alert: Alert, matrix: string): UserError {
  return new UserError(
    `no alert rule of ${printable(matrix)} holds for ${alertName(alert)}`,
    EXIT.usage,
    'Name the runbook (sev run <runbook> --alert FILE), or add a rule for it to the alerts: list of the triage matrix.',
  );
}

/** Says which alert of several was taken, and how to take another. */
export function sayPicked(picked: PickedAlert): void {
  if (picked.of > 1)
    process.stderr.write(`Alert ${picked.index} of ${picked.of} in the payload: ${alertName(picked.alert)} (another: --alert-index N)\n`);
}

export async function startFromAlert(ref: string | undefined, start: AlertStart, options: FromAlertOptions): Promise<void> {
  let runbookRef = ref;
  let severity = options.severity;
  if (runbookRef === undefined) {
    const { match, matrix } = recommendForAlert(start.alert, options.runbooks, options.matrix);
    if (!match) throw noRuleError(start.alert, matrix);
    runbookRef = match.runbook;
    severity ??= match.severity;
    process.stderr.write(
      `Alert ${alertName(start.alert)} → ${printable(match.runbook)} ${match.severity}${match.because ? ` (${printable(match.because)})` : ''}\n`,
    );
  }
  const { runbook } = await loadRunbook(runbookRef, options.runbooks, langChoice(options.lang));
  await startIncident(runbook, { ...options, severity }, start);
}
