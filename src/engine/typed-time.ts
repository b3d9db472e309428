/**
 * A time as a person types it at 3 a.m., as RFC 3339 UTC (milliseconds, as sev writes times); undefined for
 * anything else:
 *   `now` · `20m ago`, `1h30m ago` · `09:30` or `9:30:15` (today, in the responder's time zone) ·
 *   2026-11-26T03:12Z, 2026-11-26 03:12:30 (UTC when no offset is given) · 2026-11-26T04:12+01:00.
 * `now` and the zone are handed in: the walk's clock, and the zone of TZ (else the system's).
 */
export function typedTime(value: string, now: Date = new Date(), zone: string = localZone()): string | undefined {
  const text = value.trim().toLowerCase();
  if (text === 'now') return now.toISOString();
  const ago = AGO.exec(text);
  if (ago) {
    const ms = (Number(ago[1] ?? 0) * 3600 + Number(ago[2] ?? 0) * 60 + Number(ago[3] ?? 0)) * 1000;
    return ago[1] || ago[2] || ago[3] ? new Date(now.getTime() - ms).toISOString() : undefined;
  }
  const clock = CLOCK.exec(text);
  if (clock) return todayAt(now, zone, Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0));
  const full = FULL.exec(value.trim());
  if (!full) return undefined;
  const [, date, hm, seconds = ':00', fraction = '', offset = 'Z'] = full;
  const ms = Date.parse(`${date}T${hm}${seconds}${fraction}${offset.toUpperCase() === 'Z' ? 'Z' : offset}`);
  if (Number.isNaN(ms) || !sameDate(date!, hm!, seconds, offset, ms)) return undefined;
  return new Date(ms).toISOString();
}

/** The answer's time as an input keeps it, whole seconds in UTC: 2026-11-26T03:12:00Z. */
export function inputTime(iso: string): string {
  return iso.replace(/\.\d{3}Z$/, 'Z');
}

/** What a time answer may be, in words, for the message that refuses one. */
export function timeForms(zone: string = localZone()): string {
  return `a time: 09:30 (today, ${zone}), 20m ago, now, or a full time such as 2026-11-26T03:12Z (UTC unless an offset follows)`;
}

/** The responder's time zone: TZ when set, else the system's. */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

const AGO = /^(?:(\d{1,3})h)?\s*(?:(\d{1,4})m)?\s*(?:(\d{1,5})s)?\s+ago$/;
const CLOCK = /^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;
const FULL = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2})(:\d{2})?(\.\d{1,3})?(Z|z|[+-]\d{2}:\d{2})?$/;

/** 2026-02-30 parses as 2 March: a date that is not on the calendar is refused instead. */
function sameDate(date: string, hm: string, seconds: string, offset: string, ms: number): boolean {
  const shift =
    offset.toUpperCase() === 'Z' ? 0 : (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const wall = new Date(ms + shift * 60_000).toISOString();
  return wall.slice(0, 10) === date && wall.slice(11, 16) === hm && wall.slice(16, 19) === seconds;
}

/** Minutes the zone is ahead of UTC at an instant. */
function offsetMinutes(at: number, zone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return Math.round((wall - Math.floor(at / 1000) * 1000) / 60_000);
}

/** The instant a wall-clock time of today has in the zone (today as the zone sees it). */
function todayAt(now: Date, zone: string, hour: number, minute: number, second: number): string {
  const here = new Date(now.getTime() + offsetMinutes(now.getTime(), zone) * 60_000);
  const wall = Date.UTC(here.getUTCFullYear(), here.getUTCMonth(), here.getUTCDate(), hour, minute, second);
  // The offset at the answer, not at now: a daylight-saving change may lie between them.
  let at = wall - offsetMinutes(wall, zone) * 60_000;
  at = wall - offsetMinutes(at, zone) * 60_000;
  return new Date(at).toISOString();
}
