import { answerText, byStatus, JSON_HEADERS, parseJson, type HttpKind } from './http-kind.js';
import { markdownOf } from './format.js';
import { originOf } from './secrets.js';
import type { MattermostChannel } from './types.js';

/**
 * Mattermost incoming webhook: the Slack-compatible POST {text, channel?, username?}, Markdown in `text`.
 * It answers 200 "ok", or an error status with a JSON body {id, message, status_code}.
 */
export const mattermost: HttpKind<MattermostChannel> = {
  request(def, message, secrets) {
    const payload = {
      text: markdownOf(message),
      ...(def.channel ? { channel: def.channel } : {}),
      ...(def.username ? { username: def.username } : {}),
    };
    return { method: 'POST', url: secrets.url_env!, headers: { ...JSON_HEADERS }, body: JSON.stringify(payload) };
  },
  judge(answer) {
    const body = parseJson(answer.text) as { message?: unknown } | undefined;
    return byStatus(answer, typeof body?.message === 'string' ? body.message : answerText(answer));
  },
  idempotent: () => false,
  delivered: (_def, secrets) => `posted to the Mattermost webhook at ${originOf(secrets.url_env!)}`,
};
