import { describe, eventOf } from './describe.js';
import { oneLine } from './sanitize.js';
import { formatDuration } from '../text/duration.js';
import { roundOutcome } from './clocks.js';
import { sourceRef, copiesNote, pointText, header, type Pieces, type Report } from './view.js';

/** Text from the logs in a text report: one line, sanitised. */
const t1 = (text: unknown) => oneLine(text, 400);

export function* renderText(r: Report): Pieces {
  const t = r.timeline;
  const h = header(t);
  yield `Incident ${t1(t.incident)}`;
  if (h.runbook) yield ` · runbook ${t1(h.runbook)}`;
  if (h.severity) yield ` · ${t1(h.severity)}`;
  yield `${h.dryRun ? ' · DRY RUN' : ''}\n`;
  if (t.incidents.length > 1) yield `Merged with --force: ${t1(t.incidents.join(', '))}\n`;
  yield `${t.rows.length} events from ${t.logs.length} log${t.logs.length === 1 ? '' : 's'} · times in ${r.clock.zone}\n\n`;
  yield 'Logs\n';
  for (const [i, l] of t.logs.entries())
    yield `  [${i + 1}] ${t1(l.file)} — ${t1(l.responder || '?')}${l.host ? ` on ${t1(l.host)}` : ''}, ${l.events} events\n`;
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
    const value = x.ms === null ? `n/a — ${t1(x.problem)}` : formatDuration(x.ms, 'spaced');
    yield `  ${x.name.padEnd(width)}  ${value}\n`;
    yield `  ${''.padEnd(width)}  ${x.definition}: ${pointText(r, x.from)} → ${pointText(r, x.to)}\n`;
  }
  if (m.severity.problem) yield `  Time at each severity: n/a — ${t1(m.severity.problem)}\n`;
  else {
    yield `  Time at each severity (${t1(m.severity.definition)}):\n`;
    for (const s of m.severity.totals) yield `    ${t1(s.severity)}  ${formatDuration(s.ms, 'spaced')}\n`;
    for (const s of m.severity.spans)
      yield `      ${t1(s.severity)} ${formatDuration(s.ms, 'spaced')}: ${pointText(r, s.from)} → ${pointText(r, s.to)}\n`;
  }
  for (const n of m.notes) yield `  note: ${t1(n)}\n`;
  if (m.clocks) {
    yield `  Updates on time  ${m.clocks.onTime.met}/${m.clocks.onTime.total} (rounds of the clocks that fell due, met by their due time)\n`;
    yield '  Clocks:\n';
    const stamp = (ms: number) => r.clock.stamp(ms);
    for (const i of m.clocks.rounds)
      yield `    ${t1(i.title)}: started ${stamp(Date.parse(i.started))}, due ${stamp(Date.parse(i.due))}; ${t1(roundOutcome(i, stamp))}\n`;
  }
}
