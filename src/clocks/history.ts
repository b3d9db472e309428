import type { AnyEvent, IncidentEvent } from '../incident/events.js';

/**
 * How one round of a clock went: on time, late (met after due), missed (due passed and never met),
 * open (not met, not yet due), or ended (the clock ended before it fell due: nothing was owed).
 */
export type ClockOutcome = 'on-time' | 'late' | 'missed' | 'open' | 'ended';

export interface ClockInstance {
  clock: string;
  title: string;
  audience?: string;
  started: string;
  due: string;
  met?: { at: string; by: string; lateMs: number };
  /** Its due time passed unmet (it may have been met late since). */
  missed: boolean;
  /** When the clock ended while this round was open. */
  ended?: string;
  outcome: ClockOutcome;
}

function outcome(i: Omit<ClockInstance, 'outcome'>): ClockOutcome {
  if (i.met) return i.met.lateMs > 0 ? 'late' : 'on-time';
  if (i.missed) return 'missed';
  return i.ended ? 'ended' : 'open';
}

/** Every round of every clock in a log (or a merged timeline), in the order they started, for timeline and postmortem. */
export function clockHistory(events: Iterable<IncidentEvent>): ClockInstance[] {
  const all: Omit<ClockInstance, 'outcome'>[] = [];
  const open = new Map<string, Omit<ClockInstance, 'outcome'>>();
  for (const event of events) {
    const e = event as AnyEvent;
    switch (e.type) {
      case 'clock.started': {
        const i = {
          clock: e.data.clock,
          title: e.data.title,
          ...(e.data.audience ? { audience: e.data.audience } : {}),
          started: e.data.at,
          due: e.data.due,
          missed: false,
        };
        all.push(i);
        open.set(i.clock, i);
        break;
      }
      case 'clock.missed': {
        const i = open.get(e.data.clock);
        if (i) i.missed = true;
        break;
      }
      case 'clock.met': {
        const i = open.get(e.data.clock);
        if (i) i.met = { at: e.data.at, by: e.data.by, lateMs: e.data.lateMs ?? 0 };
        open.delete(e.data.clock);
        break;
      }
      case 'clock.stopped': {
        const i = open.get(e.data.clock);
        if (i) i.ended = e.data.at;
        open.delete(e.data.clock);
        break;
      }
      default:
        break;
    }
  }
  return all.map((i) => ({ ...i, outcome: outcome(i) }));
}

/**
 * How many rounds were kept on time of those that were owed ("updates on time: 5/6"): a round still
 * open and not due, or ended before it fell due, owed nothing yet and is not counted.
 */
export function onTime(history: readonly ClockInstance[]): { met: number; total: number } {
  const owed = history.filter((i) => i.outcome === 'on-time' || i.outcome === 'late' || i.outcome === 'missed');
  return { met: owed.filter((i) => i.outcome === 'on-time').length, total: owed.length };
}
