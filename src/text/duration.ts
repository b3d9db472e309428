/**
 * How a length of time is written. The styles differ on purpose:
 * - compact: 350ms, 4.5s, 2m5s, 1h8m. Terminals, check and command times, regulator facts and
 *   `{{ incident.elapsed }}`; from a minute up it is what parseDuration reads back.
 * - spaced: 350ms, 4.2s, 2m 05s, 1h 02m 03s, 2d 03h 00m, signed. Timelines and postmortems, where
 *   lengths of days occur and padded fields line up down a column.
 * - clock: 4:07, 1:02:33. A running time that ticks in place (the step header, spinners, status).
 */
export type DurationStyle = 'compact' | 'spaced' | 'clock';

export function formatDuration(ms: number, style: DurationStyle): string {
  return STYLES[style](ms);
}

const two = (n: number) => String(n).padStart(2, '0');

const STYLES: Record<DurationStyle, (ms: number) => string> = {
  compact(ms) {
    // Rounded once, before splitting into units, so that 119.6 s reads 2m and never 1m60s.
    if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
    const tenths = Math.round(ms / 100);
    if (tenths < 600) return `${tenths % 10 ? (tenths / 10).toFixed(1) : tenths / 10}s`;
    const total = Math.round(ms / 1000);
    const m = Math.floor(total / 60);
    const rest = total % 60;
    if (m < 60) return rest ? `${m}m${rest}s` : `${m}m`;
    const h = Math.floor(m / 60);
    return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  },

  spaced(ms) {
    const sign = ms < 0 ? '-' : '';
    ms = Math.abs(ms);
    if (ms < 1000) return `${sign}${Math.round(ms)}ms`;
    if (ms < 60_000) return `${sign}${(Math.floor(ms / 100) / 10).toString()}s`;
    const s = Math.floor(ms / 1000);
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    if (d) return `${sign}${d}d ${two(h)}h ${two(m)}m`;
    if (h) return `${sign}${h}h ${two(m)}m ${two(s % 60)}s`;
    return `${sign}${m}m ${two(s % 60)}s`;
  },

  clock(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return h ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
  },
};
