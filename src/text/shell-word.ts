/** A word as a POSIX shell reads it back unchanged, for a command line sev prints for the responder to paste. */
export function shellWord(word: string): string {
  return /^[\w./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
