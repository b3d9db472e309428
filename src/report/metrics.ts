import { rfc3339Ms } from '../incident/read.js';
import type { Timeline } from './merge.js';
import { timeOf, type Row } from './rows.js';
import { clockReport, type ClockReport } from './clocks.js';

/** One end of a metric: the event it was read from, and where that event is. */
export interface Point {
  /** What the event is: a milestone name, "incident start", "last event"… */
  label: string;
  time: string;
  ms: number;
  /** Index of the log in the timeline's logs. */
  log: number;
  file: string;
  line: number;
  actor: string;
  /** Set when this is a stand-in for a missing milestone. */
  fallback?: string;
}

interface Metric {
  key: 'time-to-detect' | 'time-to-acknowledge' | 'time-to-mitigate' | 'time-to-resolve';
  name: string;
  definition: string;
  from?: Point;
  to?: Point;
  /** null when it cannot be computed honestly: see `problem`. */
  ms: number | null;
  problem?: string;
}

interface SeveritySpan {
  severity: string;
  from: Point;
  to: Point;
  ms: number;
}

export interface Metrics {
  incidentStart?: Point;
  impactStart?: Point;
  end?: Point;
  milestones: Partial<Record<string, Point>>;
  metrics: Metric[];
  severity: {
    definition: string;
    spans: SeveritySpan[];
    totals: { severity: string; ms: number }[];
    problem?: string;
  };
  /** Milestones recorded more than once: the first counts. */
  notes: string[];
  /** The clocks' rounds and "updates on time"; only for logs with clock events. */
  clocks?: ClockReport;
}

const point = (t: Timeline, row: Row, label: string, fallback?: string): Point => ({
  label,
  time: timeOf(row),
  ms: row.ms,
  log: row.log,
  file: t.logs[row.log]!.file,
  line: row.line,
  actor: row.actor,
  ...(fallback ? { fallback } : {}),
});

/** A milestone's point: at the time the responder or an alert gave for it (`at`), when there is one, else at its event. */
function milestonePoint(t: Timeline, row: Row, name: string): Point {
  const data = row.event?.data as { at?: unknown; evidence?: unknown } | undefined;
  const at = data?.at;
  const ms = rfc3339Ms(at);
  if (Number.isNaN(ms)) return point(t, row, name);
  return { ...point(t, row, `${name} (${data?.evidence ? 'as the alert says' : 'as given by the responder'})`), time: at as string, ms };
}

const DEFS: { key: Metric['key']; name: string; from: string; to: string }[] = [
  { key: 'time-to-detect', name: 'Time to detect', from: 'impact-started', to: 'detected' },
  { key: 'time-to-acknowledge', name: 'Time to acknowledge', from: 'detected', to: 'acknowledged' },
  { key: 'time-to-mitigate', name: 'Time to mitigate', from: 'impact-started', to: 'mitigated' },
  { key: 'time-to-resolve', name: 'Time to resolve', from: 'impact-started', to: 'resolved' },
];

/**
 * The incident's metrics, from its milestone and severity events only. A metric whose milestones are
 * missing or out of order is not computed: it says why instead of giving a wrong number.
 */
export function computeMetrics(t: Timeline): Metrics {
  const milestones: Partial<Record<string, Point>> = {};
  const notes: string[] = [];
  let startRow: Row | undefined;
  let closedRow: Row | undefined;
  const severityRows: Row[] = [];
  for (const row of t.rows) {
    if (row.type === 'incident.started') startRow ??= row;
    else if (row.type === 'incident.closed') closedRow = row;
    else if (row.type === 'severity.changed') severityRows.push(row);
    else if (row.type === 'milestone') {
      const milestone = (row.event?.data as { milestone?: unknown } | undefined)?.milestone;
      const name = typeof milestone === 'string' ? milestone : '';
      if (!name) continue;
      const existing = milestones[name];
      if (existing)
        notes.push(
          `milestone ${name} is recorded more than once; the first (${existing.time}, ${existing.file}:${existing.line}) counts, ` +
            `not ${t.logs[row.log]!.file}:${row.line}`,
        );
      else milestones[name] = milestonePoint(t, row, name);
    }
  }
  const incidentStart = startRow
    ? point(t, startRow, 'incident start')
    : t.rows[0]
      ? point(t, t.rows[0], 'first event', 'no incident.started event in the logs: the first event stands in')
      : undefined;
  const impactStart =
    milestones['impact-started'] ??
    (incidentStart
      ? {
          ...incidentStart,
          label: 'incident start (stand-in for impact-started)',
          fallback: 'no impact-started milestone: the incident start stands in, so impact may have begun earlier',
        }
      : undefined);
  const get = (name: string) => (name === 'impact-started' ? impactStart : milestones[name]);

  const metrics: Metric[] = DEFS.map((d) => {
    const from = get(d.from);
    const to = get(d.to);
    const definition = `${d.from === 'impact-started' ? 'impact start' : d.from} → ${d.to}`;
    const m: Metric = { key: d.key, name: d.name, definition, from, to, ms: null };
    if (!to) m.problem = `no ${d.to} milestone in the logs`;
    else if (!from) m.problem = `no ${d.from} milestone in the logs`;
    else if (to.ms < from.ms)
      m.problem = `out of order: ${d.to} (${to.time}) is before ${from.label} (${from.time}); check the clocks of the logs`;
    else m.ms = to.ms - from.ms;
    return m;
  });

  // Time at each severity: from the incident start at its first severity, through each change, to the
  // resolution (else the close, else the last event).
  const end = milestones.resolved
    ? milestones.resolved
    : closedRow
      ? point(t, closedRow, 'incident closed', 'no resolved milestone: the incident close stands in')
      : t.rows.length
        ? point(t, t.rows[t.rows.length - 1]!, 'last event', 'neither resolved nor closed: the last event stands in')
        : undefined;
  const spans: SeveritySpan[] = [];
  let problem: string | undefined;
  const initial = (startRow?.event?.data as { severity?: string } | undefined)?.severity;
  if (!incidentStart || !end) problem = 'no events';
  else if (!initial && severityRows.length === 0) problem = 'no severity in the logs';
  else {
    let current = { severity: initial ?? String((severityRows[0]!.event?.data as { from?: string }).from ?? '?'), from: incidentStart };
    for (const row of severityRows) {
      if (row.ms > end.ms) {
        notes.push(`severity change at ${timeOf(row)} (${t.logs[row.log]!.file}:${row.line}) is after ${end.label} and is not counted`);
        continue;
      }
      const to = (row.event?.data as { to?: string }).to ?? '?';
      const p = point(t, row, `severity ${current.severity} → ${to}`);
      spans.push({ severity: current.severity, from: current.from, to: p, ms: Math.max(0, p.ms - current.from.ms) });
      current = { severity: to, from: p };
    }
    spans.push({ severity: current.severity, from: current.from, to: end, ms: Math.max(0, end.ms - current.from.ms) });
  }
  const totals = new Map<string, number>();
  for (const s of spans) totals.set(s.severity, (totals.get(s.severity) ?? 0) + s.ms);
  const clocks = clockReport(t);
  return {
    incidentStart,
    impactStart,
    end,
    milestones,
    metrics,
    severity: {
      definition: `from the incident start through each severity change to ${end?.label ?? 'the end'}`,
      spans,
      totals: [...totals].sort(([a], [b]) => a.localeCompare(b)).map(([severity, ms]) => ({ severity, ms })),
      ...(problem ? { problem } : {}),
    },
    notes,
    ...(clocks ? { clocks } : {}),
  };
}
