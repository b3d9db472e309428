import { describe, eventOf, kindOf, type Kind } from './describe.js';
import { jsonSafe, printableText } from './sanitize.js';
import { metricsText } from './text.js';
import { header, sourceRef, type Pieces, type Report } from './view.js';
import type { Row } from './rows.js';
import { formatDuration } from '../text/duration.js';
import { fitWidth } from '../text/width.js';

/** Text in the page: sanitised as in every report (line breaks kept), then escaped for HTML. */
const esc = (s: string) => printableText(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const COLORS: Record<Kind, string> = {
  milestone: '#6a3d9a',
  severity: '#e08214',
  failure: '#d7191c',
  check: '#1a9641',
  command: '#2c7bb6',
  announcement: '#b8860b',
  note: '#555555',
  action: '#8c2d04',
  step: '#8fa3b8',
  incident: '#333333',
  input: '#a0a0a0',
  unknown: '#bbbbbb',
};
const SEV_COLORS: Record<string, string> = { SEV1: '#d7191c', SEV2: '#fd8d3c', SEV3: '#fecc5c', SEV4: '#a1dab4' };

/** Tick spacing: the first step that gives at most about 10 ticks. */
const STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 108e5, 216e5, 432e5, 864e5,
];

/**
 * The most events a page draws one by one. Beyond it (a browser gets slow, and the page's data would be
 * as big as the logs), the chart shows how many events of each type each responder logged per time
 * bucket, and only the events that give the incident its shape are drawn and listed: incident events,
 * milestones and severity changes (also at most this many). The page and stderr say so.
 */
export const HTML_DRAW_LIMIT = 5000;
const BUCKETS = 200;
/** Types whose kind depends on their data (a failure, an action item): the others need no parsing to be counted. */
const KIND_FROM_DATA = new Set(['check.result', 'wait.finished', 'command.finished', 'step.completed', 'note']);
const SHAPE_TYPES = new Set([
  'incident.started',
  'incident.joined',
  'incident.paused',
  'incident.resumed',
  'incident.closed',
  'milestone',
  'severity.changed',
]);

/** Whether a timeline has more events than a page draws one by one. */
export const summarised = (rowCount: number) => rowCount > HTML_DRAW_LIMIT;

/**
 * One self-contained HTML page: the timeline as SVG (a lane per responder, the impact window shaded,
 * milestones marked, a severity band, failed checks and commands in red), click or hover for an event's
 * details, then the metrics and a table of every event. No network: inline style and script only, and a
 * Content-Security-Policy that forbids loading anything.
 */
