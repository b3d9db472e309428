import { closeSync, constants, openSync, readFileSync, readSync, statSync, type Stats } from 'node:fs';
import { UserError } from '../errors.js';
import { ioReason } from './io-error.js';

// Every file sevkit reads that a person names (runbooks, answers files, the triage matrix) is read here.
// A path may name anything: a FIFO would wait for a writer for ever, /dev/zero never ends, a log
// mistaken for an answers file may be gigabytes. So a file is looked at before it is opened, only a
// regular file is read, and never more than it may hold.

/** No file sevkit reads as input is larger: runbooks, answers and matrices are a few pages of text. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** A path that is not a regular file, refused before it is opened. */
class NotRegular extends Error {
  constructor(readonly what: string) {
    super('not a regular file');
  }
}

function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a file';
}

/**
 * Opens a regular file without waiting, with its size. Looked at first: opening a FIFO would release a
 * writer waiting on it (and reading would wait for one). Opened without waiting all the same, in case
 * the file is replaced in between.
 */
function openRegular(file: string): { fd: number; size: number } {
  const info = statSync(file);
  if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  if (!info.isFile()) throw new NotRegular(kindOf(info));
  return { fd: openSync(file, constants.O_RDONLY | constants.O_NONBLOCK), size: info.size };
}

/** The usage error for a runbook that cannot be read; these messages are what `sev validate` has always said. */
export function ioError(file: string, error: unknown): UserError {
  return new UserError(`${file}: ${ioReason(error)}`);
}

/**
 * Reads runbook files into one buffer that grows to the largest file so far, so that reading a large
 * tree allocates almost nothing. What it returns is valid until the next read: the linter decodes the
 * bytes at once and keeps only the text. Sizes, encodings and NUL bytes are the linter's to report, as
 * findings at the file.
 */
export class FileReader {
  private buffer = Buffer.allocUnsafe(64 * 1024);

  /** The bytes of a runbook file; refused with a usage error when missing, unreadable or not a regular file. */
  read(file: string): Uint8Array {
    let fd: number | undefined;
    try {
      const opened = openRegular(file);
      fd = opened.fd;
      // A file too large to be a runbook is read as it is (the linter refuses it by its size), without
      // growing the shared buffer to its size.
      if (opened.size > MAX_FILE_BYTES) return readFileSync(fd);
      // The size stat gave, as readFileSync reads it; a file that says it is empty (as some special
      // files do) is read to its end.
      const size = opened.size;
      let length = 0;
      for (;;) {
        if (length === this.buffer.length) {
          const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, size));
          this.buffer.copy(bigger, 0, 0, length);
          this.buffer = bigger;
        }
        const n = readSync(fd, this.buffer, length, this.buffer.length - length, null);
        length += n;
        if (n === 0 || (size > 0 && length >= size)) break;
      }
      return this.buffer.subarray(0, length);
    } catch (error) {
      throw ioError(file, error);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}

const LIMIT = `${MAX_FILE_BYTES / 1024 / 1024} MiB`;

function readChecked(file: string, what: string): { bytes: Buffer; text: string } {
  const tooLarge = () => new UserError(`${file}: larger than ${LIMIT} (the limit for ${article(what)})`);
  let fd: number | undefined;
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    const opened = openRegular(file);
    fd = opened.fd;
    if (opened.size > MAX_FILE_BYTES) throw tooLarge();
    // Read to the end, not to the size stat gave: a file may grow meanwhile, and some special files
    // say they are empty. One byte past the limit is enough to refuse it.
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(opened.size + 1, 64 * 1024), MAX_FILE_BYTES + 1 - length));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      length += n;
      if (length > MAX_FILE_BYTES) throw tooLarge();
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`${file}: no such ${what}`);
    if (error instanceof NotRegular) throw new UserError(`${file}: not a regular file (${error.what})`);
    throw ioError(file, error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const bytes = Buffer.concat(chunks, length);
  if (bytes.indexOf(0) >= 0) throw new UserError(`${file}: binary file (contains a NUL byte): ${article(what)} is UTF-8 text`);
  let text: string;
  try {
    // A byte order mark is read past, as in a runbook.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new UserError(`${file}: not valid UTF-8: save it as UTF-8`);
  }
  return { bytes, text };
}

/**
 * The bytes of a file that is not a runbook (a triage matrix), checked to be UTF-8 text of at most
 * MAX_FILE_BYTES: anything else is a one-line usage error naming the file. `what` names the file for
 * the messages: "no such triage matrix file".
 */
export function readTextFileBytes(file: string, what: string): Uint8Array {
  return readChecked(file, what).bytes;
}

/** The text of a file that is not a runbook (an answers file), checked as readTextFileBytes checks it. */
export function readTextFile(file: string, what: string): string {
  return readChecked(file, what).text;
}

function article(what: string): string {
  return /^[aeiou]/.test(what) ? `an ${what}` : `a ${what}`;
}
