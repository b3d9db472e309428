import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJson, readEvents, ROOT, sev, tempDir, type LoggedEvent } from '../helpers.js';

// An incident started from an Alertmanager webhook payload, given as a file or on stdin, and the resolved
// alert that arrives later: offered for the resolved milestone, and written only when the responder says so.

const RUNBOOK = join(ROOT, 'test/fixtures/alerts/disk-full.yaml');
const FIRING = readFileSync(join(ROOT, 'test/fixtures/alerts/firing.json'), 'utf8');
const STARTS_AT = '2026-12-02T10:00:00.123Z';
const ANSWERS = 'steps:\n  look: done\n  resolved: "no"\n';

function workspace(payload = FIRING) {
  const dir = tempDir({ 'firing.json': payload, 'answers.yaml': ANSWERS });
  return { dir, incidents: join(dir, 'incidents'), at: (name: string) => join(dir, name) };
}

function onlyLog(incidents: string): { file: string; events: LoggedEvent[] } {
  const files = readdirSync(incidents).filter((f) => f.endsWith('.jsonl'));
  expect(files).toHaveLength(1);
  const file = join(incidents, files[0]!);
  return { file, events: readEvents(file) };
}

const resolvedPayload = (endsAt: string) =>
  FIRING.replaceAll('"status":"firing"', '"status":"resolved"').replace('0001-01-01T00:00:00Z', endsAt);

describe('sev run --alert', () => {
  it('starts from the payload file: the alert logged, impact-started at startsAt, detected at arrival, inputs prefilled', () => {
    const w = workspace();
    const before = Date.now();
    const r = sev([
      'run',
      RUNBOOK,
      '--alert',
      w.at('firing.json'),
      '--answers',
      w.at('answers.yaml'),
      '--set',
      'zone=eu-9',
      '--incident-dir',
      w.incidents,
    ]);
    expect(r.stderr).toContain("From the alert: host = db-1:9100 (the alert's labels.instance)");
    expect(r.stderr).toContain(`From the alert: impact-started at ${STARTS_AT}`);
    const { events } = onlyLog(w.incidents);
    expect(events.map((e) => e.type).slice(0, 4)).toEqual(['incident.started', 'alert.received', 'milestone', 'milestone']);
    const received = events[1]!;
    expect(received.data).toEqual({
      fingerprint: '0123456789abcdef',
      status: 'firing',
      labels: { alertname: 'DiskFull', instance: 'db-1:9100', severity: 'critical' },
      annotations: { summary: 'disk 98% full' },
      startsAt: '2026-12-02T10:00:00.123456789Z',
      generatorURL: 'http://prom/graph',
      receivedAt: expect.stringMatching(/^\d{4}-/) as unknown,
    });
    expect(events[2]!.data).toEqual({ milestone: 'impact-started', at: STARTS_AT, evidence: received.id });
    const detected = events[3]!.data as { milestone: string; at: string; evidence: string };
    expect(detected).toMatchObject({ milestone: 'detected', evidence: received.id });
    expect(Date.parse(detected.at)).toBeGreaterThanOrEqual(before - 1000);
    const inputs = Object.fromEntries(
      events.filter((e) => e.type === 'input.set').map((e) => [(e.data as { name: string }).name, (e.data as { value: string }).value]),
    );
    // --set comes before the alert; an input the alert has nothing for is asked (here: its default from --set).
    expect(inputs).toEqual({ host: 'db-1:9100', summary: 'disk 98% full', zone: 'eu-9' });
    // The runbook's own detected step does not write a second one.
    expect(events.filter((e) => e.type === 'milestone' && (e.data as { milestone: string }).milestone === 'detected')).toHaveLength(1);
  });

  it('reads the payload from stdin and takes the runbook and severity from the triage matrix', () => {
    // A team's runbooks directory whose server-failure is the small fixture: the shipped matrix names it.
    const w = workspace();
    writeFileSync(w.at('server-failure.yaml'), readFileSync(RUNBOOK, 'utf8').replace('id: disk-full', 'id: server-failure'));
    const r = sev(['run', '--alert', '-', '--answers', w.at('answers.yaml'), '--runbooks', w.dir, '--incident-dir', w.incidents], {
      input: FIRING,
    });
    expect(r.stderr).toContain('Alert DiskFull {instance=db-1:9100} → server-failure SEV2');
    const { events } = onlyLog(w.incidents);
    expect(events[0]!.data).toMatchObject({ runbook: { id: 'server-failure' }, severity: 'SEV2' });
    expect(events[1]!.type).toBe('alert.received');

    const triage = sev(['triage', '--alert', '-', '--json', '--runbooks', w.dir], { input: FIRING });
    expect(triage.code, triage.stderr).toBe(0);
    expect(parseJson(triage.stdout)).toMatchObject({
      runbook: 'server-failure',
      severity: 'SEV2',
      command: 'sev run server-failure --severity SEV2 --alert -',
    });
  });

  it('refuses, before anything is written, an alert value the input refuses, a payload with nothing firing, an alert no rule knows', () => {
    const w = workspace(FIRING.replace('"instance":"db-1:9100"', '"instance":"DB 1"'));
    const bad = sev(['run', RUNBOOK, '--alert', w.at('firing.json'), '--incident-dir', w.incidents]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/sev: input host from the alert's labels.instance "DB 1": .*\nGive its value with --set host=VALUE/);
    const resolved = sev(['run', RUNBOOK, '--alert', '-', '--incident-dir', w.incidents], {
      input: resolvedPayload('2026-12-02T10:42:00Z'),
    });
    expect(resolved.code).toBe(2);
    expect(resolved.stderr).toContain('stdin: no alert in it is firing: an incident starts from a firing alert');
    const unknown = sev(['run', '--alert', '-', '--incident-dir', w.incidents], { input: FIRING.replaceAll('DiskFull', 'Unheard') });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no alert rule of .*triage\.yaml holds for Unheard/);
    expect(readdirSync(w.dir)).not.toContain('incidents');
  });
});

