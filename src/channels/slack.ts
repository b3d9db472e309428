import { cutText } from '../text/cut.js';
import { footerOf, titleOf } from './format.js';
import { byStatus, JSON_HEADERS, type HttpKind } from './http-kind.js';
import { originOf } from './secrets.js';
import type { Message, SlackChannel } from './types.js';

/**
 * Slack incoming webhook: POST {text, blocks} to the webhook URL. `text` is what notifications show, the
 * blocks what the channel shows. Slack answers 200 "ok", or a 4xx with a plain-text reason
 * (invalid_payload, no_text, channel_not_found, channel_is_archived, action_prohibited), or 429 with
 * Retry-After.
 */
export const slack: HttpKind<SlackChannel> = {
  request(_def, message, secrets) {
    return { method: 'POST', url: secrets.url_env!, headers: { ...JSON_HEADERS }, body: JSON.stringify(slackPayload(message)) };
  },
  judge: (answer) => byStatus(answer),
  idempotent: () => false,
  delivered: (_def, secrets) => `posted to the Slack webhook at ${originOf(secrets.url_env!)}`,
};

// Slack's documented limits: a header's text 150 characters, a section's 3,000.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;

export function slackPayload(message: Message): { text: string; blocks: unknown[] } {
  const title = titleOf(message);
  return {
    text: escapeMrkdwn(`${title}: ${message.text}`),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: cutText(title, HEADER_MAX) } },
      { type: 'section', text: { type: 'mrkdwn', text: cutText(escapeMrkdwn(message.text), SECTION_MAX) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(footerOf(message)) }] },
    ],
  };
}

/** Slack reads &, < and > as control characters of its markup (links, mentions); these are the three it asks to escape. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
