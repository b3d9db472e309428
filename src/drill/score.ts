import type { IncidentEvent } from '../incident/events.js';
import { formatDuration } from '../text/duration.js';
import type { Scenario } from './scenarios/index.js';

export interface MoneyFacts {
  acknowledged: number;
  lost: string[];
  doubled: string[];
  pending: number;
  unanswered: number;
  /** The scenario's own invariant (Scenario.money), when it has one. */
  own?: { ok: boolean; detail: string };
}

export interface Timing {
  name: 'detect' | 'mitigate' | 'resolve';
  /** From the fault to the milestone; undefined when the milestone was never reached. */
  ms?: number;
  targetMs: number;
  onTarget: boolean;
}

export interface DrillScore {
  scenario: string;
  runbook: string;
  incident: string;
  outcome: string;
  fixed: { ok: boolean; detail: string };
  money: MoneyFacts & { ok: boolean };
  timings: Timing[];
  skipped: { step: string; why: string }[];
  failedCommands: { step: string; command: string }[];
  practise: string[];
  perfect: boolean;
}

const MILESTONE = { detect: 'detected', mitigate: 'mitigated', resolve: 'resolved' } as const;

/** The score of a drill from its incident log and what the demo wallet shows at the end. */
export function scoreDrill(input: {
  scenario: Scenario;
  events: IncidentEvent[];
  faultAt: number;
  fixed: { ok: boolean; detail: string };
  money: MoneyFacts;
}): DrillScore {
  const { scenario, events, faultAt } = input;
  const at = (milestone: string) => {
    const e = events.find((x) => x.type === 'milestone' && (x.data as { milestone: string }).milestone === milestone);
    if (!e) return undefined;
    return Date.parse((e.data as { at?: string }).at ?? e.time);
  };
  const timings: Timing[] = (['detect', 'mitigate', 'resolve'] as const).map((name) => {
    const t = at(MILESTONE[name]);
    const ms = t === undefined ? undefined : Math.max(0, t - faultAt);
    const targetMs = scenario.targets[name] * 60_000;
    return { name, ms, targetMs, onTarget: ms !== undefined && ms <= targetMs };
  });
  // A step whose checks failed but which the runbook goes on from (on_fail: continue) was walked, not skipped.
  const done = new Set(events.filter((e) => e.type === 'step.completed').map((e) => (e.data as { step: string }).step));
  const skipped = scenario.expected.filter((x) => !done.has(x.step));
  const failedCommands = events
    .filter((e) => e.type === 'command.finished' && !(e.data as { ok: boolean }).ok)
    .map((e) => ({ step: (e.data as { step: string }).step, command: String((e.data as { command?: string }).command ?? '') }));
  const money = {
    ...input.money,
    ok:
      input.money.lost.length === 0 &&
      input.money.doubled.length === 0 &&
      input.money.pending === 0 &&
      input.money.unanswered === 0 &&
      input.money.own?.ok !== false,
  };
  const closed = events.findLast((e) => e.type === 'incident.closed' || e.type === 'incident.paused');
  const outcome = closed?.type === 'incident.closed' ? (closed.data as { outcome: string }).outcome : closed ? 'paused' : 'not finished';

  const practise: string[] = [];
  if (!input.fixed.ok) practise.push(`Fixing the fault: ${input.fixed.detail}. Walk the mitigation branch again (${scenario.branch}).`);
  if (!money.ok) practise.push('Protecting money in flight: pause flows before mitigating, and settle pending movements before resolving.');
  for (const s of skipped) practise.push(`Step ${s.step}: ${s.why}.`);
  for (const t of timings.filter((x) => !x.onTarget))
    practise.push(
      `Time to ${t.name}: ${t.ms === undefined ? 'never reached' : formatDuration(t.ms, 'compact')}, target ${formatDuration(t.targetMs, 'compact')}.`,
    );
  for (const c of failedCommands) practise.push(`The failed command of step ${c.step}: read its output in sev timeline before going on.`);
  return {
    scenario: scenario.name,
    runbook: scenario.runbook,
    incident: events[0]?.incident ?? '',
    outcome,
    fixed: input.fixed,
    money,
    timings,
    skipped,
    failedCommands,
    practise,
    perfect:
      outcome === 'completed' &&
      input.fixed.ok &&
      money.ok &&
      skipped.length === 0 &&
      failedCommands.length === 0 &&
      timings.every((t) => t.onTarget),
  };
}

const mark = (ok: boolean) => (ok ? 'yes' : 'NO');

/** The drill report: shown at the end and written beside the incident log. */
export function drillMarkdown(score: DrillScore): string {
  const lines = [
    `# Drill report: ${score.scenario} (${score.runbook})`,
    '',
    `Incident ${score.incident}, walk ${score.outcome}. Score: ${score.perfect ? 'perfect' : 'not perfect, see what to practise'}.`,
    '',
    '| | |',
    '|---|---|',
    `| Fault fixed | ${mark(score.fixed.ok)}: ${score.fixed.detail} |`,
    `| Money right | ${mark(score.money.ok)}: ${score.money.acknowledged} payments acknowledged, ${score.money.lost.length} lost, ` +
      `${score.money.doubled.length} booked twice, ${score.money.pending} pending, ${score.money.unanswered} never answered` +
      `${score.money.own ? `; ${score.money.own.detail}` : ''} |`,
    ...score.timings.map(
      (t) =>
        `| Time to ${t.name} | ${t.ms === undefined ? 'never' : formatDuration(t.ms, 'spaced')} ` +
        `(target ${formatDuration(t.targetMs, 'spaced')}): ${mark(t.onTarget)} |`,
    ),
    `| Steps skipped | ${score.skipped.length ? score.skipped.map((s) => s.step).join(', ') : 'none'} |`,
    `| Commands failed | ${score.failedCommands.length ? score.failedCommands.map((c) => c.step).join(', ') : 'none'} |`,
    '',
    '## What to practise next',
    '',
    ...(score.practise.length
      ? score.practise.map((p) => `- ${p}`)
      : ['- Nothing from this drill: try another scenario (sev drill --list).']),
    '',
  ];
  return lines.join('\n');
}