export function* renderHtml(r: Report): Pieces {
  const t = r.timeline;
  const h = header(t);
  const all = t.rows;
  const summary = summarised(all.length);
  // The events drawn and listed one by one.
  const rows = summary ? all.filter((row) => SHAPE_TYPES.has(row.type)).slice(0, HTML_DRAW_LIMIT) : all;
  const g = chartOf(r);
  const title = `Timeline of ${t.incident}`;

  yield* pageHead(title);
  yield `<h1>${esc(title)}</h1>\n<div class="meta">`;
  if (h.runbook) yield `Runbook ${esc(h.runbook)}${h.title ? ` — ${esc(h.title)}` : ''} · `;
  if (h.severity) yield `severity ${esc(h.severity)} · `;
  yield `${all.length} events from ${t.logs.length} logs · responders ${esc(h.responders.join(', '))} · times in ${esc(r.clock.zone)}`;
  if (h.dryRun) yield ' · DRY RUN';
  yield '</div>\n';
  if (t.warnings.length) {
    yield '<details open class="warn"><summary>Warnings about the logs</summary><ul>\n';
    for (const w of t.warnings) yield `<li>${esc(`${w.file}${w.line ? `:${w.line}` : ''}: ${w.message}`)}</li>\n`;
    yield '</ul></details>\n';
  }
  if (summary) {
    yield `<p class="warn" id="summarised">${all.length} events are more than this page draws one by one (${HTML_DRAW_LIMIT}): `;
    yield 'the chart shows how many events each responder logged per time bucket (hover a bar for the count of each type; red: with failures), ';
    yield `and only incident events, milestones and severity changes (${rows.length}) are drawn and listed. `;
    yield '<code>sev timeline --format csv</code> or <code>--format json</code> has every event.</p>\n';
  }
  const legend: Kind[] = [
    'milestone',
    'failure',
    'check',
    'command',
    'announcement',
    'note',
    'action',
    'severity',
    'step',
    'incident',
    'unknown',
  ];
  yield `<div class="legend">${legend.map((k) => `<span><i style="background:${COLORS[k]}"></i>${k}</span>`).join('')}</div>\n`;

  yield `<svg id="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${g.right + 20} ${g.height}" width="${g.right + 20}" height="${g.height}"`;
  yield ` role="img" aria-label="${esc(title)}" data-events="${all.length}" data-drawn="${rows.length}">\n`;
  yield* severityBand(r, g);
  yield* impactWindow(r, g);
  yield* laneRows(g);
  yield* axis(r, g);
  yield* milestoneMarks(r, g);
  if (summary) yield* bucketBars(r, all, g.laneOf, g);
  const drawn = yield* eventMarks(r, rows, g);
  yield '</svg>\n';
  yield '<p>Click an event (or focus it and press Enter) to see it in full:</p>\n<div id="details" aria-live="polite">No event selected.</div>\n';
  yield `<h2>Metrics</h2>\n<pre class="metrics">${esc([...metricsText(r)].join(''))}</pre>\n`;
  yield* eventTable(r, rows, drawn.data, g.showDate);
  yield '<h2>Logs</h2>\n<ol>\n';
  for (const l of t.logs) yield `<li>${esc(`${l.file} — ${l.responder}${l.host ? ` on ${l.host}` : ''}, ${l.events} events`)}</li>\n`;
  yield '</ol>\n';
  // The events as JSON for the details panel; "<" escaped so no text can close the script element.
  yield `<script type="application/json" id="data">${jsonSafe(JSON.stringify(drawn.details)).replace(/</g, '\\u003c')}</script>\n`;
  yield* pageScript();
}

/** The chart's geometry: the time span shown, the lanes (one per responder) and where things go. */
interface Chart {
  t0: number;
  t1: number;
  left: number;
  width: number;
  right: number;
  top: number;
  laneH: number;
  height: number;
  lanes: string[];
  laneOf: Map<string, number>;
  /** The span crosses a date in the zone shown: times carry their date. */
  showDate: boolean;
  x: (ms: number) => string;
}

function chartOf(r: Report): Chart {
  const all = r.timeline.rows;
  const m = r.metrics;
  const laneOf = new Map<string, number>();
  for (const row of all) if (!laneOf.has(row.actor || '?')) laneOf.set(row.actor || '?', laneOf.size);
  const lanes = [...laneOf.keys()];
  let t0 = all[0]?.ms ?? 0;
  let t1 = all[all.length - 1]?.ms ?? 0;
  if (m.impactStart) t0 = Math.min(t0, m.impactStart.ms);
  if (t1 - t0 < 1000) t1 = t0 + 1000;
  const pad = (t1 - t0) * 0.02;
  t0 -= pad;
  t1 += pad;
  const left = 150;
  const width = 1100;
  const top = 70;
  const laneH = 44;
  return {
    t0,
    t1,
    left,
    width,
    right: left + width,
    top,
    laneH,
    height: top + lanes.length * laneH + 40,
    lanes,
    laneOf,
    showDate: r.clock.date(t0) !== r.clock.date(t1),
    x: (ms: number) => (left + ((ms - t0) / (t1 - t0)) * width).toFixed(1),
  };
}

function* pageHead(title: string): Pieces {
  yield `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n`;
  yield `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">\n`;
  yield `<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>${esc(title)}</title>\n`;
  yield (
    `<style>
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .2em} .meta{color:#555;margin-bottom:1em}
svg{background:#fff;border:1px solid #ddd;max-width:100%;height:auto}
.ev{cursor:pointer;stroke:#fff;stroke-width:1}.ev:hover,.ev:focus,.ev.sel{stroke:#000;stroke-width:2;outline:none}
.ev.failure{stroke:#7f0000;stroke-width:2}
.lane-label{font-size:12px;fill:#333}.axis{font-size:11px;fill:#666}.ms-label{font-size:11px;fill:#6a3d9a}
#details{white-space:pre-wrap;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;background:#f6f6f6;border:1px solid #ddd;` +
    `padding:.6em;min-height:3em;max-height:24em;overflow:auto}
table{border-collapse:collapse;font-size:12px;margin-top:1em}td,th{border-bottom:1px solid #eee;padding:2px 8px;text-align:left;vertical-align:top}
tr.failure td{color:#b00}tr.milestone td{font-weight:bold}.warn{color:#8a5a00}
.legend span{display:inline-block;margin-right:1em}.legend i{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:4px}
pre.metrics{background:#fafafa;border:1px solid #eee;padding:.6em;overflow:auto}
</style>\n</head>\n<body>\n`
  );
}

