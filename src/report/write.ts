import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { UserError } from '../errors.js';

const CHUNK = 1 << 20;

function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      stream.off('error', fail);
      resolve();
    };
    const fail = (error: Error) => {
      stream.off('drain', done);
      reject(error);
    };
    stream.once('drain', done);
    stream.once('error', fail);
  });
}

/**
 * Writes the pieces a renderer yields in chunks of about 1 MiB, waiting when the stream is full, to a file
 * (--out) or to stdout.
 */
export async function writePieces(pieces: Iterable<string>, out?: string): Promise<void> {
  let stream: Writable = process.stdout;
  let opened: Promise<void> | undefined;
  if (out) {
    const file = createWriteStream(out);
    opened = new Promise((resolve, reject) => {
      file.once('open', () => resolve());
      file.once('error', (error: NodeJS.ErrnoException) => reject(new UserError(`--out ${out}: ${error.code === 'ENOENT' ? 'no such directory' : error.code === 'EACCES' ? 'permission denied' : error.code === 'EISDIR' ? 'is a directory' : error.message}`, 2)));
    });
    await opened;
    stream = file;
  }
  let buffer = '';
  for (const piece of pieces) {
    buffer += piece;
    if (buffer.length >= CHUNK) {
      if (!stream.write(buffer)) await drained(stream);
      buffer = '';
    }
  }
  if (buffer) {
    if (!stream.write(buffer)) await drained(stream);
  }
  if (out) {
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.end(() => resolve());
    });
  }
}
