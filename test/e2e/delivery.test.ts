import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEvents, SEV, sev, tempDir, waitFor, type Run } from '../helpers.js';

const RUNBOOK = `format: sevkit/v1
id: pay-outage
title: Payments outage
class: server-failure
severity: SEV2
steps:
  - id: tell
    announce: { audience: users, subject: Payments degraded, message: "Card payments fail for some users ({{incident.id}})" }
  - id: fix
    instructions: Fix it.
    milestone: mitigated
`;

const CONFIG = `format: sevkit-config/v1
channels:
  chat: { kind: slack, url_env: SEV_TEST_CHAT_URL }
  hook: { kind: webhook, url_env: SEV_TEST_HOOK_URL }
audiences:
  users: [chat, hook]
live: { channel: chat }
`;

interface Received {
  path: string;
  key?: string;
  body: string;
}

/** A Slack-like webhook (answers "ok") and a generic one whose first request hangs, so that sev can be killed in the middle of it. */
async function vendors() {
  const received: Received[] = [];
  let hangNext = true;
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        body,
        ...(typeof req.headers['idempotency-key'] === 'string' ? { key: req.headers['idempotency-key'] } : {}),
      });
      if (req.url?.startsWith('/hook') && hangNext) {
        hangNext = false;
        return; // never answered: sev dies waiting
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { received, server, base: `http://127.0.0.1:${port}` };
}

/** The CLI run without blocking this process: the vendors' server lives in it and must answer meanwhile. */
async function sevAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  const child = spawn(process.execPath, [SEV, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

function envWith(base: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    CI: 'true',
    GITHUB_ACTIONS: '',
    SEV_TEST_CHAT_URL: `${base}/chat/T000/B000/XXXXsecretXXXX`,
    SEV_TEST_HOOK_URL: `${base}/hook?token=hooksecret`,
  };
  delete env.FORCE_COLOR;
  return env;
}

let servers: Server[] = [];
afterEach(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  servers = [];
});

describe('announcements delivered through channels, end to end', () => {
  async function killedInTheMiddle() {
    const v = await vendors();
    servers.push(v.server);
    const dir = tempDir({ 'runbook.yaml': RUNBOOK, 'sev.config.yaml': CONFIG, 'answers.yaml': 'steps: { tell: yes }\n' });
    const env = envWith(v.base);
    const child = spawn(
      process.execPath,
      [SEV, 'run', join(dir, 'runbook.yaml'), '--answers', join(dir, 'answers.yaml'), '--incident-dir', join(dir, 'incidents')],
      { cwd: dir, env, stdio: 'ignore' },
    );
    await waitFor('the webhook to be called', () => v.received.some((r) => r.path.startsWith('/hook')), { timeoutMs: 20_000 });
    child.kill('SIGKILL');
    await once(child, 'exit');
    const logFile = () =>
      join(
        dir,
        'incidents',
        readdirSync(join(dir, 'incidents')).find((n) => n.endsWith('.jsonl'))!,
      );
    const incident = readEvents(logFile())[0]!.incident;
    const resume = (answers: string) => {
      writeFileSync(join(dir, 'resume.yaml'), answers);
      return sevAsync(['resume', incident, '--answers', join(dir, 'resume.yaml'), '--incident-dir', join(dir, 'incidents')], dir, env);
    };
    return { ...v, dir, logFile, resume, asked: (path: string) => v.received.filter((r) => r.path.startsWith(path)) };
  }

  it('"mark as sent" on resume: the channel got exactly one request, the one delivered before the kill none more', async () => {
    const c = await killedInTheMiddle();
    const types = readEvents(c.logFile()).map((e) => e.type);
    expect(types.filter((t) => t === 'delivery.started')).toHaveLength(2);
    expect(types.filter((t) => t === 'delivery.finished')).toHaveLength(1);

    const run = await c.resume('steps: { tell: { delivery: sent }, fix: done }\n');
    expect(run.stderr).toContain('may have been sent');
    expect(run.code).toBe(0);
    expect(c.asked('/hook')).toHaveLength(1);
    const chat = c.asked('/chat');
    // The announcement once, then the live feed's milestone.
    expect(chat).toHaveLength(2);
    expect(chat[0]!.body).toContain('Card payments fail');
    expect(chat[1]!.body).toContain('mitigated');

    const events = readEvents(c.logFile());
    expect(events.filter((e) => e.type === 'delivery.unfinished').map((e) => e.data)).toEqual([
      expect.objectContaining({ channel: 'hook', decision: 'sent' }),
    ]);
    const raw = JSON.stringify(events);
    expect(raw).not.toContain('XXXXsecretXXXX');
    expect(raw).not.toContain('hooksecret');

    const timeline = sev(['timeline', c.logFile()], { cwd: c.dir });
    expect(timeline.stdout).toMatch(/delivery to hook started at .* by an earlier run: marked as sent by the responder/);
    expect(timeline.stdout).toContain('delivery to chat done');
    const postmortem = sev(['postmortem', c.logFile()], { cwd: c.dir });
    expect(postmortem.stdout).toContain('delivery to chat done');
    expect(postmortem.stdout).toContain('delivery to hook started at');
  }, 60_000);

  it('"send again" on resume: a second request, with the same idempotency key', async () => {
    const c = await killedInTheMiddle();
    const run = await c.resume('steps: { tell: { delivery: resend }, fix: done }\n');
    expect(run.code).toBe(0);
    const hook = c.asked('/hook');
    expect(hook).toHaveLength(2);
    expect(hook[1]!.key).toBe(hook[0]!.key);
    expect(hook[0]!.key).toMatch(/\/tell\/1\/hook$/);
    expect(c.asked('/chat').filter((r) => r.body.includes('Card payments fail'))).toHaveLength(1);
  }, 60_000);

  it('a dry run sends nothing', async () => {
    const v = await vendors();
    servers.push(v.server);
    const dir = tempDir({ 'runbook.yaml': RUNBOOK, 'sev.config.yaml': CONFIG });
    const run = await sevAsync(
      ['run', join(dir, 'runbook.yaml'), '--yes', '--dry-run', '--incident-dir', join(dir, 'incidents')],
      dir,
      envWith(v.base),
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('dry run: not sending to chat, hook');
    expect(v.received).toEqual([]);
  }, 60_000);
});
