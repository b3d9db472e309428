import { runDrill, type DrillOptions } from '../drill/run.js';
import { SCENARIOS } from '../drill/scenarios/index.js';
import { EXIT, ExitCode } from '../errors.js';

export interface DrillCommandOptions extends DrillOptions {
  list?: boolean;
  json?: boolean;
}

export async function drillCommand(ref: string | undefined, options: DrillCommandOptions): Promise<void> {
  if (options.list) {
    const rows = SCENARIOS.filter((s) => !ref || s.runbook === ref).map((s) => ({
      runbook: s.runbook,
      scenario: s.name,
      branch: s.branch,
      summary: s.summary,
      targets: s.targets,
    }));
    if (options.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else for (const r of rows) process.stdout.write(`${r.runbook}  ${r.scenario}  ${r.summary} (${r.branch})\n`);
    return;
  }
  const score = await runDrill(ref, options);
  if (score && !score.perfect) throw new ExitCode(EXIT.findings);
}