function* severityBand(r: Report, g: Chart): Pieces {
  yield `<text class="axis" x="${g.left - 8}" y="22" text-anchor="end">severity</text>\n`;
  for (const s of r.metrics.severity.spans) {
    const x0 = Number(g.x(s.from.ms));
    const x1 = Math.max(x0 + 1, Number(g.x(s.to.ms)));
    const label = `${s.severity} for ${formatDuration(s.ms, 'spaced')}: ${r.clock.stamp(s.from.ms)} → ${r.clock.stamp(s.to.ms)}`;
    yield `<rect class="sev-band" data-severity="${esc(s.severity)}" x="${x0.toFixed(1)}" y="10" width="${(x1 - x0).toFixed(1)}" height="16"`;
    yield ` fill="${SEV_COLORS[s.severity] ?? '#ccc'}"><title>${esc(label)}</title></rect>\n`;
    if (x1 - x0 > 34) yield `<text class="axis" x="${(x0 + 4).toFixed(1)}" y="22">${esc(s.severity)}</text>\n`;
  }
}

function* impactWindow(r: Report, g: Chart): Pieces {
  const m = r.metrics;
  const all = r.timeline.rows;
  if (!m.impactStart) return;
  const end = m.milestones.resolved?.ms ?? all[all.length - 1]?.ms ?? m.impactStart.ms;
  const x0 = Number(g.x(m.impactStart.ms));
  const x1 = Math.max(x0 + 1, Number(g.x(end)));
  const label =
    `impact ${r.clock.stamp(m.impactStart.ms)} → ${m.milestones.resolved ? r.clock.stamp(end) : 'not resolved'}` +
    (m.impactStart.fallback ? ` (start: ${m.impactStart.fallback})` : '');
  yield `<rect id="impact" x="${x0.toFixed(1)}" y="${g.top - 8}" width="${(x1 - x0).toFixed(1)}" height="${g.lanes.length * g.laneH + 8}"`;
  yield ` fill="#d7191c" fill-opacity="0.08" stroke="#d7191c" stroke-opacity="0.3" stroke-dasharray="4 3"><title>${esc(label)}</title></rect>\n`;
}

function* laneRows(g: Chart): Pieces {
  for (const [i, lane] of g.lanes.entries()) {
    const y = g.top + i * g.laneH + g.laneH / 2;
    if (i % 2 === 0)
      yield `<rect x="${g.left}" y="${g.top + i * g.laneH}" width="${g.width}" height="${g.laneH}" fill="#000" fill-opacity="0.025"/>\n`;
    yield `<text class="lane-label" x="${g.left - 8}" y="${y + 4}" text-anchor="end">${esc(fitWidth(lane, 20))}</text>\n`;
    yield `<line x1="${g.left}" x2="${g.right}" y1="${y}" y2="${y}" stroke="#ccc"/>\n`;
  }
}

function* axis(r: Report, g: Chart): Pieces {
  const { t0, t1, x } = g;
  const span = t1 - t0;
  const step = STEPS.find((s) => span / s <= 10) ?? 864e5;
  const axisY = g.top + g.lanes.length * g.laneH + 16;
  for (let ms = Math.ceil(t0 / step) * step; ms <= t1; ms += step) {
    const label = step < 1000 ? r.clock.time(ms).slice(3) : step < 60_000 ? r.clock.time(ms).slice(0, 8) : r.clock.time(ms).slice(0, 5);
    yield `<line x1="${x(ms)}" x2="${x(ms)}" y1="${g.top - 8}" y2="${axisY - 10}" stroke="#eee"/>`;
    yield `<text class="axis" x="${x(ms)}" y="${axisY}" text-anchor="middle">${esc(label)}</text>\n`;
    if (g.showDate && (r.clock.time(ms).startsWith('00:00:00') || ms === Math.ceil(t0 / step) * step))
      yield `<text class="axis" x="${x(ms)}" y="${axisY + 13}" text-anchor="middle">${esc(r.clock.date(ms))}</text>\n`;
  }
}

