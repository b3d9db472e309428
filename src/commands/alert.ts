import { alertName } from '../alerts/pick.js';
import { evidenceFor, latestOffer } from '../alerts/evidence.js';
import { readAlertPayload } from '../alerts/payload.js';
import { EXIT, UserError } from '../errors.js';
import { LogWriter } from '../incident/log.js';
import { findIncident, incidentDir, noteTarget } from '../incident/store.js';
import { oneLine } from '../report/sanitize.js';
import { alertData } from '../session/alert-record.js';
import { canPrompt, loginName } from '../session/drive.js';
import { isPromptCancel } from '../ui/prompt-cancel.js';

export interface AlertOptions {
  incidentDir?: string;
  answer?: string;
  as?: string;
}

/** `--answer yes|no`, the scripted word for the question; undefined when not given. */
function scriptedAnswer(word: string | undefined): boolean | undefined {
  if (word === undefined) return undefined;
  const w = word.toLowerCase();
  if (w === 'yes' || w === 'y') return true;
  if (w === 'no' || w === 'n') return false;
  throw new UserError(`--answer ${oneLine(word, 20)}: expected yes or no`, EXIT.usage);
}

const hhmm = (iso: string) => iso.slice(11, 16);

/**
 * Records an alert that arrived for a running incident, like a note (from any terminal, also while the run
 * goes on). A resolved one offers its end as the resolved milestone; the responder decides, never sev.
 */
export async function alertCommand(ref: string, file: string, options: AlertOptions): Promise<void> {
  const scripted = scriptedAnswer(options.answer);
  const dir = incidentDir(options.incidentDir);
  const actor = options.as || loginName();
  const payload = await readAlertPayload(file);
  const receivedAt = new Date();
  const incident = findIncident(dir, ref);
  const events = incident.logs.flatMap((l) => l.events);
  const known = new Set(
    events.flatMap((e) => (e.type === 'alert.received' ? [(e.data as { fingerprint?: string }).fingerprint ?? ''] : [])).filter(Boolean),
  );
  const evidence = evidenceFor(payload, known);
  if (evidence.length === 0)
    throw new UserError(
      `${file === '-' ? 'stdin' : oneLine(file, 200)}: ` +
        `no alert in it is one incident ${oneLine(incident.id, 100)} received (by fingerprint); nothing was written`,
      EXIT.usage,
      known.size
        ? 'Give the payload of the alert the incident started from.'
        : 'The incident did not start from an alert (sev run --alert).',
    );
  const offer = latestOffer(evidence);
  const resolvedAlready = events.some((e) => e.type === 'milestone' && (e.data as { milestone?: string }).milestone === 'resolved');
  const chosen = evidence.find((e) => offer && e.offer?.at === offer.at) ?? evidence[0]!;
  const name = alertName(chosen.alert);
  const question =
    offer && `Alertmanager says ${name} resolved at ${hhmm(offer.at)} (${offer.at}): mark the incident resolved at ${hhmm(offer.at)}?`;
  // Asked before anything is written: a script without its answer changes nothing.
  if (question && !resolvedAlready && scripted === undefined && !canPrompt())
    throw new UserError(
      `${question} There is no terminal to ask on; nothing was written`,
      EXIT.usage,
      `Answer with --answer yes or --answer no.`,
    );

  const target = noteTarget(dir, incident.id, actor);
  const writer = LogWriter.open(target.file, target.id, actor);
  try {
    const received = evidence.map((e) => writer.append('alert.received', alertData(e.alert, receivedAt)));
    const out = (line: string) => process.stdout.write(`${line}\n`);
    out(`Alert${received.length > 1 ? 's' : ''} recorded in ${oneLine(target.id, 200)} (${oneLine(target.file, 400)}).`);
    if (!offer) {
      out(`${name} is still firing: it offers no end.`);
      return;
    }
    if (resolvedAlready) {
      out(`The incident is marked resolved already: the alert's end (${offer.at}) is recorded as evidence only.`);
      return;
    }
    let accepted = scripted;
    if (accepted === undefined) {
      const { confirm } = await import('@inquirer/prompts');
      try {
        accepted = await confirm({ message: question!, default: false }, { output: process.stderr });
      } catch (error) {
        if (isPromptCancel(error))
          throw new UserError('interrupted: the alert is recorded, the incident is not marked resolved', EXIT.interrupted);
        throw error;
      }
    }
    const evidenceId = received[evidence.indexOf(chosen)]!.id;
    const { fingerprint } = chosen.alert;
    writer.append('alert.evidence', {
      ...(fingerprint ? { fingerprint } : {}),
      milestone: 'resolved',
      at: offer.at,
      accepted,
      evidence: evidenceId,
    });
    if (accepted) {
      writer.append('milestone', { milestone: 'resolved', at: offer.at, evidence: evidenceId });
      out(`Marked resolved at ${offer.at}, as the alert says.`);
    } else out('Not marked resolved: the alert is recorded as evidence.');
  } finally {
    writer.close();
  }
}
