import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchorsOf, dueTimes, factDefault, readFact, timeLeft, verdict, type FactValue } from '../src/regulator/assess.js';
import { loadRules } from '../src/regulator/rules-file.js';
import type { DeadlineName } from '../src/regulator/rules.js';
import { addWithin, parseWithin } from '../src/regulator/within.js';
import { ROOT } from './helpers.js';

const rules = loadRules(join(ROOT, 'runbooks/regulators.yaml'));
const notification = (id: string) => rules.notifications.find((n) => n.id === id)!;

/** Facts of an incident no shipped rule makes reportable, with some changed. */
function facts(over: Record<string, string> = {}): Map<string, FactValue> {
  const answers: Record<string, string> = {
    interruption: '0m',
    transactions_affected: '0',
    records_leaked: '0',
    customers_exposed: '0',
    personal_data: 'no',
    eu_entity: 'no',
    eu_residents: 'no',
    dora_major: 'no',
    clients_financial_interests: 'no',
    card_data: 'no',
    ...over,
  };
  const out = new Map<string, FactValue>();
  for (const def of rules.facts) {
    const read = readFact(def, answers[def.name]!);
    if (typeof read === 'string') throw new Error(read);
    out.set(def.name, { name: def.name, type: def.type, ...read, source: 'answer' });
  }
  return out;
}

// [notification, facts, applies] at each default threshold: just at it, and just past it.
const TABLE: [string, Record<string, string>, boolean][] = [
  ['pboc-incident', {}, false],
  // 以上 includes the number: at the threshold it applies.
  ['pboc-incident', { interruption: '1h59m' }, false],
  ['pboc-incident', { interruption: '2h' }, true],
  ['pboc-incident', { transactions_affected: '99999' }, false],
  ['pboc-incident', { transactions_affected: '100,000' }, true],
  ['pboc-incident', { records_leaked: '4999' }, false],
  ['pboc-incident', { records_leaked: '5000' }, true],
  ['pboc-incident', { customers_exposed: '499' }, false],
  ['pboc-incident', { customers_exposed: '500' }, true],
  ['cac-incident', { customers_exposed: '999999' }, false],
  ['cac-incident', { customers_exposed: '1000000' }, true],
  ['cac-incident', { interruption: '5h59m' }, false],
  ['cac-incident', { interruption: '6h' }, true],
  ['dora-major-ict', { eu_entity: 'yes', dora_major: 'yes' }, true],
  ['dora-major-ict', { eu_entity: 'no', dora_major: 'yes' }, false],
  ['dora-major-ict', { eu_entity: 'yes', dora_major: 'no' }, false],
  // DORA tells clients when their financial interests are hit; GDPR also reaches EU residents served from outside (Article 3(2)), DORA does not.
  ['dora-clients', { eu_entity: 'yes', dora_major: 'yes', clients_financial_interests: 'yes' }, true],
  ['dora-clients', { eu_entity: 'yes', dora_major: 'yes', clients_financial_interests: 'no' }, false],
  ['dora-clients', { eu_entity: 'yes', dora_major: 'no', clients_financial_interests: 'yes' }, false],
  ['dora-major-ict', { eu_residents: 'yes', dora_major: 'yes' }, false],
  ['gdpr-breach', { personal_data: 'yes', eu_entity: 'yes' }, true],
  ['gdpr-breach', { personal_data: 'yes', eu_residents: 'yes' }, true],
  ['gdpr-breach', { personal_data: 'yes', eu_entity: 'no' }, false],
  ['gdpr-breach', { personal_data: 'no', eu_entity: 'yes', eu_residents: 'yes' }, false],
  ['card-schemes', { card_data: 'yes' }, true],
  ['card-schemes', { card_data: 'no' }, false],
];

