import { rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { EXIT, ExitCode, UserError } from '../errors.js';
import { readLog } from '../incident/read.js';
import { ensureDir, incidentDir } from '../incident/store.js';
import { loadRunbook } from '../runbook/catalog.js';
import { startIncident, type StartOptions } from '../session/start.js';
import { writeHistoryEntry } from './history.js';
import { cleanLeftovers, stateFile } from './leftovers.js';
import { findScenario, SCENARIOS, type Scenario } from './scenarios/index.js';
import { drillMarkdown, scoreDrill, type DrillScore, type MoneyFacts } from './score.js';
import { seeded } from './traffic.js';
import { DemoWallet } from './wallet.js';

export interface DrillOptions extends StartOptions {
  scenario?: string;
  seed?: string;
  /** A scenario picked by the seed, of the runbook when one is named: the responder learns the fault from the pager. */
  random?: boolean;
}

export function pickScenario(runbook: string | undefined, name: string | undefined, random?: () => number): Scenario {
  if (random) {
    if (name) throw new UserError('--random and --scenario: give one of them', EXIT.usage);
    const candidates = SCENARIOS.filter((s) => !runbook || s.runbook === runbook);
    if (candidates.length) return candidates[Math.floor(random() * candidates.length)]!;
  }
  const scenario = findScenario(runbook, name);
  if (scenario) return scenario;
  const known = SCENARIOS.map((s) => `${s.runbook}/${s.name}`).join(', ');
  if (!runbook && !name)
    throw new UserError('no runbook given', EXIT.usage, `Name one: sev drill <runbook> (sev drill --list shows the scenarios: ${known}).`);
  throw new UserError(
    `no drill scenario${name ? ` "${name}"` : ''}${runbook ? ` for runbook ${runbook}` : ''} yet`,
    EXIT.usage,
    `sev drill --list shows the scenarios: ${known}.`,
  );
}

function parseSeed(value: string | undefined): number {
  if (value === undefined) return Math.floor(Math.random() * 2 ** 31);
  if (!/^\d{1,10}$/.test(value)) throw new UserError(`--seed ${value}: expected a whole number`, EXIT.usage);
  return Number(value);
}

/** Variables set for the run only: the stand-ins' PATH and where they reach the wallet; put back afterwards. */
function withEnv(values: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  Object.assign(process.env, values);
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/**
 * A drill: cleans up what a killed drill left, starts the demo wallet, injects the scenario's fault, shows the
 * page, walks the runbook as a normal incident marked as a drill, and scores it. The wallet is stopped at the
 * end, whatever happened, also after Ctrl-C.
 */
export async function runDrill(ref: string | undefined, options: DrillOptions): Promise<DrillScore | undefined> {
  const seed = parseSeed(options.seed);
  const scenario = pickScenario(ref, options.scenario, options.random ? seeded(seed) : undefined);
  const { runbook } = await loadRunbook(scenario.runbook, options.runbooks);
  const dir = incidentDir(options.incidentDir);
  ensureDir(dir);
  const stopped = await cleanLeftovers(dir);
  if (stopped.length) process.stderr.write(`Stopped what an earlier drill left running: ${stopped.join(', ')}\n`);

  // Until the walk takes Ctrl-C over (it pauses the incident), a signal ends the drill after the clean-up below.
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (name: NodeJS.Signals) => (signalled ??= name);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  const wallet = new DemoWallet(dir, seed);
  try {
    const what = options.random ? `of ${scenario.runbook}, a scenario picked at random` : `${scenario.name} (${scenario.runbook})`;
    process.stderr.write(`Drill ${what}, seed ${seed}: starting the demo wallet…\n`);
    await wallet.start();
    process.stderr.write(`Demo wallet: API ${wallet.apiUrl}, admin API ${wallet.adminUrl}, ledger ${wallet.db}; payments flowing.\n`);
    if (signalled) throw new ExitCode(EXIT.interrupted);
    // A moment of healthy traffic first, so the fault cuts payments in flight.
    await new Promise((r) => setTimeout(r, 1000));
    const faultAt = Date.now();
    await scenario.inject(wallet);
    process.stderr.write(`\nThe pager:\n${scenario.pager(wallet).replace(/^/gm, '  ')}\n\n`);
    if (signalled) throw new ExitCode(EXIT.interrupted);

    // The runbook's own inputs are answered before the first step: those the scenario does not point at the demo
    // wallet take their defaults, so the drill starts at the page, not at a dozen questions about a host it has not.
    const own = scenario.inputs(wallet);
    const defaults = runbook.inputs.filter((i) => i.default !== undefined && !(i.name in own)).map((i) => `${i.name}=${i.default}`);
    const sets = [...defaults, ...Object.entries(own).map(([k, v]) => `${k}=${v}`), ...(options.set ?? [])];
    let log: string | undefined;
    let walkError: Error | undefined;
    const restore = withEnv(wallet.toolEnv());
    try {
      await startIncident(runbook, {
        ...options,
        set: sets,
        drill: { scenario: scenario.name, seed },
        onStarted: (_id, path) => (log = path),
      });
    } catch (error) {
      walkError = error as Error;
    } finally {
      restore();
    }
    const interrupted = walkError instanceof ExitCode && walkError.exitCode !== EXIT.findings;
    if (!log || interrupted || signalled) throw walkError ?? new ExitCode(EXIT.interrupted);

    const fixed = await scenario.fixed(wallet);
    const money: MoneyFacts = { ...(await wallet.money()), own: await scenario.money?.(wallet) };
    const { events } = readLog(log);
    const score = scoreDrill({ scenario, events, faultAt, fixed, money });
    const markdown = drillMarkdown(score);
    const base = log.replace(/\.jsonl$/, '');
    const report = `${base}.drill-report.md`;
    writeFileSync(report, markdown);
    writeHistoryEntry(base, { ...score, seed, responder: events[0]?.actor ?? '', at: new Date(faultAt).toISOString() });
    process.stdout.write(`\n${markdown}\nDrill report: ${report}\n`);
    if (walkError) throw walkError;
    return score;
  } finally {
    await wallet.stop();
    rmSync(dirname(stateFile(dir)), { recursive: true, force: true });
    for (const s of signals) process.off(s, onSignal);
  }
}
