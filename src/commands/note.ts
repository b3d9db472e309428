import { LogWriter } from '../incident/log.js';
import { findIncident, incidentDir, noteLog } from '../incident/store.js';
import { EXIT, UserError } from '../errors.js';
import { loginName } from '../ui/session.js';

export interface NoteOptions {
  incidentDir?: string;
  action?: boolean;
  as?: string;
}

/** Appends a note from any terminal, also while the run goes on: the log's lock keeps lines whole. */
export async function noteCommand(ref: string, words: string[], options: NoteOptions): Promise<void> {
  const text = words.join(' ').trim();
  if (!text) throw new UserError('the note is empty', EXIT.usage, 'sev note <incident> <text>');
  const dir = incidentDir(options.incidentDir);
  const incident = findIncident(dir, ref);
  const actor = options.as || loginName();
  const log = noteLog(incident, actor);
  const writer = LogWriter.open(log.file, incident.id, actor);
  try {
    const event = writer.append('note', { text, action: Boolean(options.action) });
    process.stdout.write(`${options.action ? 'Action item' : 'Note'} added to ${incident.id} (${log.file}, event ${event.seq}).\n`);
  } finally {
    writer.close();
  }
}
