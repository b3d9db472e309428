import type { AnyEvent } from '../incident/events.js';
import { describe, eventOf, isTodo } from './describe.js';
import { oneLine } from './sanitize.js';
import { cell, logsMarkdown, metricsMarkdown, timelineMarkdown } from './markdown.js';
import { header, type Pieces, type Report } from './view.js';
import type { Row } from './rows.js';
import { formatDuration } from '../text/duration.js';
import { RegulatorRecord } from './regulators.js';

const TBW = '_TO BE WRITTEN — only a person can write this section._';

/** Notes sorted by what they say: "went well" / "went wrong" prefixes, action items, the rest. */
const WELL = /^\s*(went well|well|good|\+)\s*[:\-–]\s*/i;
const WRONG = /^\s*(went wrong|wrong|bad|problem|-)\s*[:\-–]\s*/i;

/**
 * A fact of the postmortem: its row, and its text when the text is not that of a note. The texts of notes,
 * steps and checks are made again from the event when they are written: a big incident has hundreds of
 * thousands of them, and holding them all would double what the rows take.
 */
interface Item {
  row: Row;
  text?: string;
}

const LISTED = new Set([
  'note',
  'announcement',
  'delivery.finished',
  'delivery.unfinished',
  'command.started',
  'command.finished',
  'check.result',
  'wait.finished',
  'step.completed',
  'step.skipped',
  'step.answered',
  'severity.changed',
  'milestone',
  'incident.paused',
  'incident.resumed',
]);

/** A note's text without the prefix that sorted it. */
function noteText(e: AnyEvent): string {
  const text = e.type === 'note' ? String(e.data.text ?? '') : '';
  if (e.type === 'note' && (e.data.action || isTodo(text))) return text.replace(/^\s*TODO\b[:\s-]*/i, '');
  return WELL.test(text) ? text.replace(WELL, '') : text.replace(WRONG, '');
}

function failedCheckText(e: AnyEvent): string {
  if (e.type === 'check.result') return `${e.data.check} (step ${e.data.step ?? '?'}): ${e.data.status}, ${oneLine(e.data.reason, 100)}`;
  if (e.type === 'wait.finished')
    return `wait for ${e.data.check} (step ${e.data.step}) gave up after ${e.data.attempts} attempts: ${e.data.status}`;
  return '';
}

/** What the postmortem reports, gathered from the timeline in one pass. */
interface PostmortemFacts {
  well: Item[];
  wrong: Item[];
  other: Item[];
  actions: Item[];
  announcements: { row: Row; audience: string; channel?: string; subject?: string; message: string }[];
  commands: { row: Row; step: string; command: string; exit: string; ms?: number; ok?: boolean }[];
  failedChecks: Row[];
  steps: Row[];
  /** The checks before the incident was detected: what detection had to go on. */
  detection: Row[];
  regulators: RegulatorRecord;
}