function* milestoneMarks(r: Report, g: Chart): Pieces {
  const labelled: number[] = [];
  for (const [name, p] of Object.entries(r.metrics.milestones)) {
    if (!p) continue;
    const px = Number(g.x(p.ms));
    const row = labelled.filter((l) => Math.abs(l - px) < 70).length;
    labelled.push(px);
    yield `<g class="ms-mark" data-milestone="${esc(name)}">`;
    yield `<line x1="${px}" x2="${px}" y1="${g.top - 14}" y2="${g.top + g.lanes.length * g.laneH}"`;
    yield ' stroke="#6a3d9a" stroke-width="1.5" stroke-dasharray="5 3"/>';
    yield `<text class="ms-label" x="${px + 3}" y="${38 + row * 11}">${esc(name)}</text>`;
    yield `<title>${esc(`${name} ${r.clock.stamp(p.ms)} (${p.actor}, ${p.file}:${p.line})`)}</title></g>\n`;
  }
}

/** The events drawn: close events in a lane are spread over three rows; the important ones are drawn last, on top. */
function* eventMarks(
  r: Report,
  rows: Row[],
  g: Chart,
): Generator<string, { data: { kind: Kind; summary: string }[]; details: unknown[] }, undefined> {
  const t = r.timeline;
  const details: unknown[] = [];
  const data: { kind: Kind; summary: string }[] = [];
  const marks: { order: number; svg: string }[] = [];
  const ORDER: Partial<Record<Kind, number>> = { failure: 3, milestone: 2, severity: 1, announcement: 1, action: 1 };
  const lastX = g.lanes.map(() => [-Infinity, -Infinity, -Infinity]);
  const OFFSETS = [0, -12, 12];
  for (const [i, row] of rows.entries()) {
    const event = eventOf(row, t.lines);
    const kind = kindOf(event);
    const lane = g.laneOf.get(row.actor || '?')!;
    const cx = Number(g.x(row.ms));
    const last = lastX[lane]!;
    let slot = last.findIndex((lx) => cx - lx >= 9);
    if (slot === -1) slot = last.indexOf(Math.min(...last));
    last[slot] = cx;
    const y = g.top + lane * g.laneH + g.laneH / 2 + OFFSETS[slot]!;
    const radius = kind === 'failure' || kind === 'milestone' ? 6 : kind === 'step' || kind === 'input' ? 3 : 4.5;
    const summary = describe(event);
    const file = t.logs[row.log]!.file;
    marks.push({
      order: ORDER[kind] ?? 0,
      svg:
        `<circle class="ev ${kind}" data-i="${i}" tabindex="0" cx="${cx.toFixed(1)}" cy="${y}" r="${radius}" fill="${COLORS[kind]}">` +
        `<title>${esc(`${r.clock.stamp(row.ms)} ${row.actor}: ${summary} (${file}:${row.line})`)}</title></circle>\n`,
    });
    data.push({ kind, summary });
    details.push({
      time: r.clock.stamp(row.ms),
      actor: row.actor,
      kind,
      summary,
      source: `${file}:${row.line}`,
      copies: row.copies?.map((c) => `${t.logs[c.log]!.file}:${c.line}`),
      event,
    });
  }
  // A stable sort: events of the same importance stay in time order.
  marks.sort((a, b) => a.order - b.order);
  for (const mark of marks) yield mark.svg;
  return { data, details };
}

