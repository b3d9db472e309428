/**
 * Colour only for a person at a terminal: never when piped, when NO_COLOR is set, or in CI. FORCE_COLOR=0
 * (or false) turns it off even at a terminal, as chalk and force-color.org read it; another non-empty value
 * turns it on.
 */
export function useColor(stream: Pick<NodeJS.WriteStream, 'isTTY'> = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return true;
  if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false') return false;
  return Boolean(stream.isTTY);
}

export function write(text: string): void {
  process.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
}

let whileClosed: ((error: NodeJS.ErrnoException) => void) | undefined;

/**
 * stdout or stderr closed early (`sev validate | head -1`, a pager quit) ends sev quietly with exit 141, as
 * a program killed by SIGPIPE; another write error (`> /dev/full`) is one line on stderr and exit 2. While a
 * run walks an incident, `onOutputClosed` takes over, so the incident is paused and logged first.
 */
export function guardOutput(exitCodes: { closed: number; failed: number }): void {
  const handle = (stream: 'stdout' | 'stderr') => (error: NodeJS.ErrnoException) => {
    if (whileClosed) return whileClosed(error);
    if (error.code !== 'EPIPE' && stream === 'stdout') {
      try {
        process.stderr.write(`sev: cannot write the output: ${error.code === 'ENOSPC' ? 'no space left on the device' : error.message}\n`);
      } catch {
        // stderr is gone too.
      }
    }
    process.exit(error.code === 'EPIPE' ? exitCodes.closed : exitCodes.failed);
  };
  process.stdout.on('error', handle('stdout'));
  process.stderr.on('error', handle('stderr'));
}

/** Lets the caller handle a closed output (and every later write error) until the returned function is called. */
export function onOutputClosed(handler: (error: NodeJS.ErrnoException) => void): () => void {
  whileClosed = handler;
  return () => {
    if (whileClosed === handler) whileClosed = undefined;
  };
}
