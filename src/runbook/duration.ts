const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const SINGLE = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** Parses durations like 500ms, 30s, 5m, 1h, 1m30s. Returns milliseconds, or undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  // Most durations have one part (30s, 5m): read them with one match.
  const single = SINGLE.exec(text);
  if (single) return Math.round(Number(single[1]) * UNIT_MS[single[2]!]!);
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * UNIT_MS[unit!]!;
  return Math.round(total);
}

/** A duration in milliseconds, or the fallback's when the text is missing or malformed. */
export function durationMs(text: string | undefined, fallback: string): number {
  return (text === undefined ? undefined : parseDuration(text)) ?? parseDuration(fallback)!;
}
