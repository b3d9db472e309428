import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEvents, SEV, tempDir, testSeed } from '../helpers.js';

const { random } = testSeed('test/e2e/delivery-crash.test.ts');

const RUNBOOK = `format: sevkit/v1
id: pay-outage
title: Payments outage
class: server-failure
severity: SEV2
steps:
  - id: tell
    announce: { audience: users, subject: Payments degraded, message: "Card payments fail for some users" }
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
`;

/**
 * Two webhooks that answer after a random pause, counting the announcements each one got, and telling the
 * test of each request as it arrives (so that the kill lands around a delivery, not before or after them all).
 */
async function vendors(onRequest: (n: number) => void) {
  const got = { chat: 0, hook: 0 };
  let n = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      if (body.includes('Card payments fail')) got[req.url?.startsWith('/hook') ? 'hook' : 'chat']++;
      onRequest(n++);
      setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), Math.floor(random() * 100));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { got, server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function start(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [SEV, ...args], { cwd, env, stdio: 'ignore' });
  return { child, exit: once(child, 'exit').then(([code]) => code as number | null) };
}

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

describe('a crash at any moment around deliveries', () => {
  it('never delivers an announcement twice without the responder deciding so (SIGKILL at random moments, then resume)', async () => {
    for (let round = 0; round < 6; round++) {
      // The kill: a random time (0 to 150 ms) after the first or the second request arrives.
      const at = Math.floor(random() * 2);
      const killAfter = Math.floor(random() * 150);
      let kill = () => {};
      const v = await vendors((n) => {
        if (n === at) setTimeout(() => kill(), killAfter);
      });
      servers.push(v.server);
      const dir = tempDir({ 'runbook.yaml': RUNBOOK, 'sev.config.yaml': CONFIG, 'answers.yaml': 'steps: { tell: yes, fix: done }\n' });
      const incidents = join(dir, 'incidents');
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        NO_COLOR: '1',
        CI: 'true',
        SEV_TEST_CHAT_URL: `${v.base}/chat/T000/B000/secret`,
        SEV_TEST_HOOK_URL: `${v.base}/hook?token=secret`,
      };
      delete env.FORCE_COLOR;
      const first = start(
        ['run', join(dir, 'runbook.yaml'), '--answers', join(dir, 'answers.yaml'), '--incident-dir', incidents],
        dir,
        env,
      );
      kill = () => first.child.kill('SIGKILL');
      await first.exit;

      const log = readdirSync(incidents).find((n) => n.endsWith('.jsonl'));
      expect(log).toBeDefined();
      if (log) {
        const incident = readEvents(join(incidents, log))[0]!.incident;
        const closed = readEvents(join(incidents, log)).some((e) => e.type === 'incident.closed');
        if (!closed) {
          // The responder's decision for a delivery that may have gone out: it did (never send it again).
          writeFileSync(join(dir, 'resume.yaml'), 'steps: { tell: { answer: yes, delivery: sent }, fix: done }\n');
          const code = await start(['resume', incident, '--answers', join(dir, 'resume.yaml'), '--incident-dir', incidents], dir, env).exit;
          expect(code, `round ${round}: killed ${killAfter} ms after request ${at + 1}, then resumed`).toBe(0);
        }
        const events = readEvents(join(incidents, log));
        expect(events.at(-1)?.type, `round ${round}`).toBe('incident.closed');
      }
      expect(v.got.chat, `round ${round}: killed ${killAfter} ms after request ${at + 1}`).toBeLessThanOrEqual(1);
      expect(v.got.hook, `round ${round}: killed ${killAfter} ms after request ${at + 1}`).toBeLessThanOrEqual(1);
    }
  }, 120_000);
});
