/** Characters an argument may hold and still be shown unquoted: what a POSIX shell reads as itself. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * A command as the responder sees it, in `sev show` and before it runs: a shell string as written, an
 * argument list as a shell line that means the same (arguments single-quoted where needed), so what is
 * shown can be copied into a shell and does what sev would do.
 */
export function shownCommand(run: string | string[]): string {
  if (typeof run === 'string') return run.trim();
  return run.map((a) => (PLAIN.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
