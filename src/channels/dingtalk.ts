import { createHmac } from 'node:crypto';
import { byErrcode, JSON_HEADERS, type HttpKind } from './http-kind.js';
import { markdownOf, plainTextOf, titleOf } from './format.js';
import { originOf } from './secrets.js';
import type { DingTalkChannel, Message } from './types.js';

/**
 * DingTalk custom robot: POST {msgtype, text|markdown} to robot/send?access_token=…, with timestamp and
 * sign added to the query when the robot signs. It answers HTTP 200 with {errcode, errmsg}; any errcode
 * but 0 is a refusal (310000: bad signature, keyword or IP).
 */
export const dingtalk: HttpKind<DingTalkChannel> = {
  request(def, message, secrets) {
    const url = new URL(secrets.url_env!);
    if (secrets.secret_env) {
      const { timestamp, sign } = dingtalkSignature(secrets.secret_env, Date.now());
      url.searchParams.set('timestamp', timestamp);
      url.searchParams.set('sign', sign);
    }
    return { method: 'POST', url: url.toString(), headers: { ...JSON_HEADERS }, body: JSON.stringify(dingtalkContent(def, message)) };
  },
  judge: (answer) => byErrcode(answer, 'DingTalk', SEND_TOO_FAST),
  idempotent: () => false,
  delivered: (_def, secrets) => `posted to the DingTalk robot at ${originOf(secrets.url_env!)}`,
};

/** DingTalk's "send too fast" (20 messages a minute per robot): nothing was posted, later will do. */
const SEND_TOO_FAST = 130101;

/**
 * DingTalk's signature: HMAC-SHA256 of "timestamp\nsecret" keyed with the secret, base64. The timestamp is
 * in milliseconds. The value is returned as is: URLSearchParams percent-encodes it once, as DingTalk asks.
 */
export function dingtalkSignature(secret: string, timestampMs: number): { timestamp: string; sign: string } {
  const timestamp = String(timestampMs);
  return { timestamp, sign: createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64') };
}

function dingtalkContent(def: DingTalkChannel, message: Message): Record<string, unknown> {
  if (def.msgtype === 'text') return { msgtype: 'text', text: { content: plainTextOf(message) } };
  return { msgtype: 'markdown', markdown: { title: titleOf(message), text: markdownOf(message) } };
}
