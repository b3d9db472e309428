/** What a secret looks like wherever it would have appeared. */
export const MASK = '••••••';

/** Replaces every occurrence of the given secret values in a text. Longest first, so one secret inside another is masked whole. */
export function masker(secrets: Iterable<string>): (text: string) => string {
  const values = [...new Set([...secrets].filter((s) => s !== ''))].sort((a, b) => b.length - a.length);
  if (values.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const value of values) out = out.split(value).join(MASK);
    return out;
  };
}
