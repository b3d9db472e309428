import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAlertPayload, readAlertPayload, type WebhookPayload } from '../../src/alerts/payload.js';
import { resolvedEvidence } from '../../src/alerts/milestones.js';
import { readEvents, ROOT, SEV, tempDir, waitFor, warnSkipped } from '../helpers.js';
import { HAS_TMUX, NEEDS_TMUX, Tmux } from '../tmux.js';

const RUNBOOK = join(ROOT, 'test/fixtures/alerts/disk-full.yaml');

// A real Alertmanager (Debian's prometheus-alertmanager), on 127.0.0.1 with a configuration and storage of
// its own and clustering off; alerts are posted to its API as Prometheus posts them.

const BINARY = '/usr/bin/prometheus-alertmanager';
const HAS_ALERTMANAGER = existsSync(BINARY);
const NEEDS = HAS_ALERTMANAGER ? '' : ` (skipped: ${BINARY} not installed: apt-get install prometheus-alertmanager)`;
if (!HAS_ALERTMANAGER) warnSkipped('test/e2e/alertmanager.test.ts', 'prometheus-alertmanager', 'sev alerts against a real Alertmanager');

/** A port free a moment ago: Alertmanager takes it by number. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Running {
  url: string;
  process: ChildProcess;
  log: () => string;
}

async function startAlertmanager(webhookUrl: string): Promise<Running> {
  const dir = tempDir();
  const config = join(dir, 'alertmanager.yml');
  writeFileSync(
    config,
    [
      'route:',
      '  receiver: sev',
      '  group_by: [alertname]',
      '  group_wait: 0s',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: sev',
      '    webhook_configs:',
      `      - url: ${webhookUrl}`,
      '        send_resolved: true',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  let output = '';
  const child = spawn(
    BINARY,
    [
      `--config.file=${config}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    () => `Alertmanager to be ready at ${url} (its output: ${output.slice(-500)})`,
    async () => (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok,
    { timeoutMs: 20_000, intervalMs: 100 },
  );
  return { url, process: child, log: () => output };
}

async function postAlerts(url: string, alerts: object[]): Promise<void> {
  const response = await fetch(`${url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
  });
  expect(response.status).toBe(200);
}

/** `sev` spawned without blocking: the webhook server lives in this process and must keep answering. */
function sevAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // FORCE_COLOR left out, not emptied: Node warns on stderr when it is set (even empty) beside NO_COLOR.
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    const child = spawn(process.execPath, [SEV, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!HAS_ALERTMANAGER)(`sev alerts and the webhook payload, against a real Alertmanager${NEEDS}`, () => {
  let am: Running;
  let hook: Server;
  const received: string[] = [];

  beforeAll(async () => {
    hook = createServer((request, response) => {
      let body = '';
      request.on('data', (d: Buffer) => (body += d.toString()));
      request.on('end', () => {
        received.push(body);
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    am = await startAlertmanager(`http://127.0.0.1:${(hook.address() as AddressInfo).port}/alert`);
  });

  afterAll(async () => {
    if (am?.process.exitCode === null) {
      am.process.kill('SIGTERM');
      await new Promise((resolve) => am.process.once('exit', resolve));
    }
    await new Promise((resolve) => hook?.close(resolve));
  });

  const started = new Date(Date.now() - 5 * 60_000).toISOString();

  it('lists the firing alerts, sanitised, with the runbook the rules map them to', async () => {
    await postAlerts(am.url, [
      {
        labels: { alertname: 'HighErrorRate', service: 'payments', severity: 'critical' },
        annotations: { summary: '5xx above 5% on payments' },
        startsAt: started,
      },
      {
        labels: { alertname: 'Escape\u001b]0;pwned\u0007', severity: 'warning' },
        annotations: { summary: 'red \u001b[31mtext' },
        startsAt: started,
      },
      // Already over: Alertmanager holds it as resolved and does not list it.
      {
        labels: { alertname: 'LongGone' },
        startsAt: new Date(Date.now() - 7_200_000).toISOString(),
        endsAt: new Date(Date.now() - 3_600_000).toISOString(),
      },
    ]);
    const dir = tempDir({
      'rules.yaml': 'rules:\n  - { match: { alertname: HighErrorRate, service: "=~pay.*" }, runbook: server-failure, severity: SEV2 }\n',
    });
    const r = await sevAsync(['alerts', '--alertmanager', am.url, '--rules', join(dir, 'rules.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /HighErrorRate\s+│ critical\s+│ \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ │ 5xx above 5% on payments\s+│ server-failure SEV2/,
    );
    expect(r.stdout).toContain('Escape\\x1b]0;pwned\\x07');
    expect(r.stdout).toContain('red \\x1b[31mtext');
    expect(r.stdout).toContain('no rule');
    expect(r.stdout).not.toContain('LongGone');
    expect(r.stdout).not.toContain('\u001b');

    // Without --rules, the triage matrix's alert rules, and the command lines that start from an alert.
    const byMatrix = await sevAsync(['alerts', '--alertmanager', am.url]);
    expect(byMatrix.stdout).toMatch(/HighErrorRate .*│ server-failure SEV2/);
    const start = /sev alerts --alertmanager (\S+) --payload ([0-9a-f]{16}) \| sev run server-failure --alert -/.exec(byMatrix.stdout);
    expect(start?.[1]).toBe(am.url);
    const payload = await sevAsync(['alerts', '--alertmanager', am.url, '--payload', start![2]!]);
    expect(payload.code, payload.stderr).toBe(0);
    expect(parseAlertPayload(payload.stdout, 'sev alerts --payload').alerts[0]).toMatchObject({
      status: 'firing',
      fingerprint: start![2],
      labels: { alertname: 'HighErrorRate', service: 'payments' },
    });

    const json = await sevAsync(['alerts', '--alertmanager', am.url, '--json']);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as { alertname: string; startsAt: string; state: string; fingerprint: string }[];
    expect(rows.map((row) => row.alertname).sort()).toEqual(['Escape\u001b]0;pwned\u0007', 'HighErrorRate']);
    expect(rows[0]!.startsAt).toBe(started);
    expect(rows[0]!.state).toBe('active');
    expect(rows[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it.skipIf(!HAS_TMUX)(
    `at a terminal, starts an incident from the alert picked${NEEDS_TMUX}`,
    async () => {
      // HighErrorRate, posted above, is still firing; the team's server-failure is a small runbook of its own.
      const dir = tempDir({
        'runbooks/server-failure.yaml': [
          'format: sevkit/v1',
          'id: server-failure',
          'title: Servers',
          'class: server-failure',
          'severity: SEV3',
          'inputs:',
          '  service:',
          '    prompt: Which service?',
          '    from_alert: labels.service',
          'steps:',
          '  - id: look',
          '    instructions: Look at {{ service }}.',
          '    confirm: Seen?',
          '    milestone: resolved',
          '',
        ].join('\n'),
      });
      const tmux = new Tmux();
      try {
        const s = tmux.start('alerts', dir, [
          'alerts',
          '--alertmanager',
          am.url,
          '--runbooks',
          'runbooks',
          '--incident-dir',
          'inc',
          '--as',
          'ana',
        ]);
        await s.waitFor('Start an incident from one of them?');
        s.keys('Enter'); // the first: HighErrorRate → server-failure SEV2
        await s.waitFor('Seen?');
        expect(s.screen()).toContain('Look at payments.');
        s.keys('Enter');
        expect(await s.exitCode()).toBe(0);
        const incidents = join(dir, 'inc');
        const events = readEvents(
          join(
            incidents,
            readdirSync(incidents).find((f) => f.endsWith('.jsonl'))!,
          ),
        );
        expect(events[0]!.data).toMatchObject({ severity: 'SEV2', responder: 'ana' });
        expect(events.find((e) => e.type === 'alert.received')!.data).toMatchObject({
          labels: { alertname: 'HighErrorRate' },
          fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown,
        });
        expect(events.find((e) => e.type === 'input.set')!.data).toEqual({ name: 'service', value: 'payments' });
      } finally {
        tmux.kill();
      }
    },
    60_000,
  );

  it('leaves silenced alerts out unless --all', async () => {
    const silence = {
      matchers: [{ name: 'alertname', value: 'Muted', isRegex: false, isEqual: true }],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      createdBy: 'test',
      comment: 'test',
    };
    expect(
      (
        await fetch(`${am.url}/api/v2/silences`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(silence),
        })
      ).status,
    ).toBe(200);
    await postAlerts(am.url, [{ labels: { alertname: 'Muted' }, startsAt: started }]);
    expect((await sevAsync(['alerts', '--alertmanager', am.url])).stdout).not.toContain('Muted');
    await waitFor('the silenced alert listed with --all', async () =>
      (await sevAsync(['alerts', '--alertmanager', am.url, '--all'])).stdout.match(/Muted \(suppressed\)/),
    );
  });

  it('reads the payload Alertmanager sends to a webhook, firing and then resolved', async () => {
    await postAlerts(am.url, [
      { labels: { alertname: 'DiskFull', instance: 'db-1:9100' }, annotations: { summary: 'disk 98% full' }, startsAt: started },
    ]);
    /** The very bytes of the notification of that status for the alert. */
    const bodyOf = (fingerprint: string, status: string) =>
      received.find((body) => {
        const p = parseAlertPayload(body, 'webhook');
        return p.status === status && p.alerts.some((a) => a.fingerprint === fingerprint);
      })!;
    const payloadOf = (status: string) =>
      received
        .map((body) => parseAlertPayload(body, 'webhook'))
        .find((p: WebhookPayload) => p.status === status && p.alerts.some((a) => a.labels.alertname === 'DiskFull'));
    const firing = await waitFor(
      () => `a firing DiskFull notification (got ${received.length}; Alertmanager said: ${am.log().slice(-300)})`,
      () => payloadOf('firing'),
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(firing.version).toBe('4');
    expect(firing.receiver).toBe('sev');
    expect(firing.groupLabels).toEqual({ alertname: 'DiskFull' });
    expect(firing.externalURL).toMatch(/^http/);
    expect(firing.truncatedAlerts).toBe(0);
    const alert = firing.alerts[0]!;
    expect(alert).toMatchObject({
      status: 'firing',
      labels: { alertname: 'DiskFull', instance: 'db-1:9100' },
      annotations: { summary: 'disk 98% full' },
    });
    expect(Date.parse(alert.startsAt)).toBe(Date.parse(started));
    expect(alert.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(resolvedEvidence(alert)).toBeUndefined();
    // As sev run --alert FILE reads it: the very bytes, saved.
    const saved = join(tempDir(), 'alert.json');
    writeFileSync(
      saved,
      received.find((body) => body.includes('DiskFull'))!,
    );
    expect((await readAlertPayload(saved)).alerts[0]!.labels.instance).toBe('db-1:9100');

    // The incident starts from those bytes: the alert in the log, its start the impact, its arrival the detection.
    const work = tempDir({ 'answers.yaml': 'steps:\n  look: done\n  resolved: "no"\n' });
    const incidents = join(work, 'incidents');
    const run = await sevAsync(['run', RUNBOOK, '--alert', saved, '--answers', join(work, 'answers.yaml'), '--incident-dir', incidents]);
    expect(run.stderr).toContain("From the alert: host = db-1:9100 (the alert's labels.instance)");
    const logFile = join(
      incidents,
      readdirSync(incidents).find((f) => f.endsWith('.jsonl'))!,
    );
    const events = readEvents(logFile);
    const logged = events.find((e) => e.type === 'alert.received')!;
    expect(logged.data).toMatchObject({ status: 'firing', fingerprint: alert.fingerprint, labels: { alertname: 'DiskFull' } });
    const milestones = events.filter((e) => e.type === 'milestone').map((e) => e.data as { milestone: string; at: string });
    expect(milestones.map((m) => m.milestone)).toEqual(['impact-started', 'detected']);
    expect(milestones[0]!.at).toBe(started);
    expect(events.find((e) => e.type === 'input.set')!.data).toEqual({ name: 'host', value: 'db-1:9100' });
    const incident = events[0]!.incident;

    // Ended a moment ago: Alertmanager sends it again, resolved.
    const ended = new Date(Date.now() - 1000).toISOString();
    await postAlerts(am.url, [
      {
        labels: { alertname: 'DiskFull', instance: 'db-1:9100' },
        annotations: { summary: 'disk 98% full' },
        startsAt: started,
        endsAt: ended,
      },
    ]);
    const resolved = await waitFor('a resolved DiskFull notification', () => payloadOf('resolved'), { timeoutMs: 20_000, intervalMs: 100 });
    expect(resolvedEvidence(resolved.alerts[0]!)).toEqual({ milestone: 'resolved', at: ended });

    // Offered, never applied silently: declined first, then accepted.
    const resolvedFile = join(work, 'resolved.json');
    writeFileSync(resolvedFile, bodyOf(logged.data.fingerprint as string, 'resolved'));
    const declined = await sevAsync(['alert', incident, resolvedFile, '--answer', 'no', '--incident-dir', incidents]);
    expect(declined.code, declined.stderr).toBe(0);
    const resolvedMilestones = () => readEvents(logFile).filter((e) => e.type === 'milestone' && e.data.milestone === 'resolved');
    expect(resolvedMilestones()).toEqual([]);
    const accepted = await sevAsync(['alert', incident, resolvedFile, '--answer', 'yes', '--incident-dir', incidents]);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(resolvedMilestones().map((e) => e.data.at)).toEqual([ended]);
  });

  it('says so when nothing answers, or something else does', async () => {
    const closed = await sevAsync(['alerts', '--alertmanager', `http://127.0.0.1:${await freePort()}`]);
    expect(closed.code).toBe(2);
    expect(closed.stderr).toMatch(/^sev: http:\/\/127\.0\.0\.1:\d+: cannot reach Alertmanager: connection refused/);
    const notIt = await sevAsync(['alerts', '--alertmanager', `http://127.0.0.1:${(hook.address() as AddressInfo).port}`]);
    expect(notIt.code).toBe(2);
    expect(notIt.stderr).toMatch(/not an Alertmanager API v2: GET \/api\/v2\/alerts did not answer JSON/);
    const missing = await sevAsync(['alerts']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/needs --alertmanager URL/);
  });
});
