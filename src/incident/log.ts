import { randomBytes, randomUUID } from 'node:crypto';
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { UserError } from '../errors.js';
import { diskError } from '../files/io-error.js';
import { LOG_VERSION, type EventData, type EventType, type IncidentEvent } from './events.js';
import { withFileLock } from './lock.js';

export type Now = () => Date;

const CHUNK = 64 * 1024;

/** The last sequence number of a log that ends with a whole line. */
function lastSeq(fd: number, size: number): number {
  // Read backwards until a whole line that parses as an event gives the last sequence number. The pieces
  // of a line longer than a chunk are kept apart and joined once, when its start is found.
  let end = size;
  let pieces: Buffer[] = [];
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const chunk = Buffer.alloc(end - start);
    readSync(fd, chunk, 0, chunk.length, start);
    let stop = chunk.length;
    for (let nl = chunk.lastIndexOf(0x0a, stop - 1); ; nl = chunk.lastIndexOf(0x0a, stop - 1)) {
      // The line after this newline (or from the start of the file) is whole once its start is known.
      if (nl < 0 && start > 0) break;
      const line = Buffer.concat([chunk.subarray(nl + 1, stop), ...pieces]);
      pieces = [];
      const seq = seqOf(line.toString('utf8'));
      if (seq !== undefined) return seq;
      if (nl < 0) return 0;
      stop = nl;
    }
    pieces = [chunk.subarray(0, stop), ...pieces];
    end = start;
  }
  return 0;
}

/** The offset just after the last newline of the file, 0 when it has none. */
function lastNewline(fd: number, size: number): number {
  for (let end = size; end > 0;) {
    const start = Math.max(0, end - CHUNK);
    const chunk = Buffer.alloc(end - start);
    readSync(fd, chunk, 0, chunk.length, start);
    const nl = chunk.lastIndexOf(0x0a);
    if (nl >= 0) return start + nl + 1;
    end = start;
  }
  return 0;
}

/** Writes all of a buffer: a write cut short (a disk filling up) is continued until it fails outright. */
function writeAll(fd: number, data: Buffer): void {
  for (let done = 0; done < data.length;) done += writeSync(fd, data, done, data.length - done);
}

