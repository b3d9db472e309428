import type { Message } from './types.js';

/** The line a message is known by: its subject, else its severity, incident and runbook. */
export function titleOf(message: Message): string {
  return message.subject ?? `[${message.severity}] ${message.incident}: ${message.runbook}`;
}

/** Where a message comes from, for the foot of a chat message. */
export function footerOf(message: Message): string {
  return `${message.severity} · incident ${message.incident} · runbook ${message.runbook} · for ${message.audience}`;
}

/** The whole message as plain text, for vendors without formatting. */
export function plainTextOf(message: Message): string {
  return `${titleOf(message)}\n\n${message.text}\n\n${footerOf(message)}`;
}

/** Markdown as the Chinese chat bots render it (DingTalk, WeCom, Feishu post): a bold title, the text, a quiet footer. */
export function markdownOf(message: Message): string {
  return `**${titleOf(message)}**\n\n${message.text}\n\n> ${footerOf(message)}`;
}

/** A text cut to at most `max` UTF-8 bytes, at a character boundary, with … where it was cut. */
export function cutBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let out = '';
  let size = Buffer.byteLength('…');
  for (const char of text) {
    const n = Buffer.byteLength(char);
    if (size + n > max) break;
    out += char;
    size += n;
  }
  return `${out}…`;
}
