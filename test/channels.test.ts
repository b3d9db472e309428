import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { deliver } from '../src/channels/deliver.js';
import type { ChannelDef, DeliveryOptions, DeliveryResult, Message } from '../src/channels/types.js';
import { aStringContaining, aStringMatching, parseJson } from './helpers.js';

// ---- a vendor on 127.0.0.1 ----

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Answer = { status?: number; headers?: Record<string, string>; body?: string } | 'hang';

interface Vendor {
  base: string;
  requests: Received[];
  /** The body of request `i`, parsed, in the shape the test expects (its assertions check it). */
  json<T = unknown>(i?: number): T;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A server that records each request and answers with the next of `answers` (the last one repeats). */
async function vendor(...answers: Answer[]): Promise<Vendor> {
  const requests: Received[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = answers[Math.min(requests.length - 1, answers.length - 1)]!;
      if (answer === 'hang') return void hanging.push(res);
      res.writeHead(answer.status ?? 200, { 'content-type': 'text/plain', ...answer.headers });
      res.end(answer.body ?? 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, requests, json: <T>(i = 0) => parseJson<T>(requests[i]!.body) };
}

const message: Message = {
  incident: 'INC-20261202-7f3a',
  runbook: 'server-failure',
  severity: 'SEV1',
  audience: 'customers',
  subject: 'Payments delayed',
  text: 'Card payments are delayed by up to 5 minutes. <We> are on it & will update.',
  kind: 'announcement',
};

// Token-looking parts of each secret URL; none may appear in any result.
const SLACK_PATH = '/services/T0AAA1111/B0BBB2222/Xq7secretSlackToken42';
const SLACK_TOKEN = 'Xq7secretSlackToken42';
const DING_TOKEN = 'dingAccessToken9f8e7d6c5b4a';
const DING_SECRET = 'SECdingSigningSecret0123456789';
const FEISHU_HOOK = '2b4f9d1e-5c6a-4e7b-9a8c-feishuhook01';
const FEISHU_SECRET = 'feishuSigningSecret77';
const WECOM_KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
const SP_TOKEN = 'statuspageOAuthToken-5555';
const SMTP_PASSWORD = 'smtpPassw0rd!';
const SECRETS = [SLACK_TOKEN, DING_TOKEN, DING_SECRET, FEISHU_HOOK, FEISHU_SECRET, WECOM_KEY, SP_TOKEN, SMTP_PASSWORD];

function noSecretIn(result: DeliveryResult): void {
  const text = JSON.stringify(result);
  for (const secret of SECRETS) expect(text).not.toContain(secret);
  expect(text).not.toContain(SLACK_PATH);
}

/** Options for a test: no real waiting; every wait is recorded. */
function quick(env: Record<string, string>, more: Partial<DeliveryOptions> = {}): DeliveryOptions & { slept: number[] } {
  const slept: number[] = [];
  const sleep = (ms: number): Promise<void> => {
    slept.push(ms);
    return Promise.resolve();
  };
  return { env, sleep, timeoutMs: 2_000, slept, ...more };
}

/** What Slack is sent: the fallback text and the Block Kit blocks. */
interface SlackBody {
  text: string;
  blocks: { type: string; text?: { type: string; text: string }; elements?: { text: string }[] }[];
}

const slackChannel: ChannelDef = { name: 'ops-slack', kind: 'slack', url_env: 'SEV_SLACK_WEBHOOK' };

describe('Slack', () => {
  it('posts {text, blocks} as JSON to the webhook URL and takes its "ok"', async () => {
    const slack = await vendor({ body: 'ok' });
    const result = await deliver(slackChannel, message, quick({ SEV_SLACK_WEBHOOK: slack.base + SLACK_PATH }));
    expect(result).toMatchObject({ ok: true, attempts: [{ n: 1, status: 200 }] });
    expect(result.detail).toBe(`posted to the Slack webhook at ${slack.base}`);
    const [req] = slack.requests;
    expect(req).toMatchObject({ method: 'POST', url: SLACK_PATH });
    expect(req!.headers['content-type']).toMatch(/^application\/json/);
    const body = slack.json<SlackBody>();
    expect(Object.keys(body).sort()).toEqual(['blocks', 'text']);
    expect(body.text).toBe('Payments delayed: Card payments are delayed by up to 5 minutes. &lt;We&gt; are on it &amp; will update.');
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
    expect(body.blocks[0]!.text).toEqual({ type: 'plain_text', text: 'Payments delayed' });
    expect(body.blocks[1]!.text!.type).toBe('mrkdwn');
    expect(body.blocks[2]!.elements![0]!.text).toContain('INC-20261202-7f3a');
    noSecretIn(result);
  });

  it("fails at once on a 4xx such as invalid_payload, with Slack's reason and no retry", async () => {
    const slack = await vendor({ status: 400, body: 'invalid_payload' });
    const options = quick({ SEV_SLACK_WEBHOOK: slack.base + SLACK_PATH });
    const result = await deliver(slackChannel, message, options);
    expect(result.ok).toBe(false);
    expect(result.attempts).toEqual([{ n: 1, status: 400, error: 'HTTP 400: invalid_payload' }]);
    expect(result.detail).toContain('invalid_payload');
    expect(result.maybeDelivered).toBeUndefined();
    expect(slack.requests).toHaveLength(1);
    expect(options.slept).toEqual([]);
  });

  it('waits as long as a 429 Retry-After asks, then sends again', async () => {
    const slack = await vendor({ status: 429, headers: { 'retry-after': '7' }, body: 'rate_limited' }, { body: 'ok' });
    const options = quick({ SEV_SLACK_WEBHOOK: slack.base + SLACK_PATH });
    const result = await deliver(slackChannel, message, options);
    expect(result.ok).toBe(true);
    expect(result.attempts).toEqual([
      { n: 1, status: 429, error: 'HTTP 429: rate_limited', retryAfterMs: 7000 },
      { n: 2, status: 200 },
    ]);
    expect(options.slept).toEqual([7000]);
  });

  it('caps a Retry-After that asks too much', async () => {
    const slack = await vendor({ status: 429, headers: { 'retry-after': '3600' } }, { body: 'ok' });
    const options = quick({ SEV_SLACK_WEBHOOK: slack.base + SLACK_PATH }, { maxRetryAfterMs: 30_000 });
    expect((await deliver(slackChannel, message, options)).ok).toBe(true);
    expect(options.slept).toEqual([30_000]);
  });

  it('retries a 5xx with doubling waits, and gives up after the retries', async () => {
    const slack = await vendor({ status: 500, body: 'rollup_error' });
    const options = quick({ SEV_SLACK_WEBHOOK: slack.base + SLACK_PATH }, { retries: 3, backoffMs: 250 });
    const result = await deliver(slackChannel, message, options);
    expect(result.ok).toBe(false);
    expect(result.attempts.map((a) => a.status)).toEqual([500, 500, 500, 500]);
    expect(options.slept).toEqual([250, 500, 1000]);
    expect(result.detail).toBe('channel ops-slack: not delivered after 4 attempts: HTTP 500: rollup_error');
  });

  it('does not send again after a timeout: the message may have arrived', async () => {
    const slack = await vendor('hang');
    const result = await deliver(slackChannel, message, quick({ SEV_SLACK_WEBHOOK: slack.base + SLACK_PATH }, { timeoutMs: 150 }));
    expect(result.ok).toBe(false);
    expect(result.maybeDelivered).toBe(true);
    expect(result.attempts).toEqual([{ n: 1, error: 'no answer within 150 ms' }]);
    expect(slack.requests).toHaveLength(1);
  });

  it('retries a refused connection: nothing was sent', async () => {
    const closed = await vendor();
    await closers.pop()!();
    const options = quick({ SEV_SLACK_WEBHOOK: closed.base + SLACK_PATH }, { retries: 2 });
    const result = await deliver(slackChannel, message, options);
    expect(result.ok).toBe(false);
    expect(result.attempts).toEqual([1, 2, 3].map((n) => ({ n, error: 'could not connect (ECONNREFUSED)' })));
    expect(result.maybeDelivered).toBeUndefined();
    expect(options.slept).toEqual([1000, 2000]);
    noSecretIn(result);
  });
});

describe('Mattermost', () => {
  const channel: ChannelDef = { name: 'mm', kind: 'mattermost', url_env: 'SEV_MM', channel: 'incidents', username: 'sev' };

  it('posts {text, channel, username} and reads its JSON error', async () => {
    const mm = await vendor(
      { body: 'ok' },
      {
        status: 400,
        headers: { 'content-type': 'application/json' },
        body: '{"id":"web.incoming_webhook.channel.app_error","message":"Couldn\'t find the channel.","status_code":400}',
      },
    );
    const url = `${mm.base}/hooks/${SLACK_TOKEN}`;
    const first = await deliver(channel, message, quick({ SEV_MM: url }));
    expect(first.ok).toBe(true);
    expect(mm.requests[0]).toMatchObject({ method: 'POST', url: `/hooks/${SLACK_TOKEN}` });
    const body = mm.json();
    expect(body).toEqual({ text: aStringContaining('**Payments delayed**'), channel: 'incidents', username: 'sev' });
    const second = await deliver(channel, message, quick({ SEV_MM: url }));
    expect(second.ok).toBe(false);
    expect(second.attempts).toEqual([{ n: 1, status: 400, error: "HTTP 400: Couldn't find the channel." }]);
    noSecretIn(second);
  });
});

describe('Feishu', () => {
  const signed: ChannelDef = { name: 'feishu', kind: 'feishu', url_env: 'SEV_FEISHU', secret_env: 'SEV_FEISHU_SECRET' };
  const env = (base: string) => ({ SEV_FEISHU: `${base}/open-apis/bot/v2/hook/${FEISHU_HOOK}`, SEV_FEISHU_SECRET: FEISHU_SECRET });

  it('signs with timestamp and HMAC-SHA256 keyed by "timestamp\\nsecret", and takes code 0', async () => {
    const feishu = await vendor({ headers: { 'content-type': 'application/json' }, body: '{"code":0,"data":{},"msg":"success"}' });
    const before = Math.floor(Date.now() / 1000);
    const result = await deliver(signed, message, quick(env(feishu.base)));
    expect(result.ok).toBe(true);
    expect(feishu.requests[0]).toMatchObject({ method: 'POST', url: `/open-apis/bot/v2/hook/${FEISHU_HOOK}` });
    const body = feishu.json<{ msg_type: string; content: { text: string }; timestamp: string; sign: string }>();
    expect(body.msg_type).toBe('text');
    expect(body.content.text).toContain('Card payments are delayed');
    const timestamp = Number(body.timestamp);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(body.sign).toBe(createHmac('sha256', `${body.timestamp}\n${FEISHU_SECRET}`).digest('base64'));
    noSecretIn(result);
  });

  it('sends rich text as msg_type post, unsigned when no secret is named', async () => {
    const feishu = await vendor({ body: '{"code":0,"msg":"success"}' });
    const channel: ChannelDef = { name: 'feishu', kind: 'feishu', url_env: 'SEV_FEISHU', msg_type: 'post' };
    expect((await deliver(channel, message, quick({ SEV_FEISHU: `${feishu.base}/open-apis/bot/v2/hook/${FEISHU_HOOK}` }))).ok).toBe(true);
    const body = feishu.json<{
      timestamp?: unknown;
      sign?: unknown;
      msg_type: string;
      content: { post: { zh_cn: { title: string; content: unknown[] } } };
    }>();
    expect(body.timestamp).toBeUndefined();
    expect(body.sign).toBeUndefined();
    expect(body.msg_type).toBe('post');
    expect(body.content.post.zh_cn.title).toBe('Payments delayed');
    expect(body.content.post.zh_cn.content[0]).toEqual([{ tag: 'text', text: message.text }]);
  });

  it('treats a non-zero code as a failure although the HTTP status is 200', async () => {
    const feishu = await vendor({
      body: '{"code":19021,"data":{},"msg":"sign match fail or timestamp is not within one hour from current time"}',
    });
    const options = quick(env(feishu.base));
    const result = await deliver(signed, message, options);
    expect(result.ok).toBe(false);
    expect(result.attempts).toEqual([
      { n: 1, status: 200, error: 'Feishu code 19021: sign match fail or timestamp is not within one hour from current time' },
    ]);
    expect(options.slept).toEqual([]);
    noSecretIn(result);
  });

  it("retries Feishu's frequency limit", async () => {
    const feishu = await vendor({ body: '{"code":11232,"msg":"frequency limited"}' }, { body: '{"code":0,"msg":"success"}' });
    const options = quick(env(feishu.base));
    expect((await deliver(signed, message, options)).attempts).toHaveLength(2);
    expect(options.slept).toEqual([1000]);
  });
});

describe('DingTalk', () => {
  const channel: ChannelDef = { name: 'ding', kind: 'dingtalk', url_env: 'SEV_DING', secret_env: 'SEV_DING_SECRET' };
  const env = (base: string) => ({ SEV_DING: `${base}/robot/send?access_token=${DING_TOKEN}`, SEV_DING_SECRET: DING_SECRET });

  it('adds timestamp and the URL-encoded base64 HMAC-SHA256 of "timestamp\\nsecret" to the query', async () => {
    const ding = await vendor({ body: '{"errcode":0,"errmsg":"ok"}' });
    const before = Date.now();
    const result = await deliver(channel, message, quick(env(ding.base)));
    expect(result.ok).toBe(true);
    const req = ding.requests[0]!;
    expect(req.method).toBe('POST');
    const url = new URL(req.url, ding.base);
    expect(url.pathname).toBe('/robot/send');
    expect(url.searchParams.get('access_token')).toBe(DING_TOKEN);
    const timestamp = url.searchParams.get('timestamp')!;
    expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
    const sign = createHmac('sha256', DING_SECRET).update(`${timestamp}\n${DING_SECRET}`).digest('base64');
    // Percent-encoded once on the wire: + / = never travel raw.
    expect(req.url).toContain(`sign=${encodeURIComponent(sign)}`);
    expect(url.searchParams.get('sign')).toBe(sign);
    expect(ding.json()).toEqual({ msgtype: 'markdown', markdown: { title: 'Payments delayed', text: aStringContaining('Card payments') } });
    noSecretIn(result);
  });

  it('fails on a non-zero errcode, retries "send too fast"', async () => {
    const refused = await vendor({
      body: '{"errcode":310000,"errmsg":"sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"}',
    });
    const result = await deliver(channel, message, quick(env(refused.base)));
    expect(result.ok).toBe(false);
    expect(result.attempts).toEqual([{ n: 1, status: 200, error: aStringMatching(/^DingTalk errcode 310000: sign not match/) }]);
    noSecretIn(result);

    const throttled = await vendor({ body: '{"errcode":130101,"errmsg":"send too fast"}' }, { body: '{"errcode":0,"errmsg":"ok"}' });
    const again = await deliver({ ...channel, msgtype: 'text' }, message, quick(env(throttled.base)));
    expect(again.ok).toBe(true);
    expect(again.attempts).toHaveLength(2);
    expect(throttled.json(1)).toEqual({ msgtype: 'text', text: { content: aStringContaining('Card payments') } });
  });

  it('says which variable is missing, and sends nothing', async () => {
    const ding = await vendor();
    const result = await deliver(channel, message, quick({ SEV_DING: `${ding.base}/robot/send?access_token=${DING_TOKEN}` }));
    expect(result).toEqual({
      ok: false,
      attempts: [],
      detail: 'channel ding: environment variable SEV_DING_SECRET (its secret_env) is not set',
    });
    expect(ding.requests).toHaveLength(0);
  });
});

describe('WeCom', () => {
  const channel: ChannelDef = { name: 'wecom', kind: 'wecom', url_env: 'SEV_WECOM' };
  const env = (base: string) => ({ SEV_WECOM: `${base}/cgi-bin/webhook/send?key=${WECOM_KEY}` });

  it('posts markdown to webhook/send?key= and reads {errcode, errmsg}', async () => {
    const wecom = await vendor(
      { body: '{"errcode":0,"errmsg":"ok"}' },
      { body: '{"errcode":93000,"errmsg":"invalid webhook url, hint: [1670000000_1]"}' },
    );
    const ok = await deliver(channel, message, quick(env(wecom.base)));
    expect(ok.ok).toBe(true);
    expect(wecom.requests[0]).toMatchObject({ method: 'POST', url: `/cgi-bin/webhook/send?key=${WECOM_KEY}` });
    expect(wecom.json()).toEqual({ msgtype: 'markdown', markdown: { content: aStringContaining('**Payments delayed**') } });
    const refused = await deliver(channel, message, quick(env(wecom.base)));
    expect(refused.ok).toBe(false);
    expect(refused.attempts[0]!.error).toBe('WeCom errcode 93000: invalid webhook url, hint: [1670000000_1]');
    expect(wecom.requests).toHaveLength(2);
    noSecretIn(refused);
  });

  it('cuts a text message to the 2,048 bytes WeCom takes', async () => {
    const wecom = await vendor({ body: '{"errcode":0,"errmsg":"ok"}' });
    await deliver({ ...channel, msgtype: 'text' }, { ...message, text: '告警'.repeat(2000) }, quick(env(wecom.base)));
    const content = wecom.json<{ text: { content: string } }>().text.content;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(2048);
    expect(content.endsWith('…')).toBe(true);
  });
});

describe('generic webhook', () => {
  const channel: ChannelDef = { name: 'hook', kind: 'webhook', url_env: 'SEV_HOOK' };

  it('POSTs the Message as JSON with one Idempotency-Key for every attempt', async () => {
    const hook = await vendor({ status: 503 }, { status: 202, body: '' });
    const result = await deliver(
      channel,
      message,
      quick({ SEV_HOOK: `${hook.base}/in/${SLACK_TOKEN}` }, { idempotencyKey: 'INC-20261202-7f3a/notify/hook' }),
    );
    expect(result.ok).toBe(true);
    expect(hook.requests.map((r) => r.headers['idempotency-key'])).toEqual([
      'INC-20261202-7f3a/notify/hook',
      'INC-20261202-7f3a/notify/hook',
    ]);
    expect(hook.json(1)).toEqual(message);
    expect(hook.requests[1]!.headers['content-type']).toMatch(/^application\/json/);
  });

  it('sends again after a timeout, since the key makes a second copy harmless', async () => {
    const hook = await vendor('hang', { status: 200 });
    const result = await deliver(channel, message, quick({ SEV_HOOK: `${hook.base}/in` }, { timeoutMs: 150, retries: 1 }));
    expect(result.ok).toBe(true);
    expect(result.attempts).toEqual([
      { n: 1, error: 'no answer within 150 ms' },
      { n: 2, status: 200 },
    ]);
  });
});

describe('Statuspage', () => {
  const channel: ChannelDef = {
    name: 'status',
    kind: 'statuspage',
    page_id: 'kctbh9vrtdwd',
    token_env: 'SEV_STATUSPAGE_TOKEN',
    components: ['8kbf7d35c070'],
  };
  const env = { SEV_STATUSPAGE_TOKEN: SP_TOKEN };

  it('creates an incident with OAuth auth, name, status, body and component status; its id is the message id', async () => {
    const sp = await vendor({
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: '{"id":"p31zjtct2jer","name":"Payments delayed","status":"investigating"}',
    });
    const result = await deliver({ ...channel, api_url: sp.base }, message, quick(env));
    expect(result).toMatchObject({ ok: true, messageId: 'p31zjtct2jer', attempts: [{ n: 1, status: 201 }] });
    const req = sp.requests[0]!;
    expect(req).toMatchObject({ method: 'POST', url: '/v1/pages/kctbh9vrtdwd/incidents' });
    expect(req.headers.authorization).toBe(`OAuth ${SP_TOKEN}`);
    expect(sp.json()).toEqual({
      incident: {
        name: 'Payments delayed',
        status: 'investigating',
        body: message.text,
        component_ids: ['8kbf7d35c070'],
        components: { '8kbf7d35c070': 'major_outage' },
      },
    });
    noSecretIn(result);
  });

  it('updates the incident an earlier delivery created; resolved puts the components back to operational', async () => {
    const sp = await vendor({ headers: { 'content-type': 'application/json' }, body: '{"id":"p31zjtct2jer","status":"resolved"}' });
    const resolved: Message = { ...message, kind: 'milestone', milestone: 'resolved', text: 'Payments are back to normal.' };
    const result = await deliver({ ...channel, api_url: sp.base }, resolved, quick(env, { previous: { messageId: 'p31zjtct2jer' } }));
    expect(result).toMatchObject({ ok: true, messageId: 'p31zjtct2jer' });
    expect(sp.requests[0]).toMatchObject({ method: 'PATCH', url: '/v1/pages/kctbh9vrtdwd/incidents/p31zjtct2jer' });
    expect(sp.json<{ incident: unknown }>().incident).toMatchObject({
      status: 'resolved',
      body: 'Payments are back to normal.',
      components: { '8kbf7d35c070': 'operational' },
    });
  });

  it('leaves the status alone on an update that reaches no milestone', async () => {
    const sp = await vendor({ body: '{"id":"p31zjtct2jer"}' });
    await deliver(
      { ...channel, api_url: sp.base, components: [] },
      { ...message, kind: 'severity', severity: 'SEV2' },
      quick(env, { previous: { messageId: 'p31zjtct2jer' } }),
    );
    expect(sp.json<{ incident: unknown }>().incident).toEqual({ name: 'Payments delayed', body: message.text });
  });

  it("fails at once on 401 with Statuspage's error, and retries its 420 rate limit", async () => {
    const denied = await vendor({ status: 401, body: `{"error":"Could not authenticate with token ${SP_TOKEN}"}` });
    const result = await deliver({ ...channel, api_url: denied.base }, message, quick(env));
    expect(result.ok).toBe(false);
    expect(result.attempts).toEqual([{ n: 1, status: 401, error: 'HTTP 401: Could not authenticate with token ••••••' }]);
    noSecretIn(result);

    const limited = await vendor({ status: 420, body: 'Enhance your calm' }, { status: 201, body: '{"id":"x1"}' });
    const options = quick(env);
    expect(await deliver({ ...channel, api_url: limited.base }, message, options)).toMatchObject({ ok: true, messageId: 'x1' });
    expect(options.slept).toEqual([1000]);
  });
});

describe('delivery', () => {
  it('calls onAttempt, and waits for it, before each attempt reaches the vendor', async () => {
    const slack = await vendor({ status: 502 }, { body: 'ok' });
    const seen: { n: number; requestsBefore: number }[] = [];
    const result = await deliver(
      slackChannel,
      message,
      quick(
        { SEV_SLACK_WEBHOOK: slack.base + SLACK_PATH },
        {
          onAttempt: async ({ n, channel }) => {
            expect(channel).toBe('ops-slack');
            await new Promise((r) => setTimeout(r, 30));
            seen.push({ n, requestsBefore: slack.requests.length });
          },
        },
      ),
    );
    expect(result.ok).toBe(true);
    expect(seen).toEqual([
      { n: 1, requestsBefore: 0 },
      { n: 2, requestsBefore: 1 },
    ]);
  });

  it('masks a secret URL that an error quotes', async () => {
    const url = `https://hooks.example.invalid${SLACK_PATH}`;
    const fetchThatQuotes: typeof fetch = (input) => {
      const target = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      return Promise.reject(new TypeError(`request to ${target} failed, path ${SLACK_PATH}, token ${SLACK_TOKEN}`));
    };
    const result = await deliver(slackChannel, message, quick({ SEV_SLACK_WEBHOOK: url }, { fetch: fetchThatQuotes }));
    expect(result.ok).toBe(false);
    expect(result.maybeDelivered).toBe(true);
    noSecretIn(result);
    expect(JSON.stringify(result)).not.toContain('hooks.example.invalid/services');
    expect(result.attempts[0]!.error).toContain('••••••');
  });

  it('stops waiting when the signal aborts', async () => {
    const slack = await vendor({ status: 503 });
    const controller = new AbortController();
    const result = await deliver(slackChannel, message, {
      env: { SEV_SLACK_WEBHOOK: slack.base + SLACK_PATH },
      signal: controller.signal,
      backoffMs: 60_000,
      onAttempt: () => void setTimeout(() => controller.abort(), 50),
    });
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/cancelled$/);
    expect(slack.requests).toHaveLength(1);
  });
});

// ---- e-mail against a real SMTP server ----

interface Mailbox {
  port: number;
  mails: { from: string; to: string[]; data: string }[];
}

async function smtp(rcptAnswer: (attempt: number) => { code: number; text: string } | undefined = () => undefined): Promise<Mailbox> {
  const mails: Mailbox['mails'] = [];
  let rcpts = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'sev' && auth.password === SMTP_PASSWORD) return callback(null, { user: 'sev' });
      callback(new Error('Invalid username or password'));
    },
    onRcptTo(_address, _session, callback) {
      const refusal = rcptAnswer(++rcpts);
      if (!refusal) return callback();
      callback(Object.assign(new Error(refusal.text), { responseCode: refusal.code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: (session.envelope.mailFrom as { address: string }).address,
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.server.address() as AddressInfo).port, mails };
}

describe('e-mail', () => {
  const channel = (port: number): ChannelDef => ({
    name: 'mail',
    kind: 'email',
    from: 'sev <incidents@wallet.example>',
    to: ['status@wallet.example', 'cs-leads@wallet.example'],
    host: '127.0.0.1',
    port,
    secure: false,
    user: 'sev',
    password_env: 'SEV_SMTP_PASSWORD',
  });

  it('sends over SMTP with the idempotency key as Message-ID', async () => {
    const box = await smtp();
    const result = await deliver(
      channel(box.port),
      message,
      quick({ SEV_SMTP_PASSWORD: SMTP_PASSWORD }, { idempotencyKey: 'INC-20261202-7f3a/notify mail' }),
    );
    expect(result).toMatchObject({
      ok: true,
      messageId: '<INC-20261202-7f3a/notify-mail@wallet.example>',
      attempts: [{ n: 1, status: 250 }],
    });
    expect(box.mails).toHaveLength(1);
    const mail = box.mails[0]!;
    expect(mail.from).toBe('incidents@wallet.example');
    expect(mail.to).toEqual(['status@wallet.example', 'cs-leads@wallet.example']);
    expect(mail.data).toMatch(/^Message-ID: <INC-20261202-7f3a\/notify-mail@wallet\.example>\r$/m);
    expect(mail.data).toMatch(/^Subject: Payments delayed\r$/m);
    expect(mail.data).toContain('Card payments are delayed');
    noSecretIn(result);
  });

  it('retries a 4xx reply, fails at once on a 5xx, and never shows the password', async () => {
    const busy = await smtp((n) => (n <= 2 ? { code: 451, text: 'Try again later' } : undefined));
    const options = quick({ SEV_SMTP_PASSWORD: SMTP_PASSWORD });
    const retried = await deliver(channel(busy.port), message, options);
    expect(retried.ok).toBe(true);
    expect(retried.attempts[0]).toMatchObject({ n: 1, status: 451 });
    expect(options.slept).toEqual([1000]);

    const refusing = await smtp(() => ({ code: 550, text: 'No such user' }));
    const refused = await deliver(channel(refusing.port), message, quick({ SEV_SMTP_PASSWORD: SMTP_PASSWORD }));
    expect(refused.ok).toBe(false);
    expect(refused.attempts).toHaveLength(1);
    expect(refused.attempts[0]!.status).toBe(550);
    expect(refusing.mails).toHaveLength(0);

    const wrong = await deliver(channel(refusing.port), message, quick({ SEV_SMTP_PASSWORD: 'not-it-at-all' }));
    expect(wrong.ok).toBe(false);
    expect(wrong.attempts).toHaveLength(1);
    expect(JSON.stringify(wrong)).not.toContain('not-it-at-all');
  });
});
