import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEvents, tempDir, warnSkipped } from '../helpers.js';
import { HAS_TMUX, NEEDS_TMUX, Tmux } from '../tmux.js';

const RUNBOOK = `format: sevkit/v1
id: tell-users
title: Tell the users
class: server-failure
severity: SEV2
steps:
  - id: tell
    announce: { audience: users, message: "Card payments fail for some users" }
  - id: wrap
    instructions: Done.
`;

const CONFIG = `format: sevkit-config/v1
channels:
  chat: { kind: slack, url_env: SEV_TEST_CHAT_URL }
audiences:
  users: [chat]
`;

if (!HAS_TMUX) warnSkipped('test/e2e/delivery-interactive.test.ts', 'tmux', 'the delivery prompts in a real terminal');
describe.skipIf(!HAS_TMUX)(`delivery prompts in a terminal (tmux)${NEEDS_TMUX}`, () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  it("asks before sending, and a channel that refuses is copied by hand at the responder's choice", async () => {
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload'));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => server.close());
    const { port } = server.address() as AddressInfo;

    const dir = tempDir({ 'runbook.yaml': RUNBOOK, 'sev.config.yaml': CONFIG });
    // The tmux server takes its environment when it is made: the webhook URL (a secret) only through it.
    process.env.SEV_TEST_CHAT_URL = `http://127.0.0.1:${port}/services/T0/B0/s3cretpart`;
    const tmux = new Tmux();
    delete process.env.SEV_TEST_CHAT_URL;
    cleanups.push(() => tmux.kill());
    const run = tmux.start('sev-run', dir, ['run', join(dir, 'runbook.yaml'), '--as', 'bob', '--incident-dir', join(dir, 'incidents')]);

    await run.waitFor('Send it to chat?');
    expect(requests).toBe(0);
    run.keys('Enter');
    let screen = await run.waitFor('Copy the text and send it by hand');
    expect(screen).toContain('HTTP 400: invalid_payload');
    expect(screen).not.toContain('s3cretpart');
    run.keys('Down', 'Enter');
    screen = await run.waitFor('Send this by hand:');
    expect(screen).toMatch(/Send this by hand:\nCard payments fail for some users/);
    await run.waitFor('Done.');
    run.keys('Enter');
    expect(await run.exitCode()).toBe(0);
    expect(requests).toBe(1);

    const incidents = join(dir, 'incidents');
    const events = readEvents(
      join(
        incidents,
        readdirSync(incidents).find((n) => n.endsWith('.jsonl'))!,
      ),
    );
    expect(events.filter((e) => e.type === 'delivery.finished').map((e) => e.data)).toEqual([
      expect.objectContaining({ channel: 'chat', ok: false, status: 400 }),
    ]);
    expect(events.filter((e) => e.type === 'step.answered').map((e) => e.data.answer)).toContain('delivery to chat: copy');
    expect(events.filter((e) => e.type === 'announcement').map((e) => e.data)).toEqual([
      expect.objectContaining({ audience: 'users', channel: 'chat' }),
    ]);
  }, 60_000);
});
