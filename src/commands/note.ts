import { LogWriter } from '../incident/log.js';
import { incidentDir, noteTarget } from '../incident/store.js';
import { EXIT, UserError } from '../errors.js';
import { oneLine } from '../report/sanitize.js';
import { loginName } from '../session/drive.js';

export interface NoteOptions {
  incidentDir?: string;
  action?: boolean;
  as?: string;
}

/** Longer notes belong in a document the note links to; a line over the readers' limit would be lost. */
const MAX_NOTE_BYTES = 64 * 1024;

/** Appends a note from any terminal, also while the run goes on: the log's lock keeps lines whole. */
export function noteCommand(ref: string, words: string[], options: NoteOptions): void {
  const text = words.join(' ').trim();
  if (!text) throw new UserError('the note is empty', EXIT.usage, 'sev note <incident> <text>');
  if (Buffer.byteLength(text) > MAX_NOTE_BYTES)
    throw new UserError(
      `the note is longer than 64 KiB (${Buffer.byteLength(text)} bytes)`,
      EXIT.usage,
      'Put the details in a document and note where it is.',
    );
  const dir = incidentDir(options.incidentDir);
  const actor = options.as || loginName();
  // Only the first line of each of the incident's logs is read: which one is the responder's.
  const target = noteTarget(dir, ref, actor);
  const writer = LogWriter.open(target.file, target.id, actor);
  try {
    const event = writer.append('note', { text, action: Boolean(options.action) });
    // A confirmation, not a result: stdout stays empty, as for every command that only writes.
    process.stderr.write(
      `${options.action ? 'Action item' : 'Note'} added to ${oneLine(target.id, 200)} (${oneLine(target.file, 400)}, event ${event.seq}).\n`,
    );
  } finally {
    writer.close();
  }
}
