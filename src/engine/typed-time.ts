/** A UTC time typed by a person (2026-11-26T03:12Z, 2026-11-26 03:12:30), as RFC 3339; undefined for anything else. */
export function typedTime(value: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?Z?$/.exec(value.trim());
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[3] ?? ':00'}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
