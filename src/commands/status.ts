import Table from 'cli-table3';
import { incidentDir, summarizeIncidents, walkerSummary } from '../incident/store.js';
import { jsonSafe, oneLine } from '../report/sanitize.js';
import { paint, write } from '../ui/output.js';
import { clockLine, severityColor } from '../ui/render.js';
import { openClocks } from '../clocks/run.js';
import { formatDuration } from '../text/duration.js';
import { printLogProblems } from '../ui/warnings.js';

export interface StatusOptions {
  incidentDir?: string;
  json?: boolean;
  /** Also the closed dry runs, which are hidden otherwise: a drill done is nobody's business at 3 a.m. */
  all?: boolean;
}

/** A cell of the table: what a log says, on one line and sanitised. */
const shown = (text: string) => oneLine(text, 80);

export function statusCommand(options: StatusOptions): void {
  const dir = incidentDir(options.incidentDir);
  // One log at a time, folded as it is read: no incident's events are kept.
  const incidents = summarizeIncidents(dir);
  // Damaged logs are read anyway; what was wrong is said on stderr.
  printLogProblems(incidents.flatMap((i) => i.logs));
  const now = Date.now();
  const all = incidents.map((incident) => {
    const s = walkerSummary(incident.logs).state;
    const started = s.started ?? s.lastTime ?? '';
    const end = s.status === 'closed' ? Date.parse(s.lastTime ?? started) : now;
    return {
      id: incident.id,
      runbook: s.runbook?.id ?? '',
      severity: s.severity ?? '',
      step: s.status === 'closed' ? '' : (s.step ?? ''),
      status: s.status,
      outcome: s.outcome ?? null,
      ...(s.closeReason !== undefined ? { reason: s.closeReason } : {}),
      started,
      elapsedSeconds: started ? Math.round((end - Date.parse(started)) / 1000) : 0,
      responders: incident.logs.map((l) => l.state.responder).filter(Boolean),
      dryRun: s.dryRun,
      logs: incident.logs.map((l) => l.file),
      // Due and overdue clocks of an incident still open or paused; a closed one owes nobody a prompt.
      clocks:
        s.status === 'closed'
          ? []
          : openClocks(s, now).map((k) => ({
              clock: k.id,
              title: k.title,
              ...(k.audience ? { audience: k.audience } : {}),
              due: k.dueAt,
              dueInSeconds: Math.round(k.inMs / 1000),
              overdue: k.missed,
            })),
    };
  });
  const rows = options.all ? all : all.filter((r) => !(r.dryRun && r.status === 'closed'));
  const hidden = all.length - rows.length;
  if (options.json) {
    write(jsonSafe(JSON.stringify(rows, null, 2)));
    return;
  }
  // Said on stderr: stdout stays the table alone.
  if (hidden)
    process.stderr.write(
      `${hidden} closed dry run${hidden === 1 ? '' : 's'} not shown (sev status --all shows ${hidden === 1 ? 'it' : 'them'}).\n`,
    );
  if (rows.length === 0) {
    write(`No ${hidden ? 'other ' : ''}incidents in ${oneLine(dir, 400)}.`);
    return;
  }
  const c = paint();
  const table = new Table({
    head: ['incident', 'runbook', 'severity', 'step', 'started (UTC)', 'elapsed', 'status'].map((h) => c.bold(h)),
    style: { head: [], border: [] },
    colAligns: ['left', 'left', 'left', 'left', 'left', 'right', 'left'],
  });
  for (const r of rows) {
    const status =
      r.status === 'open' ? c.green('open') : r.status === 'paused' ? c.yellow('paused') : c.dim(`closed (${shown(String(r.outcome))})`);
    table.push([
      shown(r.id),
      shown(r.runbook),
      severityColor(shown(r.severity), c),
      shown(r.step),
      r.started.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      formatDuration(r.elapsedSeconds * 1000, 'clock'),
      status + (r.dryRun ? c.dim(' dry run') : ''),
    ]);
  }
  write(table.toString());
  const clocks = rows.filter((r) => r.clocks.length);
  if (clocks.length === 0) return;
  const lines = ['', c.bold('Clocks due:')];
  for (const r of clocks) {
    lines.push(`  ${shown(r.id)}`);
    for (const k of r.clocks)
      lines.push(`  ${clockLine({ id: k.clock, title: shown(k.title), dueAt: k.due, inMs: k.dueInSeconds * 1000 }, c)}`);
  }
  write(lines.join('\n'));
}