function* eventTable(r: Report, rows: Row[], data: { kind: Kind; summary: string }[], showDate: boolean): Pieces {
  yield '<h2>Events</h2>\n<table id="events"><thead>';
  yield `<tr><th>${showDate ? 'date · ' : ''}time (${esc(r.clock.zone)})</th><th>who</th><th>event</th><th>source</th></tr></thead><tbody>\n`;
  for (const [i, row] of rows.entries()) {
    const d = data[i]!;
    const time = showDate ? `${r.clock.date(row.ms)} ${r.clock.time(row.ms)}` : r.clock.time(row.ms);
    yield `<tr class="${d.kind}" data-i="${i}"><td>${esc(time)}</td><td>${esc(row.actor)}</td>`;
    yield `<td>${esc(d.summary)}</td><td>${esc(sourceRef(row))}</td></tr>\n`;
  }
  yield '</tbody></table>\n';
}

/** Click or Enter on an event shows it in full in the details panel. */
function* pageScript(): Pieces {
  yield (
    `<script>
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('data').textContent);
  var panel = document.getElementById('details');
  var selected = null;
  function show(i) {
    var d = data[i];
    if (!d) return;
    if (selected) selected.classList.remove('sel');
    selected = document.querySelector('circle.ev[data-i="' + i + '"]');
    if (selected) selected.classList.add('sel');
    panel.textContent = d.time + '  ' + d.actor + '  (' + d.source + (d.copies ? '; also ' + d.copies.join(', ') : '') + ')\\n'` +
    ` + d.summary + '\\n\\n' + JSON.stringify(d.event, null, 2);
  }
  function pick(e) {
    var el = e.target.closest ? e.target.closest('[data-i]') : null;
    if (el) show(Number(el.getAttribute('data-i')));
  }
  document.getElementById('chart').addEventListener('click', pick);
  document.getElementById('events').addEventListener('click', pick);
  document.getElementById('chart').addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') pick(e); });
})();
</script>\n</body>\n</html>\n`
  );
}

/**
 * The summary of a timeline too big to draw: per responder and per time bucket, one bar whose height
 * grows with the number of events, red when some failed, with the count of each type in its title.
 * Only the events whose kind depends on their data are parsed again, one at a time.
 */
function* bucketBars(
  r: Report,
  rows: Row[],
  laneOf: Map<string, number>,
  g: { t0: number; t1: number; left: number; width: number; top: number; laneH: number },
): Pieces {
  const cells = new Map<number, { n: number; failures: number; types: Map<string, number> }>();
  for (const row of rows) {
    const bucket = Math.min(BUCKETS - 1, Math.max(0, Math.floor(((row.ms - g.t0) / (g.t1 - g.t0)) * BUCKETS)));
    const key = laneOf.get(row.actor || '?')! * BUCKETS + bucket;
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = { n: 0, failures: 0, types: new Map() }));
    cell.n++;
    cell.types.set(row.type, (cell.types.get(row.type) ?? 0) + 1);
    if (KIND_FROM_DATA.has(row.type) && kindOf(eventOf(row, r.timeline.lines)) === 'failure') cell.failures++;
  }
  let most = 1;
  for (const cell of cells.values()) most = Math.max(most, cell.n);
  const w = g.width / BUCKETS;
  for (const [key, cell] of cells) {
    const lane = Math.floor(key / BUCKETS);
    const bucket = key % BUCKETS;
    const h = Math.max(2, (Math.log1p(cell.n) / Math.log1p(most)) * (g.laneH - 6));
    const x0 = g.left + bucket * w;
    const from = g.t0 + (bucket / BUCKETS) * (g.t1 - g.t0);
    const to = g.t0 + ((bucket + 1) / BUCKETS) * (g.t1 - g.t0);
    const types = [...cell.types]
      .sort((a, b) => b[1] - a[1])
      .map(([type, n]) => `${n} ${type}`)
      .join(', ');
    const failed = cell.failures ? ` (${cell.failures} failed)` : '';
    const label = `${r.clock.stamp(from)} → ${r.clock.stamp(to)}: ${cell.n} event${cell.n === 1 ? '' : 's'}${failed}: ${types}`;
    const y = g.top + lane * g.laneH + g.laneH - 3 - h;
    yield `<rect class="bucket" data-n="${cell.n}" x="${x0.toFixed(1)}" y="${y.toFixed(1)}"`;
    yield ` width="${Math.max(1, w - 0.5).toFixed(1)}" height="${h.toFixed(1)}"`;
    yield ` fill="${cell.failures ? COLORS.failure : COLORS.step}" fill-opacity="0.6"><title>${esc(label)}</title></rect>\n`;
  }
}
