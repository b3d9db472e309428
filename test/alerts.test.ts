import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { alertmanagerUrl, fetchAlerts } from '../src/alerts/api.js';
import { matchAlert, type AlertRule } from '../src/alerts/match.js';
import { alertMilestones, resolvedEvidence } from '../src/alerts/milestones.js';
import { evidenceFor, latestOffer } from '../src/alerts/evidence.js';
import { parseAlertPayload, readAlertPayload, type Alert, type WebhookPayload } from '../src/alerts/payload.js';
import { alertName, pickFiring } from '../src/alerts/pick.js';
import { fromAlertError, prefill } from '../src/alerts/prefill.js';
import { parseAlertRules } from '../src/alerts/rules-file.js';
import { UserError } from '../src/errors.js';
import { MAX_FILE_BYTES } from '../src/files/read-file.js';
import { tempDir } from './helpers.js';
import { join } from 'node:path';

const alert = (over: Partial<Alert> = {}): Alert => ({
  status: 'firing',
  labels: { alertname: 'HighErrorRate', service: 'payments', instance: 'api-3:9100' },
  annotations: { summary: '5xx above 5%' },
  startsAt: '2026-11-26T03:10:00.123456789Z',
  endsAt: '0001-01-01T00:00:00Z',
  ...over,
});

const payload = (over: Record<string, unknown> = {}) => ({
  receiver: 'sev',
  status: 'firing',
  alerts: [{ ...alert(), generatorURL: 'http://prometheus/graph', fingerprint: 'b93d7ed022eb9f10' }],
  groupLabels: { alertname: 'HighErrorRate' },
  commonLabels: { alertname: 'HighErrorRate' },
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  version: '4',
  groupKey: '{}:{alertname="HighErrorRate"}',
  truncatedAlerts: 0,
  ...over,
});

