import { byErrcode, JSON_HEADERS, type HttpKind } from './http-kind.js';
import { cutBytes, markdownOf, plainTextOf } from './format.js';
import { originOf } from './secrets.js';
import type { Message, WeComChannel } from './types.js';

/**
 * WeCom (企业微信) group bot: POST {msgtype, markdown|text} to webhook/send?key=…; the key in the URL is the
 * credential. It answers HTTP 200 with {errcode, errmsg}; any errcode but 0 is a refusal (93000: bad key,
 * 40058: bad content).
 */
export const wecom: HttpKind<WeComChannel> = {
  request(def, message, secrets) {
    return { method: 'POST', url: secrets.url_env!, headers: { ...JSON_HEADERS }, body: JSON.stringify(wecomContent(def, message)) };
  },
  judge: (answer) => byErrcode(answer, 'WeCom', API_FREQ_OUT_OF_LIMIT),
  idempotent: () => false,
  delivered: (_def, secrets) => `posted to the WeCom bot at ${originOf(secrets.url_env!)}`,
};

/** WeCom's "api freq out of limit" (20 messages a minute per bot): nothing was posted, later will do. */
const API_FREQ_OUT_OF_LIMIT = 45009;

// WeCom refuses longer contents: markdown 4,096 bytes, text 2,048 bytes (UTF-8).
const MARKDOWN_MAX_BYTES = 4096;
const TEXT_MAX_BYTES = 2048;

function wecomContent(def: WeComChannel, message: Message): Record<string, unknown> {
  if (def.msgtype === 'text') return { msgtype: 'text', text: { content: cutBytes(plainTextOf(message), TEXT_MAX_BYTES) } };
  return { msgtype: 'markdown', markdown: { content: cutBytes(markdownOf(message), MARKDOWN_MAX_BYTES) } };
}
