import Table from 'cli-table3';
import type { LogRead } from '../incident/read.js';
import { incidentDir, listIncidents, stateOf, walkerLog } from '../incident/store.js';
import { paint, write } from '../ui/output.js';
import { clock, severityColor } from '../ui/render.js';

export interface StatusOptions {
  incidentDir?: string;
  json?: boolean;
}

/** Damaged logs are read anyway; what was wrong is said on stderr. */
export function reportProblems(logs: LogRead[]): void {
  const c = paint(process.stderr);
  for (const log of logs) {
    for (const p of log.problems) {
      if (p.kind === 'unknown-type') continue;
      process.stderr.write(c.yellow(`warning: ${log.file}:${p.line}: ${p.message}\n`));
    }
  }
}

export async function statusCommand(options: StatusOptions): Promise<void> {
  const dir = incidentDir(options.incidentDir);
  const incidents = listIncidents(dir);
  reportProblems(incidents.flatMap((i) => i.logs));
  const now = Date.now();
  const rows = incidents.map((incident) => {
    const log = walkerLog(incident);
    const s = stateOf(log);
    const started = s.started ?? s.lastTime ?? '';
    const end = s.status === 'closed' ? Date.parse(s.lastTime ?? started) : now;
    return {
      id: incident.id,
      runbook: s.runbook?.id ?? '',
      severity: s.severity ?? '',
      step: s.status === 'closed' ? '' : (s.step ?? ''),
      status: s.status,
      outcome: s.outcome ?? null,
      started,
      elapsedSeconds: started ? Math.round((end - Date.parse(started)) / 1000) : 0,
      responders: incident.logs.map((l) => stateOf(l).responder).filter(Boolean),
      dryRun: s.dryRun,
      logs: incident.logs.map((l) => l.file),
    };
  });
  if (options.json) {
    write(JSON.stringify(rows, null, 2));
    return;
  }
  if (rows.length === 0) {
    write(`No incidents in ${dir}.`);
    return;
  }
  const c = paint();
  const table = new Table({
    head: ['incident', 'runbook', 'severity', 'step', 'started (UTC)', 'elapsed', 'status'].map((h) => c.bold(h)),
    style: { head: [], border: [] },
    colAligns: ['left', 'left', 'left', 'left', 'left', 'right', 'left'],
  });
  for (const r of rows) {
    const status = r.status === 'open' ? c.green('open') : r.status === 'paused' ? c.yellow('paused') : c.dim(`closed (${r.outcome})`);
    table.push([r.id, r.runbook, severityColor(r.severity, c), r.step, r.started.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), clock(r.elapsedSeconds * 1000), status + (r.dryRun ? c.dim(' dry run') : '')]);
  }
  write(table.toString());
}
