import { byStatus, JSON_HEADERS, type HttpKind } from './http-kind.js';
import { originOf } from './secrets.js';
import type { WebhookChannel } from './types.js';

/**
 * A generic JSON webhook: the Message POSTed as it is, with an Idempotency-Key header that stays the same
 * for every attempt, so a receiver that honours it keeps one copy; which is why a timeout is retried here
 * and nowhere else. Any 2xx is taken.
 */
export const webhook: HttpKind<WebhookChannel> = {
  request(_def, message, secrets, context) {
    return {
      method: 'POST',
      url: secrets.url_env!,
      headers: { ...JSON_HEADERS, 'idempotency-key': context.idempotencyKey },
      body: JSON.stringify(message),
    };
  },
  judge: (answer) => byStatus(answer),
  idempotent: () => true,
  delivered: (_def, secrets) => `posted to the webhook at ${originOf(secrets.url_env!)}`,
};
