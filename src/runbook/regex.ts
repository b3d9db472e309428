/** Runbook regular expressions are JavaScript ones with the u flag, the same in the validator and at run time. */
export function compileRegex(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
}

/** An input's pattern must match the whole answer. */
export function compileWhole(pattern: string): RegExp | undefined {
  return compileRegex(pattern) && new RegExp(`^(?:${pattern})$`, 'u');
}

export function regexError(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'u');
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^Invalid regular expression: /, '');
  }
}