function seqOf(line: string): number | undefined {
  if (!line.trim()) return undefined;
  try {
    const event = JSON.parse(line) as { seq?: unknown };
    return typeof event.seq === 'number' ? event.seq : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Appends events to one incident log. Each append takes the file's lock, finds the last sequence number
 * (cheaply, when nobody else wrote since), writes one complete line and fsyncs it before returning: an
 * event is on disk before the next prompt appears. A write that fails (a full disk) leaves nothing of its
 * line behind.
 */
export class LogWriter {
  private fd: number;
  private knownSize = -1;
  private lastSeq = 0;
  /** Told when the log had to be written back under its name (see keepNamed). */
  onWarning?: (message: string) => void;
  /** Called under the lock before each event is written; throwing keeps the event out (see Claim.assertHeld). */
  guard?: () => void;

  private constructor(
    private _path: string,
    readonly incident: string,
    readonly actor: string,
    fd: number,
    private readonly clock: Now,
    /** A created log's hidden file, until its first event is written: then it becomes `path`. */
    private pending?: string,
  ) {
    this.fd = fd;
  }

  /** Where the log is: its path, unless it had to be written back elsewhere. */
  get path(): string {
    return this._path;
  }

  /**
   * Creates a new log; refuses to overwrite one. The log appears at `path` only with its first event in
   * it: the event is written to a hidden file that is then linked to `path`. A crash before that leaves no
   * log, rather than an empty one that says nothing of its incident and can never be resumed.
   */
  static create(path: string, incident: string, actor: string, clock: Now = () => new Date()): LogWriter {
    if (existsSync(path)) throw logIoError(path, Object.assign(new Error('exists'), { code: 'EEXIST' }));
    const pending = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
    let fd: number;
    try {
      fd = openSync(pending, 'ax+');
    } catch (error) {
      throw logIoError(path, error);
    }
    return new LogWriter(path, incident, actor, fd, clock, pending);
  }

  /** Opens an existing log to append to it. */
  static open(path: string, incident: string, actor: string, clock: Now = () => new Date()): LogWriter {
    let fd: number;
    try {
      // Read and append, but never create: a missing log is an error, not a new incident.
      fd = openSync(path, constants.O_RDWR | constants.O_APPEND);
    } catch (error) {
      throw logIoError(path, error);
    }
    return new LogWriter(path, incident, actor, fd, clock);
  }

  append<T extends EventType>(type: T, data: EventData[T], actor: string = this.actor): IncidentEvent<T, EventData[T]> {
    if (!this.pending) this.keepNamed();
    return withFileLock(this.path, () => {
      this.guard?.();
      let size: number;
      try {
        size = fstatSync(this.fd).size;
        if (size !== this.knownSize) {
          // A line torn by a crash or a full disk was never written as far as anyone was told: cut it off,
          // so the log holds whole lines only.
          const whole = lastNewline(this.fd, size);
          if (whole < size) {
            ftruncateSync(this.fd, whole);
            size = whole;
          }
          this.lastSeq = lastSeq(this.fd, size);
        }
      } catch (error) {
        throw logIoError(this.path, error);
      }
      const event: IncidentEvent<T, EventData[T]> = {
        v: LOG_VERSION,
        id: randomUUID(),
        seq: this.lastSeq + 1,
        time: this.clock().toISOString(),
        incident: this.incident,
        actor,
        type,
        data,
      };
      const line = Buffer.from(`${JSON.stringify(event)}\n`, 'utf8');
      try {
        writeAll(this.fd, line);
        fsyncSync(this.fd);
        if (this.pending) this.publish(this.pending);
      } catch (error) {
        // Whatever part of the line reached the file goes: the event was not written.
        try {
          ftruncateSync(this.fd, size);
          fsyncSync(this.fd);
        } catch {
          // The next writer cuts it off.
        }
        this.knownSize = -1;
        throw logIoError(this.path, error);
      }
      this.lastSeq = event.seq;
      this.knownSize = size + line.length;
      return event;
    });
  }

  /**
   * The open file must still be the one at `path`: the incident directory deleted (or deleted and made
   * again) or the log moved mid-run leaves a file nobody will find. Then the whole log is written back under
   * its path from the open file, and appends go on there; if another file has taken the path, beside it.
   */
  private keepNamed(): void {
    let own: Stats;
    try {
      own = fstatSync(this.fd);
    } catch (error) {
      throw logIoError(this.path, error);
    }
    let named: Stats | undefined;
    try {
      named = statSync(this._path);
    } catch {
      named = undefined;
    }
    if (named && named.ino === own.ino && named.dev === own.dev) return;
    const lost = this._path;
    const target = named ? join(dirname(lost), `${basename(lost, '.jsonl')}.restored-${randomBytes(3).toString('hex')}.jsonl`) : lost;
    let fd: number;
    try {
      mkdirSync(dirname(target), { recursive: true });
      const copy = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
      fd = openSync(copy, 'ax+');
      const buffer = Buffer.alloc(CHUNK);
      for (let at = 0; at < own.size;) {
        const n = readSync(this.fd, buffer, 0, Math.min(CHUNK, own.size - at), at);
        if (n === 0) break;
        writeAll(fd, buffer.subarray(0, n));
        at += n;
      }
      fsyncSync(fd);
      linkSync(copy, target);
      removeQuietly(copy);
    } catch (error) {
      throw logIoError(target, error);
    }
    closeSync(this.fd);
    this.fd = fd;
    this.knownSize = -1;
    this._path = target;
    this.onWarning?.(
      `the incident log ${lost} was ${named ? 'replaced by another file' : 'deleted or moved'} while the incident ran; ` +
        `it was written back${named ? ` beside it, as ${target}` : ''} from the open file, and the incident goes on there`,
    );
  }

  /** Gives a created log its name, now that its first event is on disk; never over another log. */
  private publish(pending: string): void {
    try {
      linkSync(pending, this.path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOENT') throw error;
      // A file system without hard links: create the log in place, which is all that can be done there.
      const fd = openSync(this.path, 'ax+');
      writeSync(fd, readFileSync(pending));
      fsyncSync(fd);
      closeSync(this.fd);
      this.fd = fd;
    }
    this.pending = undefined;
    removeQuietly(pending);
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // Closing twice is harmless.
    }
    // Created but never written to: no log.
    if (this.pending) removeQuietly(this.pending);
    this.pending = undefined;
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Gone already.
  }
}

function logIoError(path: string, error: unknown): UserError {
  return diskError(path, error, 'incident log');
}