/** The one-line message a payload is refused with. */
function refusal(text: string): string {
  try {
    parseAlertPayload(text, 'alert.json');
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('the payload was accepted');
}

describe('matchAlert', () => {
  const rules: AlertRule[] = [
    { match: { alertname: 'HighErrorRate', service: 'payments' }, runbook: 'server-failure', severity: 'SEV2' },
    { match: { alertname: '=~Ledger.*' }, runbook: 'data-error', severity: 'SEV1' },
    { match: { team: '=~|none' }, runbook: 'software-bug', severity: 'SEV3' },
  ];

  it('takes the first rule whose every label is equal', () => {
    expect(matchAlert(rules, { alertname: 'HighErrorRate', service: 'payments', team: 'core' })).toEqual({
      runbook: 'server-failure',
      severity: 'SEV2',
      rule: 0,
    });
    expect(matchAlert(rules, { alertname: 'HighErrorRate', service: 'wallet', team: 'core' })).toBeUndefined();
  });

  it('matches =~ patterns against the whole value, with RE2', () => {
    expect(matchAlert(rules, { alertname: 'LedgerMismatch', team: 'core' })?.runbook).toBe('data-error');
    expect(matchAlert(rules, { alertname: 'OldLedger', team: 'core' })).toBeUndefined();
  });

  it('reads a label the alert lacks as the empty string, as Alertmanager does', () => {
    expect(matchAlert(rules, { alertname: 'Other' })?.runbook).toBe('software-bug');
    expect(matchAlert([{ match: { service: '' }, runbook: 'x', severity: 'SEV4' }], { alertname: 'A' })?.runbook).toBe('x');
  });

  it('matches a pathological pattern in linear time', () => {
    const start = performance.now();
    expect(
      matchAlert([{ match: { alertname: '=~(a+)+b' }, runbook: 'x', severity: 'SEV4' }], { alertname: 'a'.repeat(50_000) }),
    ).toBeUndefined();
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

describe('the rules file', () => {
  it('reads rules as a list under rules:', () => {
    const rules = parseAlertRules(
      'rules:\n  - { match: { alertname: HighErrorRate, code: 500 }, runbook: server-failure, severity: SEV2 }\n',
      'r.yaml',
    );
    expect(rules).toEqual([{ match: { alertname: 'HighErrorRate', code: '500' }, runbook: 'server-failure', severity: 'SEV2' }]);
  });

  it.each([
    ['rules: {}', 'r.yaml: expected rules: a list'],
    ['- { match: {}, runbook: x, severity: SEV5 }', 'r.yaml: rules[0].severity: expected one of SEV1, SEV2, SEV3, SEV4'],
    ['- { match: { a: "=~(?=x)" }, runbook: x, severity: SEV1 }', 'r.yaml: rules[0].match.a: look-aheads'],
    ['- { match: [], runbook: x, severity: SEV1 }', 'r.yaml: rules[0].match: expected a map'],
    ['- { match: {}, runbook: x, severity: SEV1, when: now }', 'r.yaml: rules[0]: unknown key when'],
    ['rules: [a', 'r.yaml: not YAML'],
  ])('refuses %j with one line', (text, message) => {
    expect(() => parseAlertRules(text, 'r.yaml')).toThrow(message);
  });
});

describe('prefill', () => {
  it('gives inputs declared with from_alert their label or annotation', () => {
    const inputs = [
      { name: 'host', fromAlert: 'labels.instance' },
      { name: 'what', fromAlert: 'annotations.summary' },
      { name: 'ticket' },
      { name: 'zone', fromAlert: 'labels.zone' },
    ];
    expect(prefill(inputs, alert())).toEqual({
      values: { host: 'api-3:9100', what: '5xx above 5%' },
      absent: [{ name: 'zone', fromAlert: 'labels.zone' }],
    });
  });

  it('names nothing outside labels and annotations, nor what an object inherits', () => {
    expect(
      prefill(
        [
          { name: 'a', fromAlert: 'startsAt' },
          { name: 'b', fromAlert: 'labels.constructor' },
        ],
        alert(),
      ).values,
    ).toEqual({});
    expect(fromAlertError('labels.instance')).toBeUndefined();
    expect(fromAlertError('startsAt')).toMatch(/labels.<name> or annotations.<name>/);
  });
});

describe('alert milestones', () => {
  const arrived = new Date('2026-11-26T03:12:30.000Z');

  it('impact started at startsAt, detected at the arrival, in the log time format', () => {
    expect(alertMilestones(alert(), arrived)).toEqual({
      milestones: [
        { milestone: 'impact-started', at: '2026-11-26T03:10:00.123Z' },
        { milestone: 'detected', at: '2026-11-26T03:12:30.000Z' },
      ],
      warnings: [],
    });
  });

  it('reads an offset as the same instant', () => {
    expect(alertMilestones(alert({ startsAt: '2026-11-26T11:10:00+08:00' }), arrived).milestones[0]).toEqual({
      milestone: 'impact-started',
      at: '2026-11-26T03:10:00.000Z',
    });
  });

  it('keeps a start later than the arrival and says so', () => {
    const { milestones, warnings } = alertMilestones(alert({ startsAt: '2026-11-26T03:20:00Z' }), arrived);
    expect(milestones[0]!.at).toBe('2026-11-26T03:20:00.000Z');
    expect(warnings[0]).toMatch(/after it arrived/);
  });

  it('leaves impact-started out for the zero time', () => {
    const { milestones, warnings } = alertMilestones(alert({ startsAt: '0001-01-01T00:00:00Z' }), arrived);
    expect(milestones.map((m) => m.milestone)).toEqual(['detected']);
    expect(warnings[0]).toMatch(/no start time/);
  });

  it('offers a resolved alert’s end as evidence, and a firing one nothing', () => {
    expect(resolvedEvidence(alert({ status: 'resolved', endsAt: '2026-11-26T04:00:00.5Z' }))).toEqual({
      milestone: 'resolved',
      at: '2026-11-26T04:00:00.500Z',
    });
    expect(resolvedEvidence(alert())).toBeUndefined();
    expect(resolvedEvidence(alert({ status: 'resolved', endsAt: '0001-01-01T00:00:00Z' }))).toBeUndefined();
  });
});

describe('the webhook payload', () => {
  it('reads a version 4 payload as sent', () => {
    const p = parseAlertPayload(JSON.stringify(payload()), 'alert.json');
    expect(p.alerts[0]!.labels.instance).toBe('api-3:9100');
    expect(p.receiver).toBe('sev');
    expect(p.truncatedAlerts).toBe(0);
  });

  it('gives missing optional maps as empty ones', () => {
    const p = parseAlertPayload(
      JSON.stringify({ version: '4', status: 'firing', alerts: [{ status: 'firing', labels: {}, startsAt: '2026-11-26T03:10:00Z' }] }),
      'a',
    );
    expect(p.commonLabels).toEqual({});
    expect(p.alerts[0]!.annotations).toEqual({});
  });

  it('keeps escape sequences in labels as they are (printing sanitises them)', () => {
    const evil = '\u001b]0;pwned\u0007\u001b[2J';
    const p = parseAlertPayload(JSON.stringify(payload({ alerts: [{ ...alert(), labels: { alertname: evil } }] })), 'a');
    expect(p.alerts[0]!.labels.alertname).toBe(evil);
  });

  it.each([
    ['', 'alert.json: empty'],
    ['{"version": "4",', 'alert.json: not JSON ('],
    ['[1, 2]', 'alert.json: not an Alertmanager webhook payload: expected a JSON object'],
    [JSON.stringify(payload({ version: '3' })), 'alert.json: version "3": sev reads the Alertmanager webhook payload of version "4"'],
    [JSON.stringify(payload({ version: undefined })), 'alert.json: missing version'],
    [JSON.stringify(payload({ status: 'pending' })), 'alert.json: status: must be one of firing, resolved'],
    [JSON.stringify(payload({ alerts: [] })), 'alert.json: alerts: no alerts'],
    [JSON.stringify(payload({ alerts: [{ ...alert(), startsAt: 'yesterday' }] })), 'alert.json: alerts[0].startsAt: not an RFC 3339 time'],
    [
      JSON.stringify(payload({ alerts: [{ ...alert(), labels: { 'bad key': 3 } }] })),
      'alert.json: alerts[0].labels["bad key"]: must be a string',
    ],
  ])('refuses %j with one line naming the file', (text, message) => {
    const m = refusal(text);
    expect(m.startsWith(message)).toBe(true);
    expect(m).not.toMatch(/\n/);
  });

  it('refuses a file larger than the limit, and a huge stdin', async () => {
    const dir = tempDir({ 'big.json': ' '.repeat(MAX_FILE_BYTES + 1) });
    await expect(readAlertPayload(join(dir, 'big.json'))).rejects.toThrow(/big\.json: larger than 2 MiB/);
    const chunks = function* () {
      for (let i = 0; i < 40; i++) yield Buffer.alloc(64 * 1024, 0x20);
    };
    await expect(readAlertPayload('-', Readable.from(chunks()))).rejects.toThrow(/^stdin: larger than 2 MiB/);
  });

  it('reads stdin for "-", and names a missing file', async () => {
    expect((await readAlertPayload('-', Readable.from([Buffer.from(JSON.stringify(payload()))]))).alerts).toHaveLength(1);
    await expect(readAlertPayload('/nonexistent/alert.json')).rejects.toThrow(
      '/nonexistent/alert.json: no such Alertmanager webhook payload',
    );
    await expect(readAlertPayload('-', Readable.from([Buffer.from([0xff, 0xfe])]))).rejects.toThrow(/^stdin: not valid UTF-8/);
  });
});

describe('the API client', () => {
  it('takes credentials out of the URL and never shows them', () => {
    const u = alertmanagerUrl('https://ops:s3cret@am.example:9093/prefix');
    expect(u.shown).toBe('https://am.example:9093/prefix');
    expect(u.authorization).toBe(`Basic ${Buffer.from('ops:s3cret').toString('base64')}`);
    expect(() => alertmanagerUrl('ftp://am')).toThrow(/not an http or https URL/);
    expect(() => alertmanagerUrl('am:9093:x')).toThrow();
  });

  it('says what answered when it is not Alertmanager', async () => {
    const answer = (body: string, status = 200) => (() => Promise.resolve(new Response(body, { status }))) as unknown as typeof fetch;
    await expect(fetchAlerts('http://x', { fetch: answer('<html>') })).rejects.toThrow(
      'http://x: not an Alertmanager API v2: GET /api/v2/alerts did not answer JSON',
    );
    await expect(fetchAlerts('http://x', { fetch: answer('{"data": []}') })).rejects.toThrow(/did not answer a list of alerts/);
    await expect(fetchAlerts('http://x', { fetch: answer('[{"labels": 1}]') })).rejects.toThrow(/alert 0 has no labels or startsAt/);
    await expect(fetchAlerts('http://x', { fetch: answer('', 401) })).rejects.toThrow(/refused the request \(HTTP 401\)/);
  });

  it('gives up after its timeout', async () => {
    const never = ((_url: URL, init: RequestInit) =>
      new Promise((_resolve, reject) =>
        init.signal!.addEventListener('abort', () => reject(init.signal!.reason as Error)),
      )) as unknown as typeof fetch;
    await expect(fetchAlerts('http://x', { fetch: never, timeoutMs: 50 })).rejects.toThrow(
      'http://x: cannot reach Alertmanager: no answer within 0.05 s',
    );
  });

  it('asks for firing alerts that are neither silenced nor inhibited', async () => {
    let asked = '';
    const capture = ((url: URL) => {
      asked = url.href;
      return Promise.resolve(new Response('[]'));
    }) as unknown as typeof fetch;
    await fetchAlerts('http://am:9093/', { fetch: capture });
    expect(asked).toBe('http://am:9093/api/v2/alerts?active=true&silenced=false&inhibited=false&unprocessed=true');
  });
});

describe('the alert an incident starts from, and the evidence a later one offers', () => {
  const payload = (alerts: Alert[]): WebhookPayload => ({
    version: '4',
    status: alerts.some((x) => x.status === 'firing') ? 'firing' : 'resolved',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    alerts,
  });

  it('takes the first firing alert, or the one --alert-index names, counted from 1', () => {
    const two = payload([alert({ status: 'resolved', fingerprint: 'a' }), alert({ fingerprint: 'b' }), alert({ fingerprint: 'c' })]);
    expect(pickFiring(two, 'p.json')).toMatchObject({ index: 2, of: 3, alert: { fingerprint: 'b' } });
    expect(pickFiring(two, 'p.json', '3')).toMatchObject({ index: 3, alert: { fingerprint: 'c' } });
    expect(() => pickFiring(two, 'p.json', '1')).toThrow('p.json: alert 1 is resolved, not firing');
    expect(() => pickFiring(two, 'p.json', '4')).toThrow('--alert-index 4: expected a number from 1 to 3');
    expect(() => pickFiring(two, 'p.json', '0')).toThrow(UserError);
    expect(() => pickFiring(payload([alert({ status: 'resolved' })]), 'stdin')).toThrow('stdin: no alert in it is firing');
  });

  it('names an alert on one line, its control characters shown', () => {
    expect(alertName(alert())).toBe('HighErrorRate {service=payments instance=api-3:9100}');
    expect(alertName(alert({ labels: { alertname: 'X\u001b[31m' } }))).toBe('X\\x1b[31m');
  });

  it("offers a resolved alert's end only for an alert the incident received, the latest end of several", () => {
    const known = new Set(['a', 'b']);
    const found = evidenceFor(
      payload([
        alert({ status: 'resolved', fingerprint: 'a', endsAt: '2026-11-26T04:00:00Z' }),
        alert({ status: 'resolved', fingerprint: 'b', endsAt: '2026-11-26T04:30:00Z' }),
        alert({ status: 'resolved', fingerprint: 'other', endsAt: '2026-11-26T05:00:00Z' }),
        alert({ fingerprint: 'unknown-firing' }),
      ]),
      known,
    );
    expect(found.map((e) => e.alert.fingerprint)).toEqual(['a', 'b']);
    expect(latestOffer(found)).toEqual({ milestone: 'resolved', at: '2026-11-26T04:30:00.000Z' });
    expect(latestOffer(evidenceFor(payload([alert({ fingerprint: 'a' })]), known))).toBeUndefined();
  });
});
