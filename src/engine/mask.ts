/** What a secret looks like wherever it would have appeared. */
export const MASK = '••••••';

/** Replaces every occurrence of the secret values in a text; knows the values, to mask before a cut. */
export interface Masker {
  (text: string): string;
  readonly values: readonly string[];
  /** The length in bytes (UTF-8) of the longest secret: how far past a cut a secret may reach. */
  readonly longestBytes: number;
}

/** Below this length a secret is masked only where it stands alone: masked inside words, it would hide every "a" of the output. */
const SHORT = 4;

const escaped = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces every occurrence of the given secret values in a text. Longest first, so one secret inside another is masked whole. */
export function masker(secrets: Iterable<string>): Masker {
  const values = [...new Set([...secrets].filter((s) => s !== ''))].sort((a, b) => b.length - a.length);
  const alone = new Map(
    values.filter((v) => v.length < SHORT).map((v) => [v, new RegExp(`(?<![\\p{L}\\p{N}])${escaped(v)}(?![\\p{L}\\p{N}])`, 'gu')]),
  );
  const mask = (text: string) => {
    let out = text;
    for (const value of values) {
      const pattern = alone.get(value);
      out = pattern ? out.replace(pattern, MASK) : out.split(value).join(MASK);
    }
    return out;
  };
  return Object.assign(mask, { values, longestBytes: values.reduce((n, v) => Math.max(n, Buffer.byteLength(v)), 0) });
}

export const noMask: Masker = masker([]);

/**
 * The text of `bytes` cut to at most `cap` bytes (at a character boundary), masked. The cut comes after the
 * masking: a secret that begins before the cut is kept whole, and so masked, rather than cut into a prefix
 * that would stay readable. `bytes` should reach `mask.longestBytes` past the cap.
 */
export function keepWhole(bytes: Buffer, cap: number, mask: Masker | undefined): string {
  if (bytes.length <= cap) return mask ? mask(bytes.toString('utf8')) : bytes.toString('utf8');
  let boundary = cap;
  // UTF-8 continuation bytes are 10xxxxxx: step back to the start of the character the cap falls in.
  while (boundary > 0 && (bytes[boundary]! & 0xc0) === 0x80) boundary--;
  const text = bytes.toString('utf8');
  let cut = bytes.subarray(0, boundary).toString('utf8').length;
  for (const value of mask?.values ?? []) {
    for (let at = text.indexOf(value, Math.max(0, cut - value.length + 1)); at !== -1 && at < cut; at = text.indexOf(value, at + 1)) {
      cut = Math.max(cut, at + value.length);
    }
  }
  const kept = text.slice(0, cut);
  return mask ? mask(kept) : kept;
}
