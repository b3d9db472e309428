/** A deadline's length: calendar months (which differ in length) kept apart from the rest. */
export interface Within {
  months: number;
  ms: number;
  text: string;
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };
const WHOLE = /^(?:\d+(?:mo|d|h|m))+$/;
const PART = /(\d+)(mo|d|h|m)/g;

/** Parses immediately, 4h, 72h, 5d, 1mo, 1d12h. Undefined when malformed. */
export function parseWithin(text: string): Within | undefined {
  if (text === 'immediately') return { months: 0, ms: 0, text };
  if (!WHOLE.test(text)) return undefined;
  let months = 0;
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(PART)) {
    if (unit === 'mo') months += Number(amount);
    else ms += Number(amount) * UNIT_MS[unit!]!;
  }
  return { months, ms, text };
}

/** The moment a deadline of this length falls, counted from `from` (months by the UTC calendar). */
export function addWithin(from: Date, within: Within): Date {
  const at = new Date(from.getTime());
  if (within.months) {
    const day = at.getUTCDate();
    at.setUTCMonth(at.getUTCMonth() + within.months, 1);
    // 31 January plus one month is the last day of February, not 3 March.
    const last = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 0)).getUTCDate();
    at.setUTCDate(Math.min(day, last));
  }
  return new Date(at.getTime() + within.ms);
}
