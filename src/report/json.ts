import { jsonSafe } from './sanitize.js';
import type { Pieces, Report } from './view.js';

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
