import { foldClockEvent, type ClockEvent, type ClockState } from '../incident/clock-state.js';
import type { AnyEvent, IncidentEvent } from '../incident/events.js';
import type { IncidentState } from '../incident/replay.js';
import type { Severity } from '../runbook/model.js';
import { parseWithin } from '../regulator/within.js';
import { describeTrigger, type ClockDef, type Trigger } from './model.js';

/**
 * What the clocks need of an incident: the fold of its log. Pure: no I/O, and no clock is read; `now`
 * is handed in. Each function works on a copy of the clocks and folds what it emits into the copy with
 * the fold replay uses, so what it returns is what replay will say once the walk writes it.
 */
export type ClockedState = Pick<IncidentState, 'milestones' | 'severity' | 'inputs' | 'clocks'>;

interface Run {
  state: ClockedState;
  out: ClockEvent[];
  emit(event: ClockEvent): void;
}

function run(state: ClockedState): Run {
  const clocks = new Map<string, ClockState>();
  for (const [id, c] of state.clocks) clocks.set(id, { ...c, ...(c.open ? { open: { ...c.open } } : {}) });
  const copy = { ...state, clocks };
  const out: ClockEvent[] = [];
  return {
    state: copy,
    out,
    emit(event) {
      foldClockEvent(clocks, event);
      out.push(event);
    },
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
const rank = (s: Severity) => Number(s.slice(3));

/** When an event really happened: the time a responder gave for a milestone or a filing, else its own. */
function happenedAt(event: IncidentEvent): number {
  const own = Date.parse(event.time);
  const e = event as AnyEvent;
  const given = e.type === 'milestone' || e.type === 'regulator.filed' ? Date.parse(e.data.at ?? '') : NaN;
  return Number.isNaN(given) ? own : given;
}

function milestoneMs(state: ClockedState, milestone: string): number | undefined {
  const m = state.milestones.get(milestone as never);
  if (!m) return undefined;
  const at = Date.parse(m.at ?? '');
  return Number.isNaN(at) ? Date.parse(m.time) : at;
}

/** Whether this one event is the trigger (an edge: an announcement, a step done, a filing…). */
function happens(t: Trigger, event: IncidentEvent): boolean {
  const e = event as AnyEvent;
  switch (t.kind) {
    case 'milestone':
      return e.type === 'milestone' && e.data.milestone === t.milestone;
    case 'announcement':
      return e.type === 'announcement' && e.data.audience === t.audience;
    case 'step':
      return e.type === 'step.completed' && e.data.step === t.step && e.data.result === 'done';
    case 'filing':
      return (
        e.type === 'regulator.filed' &&
        e.data.deadline === t.deadline &&
        (t.notification === undefined || e.data.notification === t.notification)
      );
    case 'notification':
      return e.type === 'regulator.assessed' && e.data.notifications.some((n) => n.id === t.notification && n.applies);
    default:
      return false;
  }
}

/** An input's value as a number: a count (100,000 and 100000 alike) or a length of time in ms. */
function inputValue(t: Extract<Trigger, { kind: 'input' }>, state: ClockedState, event?: IncidentEvent): number | undefined {
  const e = event as AnyEvent | undefined;
  const text = state.inputs[t.input] ?? (e?.type === 'regulator.assessed' ? e.data.facts[t.input]?.value : undefined);
  if (text === undefined) return undefined;
  if (t.aboveIsTime) return parseWithin(text.trim())?.ms;
  const n = Number(text.replace(/[,_\s]/g, ''));
  return text.trim() === '' || Number.isNaN(n) ? undefined : n;
}

/** Whether a condition holds now (a level: a severity, an input over a threshold, a milestone passed). */
function holds(t: Trigger | undefined, state: ClockedState, event?: IncidentEvent): boolean {
  if (!t) return true;
  switch (t.kind) {
    case 'severity':
      return state.severity !== undefined && rank(state.severity) <= rank(t.severity);
    case 'input': {
      const value = inputValue(t, state, event);
      return value !== undefined && value > t.above;
    }
    case 'milestone':
      return milestoneMs(state, t.milestone) !== undefined;
    default:
      return event !== undefined && happens(t, event);
  }
}

const isTimed = (def: ClockDef) => def.starts.kind === 'milestone' && def.starts.afterMs !== undefined;

function dueFrom(def: ClockDef, state: ClockedState, start: number): number {
  const from = def.countedFrom ? milestoneMs(state, def.countedFrom) : undefined;
  return (from ?? start) + def.dueMs;
}

function start(def: ClockDef, r: Run, at: number, dueMs: number): void {
  r.emit({
    type: 'clock.started',
    data: { clock: def.id, title: def.title, ...(def.audience ? { audience: def.audience } : {}), at: iso(at), due: iso(dueMs) },
  });
}

/**
 * What the passing of time brings up to `until`, in order: a clock that starts so long after a milestone,
 * and an open clock passing its due time unmet.
 */
function tick(defs: readonly ClockDef[], r: Run, until: number): void {
  // Each pass emits the earliest thing due; a clock starts and is missed at most once per pass.
  for (let pass = 0; pass < defs.length * 2 + 1; pass++) {
    let next: { at: number; act: () => void } | undefined;
    for (const def of defs) {
      const c = r.state.clocks.get(def.id);
      if (c?.stopped) continue;
      if (c?.open && !c.open.missed) {
        const due = Date.parse(c.open.due);
        if (due <= until && (!next || due < next.at))
          next = { at: due, act: () => r.emit({ type: 'clock.missed', data: { clock: def.id, due: c.open!.due } }) };
      }
      if (!c?.instances && isTimed(def) && def.starts.kind === 'milestone') {
        const base = milestoneMs(r.state, def.starts.milestone);
        const at = base === undefined ? undefined : base + def.starts.afterMs!;
        if (at !== undefined && at <= until && holds(def.while, r.state) && (!next || at < next.at)) {
          next = { at, act: () => start(def, r, at, dueFrom(def, r.state, at)) };
        }
      }
    }
    if (!next) return;
    next.act();
  }
}

/**
 * The clock events that follow from one incident event, in the order the walk writes them right after
 * it: first what time brought before the event (misses, timed starts), then clocks the event meets (and
 * their next round, when they repeat), ends and starts, then what is due by `now`. `state` is the fold of
 * the log including `event`.
 */
export function clockEvents(defs: readonly ClockDef[], state: ClockedState, event: IncidentEvent, now: number): ClockEvent[] {
  if (event.type.startsWith('clock.')) return [];
  const r = run(state);
  const t = Math.min(happenedAt(event), now);
  tick(defs, r, t);
  for (const def of defs) {
    const before = r.state.clocks.get(def.id);
    if (before?.stopped) continue;
    if (before?.open && def.metBy && happens(def.metBy, event)) {
      const due = Date.parse(before.open.due);
      r.emit({
        type: 'clock.met',
        data: { clock: def.id, by: describeTrigger(def.metBy), at: iso(t), due: before.open.due, ...(t > due ? { lateMs: t - due } : {}) },
      });
      if (def.repeatMs && holds(def.while, r.state, event) && !(def.until && happens(def.until, event))) start(def, r, t, t + def.repeatMs);
    }
    if (def.until && happens(def.until, event)) {
      r.emit({ type: 'clock.stopped', data: { clock: def.id, by: describeTrigger(def.until), at: iso(t) } });
      continue;
    }
    const c = r.state.clocks.get(def.id);
    const mayStart = !c?.open && (!c?.instances || def.repeatMs !== undefined) && !isTimed(def);
    if (mayStart && holds(def.starts, r.state, event) && holds(def.while, r.state, event)) start(def, r, t, dueFrom(def, r.state, t));
  }
  tick(defs, r, now);
  return r.out;
}

/**
 * The clock events that the passing of time alone brings by `now`: `clock.missed` for each open clock
 * past its due time and not yet marked missed, and `clock.started` for a clock that starts so long after
 * a milestone (interruption over 2h) when that moment has come. The walk calls it between events.
 */
export function overdue(defs: readonly ClockDef[], state: ClockedState, now: number): ClockEvent[] {
  const r = run(state);
  tick(defs, r, now);
  return r.out;
}

export interface DueClock {
  id: string;
  title: string;
  audience?: string;
  /** RFC 3339, UTC. */
  dueAt: string;
  /** Negative once overdue. */
  inMs: number;
}

/** The open clocks, soonest due first, for a header: "users: update due in 12:04". */
export function dueClocks(defs: readonly ClockDef[], state: ClockedState, now: number): DueClock[] {
  const byId = new Map(defs.map((d) => [d.id, d]));
  const open: DueClock[] = [];
  for (const [id, c] of state.clocks) {
    if (!c.open || c.stopped) continue;
    const def = byId.get(id);
    open.push({
      id,
      title: def?.title ?? id,
      ...(def?.audience ? { audience: def.audience } : {}),
      dueAt: c.open.due,
      inMs: Date.parse(c.open.due) - now,
    });
  }
  return open.sort((a, b) => a.inMs - b.inMs || a.id.localeCompare(b.id));
}

/**
 * The open clocks from the log alone (titles as clock.started copied them), soonest due first: what
 * `sev status` shows of an incident, with no runbook or policy at hand.
 */
export function openClocks(state: Pick<IncidentState, 'clocks' | 'clockNames'>, now: number): (DueClock & { missed: boolean })[] {
  const open: (DueClock & { missed: boolean })[] = [];
  for (const [id, c] of state.clocks) {
    if (!c.open || c.stopped) continue;
    const name = state.clockNames.get(id);
    const inMs = Date.parse(c.open.due) - now;
    open.push({
      id,
      title: name?.title ?? id,
      ...(name?.audience ? { audience: name.audience } : {}),
      dueAt: c.open.due,
      inMs,
      missed: c.open.missed || inMs < 0,
    });
  }
  return open.sort((a, b) => a.inMs - b.inMs || a.id.localeCompare(b.id));
}
