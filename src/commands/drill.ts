import { practice, readHistory, type HistoryEntry } from '../drill/history.js';
import { runDrill, type DrillOptions } from '../drill/run.js';
import { SCENARIOS } from '../drill/scenarios/index.js';
import { EXIT, ExitCode, UserError } from '../errors.js';
import { incidentDir } from '../incident/store.js';
import { formatDuration } from '../text/duration.js';
import { paint, write } from '../ui/output.js';
import { fittedTable, terminalWidth } from '../ui/table.js';

export interface DrillCommandOptions extends DrillOptions {
  list?: boolean;
  history?: boolean;
  responder?: string;
  json?: boolean;
}

export async function drillCommand(ref: string | undefined, options: DrillCommandOptions): Promise<void> {
  if (options.list && options.history) throw new UserError('--list and --history: give one of them', EXIT.usage);
  if (options.list) return list(ref, options);
  if (options.history) return history(ref, options);
  const score = await runDrill(ref, options);
  if (score && !score.perfect) throw new ExitCode(EXIT.findings);
}

function list(ref: string | undefined, options: DrillCommandOptions): void {
  const rows = SCENARIOS.filter((s) => !ref || s.runbook === ref).map((s) => ({
    runbook: s.runbook,
    scenario: s.name,
    branch: s.branch,
    summary: s.summary,
    targets: s.targets,
  }));
  if (options.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else for (const r of rows) process.stdout.write(`${r.runbook}  ${r.scenario}  ${r.summary} (${r.branch})\n`);
}

const minutes = (e: HistoryEntry, name: 'detect' | 'mitigate' | 'resolve') => {
  const t = e.timings.find((x) => x.name === name);
  if (!t) return '';
  return `${t.ms === undefined ? 'never' : formatDuration(t.ms, 'compact')}${t.onTarget ? '' : ' !'}`;
};

function history(ref: string | undefined, options: DrillCommandOptions): void {
  const dir = incidentDir(options.incidentDir);
  const { entries, unreadable } = readHistory(dir, { runbook: ref, responder: options.responder });
  const scenarios = SCENARIOS.filter((s) => !ref || s.runbook === ref);
  const byScenario = practice(scenarios, entries);
  for (const name of unreadable) process.stderr.write(`sev: ${name}: not a drill score sevkit wrote, left out\n`);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ drills: entries, scenarios: byScenario }, null, 2)}\n`);
    return;
  }
  const c = paint();
  const width = terminalWidth();
  const head = (h: string) => c.bold(h);
  if (entries.length === 0) write(`No drills in ${dir}${options.responder ? ` by ${options.responder}` : ''} yet.`);
  else
    write(
      fittedTable(
        [
          { head: 'when (UTC)', keep: true },
          { head: 'responder' },
          { head: 'drill', keep: true },
          { head: 'score', keep: true },
          { head: 'detect', align: 'right' },
          { head: 'mitigate', align: 'right' },
          { head: 'resolve', align: 'right' },
          { head: 'to practise', flex: true },
        ],
        entries.map((e) => [
          e.at.slice(0, 16).replace('T', ' '),
          e.responder,
          `${e.runbook}/${e.scenario}`,
          e.perfect ? 'perfect' : 'not perfect',
          minutes(e, 'detect'),
          minutes(e, 'mitigate'),
          minutes(e, 'resolve'),
          e.practise[0] ?? '',
        ]),
        { width, head },
      ),
    );
  write('');
  write(
    fittedTable(
      [{ head: 'scenario', keep: true }, { head: 'played', align: 'right' }, { head: 'perfect', align: 'right' }, { head: 'last played' }],
      byScenario.map((p) => [
        `${p.runbook}/${p.scenario}`,
        String(p.played),
        String(p.perfect),
        p.last ? `${p.last.slice(0, 10)} (${p.lastPerfect ? 'perfect' : 'not perfect'})` : 'never',
      ]),
      { width, head },
    ),
  );
}
