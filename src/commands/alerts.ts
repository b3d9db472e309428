import { alertmanagerUrl, fetchAlerts, type ApiAlert } from '../alerts/api.js';
import { matchAlert, type AlertRule } from '../alerts/match.js';
import { alertTime } from '../alerts/milestones.js';
import { readAlertRules } from '../alerts/rules-file.js';
import { EXIT, UserError } from '../errors.js';
import type { WebhookPayload } from '../alerts/payload.js';
import { canPrompt } from '../session/drive.js';
import type { FromAlertOptions } from '../session/from-alert.js';
import { loadMatrix, matrixFile } from '../triage/matrix-file.js';
import { shellWord } from '../text/shell-word.js';
import { isPromptCancel } from '../ui/prompt-cancel.js';
import { jsonSafe, oneLine } from '../report/sanitize.js';
import { paint, write } from '../ui/output.js';
import { severityColor } from '../ui/render.js';
import { fittedTable, terminalWidth } from '../ui/table.js';

export interface AlertsOptions extends FromAlertOptions {
  alertmanager?: string;
  rules?: string;
  payload?: string;
  json?: boolean;
  all?: boolean;
  timeout?: string;
}

/** A cell: labels and annotations can hold anything, escape sequences too. */
const shown = (text: string | undefined, max = 60) => oneLine(text ?? '', max);

export async function alertsCommand(options: AlertsOptions): Promise<void> {
  if (!options.alertmanager)
    throw new UserError('sev alerts needs --alertmanager URL (the Alertmanager to ask, such as http://localhost:9093)');
  const timeoutMs = options.timeout === undefined ? undefined : seconds(options.timeout) * 1000;
  // The rules are read before Alertmanager is asked: a bad rules file or matrix fails at once.
  const rules: AlertRule[] =
    options.rules === undefined ? loadMatrix(matrixFile(options.matrix, options.runbooks)).alerts : readAlertRules(options.rules);
  const alerts = (await fetchAlerts(options.alertmanager, { timeoutMs, suppressed: options.all })).sort((a, b) =>
    (alertTime(a.startsAt) ?? '').localeCompare(alertTime(b.startsAt) ?? ''),
  );
  if (options.payload !== undefined) {
    write(JSON.stringify(payloadOf(alerts, options.payload, alertmanagerUrl(options.alertmanager).shown), null, 2));
    return;
  }
  const rows = alerts.map((alert) => row(alert, rules));
  if (options.json) {
    write(jsonSafe(JSON.stringify(rows, null, 2)));
    return;
  }
  if (rows.length === 0) {
    write(`No firing alerts${options.all ? '' : ' (not counting silenced or inhibited ones: --all)'}.`);
    return;
  }
  const c = paint();
  const columns = [
    { head: 'alert' },
    { head: 'severity' },
    { head: 'started (UTC)' },
    { head: 'summary', flex: true },
    { head: 'runbook' },
  ];
  const cells = rows.map((r) => {
    const name = shown(r.alertname, 40) + (r.state === 'active' ? '' : c.dim(` (${shown(r.state, 20)})`));
    const started = r.startsAt ? r.startsAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
    const runbook = r.match ? `${shown(r.match.runbook, 40)} ${severityColor(r.match.severity, c)}` : c.dim('no rule');
    return [name, shown(r.severity, 20), started, shown(r.summary, 70), runbook];
  });
  write(fittedTable(columns, cells, { width: terminalWidth(), head: (h) => c.bold(h) }));
  await offerStart(alerts, rules, options);
}

/**
 * At a terminal, the responder may start an incident from one of the alerts, through the session layer as
 * sev run --alert does; without one, the command lines that do it are printed.
 */
async function offerStart(alerts: ApiAlert[], rules: AlertRule[], options: AlertsOptions): Promise<void> {
  const matched = alerts.map((alert) => ({ alert, match: matchAlert(rules, alert.labels) })).filter((a) => a.match && a.alert.fingerprint);
  if (matched.length === 0) return;
  if (!canPrompt()) {
    const am = shellWord(alertmanagerUrl(options.alertmanager!).shown);
    write('\nStart from one:');
    for (const { alert, match } of matched)
      write(
        `  sev alerts --alertmanager ${am} --payload ${shellWord(alert.fingerprint!)} | sev run ${shellWord(match!.runbook)} --alert -`,
      );
    return;
  }
  const { select } = await import('@inquirer/prompts');
  let picked: ApiAlert | undefined;
  try {
    picked = await select<ApiAlert | undefined>(
      {
        message: 'Start an incident from one of them?',
        choices: [
          ...matched.map(({ alert, match }) => ({
            name: `${shown(alert.labels.alertname, 40)} → ${shown(match!.runbook, 40)} ${match!.severity}`,
            value: alert,
          })),
          { name: 'No', value: undefined },
        ],
      },
      { output: process.stderr },
    );
  } catch (error) {
    if (isPromptCancel(error)) throw new UserError('interrupted', EXIT.interrupted);
    throw error;
  }
  if (!picked) return;
  const match = matchAlert(rules, picked.labels)!;
  const { startFromAlert } = await import('../session/from-alert.js');
  await startFromAlert(
    match.runbook,
    { alert: picked, arrivedAt: new Date() },
    { ...options, severity: options.severity ?? match.severity },
  );
}

/** One alert of the list as the webhook payload Alertmanager would send for it: what sev run --alert reads. */
function payloadOf(alerts: ApiAlert[], fingerprint: string, externalURL: string): WebhookPayload {
  const alert = alerts.find((a) => a.fingerprint === fingerprint);
  if (!alert)
    throw new UserError(
      `--payload ${shown(fingerprint, 40)}: no firing alert of that fingerprint (sev alerts --json lists them)`,
      EXIT.usage,
    );
  const { labels, annotations, startsAt, endsAt, generatorURL } = alert;
  return {
    version: '4',
    status: 'firing',
    receiver: 'sev alerts',
    groupLabels: {},
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL,
    alerts: [
      {
        status: 'firing',
        labels,
        annotations,
        startsAt,
        ...(endsAt ? { endsAt } : {}),
        ...(generatorURL ? { generatorURL } : {}),
        fingerprint,
      },
    ],
  };
}

function row(alert: ApiAlert, rules: AlertRule[]) {
  return {
    alertname: alert.labels.alertname ?? '',
    severity: alert.labels.severity ?? '',
    startsAt: alertTime(alert.startsAt) ?? '',
    summary: alert.annotations.summary ?? alert.annotations.description ?? '',
    state: alert.state,
    fingerprint: alert.fingerprint ?? '',
    match: matchAlert(rules, alert.labels) ?? null,
    labels: alert.labels,
    annotations: alert.annotations,
    generatorURL: alert.generatorURL ?? '',
    silencedBy: alert.silencedBy,
    inhibitedBy: alert.inhibitedBy,
  };
}

function seconds(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > 600)
    throw new UserError(`--timeout ${oneLine(text, 40)}: expected a number of seconds, above 0 and at most 600`);
  return n;
}
