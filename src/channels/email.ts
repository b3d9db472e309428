import type { Outcome, Sender } from './outcome.js';
import { plainTextOf, titleOf } from './format.js';
import type { EmailChannel, Message } from './types.js';

/**
 * E-mail over SMTP, sent with nodemailer. The Message-ID is made from the idempotency key, so every attempt
 * and a send after a crash carry the same one and a reader (or a mail filter) can tell copies apart.
 */
export function emailSender(
  def: EmailChannel,
  message: Message,
  secrets: Record<string, string>,
  idempotencyKey: string,
  timeoutMs: number,
): Sender {
  const messageId = messageIdOf(idempotencyKey, def.from);
  return {
    async attempt(signal) {
      // Loaded here, not at start-up: most runs send no e-mail.
      const { createTransport } = (await import('nodemailer')).default;
      const transport = createTransport({
        host: def.host,
        port: def.port ?? (def.secure ? 465 : 587),
        secure: def.secure ?? false,
        ...(def.user ? { auth: { user: def.user, pass: secrets.password_env ?? '' } } : {}),
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      });
      try {
        const sent = transport.sendMail({ from: def.from, to: def.to, subject: titleOf(message), text: plainTextOf(message), messageId });
        const info = await untilAborted(sent, signal);
        if (info === ABORTED) return { ok: false, error: 'cancelled', retry: false, maybeDelivered: true };
        const status = replyCodeOf(info.response);
        const refused = (info.rejected ?? []).map(String);
        const accepted = def.to.length - refused.length;
        // Some recipients refused, others took it: sending again would reach those twice, so it is a delivery, said in part.
        const detail =
          `e-mailed to ${accepted} recipient${accepted === 1 ? '' : 's'} through ${def.host}` +
          (refused.length ? `; refused: ${refused.join(', ')}` : '');
        return { ok: true, ...(status ? { status } : {}), messageId: info.messageId ?? messageId, detail };
      } catch (error) {
        return smtpFailure(error);
      } finally {
        transport.close();
      }
    },
  };
}

/** SMTP commands before DATA: a failure there means no message was handed over. */
const BEFORE_DATA = /^(CONN|EHLO|HELO|LHLO|STARTTLS|AUTH|MAIL|RCPT)/;

function smtpFailure(error: unknown): Outcome {
  const e = (error ?? {}) as { code?: string; responseCode?: number; command?: string; message?: string };
  const status = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const reason = `${e.code ?? 'SMTP'}${e.command ? ` at ${e.command}` : ''}: ${e.message ?? String(error)}`;
  // A 4xx reply is SMTP's "not now": the server did not take the message and asks to be tried again.
  if (status !== undefined) return { ok: false, status, error: reason, retry: status >= 400 && status < 500 };
  if (
    e.code === 'EDNS' ||
    (e.code === 'ECONNECTION' && (!e.command || e.command === 'CONN')) ||
    (e.command && BEFORE_DATA.test(e.command))
  ) {
    return { ok: false, error: reason, retry: true };
  }
  if (e.code === 'EAUTH' || e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return { ok: false, error: reason, retry: false };
  return { ok: false, error: reason, retry: false, maybeDelivered: true };
}

/** A Message-ID (RFC 5322 msg-id) from a key that may hold anything: what is not dot-atom text becomes a hyphen. */
export function messageIdOf(key: string, from: string): string {
  const left = key.replace(/[^A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+/g, '-') || 'sev';
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'sevkit.invalid';
  return `<${left}@${domain}>`;
}

function replyCodeOf(response: string | undefined): number | undefined {
  const m = /^(\d{3})\b/.exec(response ?? '');
  return m ? Number(m[1]) : undefined;
}

const ABORTED = Symbol('aborted');

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener('abort', onAbort), reject(error as Error)),
    );
  });
}
