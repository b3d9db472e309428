import type { Milestone, Severity } from '../runbook/model.js';
import type { Path } from '../runbook/source.js';
import { parseWithin } from '../regulator/within.js';
import { formatDuration } from '../text/duration.js';

/**
 * A clock: a promise with a deadline. It starts at an event, falls due after a length of time, may
 * repeat while a condition holds, ends at an event, and is met by an event. Declared in a runbook
 * (`clocks:`) and in the team policy (runbooks/policy.yaml); built leniently like the runbook: a value
 * of the wrong shape is left out (the schema reports it).
 */
export type Trigger =
  | { kind: 'milestone'; milestone: Milestone; afterMs?: number }
  | { kind: 'severity'; severity: Severity }
  | { kind: 'announcement'; audience: string }
  | { kind: 'step'; step: string }
  | { kind: 'filing'; deadline: string; notification?: string }
  | { kind: 'notification'; notification: string }
  | { kind: 'input'; input: string; above: number; aboveIsTime: boolean };

export interface ClockDef {
  id: string;
  title: string;
  audience?: string;
  starts: Trigger;
  dueMs: number;
  /** Due is counted from this milestone, when it has happened, instead of from the start. */
  countedFrom?: Milestone;
  repeatMs?: number;
  while?: Trigger;
  until?: Trigger;
  /** Never undefined: without met_by, an announcement to the audience. */
  metBy?: Trigger;
  note?: string;
  path: Path;
}

/** The names a clock may use, handed in by the runbook model (which owns them) so no module imports back. */
export interface Vocabulary {
  severities: ReadonlySet<string>;
  milestones: ReadonlySet<string>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A clock's length of time (30m, 2h, 15d) in milliseconds; undefined when malformed, zero or in months. */
export function clockMs(text: unknown): number | undefined {
  const within = typeof text === 'string' && text !== 'immediately' ? parseWithin(text) : undefined;
  return within && within.months === 0 && within.ms > 0 ? within.ms : undefined;
}

function trigger(v: unknown, words: Vocabulary): Trigger | undefined {
  if (!isObj(v)) return undefined;
  if (typeof v.milestone === 'string' && words.milestones.has(v.milestone)) {
    const afterMs = clockMs(v.after);
    return { kind: 'milestone', milestone: v.milestone as Milestone, ...(afterMs ? { afterMs } : {}) };
  }
  if (typeof v.severity === 'string' && words.severities.has(v.severity)) return { kind: 'severity', severity: v.severity as Severity };
  if (typeof v.announcement === 'string') return { kind: 'announcement', audience: v.announcement };
  if (typeof v.step === 'string') return { kind: 'step', step: v.step };
  if (typeof v.filing === 'string')
    return { kind: 'filing', deadline: v.filing, ...(str(v.notification) ? { notification: str(v.notification) } : {}) };
  if (typeof v.notification === 'string') return { kind: 'notification', notification: v.notification };
  if (typeof v.input === 'string') {
    if (typeof v.above === 'number') return { kind: 'input', input: v.input, above: v.above, aboveIsTime: false };
    const ms = clockMs(v.above);
    if (ms !== undefined) return { kind: 'input', input: v.input, above: ms, aboveIsTime: true };
  }
  return undefined;
}

/** The clocks of a `clocks:` list; `at` is the list's path in its file. */
export function buildClocks(raw: unknown, at: Path, words: Vocabulary): ClockDef[] {
  if (!Array.isArray(raw)) return [];
  const clocks: ClockDef[] = [];
  raw.forEach((v, i) => {
    if (!isObj(v) || typeof v.id !== 'string') return;
    const starts = trigger(v.starts, words);
    const dueMs = clockMs(v.due);
    if (!starts || dueMs === undefined) return;
    const audience = str(v.audience);
    const metBy = trigger(v.met_by, words) ?? (audience ? { kind: 'announcement' as const, audience } : undefined);
    const repeatMs = clockMs(v.repeat);
    const whileCondition = trigger(v.while, words);
    const until = trigger(v.until, words);
    const countedFrom =
      typeof v.counted_from === 'string' && words.milestones.has(v.counted_from) ? (v.counted_from as Milestone) : undefined;
    clocks.push({
      id: v.id,
      title: str(v.title) ?? v.id,
      ...(audience ? { audience } : {}),
      starts,
      dueMs,
      ...(countedFrom ? { countedFrom } : {}),
      ...(repeatMs ? { repeatMs } : {}),
      ...(whileCondition ? { while: whileCondition } : {}),
      ...(until ? { until } : {}),
      ...(metBy ? { metBy } : {}),
      ...(str(v.note) ? { note: str(v.note) } : {}),
      path: [...at, i],
    });
  });
  return clocks;
}

/**
 * The clocks an incident keeps: the runbook's, then the policy's that the runbook does not replace. A
 * runbook clock with the id of a policy clock replaces it whole (a cadence merged field by field from two
 * files would be nobody's promise).
 */
export function mergeClocks(policy: readonly ClockDef[], runbook: readonly ClockDef[]): ClockDef[] {
  const own = new Set(runbook.map((c) => c.id));
  return [...runbook, ...policy.filter((c) => !own.has(c.id))];
}

/** A trigger as a few words, for a clock.met's `by` and for reports: "announcement to users". */
export function describeTrigger(t: Trigger): string {
  switch (t.kind) {
    case 'milestone':
      return t.afterMs ? `${formatDuration(t.afterMs, 'compact')} after ${t.milestone}` : `milestone ${t.milestone}`;
    case 'severity':
      return `severity ${t.severity} or above`;
    case 'announcement':
      return `announcement to ${t.audience}`;
    case 'step':
      return `step ${t.step}`;
    case 'filing':
      return `${t.deadline} filing${t.notification ? ` of ${t.notification}` : ''}`;
    case 'notification':
      return `${t.notification} applies`;
    case 'input':
      return `${t.input} over ${t.above}`;
  }
}