describe('sev alert <incident> with the resolved alert', () => {
  function started() {
    const w = workspace();
    const r = sev(['run', RUNBOOK, '--alert', w.at('firing.json'), '--answers', w.at('answers.yaml'), '--incident-dir', w.incidents]);
    expect(r.stderr).toContain('From the alert');
    const { file, events } = onlyLog(w.incidents);
    return { ...w, file, incident: events[0]!.incident, count: events.length };
  }
  const ENDED = '2026-12-02T10:42:00Z';

  it('offers its end as the resolved milestone and writes it only when answered yes', () => {
    const s = started();
    writeFileSync(s.at('resolved.json'), resolvedPayload(ENDED));
    const unasked = sev(['alert', s.incident, s.at('resolved.json'), '--incident-dir', s.incidents]);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toContain(
      'Alertmanager says DiskFull {instance=db-1:9100} resolved at 10:42 (2026-12-02T10:42:00.000Z): mark the incident resolved at 10:42?',
    );
    expect(readEvents(s.file)).toHaveLength(s.count);

    const no = sev(['alert', s.incident, '-', '--answer', 'no', '--incident-dir', s.incidents], { input: resolvedPayload(ENDED) });
    expect(no.code, no.stderr).toBe(0);
    expect(no.stdout).toContain('Not marked resolved');
    let added = readEvents(s.file).slice(s.count);
    expect(added.map((e) => e.type)).toEqual(['alert.received', 'alert.evidence']);
    expect(added[0]!.data).toMatchObject({ status: 'resolved', endsAt: ENDED, fingerprint: '0123456789abcdef' });
    expect(added[1]!.data).toMatchObject({
      milestone: 'resolved',
      at: '2026-12-02T10:42:00.000Z',
      accepted: false,
      evidence: added[0]!.id,
    });

    const yes = sev(['alert', s.incident, s.at('resolved.json'), '--answer', 'yes', '--incident-dir', s.incidents]);
    expect(yes.code, yes.stderr).toBe(0);
    added = readEvents(s.file).slice(s.count + 2);
    expect(added.map((e) => e.type)).toEqual(['alert.received', 'alert.evidence', 'milestone']);
    expect(added[2]!.data).toEqual({ milestone: 'resolved', at: '2026-12-02T10:42:00.000Z', evidence: added[0]!.id });
    const timeline = sev(['timeline', s.incident, '--incident-dir', s.incidents]);
    expect(timeline.stdout).toContain('MILESTONE resolved (at 2026-12-02T10:42:00.000Z, as the alert says)');
  });

  it('refuses an alert the incident did not receive', () => {
    const s = started();
    const other = sev(['alert', s.incident, '-', '--answer', 'yes', '--incident-dir', s.incidents], {
      input: resolvedPayload(ENDED).replace('0123456789abcdef', 'fedcba9876543210'),
    });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(`no alert in it is one incident ${s.incident} received (by fingerprint); nothing was written`);
    expect(readEvents(s.file)).toHaveLength(s.count);
  });
});
