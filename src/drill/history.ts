import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from './scenarios/index.js';
import type { DrillScore } from './score.js';

/** One drill played: its score, who played it, when the fault struck, and the seed to play it again. */
export interface HistoryEntry extends DrillScore {
  seed: number;
  responder: string;
  at: string;
}

const SUFFIX = '.drill-score.json';

/** Written beside the incident log and its report, so the history is the incident directory itself. */
export function writeHistoryEntry(logBase: string, entry: HistoryEntry): void {
  writeFileSync(`${logBase}${SUFFIX}`, `${JSON.stringify(entry, null, 2)}\n`);
}

const isEntry = (v: unknown): v is HistoryEntry =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as HistoryEntry).scenario === 'string' &&
  typeof (v as HistoryEntry).at === 'string' &&
  typeof (v as HistoryEntry).perfect === 'boolean';

/**
 * The drills of an incident directory, oldest first, of one runbook or responder when asked. A score file
 * that cannot be read is reported by name, not a reason to show no history.
 */
export function readHistory(
  dir: string,
  only: { runbook?: string; responder?: string } = {},
): { entries: HistoryEntry[]; unreadable: string[] } {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(SUFFIX));
  } catch {
    return { entries: [], unreadable: [] };
  }
  const entries: HistoryEntry[] = [];
  const unreadable: string[] = [];
  for (const name of names) {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    } catch {
      value = undefined;
    }
    if (!isEntry(value)) {
      unreadable.push(name);
      continue;
    }
    if (only.runbook && value.runbook !== only.runbook) continue;
    if (only.responder && value.responder !== only.responder) continue;
    entries.push(value);
  }
  entries.sort((a, b) => a.at.localeCompare(b.at));
  return { entries, unreadable };
}

export interface ScenarioPractice {
  runbook: string;
  scenario: string;
  played: number;
  perfect: number;
  /** When it was last played; undefined: never. */
  last?: string;
  lastPerfect?: boolean;
}

/** Each scenario with how often it was played and how the last one went: what the team has not practised shows. */
export function practice(scenarios: readonly Scenario[], entries: readonly HistoryEntry[]): ScenarioPractice[] {
  return scenarios.map((s) => {
    const mine = entries.filter((e) => e.runbook === s.runbook && e.scenario === s.name);
    const last = mine.at(-1);
    return {
      runbook: s.runbook,
      scenario: s.name,
      played: mine.length,
      perfect: mine.filter((e) => e.perfect).length,
      ...(last ? { last: last.at, lastPerfect: last.perfect } : {}),
    };
  });
}
