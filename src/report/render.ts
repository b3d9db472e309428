import { describe, eventOf, kindOf } from './describe.js';
import { csvField, jsonSafe, mdText, oneLine } from './sanitize.js';
import type { Timeline } from './merge.js';
import type { Metrics, Point } from './metrics.js';
import { timeOf, type Row } from './source.js';
import { duration, type Clock } from './time.js';

/** What every renderer gets: the merged timeline, its metrics and the clock of the zone to show. */
export interface Report {
  timeline: Timeline;
  metrics: Metrics;
  clock: Clock;
}

/** Renderers yield pieces of text; the command writes them in chunks, so a big timeline never becomes one string. */
export type Pieces = Generator<string, void, undefined>;

const crossesMidnight = (r: Report) => {
  const rows = r.timeline.rows;
  return rows.length > 0 && r.clock.date(rows[0]!.ms) !== r.clock.date(rows[rows.length - 1]!.ms);
};

/** Where a row came from: [log number]:line, the logs being listed at the top. */
export const sourceRef = (row: { log: number; line: number }) => `[${row.log + 1}]:${row.line}`;

function copiesNote(r: Report, row: Row): string {
  return row.copies?.length ? ` (also in ${row.copies.map((c) => sourceRef(c)).join(', ')})` : '';
}

const pointText = (r: Report, p: Point | undefined) => (p ? `${oneLine(p.label)} ${r.clock.stamp(p.ms)} (${oneLine(p.actor, 64)}, ${sourceRef(p)})` : 'missing');

interface Header {
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

// ───────────────────────────── text ─────────────────────────────

/** Text from the logs in a text report: one line, sanitised. */
const t1 = (text: unknown) => oneLine(text, 400);

export function* renderText(r: Report): Pieces {
  const t = r.timeline;
  const h = header(t);
  yield `Incident ${t1(t.incident)}${h.runbook ? ` · runbook ${t1(h.runbook)}` : ''}${h.severity ? ` · ${t1(h.severity)}` : ''}${h.dryRun ? ' · DRY RUN' : ''}\n`;
  if (t.incidents.length > 1) yield `Merged with --force: ${t1(t.incidents.join(', '))}\n`;
  yield `${t.rows.length} events from ${t.logs.length} log${t.logs.length === 1 ? '' : 's'} · times in ${r.clock.zone}\n\n`;
  yield 'Logs\n';
  for (const [i, l] of t.logs.entries()) yield `  [${i + 1}] ${t1(l.file)} — ${t1(l.responder || '?')}${l.host ? ` on ${t1(l.host)}` : ''}, ${l.events} events\n`;
  if (t.warnings.length) {
    yield `\nWarnings (${t.warnings.length})\n`;
    for (const w of t.warnings) yield `  ${t1(w.file)}${w.line ? `:${w.line}` : ''}: ${t1(w.message)}\n`;
  }
  yield '\nMetrics\n';
  yield* metricsText(r);
  yield `\nTimeline (${r.clock.zone})\n`;
  let date = '';
  const actors = new Map<string, string>();
  const actorText = (actor: string) => {
    let shown = actors.get(actor);
    if (shown === undefined) actors.set(actor, (shown = oneLine(actor, 64)));
    return shown;
  };
  const width = Math.min(16, Math.max(5, ...h.responders.map((a) => actorText(a).length)));
  for (const row of t.rows) {
    const d = r.clock.date(row.ms);
    if (d !== date) {
      date = d;
      yield `  ${d}\n`;
    }
    const event = eventOf(row, t.lines);
    yield `    ${r.clock.time(row.ms)}  ${actorText(row.actor).padEnd(width)}  ${sourceRef(row).padEnd(9)} ${describe(event)}${copiesNote(r, row)}\n`;
  }
}

export function* metricsText(r: Report): Pieces {
  const m = r.metrics;
  if (m.impactStart?.fallback) yield `  note: ${t1(m.impactStart.fallback)}\n`;
  const width = Math.max(...m.metrics.map((x) => x.name.length));
  for (const x of m.metrics) {
    const value = x.ms === null ? `n/a — ${t1(x.problem)}` : duration(x.ms);
    yield `  ${x.name.padEnd(width)}  ${value}\n`;
    yield `  ${''.padEnd(width)}  ${x.definition}: ${pointText(r, x.from)} → ${pointText(r, x.to)}\n`;
  }
  if (m.severity.problem) yield `  Time at each severity: n/a — ${t1(m.severity.problem)}\n`;
  else {
    yield `  Time at each severity (${t1(m.severity.definition)}):\n`;
    for (const s of m.severity.totals) yield `    ${t1(s.severity)}  ${duration(s.ms)}\n`;
    for (const s of m.severity.spans) yield `      ${t1(s.severity)} ${duration(s.ms)}: ${pointText(r, s.from)} → ${pointText(r, s.to)}\n`;
  }
  for (const n of m.notes) yield `  note: ${t1(n)}\n`;
}

// ───────────────────────────── markdown ─────────────────────────────

/** Text safe in a Markdown table cell or list item: one line, sanitised, no pipes, no HTML. */
export const cell = (text: unknown) => mdText(text);

export function* metricsMarkdown(r: Report): Pieces {
  const m = r.metrics;
  yield '| metric | value | definition | from | to |\n| --- | --- | --- | --- | --- |\n';
  for (const x of m.metrics) {
    yield `| ${x.name} | ${x.ms === null ? `n/a: ${cell(x.problem ?? '')}` : duration(x.ms)} | ${x.definition} | ${cell(pointText(r, x.from))} | ${cell(pointText(r, x.to))} |\n`;
  }
  if (m.severity.problem) yield `| Time at each severity | n/a: ${cell(m.severity.problem)} | | | |\n`;
  else {
    for (const s of m.severity.totals) yield `| Time at ${cell(s.severity)} | ${duration(s.ms)} | ${cell(m.severity.definition)} | | |\n`;
    for (const s of m.severity.spans) yield `| ↳ at ${cell(s.severity)} | ${duration(s.ms)} | one span | ${cell(pointText(r, s.from))} | ${cell(pointText(r, s.to))} |\n`;
  }
  yield '\n';
  if (m.impactStart?.fallback) yield `> **Impact start is a stand-in:** ${cell(m.impactStart.fallback)}.\n\n`;
  for (const n of m.notes) yield `> Note: ${cell(n)}\n\n`;
}

export function* timelineMarkdown(r: Report): Pieces {
  const t = r.timeline;
  const dates = crossesMidnight(r);
  yield `| ${dates ? 'date | ' : ''}time (${r.clock.zone}) | who | event | source |\n| ${dates ? '--- | ' : ''}--- | --- | --- | --- |\n`;
  for (const row of t.rows) {
    yield `| ${dates ? `${r.clock.date(row.ms)} | ` : ''}${r.clock.time(row.ms)} | ${cell(row.actor)} | ${cell(describe(eventOf(row, t.lines)))}${copiesNote(r, row)} | ${sourceRef(row)} |\n`;
  }
  yield '\n';
}

export function* logsMarkdown(r: Report): Pieces {
  yield '| log | file | responder | host | events |\n| --- | --- | --- | --- | --- |\n';
  for (const [i, l] of r.timeline.logs.entries()) yield `| [${i + 1}] | \`${cell(l.file).replace(/`/g, "'")}\` | ${cell(l.responder)} | ${cell(l.host ?? '')} | ${l.events} |\n`;
  yield '\n';
  if (r.timeline.warnings.length) {
    yield '**Warnings about the logs:**\n\n';
    for (const w of r.timeline.warnings) yield `- \`${cell(w.file).replace(/`/g, "'")}${w.line ? `:${w.line}` : ''}\`: ${cell(w.message)}\n`;
    yield '\n';
  }
}

