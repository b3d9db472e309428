import { randomUUID } from 'node:crypto';
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Masker } from '../engine/mask.js';
import { KINDS, type Kind } from './kinds.js';
import type { Outcome } from './outcome.js';
import { resolveSecrets, secretMasker } from './secrets.js';
import type { Attempt, ChannelDef, DeliveryOptions, DeliveryResult, Message } from './types.js';

const DEFAULTS = { timeoutMs: 10_000, retries: 3, backoffMs: 1_000, maxRetryAfterMs: 60_000 };

/**
 * Delivers one message to one channel: retries what is safe to send again (nothing reached the vendor, or
 * it said "later": 429, 5xx, its own throttling codes), waits between attempts (doubling, or as long as
 * a Retry-After asks, up to a cap), and fails at once on any other refusal. Never throws for a failed
 * delivery, and nothing it returns holds a secret the channel reads.
 */
export async function deliver(channel: ChannelDef, message: Message, options: DeliveryOptions = {}): Promise<DeliveryResult> {
  const kind = KINDS[channel.kind] as Kind<ChannelDef> | undefined;
  if (!kind) return { ok: false, attempts: [], detail: `channel ${channel.name}: unknown kind ${String(channel.kind)}` };
  const needs = kind.needs(channel);
  const secrets = resolveSecrets(channel.name, needs, options.env ?? process.env);
  if (!secrets.ok) return { ok: false, attempts: [], detail: secrets.detail };
  const mask = secretMasker(needs, secrets.values);

  const retries = Math.max(0, options.retries ?? DEFAULTS.retries);
  const backoffMs = options.backoffMs ?? DEFAULTS.backoffMs;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs;
  const sleep = options.sleep ?? ((ms: number, signal?: AbortSignal) => sleepFor(ms, undefined, signal ? { signal } : {}));
  const signal = options.signal ?? new AbortController().signal;
  const context = {
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
    idempotencyKey: options.idempotencyKey ?? randomUUID(),
    ...(options.previous ? { previous: options.previous } : {}),
  };

  const attempts: Attempt[] = [];
  let sender;
  try {
    sender = kind.sender(channel, message, secrets.values, context);
  } catch (error) {
    return { ok: false, attempts, detail: mask(`channel ${channel.name}: ${error instanceof Error ? error.message : String(error)}`) };
  }
  try {
    for (let n = 1; ; n++) {
      if (signal.aborted) return failed(channel, attempts, 'cancelled', mask);
      await options.onAttempt?.({ n, channel: channel.name });
      const outcome = await attemptSafely(() => sender.attempt(signal));
      attempts.push(attemptOf(n, outcome, mask));
      if (outcome.ok)
        return { ok: true, attempts, ...(outcome.messageId ? { messageId: outcome.messageId } : {}), detail: mask(outcome.detail) };
      if (!outcome.retry || n > retries) return failed(channel, attempts, outcome.error, mask, outcome.maybeDelivered);
      const delay = outcome.retryAfterMs !== undefined ? Math.min(outcome.retryAfterMs, maxRetryAfterMs) : backoffMs * 2 ** (n - 1);
      try {
        await sleep(delay, signal);
      } catch {
        return failed(channel, attempts, 'cancelled', mask);
      }
    }
  } finally {
    sender.close?.();
  }
}

/** A sender that throws is a bug, not a delivery: it is still reported as a failed attempt, never thrown. */
async function attemptSafely(run: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await run();
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error), retry: false, maybeDelivered: true };
  }
}

function attemptOf(n: number, outcome: Outcome, mask: Masker): Attempt {
  const attempt: Attempt = { n };
  if (outcome.status !== undefined) attempt.status = outcome.status;
  if (!outcome.ok) {
    attempt.error = mask(outcome.error);
    if (outcome.retryAfterMs !== undefined) attempt.retryAfterMs = outcome.retryAfterMs;
  }
  return attempt;
}

function failed(channel: ChannelDef, attempts: Attempt[], reason: string, mask: Masker, maybeDelivered?: boolean): DeliveryResult {
  const tries = attempts.length === 1 ? '1 attempt' : `${attempts.length} attempts`;
  return {
    ok: false,
    attempts,
    detail: mask(
      `channel ${channel.name}: not delivered after ${tries}: ${reason}${maybeDelivered ? ' (it may have arrived: check before sending again)' : ''}`,
    ),
    ...(maybeDelivered ? { maybeDelivered: true } : {}),
  };
}
