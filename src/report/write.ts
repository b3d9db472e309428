import { randomBytes } from 'node:crypto';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { UserError } from '../errors.js';

const CHUNK = 1 << 20;

const why = (error: NodeJS.ErrnoException) =>
  error.code === 'ENOENT'
    ? 'no such directory'
    : error.code === 'EACCES'
      ? 'permission denied'
      : error.code === 'EISDIR'
        ? 'is a directory'
        : error.code === 'ENOSPC'
          ? 'no space left on the device'
          : error.message;

/**
 * Writes the pieces a renderer yields in chunks of about 1 MiB, waiting when the stream is full, to a file
 * (--out) or to stdout. A reader that goes away (`sev timeline | head`) ends the output quietly. A file is
 * written beside its place and renamed into it when complete: a failure leaves what was there before, and a
 * link at that place is replaced, not written through.
 */
export async function writePieces(pieces: Iterable<string>, out?: string): Promise<void> {
  if (!out) return writeStream(pieces);
  const partial = join(dirname(out), `.${basename(out)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeStream(pieces, partial, out);
    renameSync(partial, out);
  } catch (error) {
    rmSync(partial, { force: true });
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code) throw new UserError(`--out ${out}: ${why(error as NodeJS.ErrnoException)}`);
    throw error;
  }
}

async function writeStream(pieces: Iterable<string>, out?: string, shownAs = out): Promise<void> {
  let stream: Writable = process.stdout;
  let failure: NodeJS.ErrnoException | undefined;
  let wake: (() => void) | undefined;
  const onError = (error: NodeJS.ErrnoException) => {
    failure ??= error;
    wake?.();
  };
  if (out) {
    const file = createWriteStream(out);
    await new Promise<void>((resolve) => {
      file.once('open', () => resolve());
      file.once('error', (error) => {
        onError(error);
        resolve();
      });
    });
    if (failure) throw new UserError(`--out ${shownAs}: ${why(failure)}`);
    stream = file;
  }
  stream.on('error', onError);
  const flush = async (text: string) => {
    if (stream.write(text) || failure) return;
    await new Promise<void>((resolve) => {
      wake = resolve;
      stream.once('drain', resolve);
    });
    stream.off('drain', wake!);
    wake = undefined;
  };
  try {
    let buffer = '';
    for (const piece of pieces) {
      buffer += piece;
      if (buffer.length >= CHUNK) {
        await flush(buffer);
        buffer = '';
        if (failure) break;
      }
    }
    if (buffer && !failure) await flush(buffer);
    if (out && !failure) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        stream.end(resolve);
      });
    }
  } finally {
    if (out) stream.off('error', onError);
  }
  if (failure) {
    if (!out && failure.code === 'EPIPE') return;
    throw new UserError(`${out ? `--out ${shownAs}` : 'stdout'}: ${why(failure)}`);
  }
}
