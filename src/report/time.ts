import { EXIT, UserError } from '../errors.js';

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
    throw new UserError(
      `--tz ${zone}: not a time zone this system knows`,
      EXIT.usage,
      'Give an IANA zone name such as Europe/Paris or America/New_York, or UTC.',
    );
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
