import { createHmac } from 'node:crypto';
import { answerText, byStatus, JSON_HEADERS, parseJson, type HttpKind } from './http-kind.js';
import { footerOf, plainTextOf, titleOf } from './format.js';
import { originOf } from './secrets.js';
import type { FeishuChannel, Message } from './types.js';

/**
 * Feishu / Lark custom bot: POST {msg_type, content} to the hook URL, plus {timestamp, sign} when the bot
 * verifies signatures. It answers HTTP 200 even to a refused message: the JSON {code, msg} says, and any
 * code but 0 is a failure (19021: bad signature or stale timestamp, 19024: keyword check failed).
 */
export const feishu: HttpKind<FeishuChannel> = {
  request(def, message, secrets) {
    const signed = secrets.secret_env ? feishuSignature(secrets.secret_env, Math.floor(Date.now() / 1000)) : {};
    return {
      method: 'POST',
      url: secrets.url_env!,
      headers: { ...JSON_HEADERS },
      body: JSON.stringify({ ...signed, ...feishuContent(def, message) }),
    };
  },
  judge(answer) {
    const status = byStatus(answer);
    if (!status.ok) return status;
    // Older bots answer {StatusCode, StatusMessage}; current ones {code, msg}.
    const body = parseJson(answer.text) as { code?: unknown; msg?: unknown; StatusCode?: unknown; StatusMessage?: unknown } | undefined;
    const code = body?.code ?? body?.StatusCode;
    if (code === 0) return { ok: true };
    if (code === undefined) return { ok: false, error: `unreadable answer: ${answerText(answer)}`, retry: false };
    const msg = body?.msg ?? body?.StatusMessage;
    return {
      ok: false,
      error: `Feishu code ${JSON.stringify(code)}: ${typeof msg === 'string' ? msg : ''}`.trimEnd(),
      retry: code === FREQUENCY_LIMITED,
    };
  },
  idempotent: () => false,
  delivered: (_def, secrets) => `posted to the Feishu bot at ${originOf(secrets.url_env!)}`,
};

/** Feishu's "frequency limited" (a bot may post 100 messages a minute, 5 a second): nothing was posted, later will do. */
const FREQUENCY_LIMITED = 11232;

/**
 * Feishu's signature: HMAC-SHA256 keyed with "timestamp\nsecret" over an empty message, base64 (unlike
 * DingTalk, the string is the key and nothing is signed). The timestamp is in seconds and must be within
 * an hour of Feishu's clock.
 */
export function feishuSignature(secret: string, timestampSeconds: number): { timestamp: string; sign: string } {
  const timestamp = String(timestampSeconds);
  return { timestamp, sign: createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64') };
}

function feishuContent(def: FeishuChannel, message: Message): Record<string, unknown> {
  if (def.msg_type !== 'post') return { msg_type: 'text', content: { text: plainTextOf(message) } };
  const lines = [...message.text.split('\n'), '', footerOf(message)];
  return {
    msg_type: 'post',
    content: { post: { zh_cn: { title: titleOf(message), content: lines.map((text) => [{ tag: 'text', text }]) } } },
  };
}
