import { describe, expect, it } from 'vitest';
import { formatDuration, type DurationStyle } from '../src/text/duration.js';
import { parseDuration } from '../src/runbook/duration.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const written = (style: DurationStyle, ...ms: number[]) => ms.map((n) => formatDuration(n, style));

/** The one formatter of lengths of time, in the styles its readers need. */
describe('durations', () => {
  it('writes the compact style for terminals and facts, which parseDuration reads back from a minute up', () => {
    expect(written('compact', 350, 4200, 4500, 30 * S, 2 * M + 5 * S, 90 * M, 68 * M, 3 * H, 72 * H)).toEqual([
      '350ms',
      '4.2s',
      '4.5s',
      '30s',
      '2m5s',
      '1h30m',
      '1h8m',
      '3h',
      '72h',
    ]);
    for (const text of ['2m5s', '1h30m', '1h8m', '72h']) expect(formatDuration(parseDuration(text)!, 'compact')).toBe(text);
  });

  it('rounds the compact style once, before splitting into units: never 1m60s or 60.0s', () => {
    expect(written('compact', 999.6, 59_949, 59_950, 119_600, 3_599_600)).toEqual(['1s', '59.9s', '1m', '2m', '1h']);
  });

  it('writes the spaced style for reports: padded fields, days, a sign, tenths cut rather than rounded', () => {
    expect(written('spaced', 350, 4250, 65 * S, 3723 * S, 2 * 86400 * S + 3 * H, -90 * S)).toEqual([
      '350ms',
      '4.2s',
      '1m 05s',
      '1h 02m 03s',
      '2d 03h 00m',
      '-1m 30s',
    ]);
  });

  it('writes the clock style for a running time, never below zero', () => {
    expect(written('clock', 0, 247 * S + 999, 3753 * S, -5 * S)).toEqual(['0:00', '4:07', '1:02:33', '0:00']);
  });
});