function postmortemFacts(r: Report): PostmortemFacts {
  const t = r.timeline;
  const well: Item[] = [];
  const wrong: Item[] = [];
  const other: Item[] = [];
  const actions: Item[] = [];
  const announcements: PostmortemFacts['announcements'] = [];
  const commands: PostmortemFacts['commands'] = [];
  const failedChecks: Row[] = [];
  const steps: Row[] = [];
  const openCommands = new Map<string, (typeof commands)[number]>();
  const detection: Row[] = [];
  const regulators = new RegulatorRecord();
  const detectedMs = r.metrics.milestones.detected?.ms ?? Infinity;

  for (const row of t.rows) {
    if (RegulatorRecord.TYPES.has(row.type)) {
      regulators.add(row, eventOf(row, t.lines) as AnyEvent);
      continue;
    }
    // Only the types a section lists are parsed again.
    if (!LISTED.has(row.type)) continue;
    const e = eventOf(row, t.lines) as AnyEvent;
    switch (e.type) {
      case 'note': {
        const text = String(e.data.text ?? '');
        if (e.data.action || isTodo(text)) actions.push({ row });
        else if (WELL.test(text)) well.push({ row });
        else if (WRONG.test(text)) wrong.push({ row });
        else other.push({ row });
        break;
      }
      case 'announcement':
        announcements.push({ row, audience: e.data.audience, channel: e.data.channel, subject: e.data.subject, message: e.data.message });
        break;
      case 'command.started': {
        const c = { row, step: e.data.step, command: e.data.command, exit: 'no result logged' };
        commands.push(c);
        openCommands.set(`${row.log}:${e.data.step}`, c);
        break;
      }
      case 'command.finished': {
        const c = openCommands.get(`${row.log}:${e.data.step}`);
        const exit = e.data.error
          ? `could not start: ${oneLine(e.data.error, 60)}`
          : e.data.timedOut
            ? 'timed out'
            : e.data.signal
              ? `killed (${e.data.signal})`
              : `exit ${e.data.exit}`;
        if (c) {
          c.exit = exit;
          c.ms = e.data.durationMs;
          c.ok = e.data.ok;
          openCommands.delete(`${row.log}:${e.data.step}`);
        }
        if (!e.data.ok) wrong.push({ row, text: `command of step ${e.data.step} failed: ${exit}` });
        break;
      }
      case 'check.result':
        if (e.data.status === 'CRITICAL' || e.data.status === 'UNKNOWN') failedChecks.push(row);
        if (row.ms <= detectedMs) detection.push(row);
        break;
      case 'wait.finished':
        if (!e.data.passed) failedChecks.push(row);
        break;
      case 'step.completed':
      case 'step.skipped':
      case 'step.answered':
      case 'severity.changed':
      case 'milestone':
      case 'incident.paused':
      case 'incident.resumed':
        steps.push(row);
        if (e.type === 'step.completed' && e.data.result === 'failed') wrong.push({ row, text: `step ${e.data.step} failed` });
        break;
      default:
        break;
    }
  }
  return { well, wrong, other, actions, announcements, commands, failedChecks, steps, detection, regulators };
}

/**
 * A postmortem draft in the blameless form, in Markdown: what the logs can tell (header, impact window,
 * metrics, what was done, the timeline, announcements, action items) and clearly marked empty sections
 * for what only people can write (root cause, contributing factors). Every fact names its source.
 */
