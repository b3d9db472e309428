import { describe, eventOf } from './describe.js';
import { mdText } from './sanitize.js';
import { formatDuration } from '../text/duration.js';
import { roundOutcome } from './clocks.js';
import { sourceRef, crossesMidnight, copiesNote, pointText, header, type Pieces, type Report } from './view.js';

/** Text safe in a Markdown table cell or list item: one line, sanitised, no pipes, no HTML. */
export const cell = (text: unknown) => mdText(text);

export function* metricsMarkdown(r: Report): Pieces {
  const m = r.metrics;
  yield '| metric | value | definition | from | to |\n| --- | --- | --- | --- | --- |\n';
  for (const x of m.metrics) {
    const value = x.ms === null ? `n/a: ${cell(x.problem ?? '')}` : formatDuration(x.ms, 'spaced');
    yield `| ${x.name} | ${value} | ${x.definition} | ${cell(pointText(r, x.from))} | ${cell(pointText(r, x.to))} |\n`;
  }
  if (m.severity.problem) yield `| Time at each severity | n/a: ${cell(m.severity.problem)} | | | |\n`;
  else {
    for (const s of m.severity.totals)
      yield `| Time at ${cell(s.severity)} | ${formatDuration(s.ms, 'spaced')} | ${cell(m.severity.definition)} | | |\n`;
    for (const s of m.severity.spans)
      yield `| ↳ at ${cell(s.severity)} | ${formatDuration(s.ms, 'spaced')} | one span | ${cell(pointText(r, s.from))} | ${cell(pointText(r, s.to))} |\n`;
  }
  if (m.clocks)
    yield `| Updates on time | ${m.clocks.onTime.met}/${m.clocks.onTime.total} | rounds of the clocks that fell due, met by their due time | | |\n`;
  yield '\n';
  if (m.clocks) {
    const stamp = (ms: number) => r.clock.stamp(ms);
    yield `**Clocks:**\n\n| clock | started (${r.clock.zone}) | due (${r.clock.zone}) | outcome |\n| --- | --- | --- | --- |\n`;
    for (const i of m.clocks.rounds) {
      const outcome = i.outcome === 'missed' || i.outcome === 'late' ? `**${cell(roundOutcome(i, stamp))}**` : cell(roundOutcome(i, stamp));
      yield `| ${cell(i.title)} (\`${cell(i.clock)}\`) | ${stamp(Date.parse(i.started))} | ${stamp(Date.parse(i.due))} | ${outcome} |\n`;
    }
    yield '\n';
  }
  if (m.impactStart?.fallback) yield `> **Impact start is a stand-in:** ${cell(m.impactStart.fallback)}.\n\n`;
  for (const n of m.notes) yield `> Note: ${cell(n)}\n\n`;
}

export function* timelineMarkdown(r: Report): Pieces {
  const t = r.timeline;
  const dates = crossesMidnight(r);
  yield `| ${dates ? 'date | ' : ''}time (${r.clock.zone}) | who | event | source |\n| ${dates ? '--- | ' : ''}--- | --- | --- | --- |\n`;
  for (const row of t.rows) {
    yield `| ${dates ? `${r.clock.date(row.ms)} | ` : ''}${r.clock.time(row.ms)} | ${cell(row.actor)} | `;
    yield `${cell(describe(eventOf(row, t.lines)))}${copiesNote(r, row)} | ${sourceRef(row)} |\n`;
  }
  yield '\n';
}

export function* logsMarkdown(r: Report): Pieces {
  yield '| log | file | responder | host | events |\n| --- | --- | --- | --- | --- |\n';
  for (const [i, l] of r.timeline.logs.entries())
    yield `| [${i + 1}] | \`${cell(l.file).replace(/`/g, "'")}\` | ${cell(l.responder)} | ${cell(l.host ?? '')} | ${l.events} |\n`;
  yield '\n';
  if (r.timeline.warnings.length) {
    yield '**Warnings about the logs:**\n\n';
    for (const w of r.timeline.warnings)
      yield `- \`${cell(w.file).replace(/`/g, "'")}${w.line ? `:${w.line}` : ''}\`: ${cell(w.message)}\n`;
    yield '\n';
  }
}

export function* renderMarkdown(r: Report): Pieces {
  const t = r.timeline;
  const h = header(t);
  yield `# Timeline of ${cell(t.incident)}\n\n`;
  if (h.runbook) yield `Runbook **${cell(h.runbook)}**${h.title ? ` (${cell(h.title)})` : ''} · `;
  if (h.severity) yield `severity **${cell(h.severity)}** · `;
  yield `${t.rows.length} events from ${t.logs.length} logs · times in ${r.clock.zone}${h.dryRun ? ' · **DRY RUN**' : ''}\n\n`;
  if (t.incidents.length > 1) yield `Merged with --force: ${t.incidents.map((i) => `\`${cell(i).replace(/`/g, "'")}\``).join(', ')}\n\n`;
  yield '## Logs\n\n';
  yield* logsMarkdown(r);
  yield '## Metrics\n\n';
  yield* metricsMarkdown(r);
  yield '## Timeline\n\n';
  yield* timelineMarkdown(r);
}
