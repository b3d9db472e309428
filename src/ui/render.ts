import type { ChalkInstance } from 'chalk';
import type { CheckResultData, CheckStatus, ProcessResultData, UnfinishedDecision } from '../incident/events.js';
import type {
  AnnouncementView,
  AssessmentView,
  ClockLine,
  DueClockNotice,
  OutlineStep,
  RunbookLink,
  StepView,
  UnfinishedView,
} from '../engine/responder.js';
import { formatDuration } from '../text/duration.js';
import { printable, printableText } from '../diagnostics/report.js';
import { firstLineOf } from '../text/cut.js';
import { fitWidth } from '../text/width.js';
import { fittedTable } from './table.js';

/** The first line of a text, cut to a display width (CJK characters count twice). */
export function fittedFirstLine(text: string, width = 60): string {
  return fitWidth(printable(firstLineOf(text)), width);
}

const indent = (text: string, prefix = '  ') => text.replace(/^/gm, prefix);

/** Where the responder is: step, severity, elapsed time and incident, before every step. */
export function stepHeader(view: StepView, c: ChalkInstance): string {
  const { step } = view;
  const title = step.title ? ` — ${printable(step.title)}` : '';
  const status = `${severityColor(view.severity, c)} · ${formatDuration(view.elapsedMs, 'clock')} elapsed · ${view.incident}${view.dryRun ? ' · DRY RUN' : ''}`;
  const lines = [``, c.bold(`Step ${view.number}/${view.total} · ${step.id}${title}`), c.dim(status)];
  for (const clock of view.clocks ?? []) lines.push(clockLine(clock, c));
  if (view.instructions) lines.push('', indent(view.instructions.trimEnd()));
  return lines.join('\n');
}

const HOUR = 3_600_000;

/**
 * An open clock in the header: "Update users: due in 12:04" within the hour (a running time), "PBoC brief
 * report: due 10:32 UTC, in 1h8m" further off, "! Update users: overdue by 3:12" once past due.
 */
export function clockLine(clock: ClockLine, c: ChalkInstance): string {
  const title = printable(clock.title);
  if (clock.inMs <= 0) return c.red.bold(`  ! ${title}: overdue by ${formatDuration(-clock.inMs, 'clock')}`);
  if (clock.inMs < HOUR) return c.yellow(`  ⏱ ${title}: due in ${formatDuration(clock.inMs, 'clock')}`);
  // A day or more away, the date matters too.
  const at = clock.inMs < 24 * HOUR ? `${utc(clock.dueAt).slice(11, 16)} UTC` : utc(clock.dueAt);
  return c.dim(`  ⏱ ${title}: due ${at}, in ${formatDuration(clock.inMs, 'compact')}`);
}

/** What the responder is told at a prompt when a clock falls due, and how to send its update (`how`). */
export function dueNotice(due: DueClockNotice, c: ChalkInstance, how?: string): string {
  const when =
    due.inMs <= 0
      ? `overdue by ${formatDuration(-due.inMs, 'clock')} (was due ${utc(due.dueAt)})`
      : `due in ${formatDuration(due.inMs, 'clock')} (${utc(due.dueAt)})`;
  const send = due.audience && how ? `: ${how}` : '';
  return c.red.bold(`  ! ${printable(due.title)} is ${when}${send}`);
}

export function severityColor(severity: string, c: ChalkInstance): string {
  if (severity === 'SEV1') return c.bgRed.white.bold(severity);
  if (severity === 'SEV2') return c.red.bold(severity);
  if (severity === 'SEV3') return c.yellow(severity);
  return c.cyan(severity);
}

export function statusColor(status: CheckStatus, c: ChalkInstance): string {
  switch (status) {
    case 'OK':
      return c.green(status);
    case 'WARNING':
      return c.yellow(status);
    case 'CRITICAL':
      return c.red.bold(status);
    case 'UNKNOWN':
      return c.magenta(status);
    case 'SKIPPED':
      return c.dim(status);
  }
}

/** The first line of what a check printed, or why it failed when it printed nothing. */
function outputLine(r: CheckResultData): string {
  const out = r.stdout.trim() || r.stderr.trim();
  return out ? fittedFirstLine(out) : r.status === 'OK' ? '' : fittedFirstLine(r.reason);
}

/** Check results as people compare them: check, status, time, first line of output; within `width` when given. */
export function checkTable(results: CheckResultData[], c: ChalkInstance, width?: number): string {
  const columns = [
    { head: 'check' },
    { head: 'status', keep: true },
    { head: 'time', align: 'right' as const },
    { head: 'output', flex: true },
  ];
  const rows = results.map((r) => {
    const tries = r.attempts > 1 ? c.dim(` (${r.attempts} tries)`) : '';
    return [r.check, statusColor(r.status, c) + tries, formatDuration(r.durationMs, 'compact'), outputLine(r)];
  });
  return fittedTable(columns, rows, { width, head: (h) => c.bold(h) });
}

export function commandBox(command: string, c: ChalkInstance, dryRun = false): string {
  const heading = dryRun ? 'This command would run (dry run: nothing is executed):' : 'This command will run:';
  return `${c.bold(heading)}\n${indent(printableText(command), `  ${c.bold('$')} `)}`;
}

/** The question before a command runs; in a dry run it asks what the responder would do. */
export function commandQuestion(dryRun: boolean): { message: string; yes: string; no: string } {
  return dryRun
    ? { message: 'Would you run it?', yes: 'I would run it (dry run: it is not run)', no: "I wouldn't (skips the step)" }
    : { message: 'Run it?', yes: 'Run it', no: "Don't run it (skips the step)" };
}

