/** Colour only for a person at a terminal: never when piped, when NO_COLOR is set, or in CI. */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  const env = process.env;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false') return false;
  return Boolean(stream.isTTY);
}

export function write(text: string): void {
  process.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
}
