import os from 'node:os';
import { resolve } from 'node:path';
import { EXIT, UserError } from '../errors.js';
import { printable } from '../diagnostics/report.js';
import { Claim } from '../incident/claim.js';
import type { DrillMark, IncidentEvent } from '../incident/events.js';
import { LogWriter } from '../incident/log.js';
import { replay } from '../incident/replay.js';
import { ensureDir, incidentDir, logPath, newIncidentId } from '../incident/store.js';
import { SEVERITIES, type Runbook, type Severity } from '../runbook/model.js';
import { loadRules, rulesFile } from '../regulator/rules-file.js';
import { paint } from '../ui/output.js';
import { VERSION } from '../version.js';
import { alertPresets, recordAlertStart, type AlertStart } from './alert-record.js';
import { openIncidentToResume, type OpenChoice } from './already-open.js';
import { loginName, prepare, readAnswers, walkIncident, type WalkCliOptions } from './drive.js';
import { resumeIncident } from './resume.js';

/** What starting an incident takes, whichever command starts it (sev run, sev triage --run). */
export interface StartOptions extends WalkCliOptions, OpenChoice {
  runbooks: string;
  incidentDir?: string;
  dryRun?: boolean;
  severity?: string;
  /** Set by sev drill: the first event marks the incident as a drill. */
  drill?: DrillMark;
  /** Told the incident's id and log as soon as its first event is written (sev drill scores that log). */
  onStarted?: (incident: string, log: string) => void;
}

function parseSeverity(value: string | undefined): Severity | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase() as Severity;
  if (!SEVERITIES.includes(upper)) throw new UserError(`--severity ${value}: expected one of ${SEVERITIES.join(', ')}`, EXIT.usage);
  return upper;
}

/**
 * Starts an incident of a loaded runbook: checks the answers, --set values and regulators file before
 * anything is written, claims the new incident, writes its first event and walks it. Started from an
 * alert, the alert's values for the inputs are checked with them, and the alert and the milestones it
 * dates follow the first event.
 */
export async function startIncident(runbook: Runbook, options: StartOptions, fromAlert?: AlertStart): Promise<void> {
  const dir = incidentDir(options.incidentDir);
  const open = await openIncidentToResume(runbook.id, dir, options);
  if (open) {
    if (options.severity)
      process.stderr.write(
        `sev: --severity ${printable(options.severity)} is for a new incident; the resumed one keeps its own (change it at any prompt)\n`,
      );
    if (fromAlert) process.stderr.write(`sev: the alert is not recorded in the resumed incident; sev alert ${open} <payload> records it\n`);
    await resumeIncident(open, options);
    return;
  }
  const answers = readAnswers(options);
  const severity = parseSeverity(options.severity) ?? answers?.severity ?? runbook.severity;
  const responder = options.as || answers?.responder || loginName();
  const prepared = prepare(runbook, answers, options.set, options.runbooks);
  const prefilled = fromAlert ? alertPresets(runbook, fromAlert.alert, prepared) : undefined;
  if (prefilled) prepared.presets = { ...prefilled.values, ...prepared.presets };
  // A regulators file with problems is refused now, not at the regulator step in the middle of the incident.
  if (runbook.steps.some((s) => s.regulator)) loadRules(rulesFile(runbook.file, options.runbooks));

  ensureDir(dir);
  const now = new Date();
  const incident = newIncidentId(runbook.id, now);
  // Claimed before its log exists: a resume that finds the log finds its walker too.
  const claim = await Claim.take(dir, incident, responder);
  try {
    const writer = LogWriter.create(logPath(dir, incident, responder), incident, responder);
    writer.guard = () => claim.assertHeld();
    const started = writer.append('incident.started', {
      runbook: {
        id: runbook.id,
        title: runbook.title,
        ...(runbook.version ? { version: runbook.version } : {}),
        hash: runbook.hash,
        file: runbook.file,
        ...(runbook.lang ? { lang: runbook.lang } : {}),
        // The texts came from a translation: which one, so a resume shows the same and notices a change.
        ...(runbook.translation ? { translation: { ...runbook.translation, file: resolve(runbook.translation.file) } } : {}),
      },
      severity,
      responder,
      dryRun: Boolean(options.dryRun),
      host: os.hostname(),
      sevVersion: VERSION,
      ...(options.drill ? { drill: options.drill } : {}),
    });
    options.onStarted?.(incident, writer.path);
    const c = paint(process.stderr);
    process.stderr.write(
      `${c.bold(`Incident ${incident}`)} · ${printable(runbook.title)} · ${severity} · ${printable(responder)}` +
        `${options.dryRun ? ' · DRY RUN: nothing will be executed' : ''}${options.drill ? ' · DRILL' : ''}\n`,
    );
    process.stderr.write(c.dim(`Log: ${writer.path}\n`));
    const events: IncidentEvent[] = [started];
    if (fromAlert) {
      const recorded = recordAlertStart(writer, fromAlert);
      events.push(...recorded.events);
      for (const m of recorded.events.slice(1))
        process.stderr.write(
          `From the alert: ${printable((m.data as { milestone: string }).milestone)} at ${printable((m.data as { at: string }).at)}\n`,
        );
      for (const line of prefilled?.shown ?? []) process.stderr.write(`From the alert: ${printable(line)}\n`);
      for (const warning of recorded.warnings) process.stderr.write(`sev: ${printable(warning)}\n`);
    }
    await walkIncident(runbook, replay(events), writer, options, prepared);
  } finally {
    claim.release();
  }
}
