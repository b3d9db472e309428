import { describe, expect, it } from 'vitest';
import { aStringMatching } from './helpers.js';
import { MAX_DEPTH, parseLine, rfc3339Ms } from '../src/incident/read.js';

describe('rfc3339Ms', () => {
  it('reads RFC 3339 times with a zone, as Date.parse does', () => {
    for (const s of [
      '2026-11-26T23:52:10.123Z',
      '2026-11-26T23:52:10.123456789Z',
      '2026-11-26t23:52:10z',
      '2026-11-26T23:52:10+01:00',
      '2026-11-26T23:52:10.5-05:30',
      '0001-01-01T00:00:00Z',
      '2024-02-29T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
    ]) {
      expect(rfc3339Ms(s), s).toBe(Date.parse(s));
      expect(Number.isNaN(rfc3339Ms(s)), s).toBe(false);
    }
  });

  it('refuses what Date.parse takes but is no RFC 3339 time, or cannot be printed', () => {
    for (const s of [
      '2026-02-29T00:00:00Z',
      '2026-02-30T00:00:00Z',
      '2026-11-26',
      '2026-11-26T23:52:10',
      '2026-11-26 23:52:10Z',
      '+275760-09-13T00:00:00Z',
      '+275760-09-13T00:00:00.001Z',
      '2026-11-26T24:00:00Z',
      '2026-11-26T23:52:60Z',
      '2026-11-26T23:52:10.Z',
      '2026-11-26T23:52:10.1234567890Z',
      '2026-11-26T23:52:10+25:00',
      '2026-13-01T00:00:00Z',
      '2026-11-26T23:52:10Zx',
      'Nov 26 2026',
    ]) {
      expect(rfc3339Ms(s), s).toBeNaN();
    }
    expect(rfc3339Ms(1795737130123)).toBeNaN();
  });
});

describe('parseLine', () => {
  const line = (data: string) =>
    `{"v":1,"id":"a","seq":1,"time":"2026-11-26T23:52:10.000Z","incident":"i","actor":"a","type":"x","data":${data}}`;
  const nest = (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`;

  it(`keeps events nested up to ${MAX_DEPTH} levels and reports deeper ones as damaged`, () => {
    // The event is level 0 and its data level 1: data holds MAX_DEPTH - 1 more levels at most.
    expect(parseLine(line(`{"a":${nest(MAX_DEPTH - 1)}}`), 1, false)).toHaveProperty('v', 1);
    expect(parseLine(line(`{"a":${nest(MAX_DEPTH)}}`), 1, false)).toMatchObject({
      kind: 'damaged-line',
      message: aStringMatching(/nested deeper than 32 levels/),
    });
    expect(parseLine(line(`{"a":${nest(500_000)}}`), 1, false)).toMatchObject({ kind: 'damaged-line' });
  });
});
