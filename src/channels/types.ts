import type { Milestone, Severity } from '../runbook/model.js';

/**
 * Where a message goes. A secret is never written here, only the NAME of the environment variable that
 * holds it (`url_env: SEV_SLACK_WEBHOOK`): a config file can be committed and shared, the variables cannot.
 */
export type ChannelDef =
  SlackChannel | MattermostChannel | FeishuChannel | DingTalkChannel | WeComChannel | WebhookChannel | StatuspageChannel | EmailChannel;

export type ChannelKind = ChannelDef['kind'];

interface Named {
  name: string;
}

/** A chat incoming webhook: the URL is the credential (its path or query carries the token). */
interface UrlFromEnv {
  url_env: string;
}

export interface SlackChannel extends Named, UrlFromEnv {
  kind: 'slack';
}

export interface MattermostChannel extends Named, UrlFromEnv {
  kind: 'mattermost';
  /** Overrides the webhook's default channel, when the webhook allows it. */
  channel?: string;
  username?: string;
}

export interface FeishuChannel extends Named, UrlFromEnv {
  kind: 'feishu';
  /** The bot's signing secret, when signature verification is switched on for it. */
  secret_env?: string;
  /** `text` (the default) or `post` (rich text with a title). */
  msg_type?: 'text' | 'post';
}

export interface DingTalkChannel extends Named, UrlFromEnv {
  kind: 'dingtalk';
  /** The robot's signing secret (SEC…), when its security setting is "additional signature". */
  secret_env?: string;
  /** `markdown` (the default) or `text`. */
  msgtype?: 'text' | 'markdown';
}

export interface WeComChannel extends Named, UrlFromEnv {
  kind: 'wecom';
  /** `markdown` (the default) or `text`. */
  msgtype?: 'text' | 'markdown';
}

/** Any JSON endpoint: the Message is POSTed as it is. */
export interface WebhookChannel extends Named, UrlFromEnv {
  kind: 'webhook';
}

export type ComponentStatus = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage' | 'under_maintenance';

export interface StatuspageChannel extends Named {
  kind: 'statuspage';
  page_id: string;
  token_env: string;
  /** The affected components' ids; their status follows the severity unless `component_status` fixes it. */
  components?: string[];
  component_status?: ComponentStatus;
  /** https://api.statuspage.io unless given (tests, proxies). */
  api_url?: string;
}

export interface EmailChannel extends Named {
  kind: 'email';
  from: string;
  to: string[];
  host: string;
  port?: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure?: boolean;
  user?: string;
  password_env?: string;
}

/** What is delivered: one announcement, milestone or severity change of one incident. */
export interface Message {
  incident: string;
  runbook: string;
  severity: Severity;
  audience: string;
  subject?: string;
  text: string;
  kind: 'announcement' | 'milestone' | 'severity';
  /** The milestone reached, for kind `milestone`: a status page's incident status follows it. */
  milestone?: Milestone;
}

export interface Attempt {
  n: number;
  /** The HTTP status, or for e-mail the SMTP reply code, when an answer came. */
  status?: number;
  error?: string;
  retryAfterMs?: number;
}

export interface DeliveryResult {
  ok: boolean;
  attempts: Attempt[];
  /** The vendor's id of what was created (a status page incident, an e-mail's Message-ID). */
  messageId?: string;
  /** One line for a person: what was delivered, or why not. Never holds a secret. */
  detail: string;
  /**
   * Set when the last attempt failed after the request may have reached the vendor (a timeout, a
   * dropped connection): it may have been delivered, and only the responder can decide to send again.
   */
  maybeDelivered?: boolean;
}

export interface DeliveryOptions {
  /** Where the secrets named by the channel are read; process.env unless given. */
  env?: Readonly<Record<string, string | undefined>>;
  fetch?: typeof globalThis.fetch;
  /** Per attempt. */
  timeoutMs?: number;
  /** Attempts after the first. */
  retries?: number;
  /** The first retry's delay; each next one doubles it. */
  backoffMs?: number;
  /** The longest a vendor's Retry-After is waited. */
  maxRetryAfterMs?: number;
  signal?: AbortSignal;
  /** The same for every attempt of one delivery, and for a delivery sent again after a crash. */
  idempotencyKey?: string;
  /** What an earlier delivery of the same incident to this channel created (a status page incident to update). */
  previous?: { messageId: string };
  /** Awaited before each attempt is sent, so the caller can log it first. */
  onAttempt?: (attempt: { n: number; channel: string }) => void | Promise<void>;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}
