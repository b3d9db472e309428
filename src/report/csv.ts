import { describe, eventOf, kindOf } from './describe.js';
import { csvField } from './sanitize.js';
import { timeOf } from './rows.js';
import type { Pieces, Report } from './view.js';

export function* renderCsv(r: Report): Pieces {
  const t = r.timeline;
  const local = r.clock.zone !== 'UTC';
  yield (
    [
      'time_utc',
      ...(local ? [`time_${r.clock.zone}`] : []),
      'actor',
      'type',
      'kind',
      'summary',
      'file',
      'line',
      'seq',
      'id',
      'copies',
    ].join(',') + '\r\n'
  );
  for (const row of t.rows) {
    const event = eventOf(row, t.lines);
    const fields: (string | number)[] = [timeOf(row)];
    if (local) fields.push(r.clock.stamp(row.ms));
    fields.push(
      row.actor,
      row.type,
      kindOf(event),
      describe(event),
      t.logs[row.log]!.file,
      row.line,
      row.seq,
      row.id ?? event.id,
      (row.copies ?? []).map((c) => `${t.logs[c.log]!.file}:${c.line}`).join(' '),
    );
    yield fields.map(csvField).join(',') + '\r\n';
  }
}
