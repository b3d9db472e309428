import { oneLine } from './sanitize.js';
import type { Timeline } from './merge.js';
import type { Metrics, Point } from './metrics.js';
import type { Row } from './rows.js';
import type { ZoneClock } from './time.js';

// The view model every report format renders (text.ts, markdown.ts, csv.ts, json.ts, html.ts, postmortem.ts).

/** What every renderer gets: the merged timeline, its metrics and the clock of the zone to show. */
export interface Report {
  timeline: Timeline;
  metrics: Metrics;
  clock: ZoneClock;
}

/** Renderers yield pieces of text; the command writes them in chunks, so a big timeline never becomes one string. */
export type Pieces = Generator<string, void, undefined>;

export const crossesMidnight = (r: Report) => {
  const rows = r.timeline.rows;
  return rows.length > 0 && r.clock.date(rows[0]!.ms) !== r.clock.date(rows[rows.length - 1]!.ms);
};

/** Where a row came from: [log number]:line, the logs being listed at the top. */
export const sourceRef = (row: { log: number; line: number }) => `[${row.log + 1}]:${row.line}`;

export function copiesNote(r: Report, row: Row): string {
  return row.copies?.length ? ` (also in ${row.copies.map((c) => sourceRef(c)).join(', ')})` : '';
}

export const pointText = (r: Report, p: Point | undefined) =>
  p ? `${oneLine(p.label)} ${r.clock.stamp(p.ms)} (${oneLine(p.actor, 64)}, ${sourceRef(p)})` : 'missing';

export interface Header {
  runbook?: string;
  title?: string;
  severity?: string;
  maxSeverity?: string;
  responders: string[];
  dryRun: boolean;
}

/** The incident's identity from its first events: runbook, severities, who took part. */
export function header(t: Timeline): Header {
  const h: Header = { responders: [], dryRun: false };
  const actors = new Set<string>();
  const severities: string[] = [];
  for (const row of t.rows) {
    if (row.actor) actors.add(row.actor);
    if (row.type === 'incident.started' && !h.runbook && row.event) {
      const d = row.event.data as { runbook?: { id?: string; title?: string; version?: string }; severity?: string; dryRun?: boolean };
      h.runbook = `${d.runbook?.id ?? '?'}${d.runbook?.version ? ` v${d.runbook.version}` : ''}`;
      h.title = d.runbook?.title;
      if (d.severity) severities.push(d.severity);
      h.dryRun = Boolean(d.dryRun);
    } else if (row.type === 'severity.changed' && row.event) {
      const to = (row.event.data as { to?: string }).to;
      if (to) severities.push(to);
    }
  }
  h.severity = severities.at(-1);
  h.maxSeverity = [...severities].sort()[0];
  h.responders = [...actors];
  return h;
}
