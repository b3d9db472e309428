import { RE2JS } from 're2js';

// Every pattern a runbook supplies (an input's `pattern`, a check's or command's `expect` stdout, stdout_not
// and stderr) is compiled here and nowhere else, by RE2 (the pure-JS port re2js) rather than by RegExp:
// a backtracking engine takes exponential time on patterns such as (a+)+, and a match runs on the main
// thread, where it blocks timeouts and signals alike. RE2 matches in time linear in the text, and refuses
// at compile time what it cannot match that way (back-references, look-arounds).

/** Longer patterns are refused: compiling one costs time in proportion to its length (about 2 ms per KiB). */
export const MAX_PATTERN_LENGTH = 4096;

/** A compiled runbook pattern. */
interface Pattern {
  test(text: string): boolean;
}

// Validate compiles the same few patterns in file after file, and a run compiles a check's on every attempt.
const cache = new Map<string, RE2JS | string>();
const CACHE_SIZE = 256;

function compile(pattern: string): RE2JS | string {
  let compiled = cache.get(pattern);
  if (compiled !== undefined) return compiled;
  if (pattern.length > MAX_PATTERN_LENGTH) {
    compiled = `longer than ${MAX_PATTERN_LENGTH} characters (${pattern.length}): split it, or match less`;
  } else {
    try {
      compiled = RE2JS.compile(pattern);
    } catch (error) {
      compiled = explain(error);
    }
  }
  if (cache.size >= CACHE_SIZE) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

const LINEAR = '(patterns run in linear time)';

/** RE2's own message, with the constructs people bring from other dialects named and a way out where there is one. */
function explain(error: unknown): string {
  const message = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
  // RE2 quotes the part it refused between backquotes: `\1`, `(?=`, `(?<=a)b`.
  const quoted = /`(.*)`$/s.exec(message)?.[1] ?? '';
  if (/^\\[1-9]$/.test(quoted) || quoted === '\\k')
    return `back-references such as ${quoted === '\\k' ? '\\k<name>' : quoted} are not supported ${LINEAR}`;
  if (quoted === '(?=' || quoted === '(?!') return `look-aheads such as ${quoted}…) are not supported ${LINEAR}`;
  if (quoted.startsWith('(?<=') || quoted.startsWith('(?<!'))
    return `look-behinds such as ${quoted.slice(0, 4)}…) are not supported ${LINEAR}`;
  if (quoted === '\\u') return '\\u escapes are not RE2 syntax: write a code point as \\x{e9} or \\x{1F600}';
  if (quoted === '\\c') return 'control escapes such as \\cA are not RE2 syntax: write \\x01';
  if (/^\\[pP]\{/.test(quoted))
    return `unknown Unicode class ${quoted}: RE2 takes general categories and scripts by their short names, such as \\p{L}, \\p{Lu}, \\p{Nd} or \\p{Greek}`;
  if (message.startsWith('invalid repeat count')) return `${message}: a repeat count, nested repeats multiplied, may be at most 1000`;
  return message;
}

/** Why RE2 cannot take a pattern, or undefined when it can. */
export function patternError(pattern: string): string | undefined {
  const compiled = compile(pattern);
  return typeof compiled === 'string' ? compiled : undefined;
}

/** A pattern that may match anywhere in the text (an expectation of a check's or command's output). */
export function compileSearch(pattern: string): Pattern | undefined {
  const compiled = compile(pattern);
  return typeof compiled === 'string' ? undefined : { test: (text) => compiled.test(text) };
}

/** A pattern that must match the whole text (an input's pattern). */
export function compileWhole(pattern: string): Pattern | undefined {
  const compiled = compile(pattern);
  return typeof compiled === 'string' ? undefined : { test: (text) => compiled.testExact(text) };
}
