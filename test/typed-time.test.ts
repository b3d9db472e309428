import { describe, expect, it } from 'vitest';
import { inputTime, timeForms, typedTime } from '../src/engine/typed-time.js';

const NOW = new Date('2026-11-26T03:40:12.345Z');

describe('a time typed by a person', () => {
  it("takes now and lengths of time ago from the walk's clock", () => {
    expect(typedTime('now', NOW)).toBe('2026-11-26T03:40:12.345Z');
    expect(typedTime(' NOW ', NOW)).toBe('2026-11-26T03:40:12.345Z');
    expect(typedTime('20m ago', NOW)).toBe('2026-11-26T03:20:12.345Z');
    expect(typedTime('1h30m ago', NOW)).toBe('2026-11-26T02:10:12.345Z');
    expect(typedTime('2h ago', NOW)).toBe('2026-11-26T01:40:12.345Z');
    expect(typedTime('ago', NOW)).toBeUndefined();
    expect(typedTime('20 ago', NOW)).toBeUndefined();
  });

  it("reads a clock time as today in the responder's zone, stored as UTC", () => {
    expect(typedTime('03:12', NOW, 'UTC')).toBe('2026-11-26T03:12:00.000Z');
    expect(typedTime('9:30', NOW, 'Europe/Paris')).toBe('2026-11-26T08:30:00.000Z');
    expect(typedTime('09:30:15', NOW, 'Asia/Shanghai')).toBe('2026-11-26T01:30:15.000Z');
    // 03:40 UTC is still 25 November in New York: today there.
    expect(typedTime('22:05', NOW, 'America/New_York')).toBe('2026-11-26T03:05:00.000Z');
    expect(typedTime('24:00', NOW, 'UTC')).toBeUndefined();
    expect(typedTime('9:75', NOW, 'UTC')).toBeUndefined();
  });

  it('takes the offset in force at the time typed, across a daylight-saving change', () => {
    // Berlin leaves summer time at 03:00 on 25 October 2026; at 12:00 that day it is UTC+1.
    expect(typedTime('01:30', new Date('2026-10-25T12:00:00Z'), 'Europe/Berlin')).toBe('2026-10-24T23:30:00.000Z');
    expect(typedTime('12:00', new Date('2026-10-25T12:00:00Z'), 'Europe/Berlin')).toBe('2026-10-25T11:00:00.000Z');
  });

  it('takes full times: UTC without an offset, an offset when given, calendar dates only', () => {
    expect(typedTime('2026-11-26T03:12Z', NOW)).toBe('2026-11-26T03:12:00.000Z');
    expect(typedTime('2026-11-26 03:12:30', NOW)).toBe('2026-11-26T03:12:30.000Z');
    expect(typedTime('2026-11-26T04:12:00+01:00', NOW)).toBe('2026-11-26T03:12:00.000Z');
    expect(typedTime('2026-11-26T03:12:00.120Z', NOW)).toBe('2026-11-26T03:12:00.120Z');
    expect(typedTime('2026-02-30T03:12Z', NOW)).toBeUndefined();
    expect(typedTime('yesterday', NOW)).toBeUndefined();
    expect(typedTime('', NOW)).toBeUndefined();
  });

  it('is kept by an input in whole seconds, and a refusal says what may be typed in words', () => {
    expect(inputTime('2026-11-26T03:12:00.000Z')).toBe('2026-11-26T03:12:00Z');
    expect(timeForms('Europe/Paris')).toBe(
      'a time: 09:30 (today, Europe/Paris), 20m ago, now, or a full time such as 2026-11-26T03:12Z (UTC unless an offset follows)',
    );
    expect(timeForms('Europe/Paris')).not.toMatch(/\\d|\[/);
  });
});
