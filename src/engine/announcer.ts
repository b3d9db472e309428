import type { DeliveryOptions, DeliveryResult, Message } from '../channels/types.js';

/** What the engine hands a delivery: the rest (secrets, timeouts, retries) is the announcer's business. */
export type AnnounceOptions = Pick<DeliveryOptions, 'idempotencyKey' | 'previous' | 'onAttempt' | 'signal'>;

/** The channel milestones and severity changes are posted to as they happen, and which of them. */
export interface LiveFeed {
  channel: string;
  milestones: boolean;
  severity: boolean;
}

/**
 * Where announcements go besides the screen, like the Runner for processes: the real one (src/session/)
 * reads the team config and sends through src/channels; a test gives a fake one that records its calls.
 * The engine itself never opens a connection.
 */
export interface Announcer {
  /** The channels an audience is told through; none: the responder sends by hand, as without a config. */
  channelsFor(audience: string): string[];
  live(): LiveFeed | undefined;
  /** Never throws: a failure is a result, and nothing it returns holds a secret. */
  deliver(channel: string, message: Message, options: AnnounceOptions): Promise<DeliveryResult>;
}

/** No team config: every announcement is sent by hand. */
export const byHandOnly: Announcer = {
  channelsFor: () => [],
  live: () => undefined,
  deliver: (channel) => Promise.resolve({ ok: false, attempts: [], detail: `no channel ${channel} is configured` }),
};