export function* renderPostmortem(r: Report): Pieces {
  const t = r.timeline;
  const m = r.metrics;
  const h = header(t);
  const at = (ms: number) => r.clock.stamp(ms);
  const src = (row: { log: number; line: number }) => `[${row.log + 1}]:${row.line}`;
  const ev = (row: Row) => eventOf(row, t.lines) as AnyEvent;
  const { well, wrong, other, actions, announcements, commands, failedChecks, steps, detection, regulators } = postmortemFacts(r);

  const first = t.rows[0];
  const last = t.rows[t.rows.length - 1];
  const impactStart = m.impactStart;
  const impactEnd = m.milestones.resolved;

  yield `# Postmortem: ${cell(h.title ?? h.runbook ?? 'incident')} — ${cell(t.incident)}\n\n`;
  yield "> **Draft** written by `sev postmortem` from the responders' logs. Blameless: it describes what happened and what the\n";
  yield '> system allowed, not who is at fault. Every fact names its source as `[log]:line` (logs listed under Sources).\n';
  yield '> Sections marked _TO BE WRITTEN_ need a person.\n\n';

  yield '| | |\n| --- | --- |\n';
  yield `| Incident | \`${cell(t.incident).replace(/`/g, "'")}\`${t.incidents.length > 1 ? ` (merged with --force: ${cell(t.incidents.join(', '))})` : ''} |\n`;
  yield `| Runbook | ${cell(h.runbook ?? 'unknown')}${h.title ? ` — ${cell(h.title)}` : ''} |\n`;
  yield `| Severity | ${h.maxSeverity ? `highest ${cell(h.maxSeverity)}, final ${cell(h.severity)}` : 'unknown'} |\n`;
  yield `| Responders | ${cell(h.responders.join(', '))} |\n`;
  yield `| Hosts | ${cell([...new Set(t.logs.map((l) => l.host).filter(Boolean))].join(', ') || 'unknown')} |\n`;
  if (first && last) yield `| First / last event | ${at(first.ms)} / ${at(last.ms)} |\n`;
  yield `| Impact window | ${impactStart ? at(impactStart.ms) : '?'} → ${impactEnd ? at(impactEnd.ms) : 'not resolved in the logs'}`;
  if (impactStart && impactEnd) yield ` (${formatDuration(impactEnd.ms - impactStart.ms, 'spaced')})`;
  yield ' |\n';
  yield `| Times | ${r.clock.zone} |\n`;
  yield `| Status | DRAFT |\n`;
  if (h.dryRun) yield '| Note | **the incident was a DRY RUN**: nothing was executed |\n';
  yield '\n';

  yield '## Summary\n\n';
  const ttm = m.metrics.find((x) => x.key === 'time-to-mitigate');
  const ttr = m.metrics.find((x) => x.key === 'time-to-resolve');
  yield `From the logs: the incident was handled with the runbook ${cell(h.runbook ?? '?')}`;
  if (m.incidentStart) yield ` starting ${at(m.incidentStart.ms)}`;
  yield `, by ${h.responders.length} responder${h.responders.length === 1 ? '' : 's'}; `;
  yield `severity ${h.maxSeverity ? `peaked at ${cell(h.maxSeverity)}` : 'was not recorded'}; `;
  yield ttm?.ms != null ? `mitigated ${formatDuration(ttm.ms, 'spaced')}` : 'mitigation not recorded';
  yield ` and ${ttr?.ms != null ? `resolved ${formatDuration(ttr.ms, 'spaced')}` : 'resolution not recorded'}`;
  yield ` after ${impactStart?.fallback ? 'the incident started (no impact-start milestone)' : 'impact started'}. `;
  yield `${announcements.length} announcement${announcements.length === 1 ? '' : 's'} sent, `;
  yield `${commands.length} command${commands.length === 1 ? '' : 's'} run, `;
  yield `${failedChecks.length} failed check${failedChecks.length === 1 ? '' : 's'}.\n\n`;
  yield `${TBW.replace('this section', 'two or three sentences for readers who read nothing else')}\n\n`;

  yield '## Impact\n\n';
  if (impactStart) {
    yield `- **Window:** ${at(impactStart.ms)} → ${impactEnd ? at(impactEnd.ms) : 'not resolved in the logs'}`;
    if (impactEnd) yield ` (${formatDuration(impactEnd.ms - impactStart.ms, 'spaced')})`;
    yield '\n';
  }
  if (impactStart?.fallback) yield `- **Impact start is a stand-in:** ${cell(impactStart.fallback)}.\n`;
  yield '- **Users affected:** _TO BE FILLED (number, share of active users, which segments)_\n';
  yield '- **Money affected:** _TO BE FILLED (transactions failed, delayed or duplicated; amount and currency; funds at risk; refunds owed)_\n';
  yield '- **Services and regions:** _TO BE FILLED_\n';
  yield regulators.any
    ? '- **Regulatory notifications:** see Regulator notifications below. **Partner notifications:** _TO BE FILLED (yes/no, to whom, when)_\n\n'
    : '- **Regulatory or partner notifications:** _TO BE FILLED (yes/no, to whom, when)_\n\n';

  yield '### Customer communication\n\n';
  if (announcements.length === 0) yield '_No announcement was logged during the incident._\n\n';
  else {
    yield `| time (${r.clock.zone}) | audience | channel | message | by | source |\n| --- | --- | --- | --- | --- | --- |\n`;
    for (const a of announcements) {
      const message = oneLine(a.subject ? `${a.subject}: ${a.message}` : a.message, 500);
      yield `| ${at(a.row.ms)} | ${cell(a.audience)} | ${cell(a.channel ?? '')} | ${cell(message)} | ${cell(a.row.actor)} | ${src(a.row)} |\n`;
    }
    yield '\n';
  }

  yield* regulators.markdown(r, src, last?.ms ?? Date.now());

  yield '## Metrics\n\n';
  yield* metricsMarkdown(r);

  yield '## Detection\n\n';
  const detected = m.milestones.detected;
  yield detected
    ? `Detected ${at(detected.ms)} by ${cell(detected.actor)} (\`${cell(detected.file)}:${detected.line}\`).\n\n`
    : '_No `detected` milestone in the logs._\n\n';
  if (detection.length) {
    yield 'Checks up to detection:\n\n';
    for (const d of detection) yield `- ${at(d.ms)} ${cell(describe(ev(d)))} (${src(d)})\n`;
    yield '\n';
  }
  yield `How was it noticed (alert, customer report, dashboard)? Could it have been noticed sooner? ${TBW}\n\n`;

  yield '## Response and recovery\n\n';
  yield '### Steps taken\n\n';
  if (steps.length === 0) yield '_No steps logged._\n\n';
  for (const s of steps) yield `- ${at(s.ms)} — ${cell(s.actor)}: ${cell(describe(ev(s)))} (${src(s)})\n`;
  if (steps.length) yield '\n';
  yield '### Commands run\n\n';
  if (commands.length === 0) yield '_No commands were run._\n\n';
  else {
    yield `| time (${r.clock.zone}) | who | step | command | result | duration | source |\n| --- | --- | --- | --- | --- | --- | --- |\n`;
    for (const c of commands) {
      const bold = c.ok === false ? '**' : '';
      yield `| ${at(c.row.ms)} | ${cell(c.row.actor)} | ${cell(c.step)} | \`${cell(oneLine(c.command, 300)).replace(/`/g, "'")}\` | `;
      yield `${bold}${cell(c.exit)}${bold} | ${c.ms !== undefined ? formatDuration(c.ms, 'spaced') : ''} | ${src(c.row)} |\n`;
    }
    yield '\n';
  }
  yield '### Checks that failed\n\n';
  if (failedChecks.length === 0) yield '_No check failed._\n\n';
  for (const f of failedChecks) yield `- ${at(f.ms)} — ${cell(failedCheckText(ev(f)))} (${src(f)})\n`;
  if (failedChecks.length) yield '\n';

  yield '## Timeline\n\n';
  yield* timelineMarkdown(r);

  const list = function* (items: Item[], empty: string): Pieces {
    if (items.length === 0) yield `${empty}\n`;
    for (const i of items)
      yield `- ${cell(oneLine(i.text ?? noteText(ev(i.row)), 500))} — ${cell(i.row.actor)}, ${at(i.row.ms)} (${src(i.row)})\n`;
    yield '\n';
  };
  yield '## What went well\n\n';
  yield* list(well, '_No note starting with "went well:" or "good:"; add what helped._');
  yield '## What went wrong\n\n';
  yield* list(wrong, '_No note starting with "went wrong:" or "bad:", and nothing failed in the logs; add what hindered._');
  if (other.length) {
    yield '### Other notes from responders (to sort)\n\n';
    yield* list(other, '');
  }

  yield '## Action items\n\n';
  yield 'From `sev note --action` and notes starting with TODO. Give each an owner and a due date.\n\n';
  yield '| # | action | owner | due | raised by | source |\n| --- | --- | --- | --- | --- | --- |\n';
  if (actions.length === 0) yield '| | _none logged_ | | | | |\n';
  for (const [i, a] of actions.entries())
    yield `| ${i + 1} | ${cell(oneLine(a.text ?? noteText(ev(a.row)), 500))} | | | ${cell(a.row.actor)}, ${at(a.row.ms)} | ${src(a.row)} |\n`;
  yield '\n';

  yield '## Root cause\n\n';
  yield `${TBW}\n\n`;
  yield '## Contributing factors\n\n';
  yield `${TBW}\n\n`;

  yield '## Sources\n\n';
  yield* logsMarkdown(r);
}
