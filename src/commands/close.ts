import { dirname } from 'node:path';
import { EXIT, UserError } from '../errors.js';
import { Claim, currentWalker } from '../incident/claim.js';
import type { CloseOutcome } from '../incident/events.js';
import { LogWriter } from '../incident/log.js';
import { findIncident, incidentDir, stateOf, walkerLog } from '../incident/store.js';
import { oneLine } from '../report/sanitize.js';
import { loginName } from '../session/drive.js';
import type { Settings } from '../config/settings.js';

export interface CloseOptions {
  incidentDir?: string;
  reason?: string;
  outcome?: string;
  as?: string;
  settings?: Settings;
}

const OUTCOMES: CloseOutcome[] = ['abandoned', 'duplicate'];
/** As for a note: a longer reason belongs in a document it points to. */
const MAX_REASON_BYTES = 64 * 1024;

/**
 * Closes an incident nobody will walk to its end (abandoned, or a duplicate of another): an incident.closed
 * event with the reason, in the log that started it, where status, resume and the reports look. Refused
 * while a process walks it: that walk would go on past the close.
 */
export async function closeCommand(ref: string, options: CloseOptions): Promise<void> {
  const reason = (options.reason ?? '').trim();
  if (!reason) throw new UserError('the reason is empty', EXIT.usage, 'sev close <incident> --reason "duplicate of …"');
  if (Buffer.byteLength(reason) > MAX_REASON_BYTES)
    throw new UserError(
      `the reason is longer than 64 KiB (${Buffer.byteLength(reason)} bytes)`,
      EXIT.usage,
      'Put the details in a document and give where it is.',
    );
  const outcome = (options.outcome ?? 'abandoned') as CloseOutcome;
  if (!OUTCOMES.includes(outcome)) throw new UserError(`--outcome ${options.outcome}: expected one of ${OUTCOMES.join(', ')}`, EXIT.usage);
  const actor = options.as || loginName();
  const found = findIncident(incidentDir(options.incidentDir), ref, options.settings?.incidentDir.from);
  const home = dirname(walkerLog(found).file);
  const walker = currentWalker(home, found.id);
  if (walker) {
    throw new UserError(
      `incident ${found.id} is being walked by ${walker.responder} (pid ${walker.pid} on ${walker.host}, since ${walker.since}): ` +
        'it is not closed while a walk goes on',
      EXIT.usage,
      `Stop or pause that run first (Ctrl-C pauses it), then close it. Notes can be added meanwhile: sev note ${found.id} "…"`,
    );
  }
  // Held while the close is written, so no resume starts walking in between.
  const claim = await Claim.take(home, found.id, actor);
  try {
    const incident = findIncident(home, found.id);
    const log = walkerLog(incident);
    const state = stateOf(log);
    if (!state.runbook)
      throw new UserError(
        `${log.file}: the log does not say which runbook the incident follows (no incident.started event); nothing was written`,
        EXIT.usage,
      );
    if (state.status === 'closed') {
      throw new UserError(
        `incident ${incident.id} is closed already (${state.outcome}${state.lastTime ? ` at ${state.lastTime}` : ''}); nothing was written`,
        EXIT.usage,
        `sev note ${incident.id} "…" still adds notes to it.`,
      );
    }
    const writer = LogWriter.open(log.file, incident.id, actor);
    try {
      const event = writer.append('incident.closed', { outcome, step: state.step ?? '', reason });
      process.stderr.write(`Incident ${oneLine(incident.id, 200)} closed (${outcome}) in ${oneLine(log.file, 400)}, event ${event.seq}.\n`);
    } finally {
      writer.close();
    }
  } finally {
    claim.release();
  }
}
