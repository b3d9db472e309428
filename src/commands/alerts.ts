import { fetchAlerts, type ApiAlert } from '../alerts/api.js';
import { matchAlert, type AlertRule } from '../alerts/match.js';
import { alertTime } from '../alerts/milestones.js';
import { readAlertRules } from '../alerts/rules-file.js';
import { UserError } from '../errors.js';
import { jsonSafe, oneLine } from '../report/sanitize.js';
import { paint, write } from '../ui/output.js';
import { severityColor } from '../ui/render.js';
import { fittedTable, terminalWidth } from '../ui/table.js';

export interface AlertsOptions {
  alertmanager?: string;
  rules?: string;
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
  // The rules are read before Alertmanager is asked: a bad rules file fails at once.
  const rules: AlertRule[] | undefined = options.rules === undefined ? undefined : readAlertRules(options.rules);
  const alerts = (await fetchAlerts(options.alertmanager, { timeoutMs, suppressed: options.all })).sort((a, b) =>
    (alertTime(a.startsAt) ?? '').localeCompare(alertTime(b.startsAt) ?? ''),
  );
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
  const columns = [{ head: 'alert' }, { head: 'severity' }, { head: 'started (UTC)' }, { head: 'summary', flex: true }, ...(rules ? [{ head: 'runbook' }] : [])];
  const cells = rows.map((r) => {
    const name = shown(r.alertname, 40) + (r.state === 'active' ? '' : c.dim(` (${shown(r.state, 20)})`));
    const started = r.startsAt ? r.startsAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
    const runbook = r.match ? `${shown(r.match.runbook, 40)} ${severityColor(r.match.severity, c)}` : c.dim('no rule');
    return [name, shown(r.severity, 20), started, shown(r.summary, 70), ...(rules ? [runbook] : [])];
  });
  write(fittedTable(columns, cells, { width: terminalWidth(), head: (h) => c.bold(h) }));
}

function row(alert: ApiAlert, rules: AlertRule[] | undefined) {
  return {
    alertname: alert.labels.alertname ?? '',
    severity: alert.labels.severity ?? '',
    startsAt: alertTime(alert.startsAt) ?? '',
    summary: alert.annotations.summary ?? alert.annotations.description ?? '',
    state: alert.state,
    fingerprint: alert.fingerprint ?? '',
    ...(rules ? { match: matchAlert(rules, alert.labels) ?? null } : {}),
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
