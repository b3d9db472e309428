import type { AnyEvent, EventData } from '../incident/events.js';
import { anchorsOf, dueTimes, lateness, recordedDeadlines, type MilestoneTimes } from '../regulator/assess.js';
import type { DeadlineName } from '../regulator/rules.js';
import { cell } from './markdown.js';
import type { Pieces, Report } from './view.js';
import type { Row } from './rows.js';
import { formatDuration } from '../text/duration.js';

/** What the regulator events of an incident say, gathered while the postmortem reads its rows. */
export class RegulatorRecord {
  private assessment?: { row: Row; data: EventData['regulator.assessed'] };
  private readonly filed = new Map<string, { row: Row; data: EventData['regulator.filed'] }>();
  private readonly pending = new Map<string, Row>();

  static readonly TYPES = new Set(['regulator.assessed', 'regulator.filed', 'regulator.pending']);

  add(row: Row, e: AnyEvent): void {
    // The last assessment stands: facts answered again later are the better ones.
    if (e.type === 'regulator.assessed' && Array.isArray(e.data.notifications))
      this.assessment = { row, data: { ...e.data, notifications: e.data.notifications.filter((n) => n && Array.isArray(n.deadlines)) } };
    if (e.type === 'regulator.filed') this.filed.set(`${e.data.notification}\u0000${e.data.deadline}`, { row, data: e.data });
    if (e.type === 'regulator.pending') this.pending.set(`${e.data.notification}\u0000${e.data.deadline}`, row);
  }

  get any(): boolean {
    return this.assessment !== undefined;
  }

  /**
   * The "Regulator notifications" section: every notification that applied, each deadline with its due time
   * (dated again now that the logs hold every milestone), when it was filed and by whom, and how late; then
   * those that did not apply, with the reason.
   */
  *markdown(r: Report, src: (row: Row) => string, lastMs: number): Pieces {
    const a = this.assessment;
    if (!a) return;
    const at = (iso: string) => r.clock.stamp(Date.parse(iso));
    const milestones: MilestoneTimes = {};
    for (const [name, p] of Object.entries(r.metrics.milestones))
      if (p) (milestones as Record<string, string>)[name] = new Date(p.ms).toISOString();
    const started = r.metrics.incidentStart ? new Date(r.metrics.incidentStart.ms).toISOString() : undefined;
    const assessedAt = new Date(a.row.ms).toISOString();
    const anchors = anchorsOf(milestones, started, assessedAt);
    yield '## Regulator notifications\n\n';
    yield `Assessed at ${at(assessedAt)} by ${cell(a.row.actor)} with ${cell(a.data.rules?.file ?? '?')}`;
    if (a.data.rules?.version) yield ` (version ${cell(a.data.rules.version)})`;
    yield ` (${src(a.row)}). `;
    yield `Facts: ${cell(
      Object.entries(a.data.facts ?? {})
        .map(([name, f]) => `${name} ${f.value}${f.source === 'answer' ? '' : ` (${f.source})`}`)
        .join(', ') || 'none',
    )}. `;
    yield "The rules are the team's own reading of the texts cited: check them, and the filings below, with compliance.\n\n";
    const applying = (a.data.notifications ?? []).filter((n) => n.applies);
    if (applying.length === 0) yield '_No notification applied._\n\n';
    else {
      yield `| notification | regulator | report | due (${r.clock.zone}) | filed (${r.clock.zone}) | by | reference | status | source |\n`;
      yield '| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n';
      const end = lastMs;
      for (const n of applying) {
        const filedAt = new Map<DeadlineName, string>();
        for (const d of n.deadlines) {
          const f = this.filed.get(`${n.id}\u0000${d.name}`);
          if (f) filedAt.set(d.name as DeadlineName, f.data.at);
        }
        const dues = dueTimes(recordedDeadlines(n.deadlines), anchors, filedAt);
        for (const d of n.deadlines) {
          const due = dues.find((x) => x.name === d.name)?.due ?? d.due;
          const f = this.filed.get(`${n.id}\u0000${d.name}`);
          let status: string;
          if (f) {
            const late = lateness(due, f.data.at);
            status = late > 0 ? `**late by ${formatDuration(late, 'spaced')}**` : 'on time';
          } else if (due && Date.parse(due) < end)
            status = `**not filed; overdue by ${formatDuration(end - Date.parse(due), 'spaced')} at the last event**`;
          else status = this.pending.has(`${n.id}\u0000${d.name}`) ? '**not filed yet**' : '**not recorded**';
          const source = f ? src(f.row) : src(a.row);
          yield `| ${cell(n.title)} (\`${cell(n.id)}\`) | ${cell(n.regulator)} | ${cell(d.name)} | `;
          yield `${due ? at(due) : `when ${cell(d.waitingFor ?? '?')} is known`} | ${f ? at(f.data.at) : ''} | ${f ? cell(f.data.by) : ''} | `;
          yield `${f?.data.reference ? cell(f.data.reference) : ''} | ${status} | ${source} |\n`;
        }
      }
      yield '\n';
    }
    const not = (a.data.notifications ?? []).filter((n) => !n.applies);
    if (not.length) {
      yield 'Did not apply:\n\n';
      for (const n of not) yield `- ${cell(n.title)} (\`${cell(n.id)}\`, ${cell(n.regulator)}): ${cell(n.reason)}\n`;
      yield '\n';
    }
  }
}