describe('the shipped regulator rules', () => {
  it.each(TABLE)('%s with %j applies: %s', (id, over, applies) => {
    expect(verdict(notification(id), facts(over)).applies).toBe(applies);
  });

  it('says why a notification applies or not', () => {
    expect(verdict(notification('pboc-incident'), facts({ transactions_affected: '150000' })).reason).toBe(
      'transactions_affected 150,000 is at least 100,000',
    );
    expect(verdict(notification('dora-major-ict'), facts({ eu_entity: 'yes' })).reason).toBe('dora_major is no, not yes');
    expect(verdict(notification('cac-incident'), facts()).reason).toBe(
      'none holds: customers_exposed 0 is under 1,000,000; interruption 0m is under 6h',
    );
  });

  it('every notification cites its source and says the team must check it', () => {
    for (const n of rules.notifications) expect(n.source.url, n.id).toMatch(/^https?:\/\//);
    expect(rules.notice).toMatch(/must check/);
  });

  it('reads answers to facts and refuses what is not one', () => {
    const [interruption, count, yesNo] = ['interruption', 'records_leaked', 'personal_data'].map((n) =>
      rules.facts.find((f) => f.name === n)!,
    );
    expect(readFact(interruption!, '2h30m')).toEqual({ value: 9_000_000, text: '2h30m' });
    expect(readFact(interruption!, '0')).toEqual({ value: 0, text: '0m' });
    expect(readFact(interruption!, 'two hours')).toMatch(/not a duration/);
    expect(readFact(count!, '12 000')).toEqual({ value: 12000, text: '12,000' });
    expect(readFact(count!, '-3')).toMatch(/not a count/);
    expect(readFact(yesNo!, 'Y')).toEqual({ value: 1, text: 'yes' });
    expect(readFact(yesNo!, 'maybe')).toMatch(/not yes or no/);
  });
});

describe("deadlines from the incident's own milestone times", () => {
  const dora = notification('dora-major-ict').deadlines;
  const none = new Map<DeadlineName, string>();

  it('DORA: 4h from classification, capped at 24h from awareness; intermediate 72h after the initial filing; final a month after', () => {
    const quick = anchorsOf(
      { detected: '2026-01-30T10:00:00.000Z', acknowledged: '2026-01-30T12:00:00.000Z' },
      undefined,
      '2026-01-30T12:05:00.000Z',
    );
    expect(dueTimes(dora, quick, none).map((d) => d.due)).toEqual([
      '2026-01-30T16:00:00.000Z',
      '2026-02-02T16:00:00.000Z',
      '2026-03-02T16:00:00.000Z',
    ]);
    // Classified 22 hours after awareness: the 24-hour cap comes first.
    const late = anchorsOf(
      { detected: '2026-01-30T10:00:00.000Z', acknowledged: '2026-01-31T08:00:00.000Z' },
      undefined,
      '2026-01-31T08:00:00.000Z',
    );
    expect(dueTimes(dora, late, none)[0]!.due).toBe('2026-01-31T10:00:00.000Z');
    // Once the initial report is filed, the intermediate counts from the filing.
    const filed = new Map<DeadlineName, string>([['initial', '2026-01-30T15:00:00.000Z']]);
    expect(dueTimes(dora, quick, filed)[1]!.due).toBe('2026-02-02T15:00:00.000Z');
  });

  it('GDPR counts 72h from awareness; the card schemes want it immediately; classification falls back to the assessment', () => {
    const anchors = anchorsOf({ detected: '2026-11-26T03:20:00.000Z' }, '2026-11-26T03:25:00.000Z', '2026-11-26T04:00:00.000Z');
    expect(anchors.classification).toBe('2026-11-26T04:00:00.000Z');
    expect(dueTimes(notification('gdpr-breach').deadlines, anchors, none)[0]!.due).toBe('2026-11-29T03:20:00.000Z');
    expect(dueTimes(notification('card-schemes').deadlines, anchors, none)[0]).toMatchObject({
      due: '2026-11-26T03:20:00.000Z',
      rule: 'immediately on awareness',
    });
  });

  it('a deadline counted from resolution waits for it', () => {
    const within = parseWithin('5d')!;
    const defs = [{ name: 'final' as const, within, from: 'resolution' as const }];
    expect(dueTimes(defs, anchorsOf({}, undefined, '2026-11-26T04:00:00.000Z'), none)).toEqual([
      { name: 'final', rule: '5d from resolution', waitingFor: 'resolution' },
    ]);
    expect(dueTimes(defs, anchorsOf({ resolved: '2026-11-27T00:00:00.000Z' }, undefined, '2026-11-26T04:00:00.000Z'), none)[0]!.due).toBe(
      '2026-12-02T00:00:00.000Z',
    );
  });

  it('months follow the calendar, and time left or overdue is said', () => {
    expect(addWithin(new Date('2026-01-31T09:00:00Z'), parseWithin('1mo')!).toISOString()).toBe('2026-02-28T09:00:00.000Z');
    expect(parseWithin('4 hours')).toBeUndefined();
    const now = new Date('2026-11-26T04:00:00Z');
    expect(timeLeft('2026-11-26T07:20:00.000Z', now)).toBe('3h20m left');
    expect(timeLeft('2026-11-26T03:55:00.000Z', now)).toBe('overdue by 5m');
  });

  it('the interruption defaults from impact start to mitigation, else to now', () => {
    const interruption = rules.facts.find((f) => f.name === 'interruption')!;
    const now = new Date('2026-11-26T06:00:00Z');
    expect(factDefault(interruption, { 'impact-started': '2026-11-26T03:00:00.000Z', mitigated: '2026-11-26T05:30:00.000Z' }, now)).toBe(
      '2h30m',
    );
    expect(factDefault(interruption, { 'impact-started': '2026-11-26T03:00:00.000Z' }, now)).toBe('3h');
    expect(factDefault(interruption, { detected: '2026-11-26T05:15:00.000Z' }, now)).toBe('45m');
    expect(factDefault(interruption, {}, now)).toBeUndefined();
  });
});
