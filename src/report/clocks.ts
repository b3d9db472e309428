import { clockHistory, onTime, type ClockInstance } from '../clocks/history.js';
import type { IncidentEvent } from '../incident/events.js';
import { formatDuration } from '../text/duration.js';
import type { Timeline } from './merge.js';

/** Every round of every clock in the logs, and how many of those owed were kept by their due time. */
export interface ClockReport {
  /** "updates on time: 5/6": rounds met by their due time, of those that fell due or were met. */
  onTime: { met: number; total: number };
  /** Each round; `overdueMs` for one never met: how far past due it was at the last event. */
  rounds: (ClockInstance & { overdueMs?: number })[];
}

/** The clock report of a timeline; undefined when its logs have no clock events, so their reports stay as they were. */
export function clockReport(t: Timeline): ClockReport | undefined {
  const events: IncidentEvent[] = [];
  for (const row of t.rows) if (row.type.startsWith('clock.') && row.event) events.push(row.event);
  if (events.length === 0) return undefined;
  const rounds = clockHistory(events);
  const lastMs = t.rows.at(-1)?.ms ?? 0;
  return {
    onTime: onTime(rounds),
    rounds: rounds.map((i) => (i.outcome === 'missed' ? { ...i, overdueMs: Math.max(0, lastMs - Date.parse(i.due)) } : i)),
  };
}

/** How a round went, in a few words: "met on time", "met 17m 00s late", "MISSED: overdue by 1h 02m at the last event". */
export function roundOutcome(i: ClockReport['rounds'][number], stamp: (ms: number) => string): string {
  switch (i.outcome) {
    case 'on-time':
      return `met ${stamp(Date.parse(i.met!.at))}, on time (${i.met!.by})`;
    case 'late':
      return `met ${stamp(Date.parse(i.met!.at))}, ${formatDuration(i.met!.lateMs, 'spaced')} late (${i.met!.by})`;
    case 'missed':
      return `MISSED: not met, overdue by ${formatDuration(i.overdueMs ?? 0, 'spaced')} at the last event`;
    case 'ended':
      return `ended ${stamp(Date.parse(i.ended!))} before it fell due: nothing owed`;
    case 'open':
      return 'open: not due by the last event';
  }
}
