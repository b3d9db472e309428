import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, fsyncSync, linkSync, openSync, readFileSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { LOG_VERSION, type EventData, type EventType, type IncidentEvent } from './events.js';
import { withFileLock } from './lock.js';

export type Clock = () => Date;

/** The end of a log: the last sequence number written, and whether the file ends inside a torn line. */
interface Tail {
  seq: number;
  torn: boolean;
}

const CHUNK = 64 * 1024;

function readTail(fd: number, size: number): Tail {
  if (size === 0) return { seq: 0, torn: false };
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  const torn = last[0] !== 0x0a;
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
      if (seq !== undefined) return { seq, torn };
      if (nl < 0) return { seq: 0, torn };
      stop = nl;
    }
    pieces = [chunk.subarray(0, stop), ...pieces];
    end = start;
  }
  return { seq: 0, torn };
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
 * (cheaply, when nobody else wrote since), writes one complete line with one write() and fsyncs it
 * before returning: an event is on disk before the next prompt appears.
 */
export class LogWriter {
  private fd: number;
  private knownSize = -1;
  private lastSeq = 0;

  private constructor(
    readonly path: string,
    readonly incident: string,
    readonly actor: string,
    fd: number,
    private readonly clock: Clock,
    /** A created log's hidden file, until its first event is written: then it becomes `path`. */
    private pending?: string,
  ) {
    this.fd = fd;
  }

  /**
   * Creates a new log; refuses to overwrite one. The log appears at `path` only with its first event in
   * it: the event is written to a hidden file that is then linked to `path`. A crash before that leaves no
   * log, rather than an empty one that says nothing of its incident and can never be resumed.
   */
  static create(path: string, incident: string, actor: string, clock: Clock = () => new Date()): LogWriter {
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
  static open(path: string, incident: string, actor: string, clock: Clock = () => new Date()): LogWriter {
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
    return withFileLock(this.path, () => {
      const size = fstatSync(this.fd).size;
      let prefix = '';
      if (size !== this.knownSize) {
        const tail = readTail(this.fd, size);
        this.lastSeq = tail.seq;
        // A line torn by a crash is closed off, so this event starts a line of its own.
        if (tail.torn) prefix = '\n';
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
      const line = Buffer.from(`${prefix}${JSON.stringify(event)}\n`, 'utf8');
      try {
        writeSync(this.fd, line);
        fsyncSync(this.fd);
        if (this.pending) this.publish(this.pending);
      } catch (error) {
        throw logIoError(this.path, error);
      }
      this.lastSeq = event.seq;
      this.knownSize = size + line.length;
      return event;
    });
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
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'EEXIST'
      ? 'already exists'
      : code === 'ENOENT'
        ? 'no such file or directory'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'ENOSPC'
            ? 'no space left on the device'
            : (error as Error).message;
  return new UserError(`incident log ${path}: ${reason}`, 2);
}
