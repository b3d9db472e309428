import { parseDuration } from '../runbook/duration.js';
import { formatDuration } from '../text/duration.js';
import type { Milestone } from '../runbook/model.js';
import type { Anchor, Condition, DeadlineDef, DeadlineName, FactDef, NotificationDef, RegulatorRules } from './rules.js';
import { thresholdMs, type FactType } from './rules.js';
import { addWithin, parseWithin } from './within.js';

/** A fact's answer, read: a count, milliseconds, or 1/0 for yes/no; and where it came from. */
export interface FactValue {
  name: string;
  type: FactType;
  value: number;
  /** As the responder would say it: 3h, 120,000, yes. */
  text: string;
  source: 'answer' | 'milestones' | `input ${string}`;
}

const YES = new Set(['yes', 'y', 'true']);
const NO = new Set(['no', 'n', 'false']);

/** Reads an answer to a fact; a string is the reason it is not one. */
export function readFact(def: FactDef, answer: string): { value: number; text: string } | string {
  const a = answer.trim();
  switch (def.type) {
    case 'number': {
      const plain = a.replace(/[,_\s]/g, '');
      if (!/^\d+$/.test(plain)) return `"${a}" is not a count: give a whole number such as 120000`;
      const value = Number(plain);
      return { value, text: value.toLocaleString('en-US') };
    }
    case 'duration': {
      if (a === '0') return { value: 0, text: '0m' };
      const ms = thresholdMs(a) ?? parseDuration(a);
      if (ms === undefined) return `"${a}" is not a duration: give one such as 2h30m, 90m or 0m`;
      return { value: ms, text: ms === 0 ? '0m' : formatDuration(ms, 'compact') };
    }
    case 'yes-no': {
      const l = a.toLowerCase();
      if (YES.has(l)) return { value: 1, text: 'yes' };
      if (NO.has(l)) return { value: 0, text: 'no' };
      return `"${a}" is not yes or no`;
    }
  }
}

/** When each milestone happened (the time the responder gave, else the event's), as RFC 3339. */
export type MilestoneTimes = Partial<Record<Milestone, string>>;

/** A duration fact's default from the incident's own milestones: the first (else detected) to the second (else now). */
export function factDefault(def: FactDef, milestones: MilestoneTimes, now: Date): string | undefined {
  if (!def.fromMilestones) return undefined;
  const [from, to] = def.fromMilestones;
  const start = milestones[from] ?? milestones.detected;
  if (!start) return undefined;
  const end = milestones[to] ? Date.parse(milestones[to]) : now.getTime();
  const ms = Math.max(0, end - Date.parse(start));
  return ms < 60_000 ? '0m' : formatDuration(Math.floor(ms / 60_000) * 60_000, 'compact');
}

/** The facts a set of rules needs: those its conditions test, in the order the file declares them. */
export function neededFacts(rules: RegulatorRules): FactDef[] {
  const used = new Set(rules.notifications.flatMap((n) => [...n.all, ...n.any].map((c) => c.fact)));
  return rules.facts.filter((f) => used.has(f.name));
}

const OP_TEXT = { over: ['is over', 'is not over'], at_least: ['is at least', 'is under'], is: ['is', 'is'] } as const;

function holds(c: Condition, facts: ReadonlyMap<string, FactValue>): boolean | undefined {
  const fact = facts.get(c.fact);
  if (!fact) return undefined;
  if (c.op === 'over') return fact.value > c.value;
  if (c.op === 'at_least') return fact.value >= c.value;
  return fact.value === c.value;
}

function says(c: Condition, facts: ReadonlyMap<string, FactValue>, yes: boolean): string {
  const fact = facts.get(c.fact);
  const value = fact ? fact.text : 'not known';
  if (c.op === 'is') return yes ? `${c.fact} is ${c.text}` : `${c.fact} is ${value}, not ${c.text}`;
  return `${c.fact} ${value} ${OP_TEXT[c.op][yes ? 0 : 1]} ${c.text}`;
}

export interface Verdict {
  applies: boolean;
  reason: string;
}

/** Whether a notification applies to these facts, and why (or why not), in a sentence. */
export function verdict(n: NotificationDef, facts: ReadonlyMap<string, FactValue>): Verdict {
  const failedAll = n.all.find((c) => holds(c, facts) !== true);
  if (failedAll) return { applies: false, reason: says(failedAll, facts, false) };
  if (n.any.length) {
    const met = n.any.filter((c) => holds(c, facts) === true);
    if (met.length === 0) return { applies: false, reason: `none holds: ${n.any.map((c) => says(c, facts, false)).join('; ')}` };
    return { applies: true, reason: [...n.all, ...met].map((c) => says(c, facts, true)).join('; ') };
  }
  return { applies: true, reason: n.all.map((c) => says(c, facts, true)).join('; ') };
}