export function* renderMarkdown(r: Report): Pieces {
  const t = r.timeline;
  const h = header(t);
  yield `# Timeline of ${cell(t.incident)}\n\n`;
  yield `${h.runbook ? `Runbook **${cell(h.runbook)}**${h.title ? ` (${cell(h.title)})` : ''} · ` : ''}${h.severity ? `severity **${cell(h.severity)}** · ` : ''}${t.rows.length} events from ${t.logs.length} logs · times in ${r.clock.zone}${h.dryRun ? ' · **DRY RUN**' : ''}\n\n`;
  if (t.incidents.length > 1) yield `Merged with --force: ${t.incidents.map((i) => `\`${cell(i).replace(/`/g, "'")}\``).join(', ')}\n\n`;
  yield '## Logs\n\n';
  yield* logsMarkdown(r);
  yield '## Metrics\n\n';
  yield* metricsMarkdown(r);
  yield '## Timeline\n\n';
  yield* timelineMarkdown(r);
}

// ───────────────────────────── csv ─────────────────────────────

export function* renderCsv(r: Report): Pieces {
  const t = r.timeline;
  const local = r.clock.zone !== 'UTC';
  yield ['time_utc', ...(local ? [`time_${r.clock.zone}`] : []), 'actor', 'type', 'kind', 'summary', 'file', 'line', 'seq', 'id', 'copies'].join(',') + '\r\n';
  for (const row of t.rows) {
    const event = eventOf(row, t.lines);
    const fields: (string | number)[] = [timeOf(row)];
    if (local) fields.push(r.clock.stamp(row.ms));
    fields.push(row.actor, row.type, kindOf(event), describe(event), t.logs[row.log]!.file, row.line, row.seq, row.id ?? event.id, (row.copies ?? []).map((c) => `${t.logs[c.log]!.file}:${c.line}`).join(' '));
    yield fields.map(csvField).join(',') + '\r\n';
  }
}

// ───────────────────────────── json ─────────────────────────────

/**
 * One JSON document: incident, logs, warnings, metrics, then the events, one per line, each the event as
 * logged plus `source` (file and line) and, for an event found in several logs, `copies`. A lean row's
 * line is read again from its file and written as it was, with the source spliced in: no stringify.
 */
export function* renderJson(r: Report): Pieces {
  const t = r.timeline;
  const head = {
    incident: t.incident,
    incidents: t.incidents,
    timeZone: r.clock.zone,
    logs: t.logs,
    warnings: t.warnings,
    metrics: r.metrics,
  };
  const text = jsonSafe(JSON.stringify(head, null, 2));
  yield `${text.slice(0, -2)},\n  "events": [`;
  const files = t.logs.map((l) => jsonSafe(JSON.stringify(l.file)));
  let first = true;
  for (const row of t.rows) {
    let body = jsonSafe(row.event ? JSON.stringify(row.event) : t.lines!.line(row).trimEnd());
    body = body.slice(0, -1);
    let extra = `"source":{"file":${files[row.log]},"line":${row.line}}`;
    if (row.copies) extra += `,"copies":[${row.copies.map((c) => `{"file":${files[c.log]},"line":${c.line}}`).join(',')}]`;
    yield `${first ? '\n' : ',\n'}    ${body}${body.length > 1 ? ',' : ''}${extra}}`;
    first = false;
  }
  yield '\n  ]\n}\n';
}
