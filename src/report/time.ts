import { EXIT, UserError } from '../errors.js';

/** A length of time as people read it: 350ms, 4.2s, 2m 05s, 1h 02m 03s, 2d 03h 00m. */
export function duration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  ms = Math.abs(ms);
  if (ms < 1000) return `${sign}${Math.round(ms)}ms`;
  if (ms < 60_000) return `${sign}${(Math.floor(ms / 100) / 10).toString()}s`;
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  if (d) return `${sign}${d}d ${two(h)}h ${two(m)}m`;
  if (h) return `${sign}${h}h ${two(m)}m ${two(sec)}s`;
  return `${sign}${m}m ${two(sec)}s`;
}

/** Turns instants into the date and time of one zone: UTC unless --tz names another (IANA). */
export interface ZoneClock {
  zone: string;
  /** YYYY-MM-DD in the zone. */
  date(ms: number): string;
  /** HH:MM:SS.mmm in the zone. */
  time(ms: number): string;
  /** YYYY-MM-DD HH:MM:SS.mmm plus the zone's offset (Z for UTC). */
  stamp(ms: number): string;
}

const utc: ZoneClock = {
  zone: 'UTC',
  date: (ms) => new Date(ms).toISOString().slice(0, 10),
  time: (ms) => new Date(ms).toISOString().slice(11, 23),
  stamp: (ms) => new Date(ms).toISOString().replace('T', ' '),
};

export function clockFor(zone?: string): ZoneClock {
  if (!zone || zone === 'UTC' || zone === 'Etc/UTC' || zone === 'Z') return utc;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
  } catch {
    throw new UserError(`--tz ${zone}: not a time zone this system knows`, EXIT.usage, 'Give an IANA zone name such as Europe/Paris or America/New_York, or UTC.');
  }
  const name = format.resolvedOptions().timeZone;
  const parts = (ms: number) => {
    const p: Record<string, string> = {};
    for (const part of format.formatToParts(new Date(ms))) p[part.type] = part.value;
    const milli = String(((ms % 1000) + 1000) % 1000).padStart(3, '0');
    const offset = (p.timeZoneName ?? '').replace(/^GMT/, '') || '+00:00';
    return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}:${p.second}.${milli}`, offset };
  };
  return {
    zone: name,
    date: (ms) => parts(ms).date,
    time: (ms) => parts(ms).time,
    stamp: (ms) => {
      const p = parts(ms);
      return `${p.date} ${p.time}${p.offset}`;
    },
  };
}
