import { masker, type Masker } from '../engine/mask.js';

/** A secret a channel reads from the environment: which field of the definition names which variable. */
export interface SecretNeed {
  field: string;
  variable: string;
  optional?: boolean;
  /** The value is a URL whose path or query carries the token (a chat webhook). */
  url?: boolean;
}

export type Resolved = { ok: true; values: Record<string, string> } | { ok: false; detail: string };

/** The values of the variables a channel names, or which one is missing; an empty variable counts as unset. */
export function resolveSecrets(channel: string, needs: readonly SecretNeed[], env: Readonly<Record<string, string | undefined>>): Resolved {
  const values: Record<string, string> = {};
  for (const need of needs) {
    const value = env[need.variable];
    if (value === undefined || value === '') {
      if (need.optional) continue;
      return { ok: false, detail: `channel ${channel}: environment variable ${need.variable} (its ${need.field}) is not set` };
    }
    values[need.field] = value;
  }
  return { ok: true, values };
}

/** Masks every secret value, and for a webhook URL also the parts of it that carry the token. */
export function secretMasker(needs: readonly SecretNeed[], values: Record<string, string>): Masker {
  const secrets: string[] = [];
  for (const need of needs) {
    const value = values[need.field];
    if (value === undefined) continue;
    secrets.push(value);
    if (need.url) secrets.push(...tokenPartsOf(value));
  }
  // A short part ("/", "v2") would mask ordinary words in a vendor's answer and protects nothing.
  return masker(secrets.filter((s) => s.length >= 6));
}

/**
 * The parts of a webhook URL an error text might quote on their own: its path and query, each query value
 * (DingTalk's access_token, WeCom's key) and each path segment that looks like a token (Slack's
 * T…/B…/secret, Feishu's hook id), raw and percent-encoded.
 */
function tokenPartsOf(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const parts = [parsed.pathname + parsed.search, parsed.search.slice(1), parsed.password];
  for (const segment of parsed.pathname.split('/')) {
    if (looksLikeToken(segment)) parts.push(segment, safeDecode(segment));
  }
  for (const [, value] of parsed.searchParams) parts.push(value, encodeURIComponent(value));
  return parts;
}

/** Long, or holding a digit: "services" and "hook" are not tokens, "T0123ABCD" and a hook UUID are. */
function looksLikeToken(segment: string): boolean {
  return segment.length >= 16 || (segment.length >= 6 && /\d/.test(segment));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Where a secret URL points, said without its secret part. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}