/** The moments deadlines count from. Classification falls back to the assessment; resolution has none until it happens. */
interface Anchors {
  awareness?: string;
  classification?: string;
  resolution?: string;
}

export function anchorsOf(milestones: MilestoneTimes, started: string | undefined, assessedAt: string): Anchors {
  return {
    awareness: milestones.detected ?? milestones['impact-started'] ?? started ?? assessedAt,
    classification: milestones.acknowledged ?? assessedAt,
    ...(milestones.resolved ? { resolution: milestones.resolved } : {}),
  };
}

interface DeadlineDue {
  name: DeadlineName;
  /** How the rules say it: "4h from classification, no later than 24h from awareness". */
  rule: string;
  /** RFC 3339 UTC; absent while what it counts from has not happened. */
  due?: string;
  /** What the deadline waits for, when it has no due time yet. */
  waitingFor?: string;
}

function ruleText(d: DeadlineDef): string {
  const base =
    d.within.text === 'immediately'
      ? `immediately on ${d.from ?? d.after}`
      : `${d.within.text} ${d.from ? `from ${d.from}` : `after the ${d.after} filing`}`;
  return d.noLaterThan ? `${base}, no later than ${d.noLaterThan.within.text} from ${d.noLaterThan.from}` : base;
}

/**
 * Each deadline's due time from the incident's own times. One that counts after an earlier filing counts
 * from that filing, or from the earlier deadline's due time while it is not filed.
 */
export function dueTimes(deadlines: readonly DeadlineDef[], anchors: Anchors, filed: ReadonlyMap<DeadlineName, string>): DeadlineDue[] {
  const out: DeadlineDue[] = [];
  for (const d of deadlines) {
    let base: string | undefined;
    let waitingFor: string | undefined;
    if (d.from) {
      base = anchors[d.from];
      if (!base) waitingFor = d.from;
    } else if (d.after) {
      base = filed.get(d.after) ?? out.find((e) => e.name === d.after)?.due;
      if (!base) waitingFor = `the ${d.after} deadline`;
    }
    let due = base ? addWithin(new Date(base), d.within).getTime() : undefined;
    if (d.noLaterThan) {
      const other = anchors[d.noLaterThan.from];
      if (other) {
        const cap = addWithin(new Date(other), d.noLaterThan.within).getTime();
        due = due === undefined ? cap : Math.min(due, cap);
      }
    }
    out.push({ name: d.name, rule: ruleText(d), ...(due !== undefined ? { due: new Date(due).toISOString() } : { waitingFor }) });
  }
  return out;
}

/** "in 3h20m", "5m ago": how long is left, or how late it is. */
export function timeLeft(due: string, now: Date): string {
  const ms = Date.parse(due) - now.getTime();
  const span = (n: number) => (n < 60_000 ? 'under a minute' : formatDuration(Math.floor(n / 60_000) * 60_000, 'compact'));
  return ms >= 0 ? `${span(ms)} left` : `overdue by ${span(-ms)}`;
}

/** How late a filing was, in milliseconds (0 when on time). */
export function lateness(due: string | undefined, at: string): number {
  if (!due) return 0;
  return Math.max(0, Date.parse(at) - Date.parse(due));
}

/** Deadlines as an assessment event recorded them, back as definitions; one that cannot be read is left out. */
export function recordedDeadlines(
  recorded: readonly { name: string; within: string; from?: string; after?: string; noLaterThan?: { within: string; from: string } }[],
): DeadlineDef[] {
  const out: DeadlineDef[] = [];
  for (const d of recorded) {
    const within = parseWithin(String(d.within ?? ''));
    if (!within) continue;
    const cap = d.noLaterThan ? parseWithin(String(d.noLaterThan.within)) : undefined;
    out.push({
      name: d.name as DeadlineName,
      within,
      ...(d.from ? { from: d.from as Anchor } : {}),
      ...(d.after ? { after: d.after as DeadlineName } : {}),
      ...(cap && d.noLaterThan ? { noLaterThan: { within: cap, from: d.noLaterThan.from as Anchor } } : {}),
    });
  }
  return out;
}
