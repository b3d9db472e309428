import { EXIT, UserError } from '../errors.js';

/** The reason of a failed file operation in a few words, for a one-line error. */
export function ioReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EEXIST':
      return 'already exists';
    case 'ENOENT':
      return 'no such file or directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'the disk quota is exceeded';
    case 'EIO':
      return 'input/output error';
    case 'ENXIO':
      // A socket: there is no file to read.
      return 'not a regular file';
    default:
      return (error as Error).message;
  }
}

/** A file operation that failed because of the storage, not a bug: one line, exit 2. */
export function diskError(path: string, error: unknown, what?: string): UserError {
  if (error instanceof UserError) return error;
  return new UserError(`${what ? `${what} ` : ''}${path}: ${ioReason(error)}`, EXIT.usage);
}