export function commandResult(result: ProcessResultData & { ok: boolean; reason?: string }, c: ChalkInstance): string {
  const head = result.ok
    ? c.green(`✔ done (exit ${result.exit}, ${formatDuration(result.durationMs, 'compact')})`)
    : c.red(`✘ failed: ${result.reason ?? `exit ${result.exit}`}`);
  const lines = [head];
  const output = (result.stdout + (result.stderr ? `\n${result.stderr}` : '')).trimEnd();
  if (output) {
    const shown = output.split('\n');
    const tail = shown.slice(-20).map((l) => printable(l));
    if (shown.length > 20) lines.push(c.dim(`  … ${shown.length - 20} earlier lines are in the incident log`));
    lines.push(indent(tail.join('\n'), c.dim('  │ ')));
  }
  if (result.truncated?.length) lines.push(c.dim(`  (${result.truncated.join(' and ')} cut at 64 KiB)`));
  return lines.join('\n');
}

export function announcementBox(a: AnnouncementView, c: ChalkInstance): string {
  const to = [a.audience, a.channel].filter(Boolean).join(' via ');
  const lines = [c.bold(`Announcement to ${to}`)];
  if (a.subject) lines.push(`  ${c.bold('Subject:')} ${a.subject}`);
  lines.push(indent(a.message.trimEnd(), c.dim('  │ ')));
  return lines.join('\n');
}

/** What a responder is told of a command an earlier run of sev started and did not see end. */
export function unfinishedNotice(u: UnfinishedView, c: ChalkInstance): string {
  const where =
    u.pgid === undefined ? 'its process group was not recorded' : `process group ${u.pgid} on ${printable(u.host ?? 'an unknown host')}`;
  const what =
    u.state === 'alive'
      ? `This command, started at ${u.startedAt} by an earlier run of sev, is still running (${where}). It will not be started again beside it.`
      : u.state === 'elsewhere'
        ? `This command started at ${u.startedAt} on another host (${where}) and may still be running there. Result unknown: check its effect.`
        : `This command started at ${u.startedAt}; sev stopped before it ended. Result unknown: check its effect.`;
  return c.yellow(`  ! ${what}`);
}

export const UNFINISHED_LABELS: Record<UnfinishedDecision, string> = {
  wait: 'Wait for it to end',
  kill: 'Kill it (its whole process group)',
  rerun: 'Run it again',
  done: 'Mark it done (its effect is there)',
  failed: 'Mark it failed',
};

/** "2026-11-26 05:12Z": a UTC time as people write it in a regulator's form. */
export function utc(iso: string): string {
  return iso.replace('T', ' ').replace(/:\d{2}(\.\d+)?Z$/, 'Z');
}

/**
 * A regulator step's verdict: the notice, the facts, then each notification that applies (deadlines as UTC
 * times with the time left, who files, how, the source) and each that does not, with the reason.
 */
export function assessmentBox(a: AssessmentView, c: ChalkInstance, left: (due: string) => string): string {
  const lines = ['', c.yellow(indent(printable(a.notice)))];
  lines.push(c.dim(`  rules: ${a.rulesFile}${a.version ? ` (version ${a.version})` : ''}`));
  lines.push(
    `  facts: ${a.facts.map((f) => `${f.name} ${f.text}${f.source === 'answer' ? '' : c.dim(` (${f.source})`)}`).join(', ') || 'none'}`,
  );
  const applying = a.notifications.filter((n) => n.applies);
  const not = a.notifications.filter((n) => !n.applies);
  lines.push(
    '',
    c.bold(
      applying.length ? `  ${applying.length} notification${applying.length === 1 ? '' : 's'} to file:` : '  No notification applies.',
    ),
  );
  for (const n of applying) {
    lines.push(`  ${c.red('●')} ${c.bold(printable(n.title))} — ${printable(n.regulator)}`);
    lines.push(`      because ${printable(n.reason)}`);
    for (const d of n.deadlines) {
      const when = d.due ? `${c.bold(utc(d.due))} (${left(d.due)})` : c.dim(`when ${d.waitingFor} is known`);
      lines.push(`      ${d.name.padEnd(12)} due ${when} · ${d.rule}`);
    }
    lines.push(`      files: ${printable(n.files)} · how: ${printable(n.how)}`);
    lines.push(c.dim(`      source: ${printable(n.source.name)} ${n.source.url}`));
  }
  if (not.length) {
    lines.push('', c.dim('  Not applying:'));
    for (const n of not) lines.push(c.dim(`  ○ ${printable(n.title)} — ${printable(n.regulator)}: ${printable(n.reason)}`));
  }
  return lines.join('\n');
}

/** The runbook's links, at the start and on /links: where to look while the steps go on. */
export function linksBox(links: RunbookLink[], c: ChalkInstance): string {
  if (!links.length) return c.dim('  This runbook has no links.');
  return [c.bold('Links'), ...links.map((l) => `  ${printable(l.title)}: ${c.cyan(printable(l.url))}`)].join('\n');
}

const OUTLINE_MARK: Record<OutlineStep['state'], string> = { done: '✔', skipped: '↷', current: '▶', todo: ' ' };

/** The runbook's steps on /outline: done, skipped, the one you are at, and what is still to come. */
export function outlineBox(steps: OutlineStep[], c: ChalkInstance): string {
  const width = String(steps.length).length;
  const line = (s: OutlineStep) => {
    const text = `${OUTLINE_MARK[s.state]} ${String(s.number).padStart(width)}. ${printable(s.title ?? s.id)}${s.title ? c.dim(` (${printable(s.id)})`) : ''}`;
    return s.state === 'current' ? c.bold(`${text}  ← you are here`) : s.state === 'todo' ? text : c.dim(text);
  };
  return [c.bold('Steps'), ...steps.map((s) => `  ${line(s)}`)].join('\n');
}
