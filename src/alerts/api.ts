import { UserError } from '../errors.js';
import { oneLine } from '../report/sanitize.js';
import type { Alert } from './payload.js';

// The Alertmanager API v2, read only: the alerts it holds now. An Alertmanager answers in milliseconds or
// not at all, and sev is run mid-incident, so every request has a time limit and every failure is one
// line that says which address did not answer and how.

/** An alert as the API v2 lists it: the payload's alert, and what Alertmanager made of it. */
export interface ApiAlert extends Alert {
  /** active: notified; suppressed: silenced or inhibited; unprocessed: just received. */
  state: string;
  silencedBy: string[];
  inhibitedBy: string[];
  receivers: string[];
  updatedAt?: string;
}

export interface FetchAlertsOptions {
  timeoutMs?: number;
  /** Also the silenced and inhibited alerts (default: only the ones that notify). */
  suppressed?: boolean;
  /** For tests: a fetch of their own. */
  fetch?: typeof fetch;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
/** No Alertmanager's list of alerts is larger; a larger answer is not one. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/**
 * The address as given, checked: http or https. Credentials in it (http://user:secret@host) are taken out
 * (fetch refuses them) and sent as basic authentication, and never shown.
 */
export function alertmanagerUrl(given: string): { base: URL; shown: string; authorization?: string } {
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new UserError(`--alertmanager ${oneLine(given, 200)}: not a URL (expected http://host:9093)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UserError(`--alertmanager ${oneLine(given, 200)}: not an http or https URL`);
  let authorization: string | undefined;
  if (url.username || url.password) {
    authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  // A route prefix (http://host/alertmanager) is kept: the API is under it.
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return { base: url, shown: oneLine(url.href.replace(/\/$/, ''), 200), authorization };
}

/** GET {url}/api/v2/alerts: the firing alerts Alertmanager holds, not silenced or inhibited unless asked. */
export async function fetchAlerts(given: string, options: FetchAlertsOptions = {}): Promise<ApiAlert[]> {
  const { base, shown, authorization } = alertmanagerUrl(given);
  const url = new URL('api/v2/alerts', base);
  url.searchParams.set('active', 'true');
  url.searchParams.set('silenced', String(Boolean(options.suppressed)));
  url.searchParams.set('inhibited', String(Boolean(options.suppressed)));
  url.searchParams.set('unprocessed', 'true');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (authorization) headers.authorization = authorization;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (error) {
    throw new UserError(`${shown}: cannot reach Alertmanager: ${reason(error, timeoutMs)}`);
  }
  if (response.status === 401 || response.status === 403)
    throw new UserError(
      `${shown}: Alertmanager refused the request (HTTP ${response.status}): give credentials as http://user:password@host`,
    );
  if (!response.ok) throw new UserError(`${shown}: not an Alertmanager API v2: GET /api/v2/alerts answered HTTP ${response.status}`);
  let text: string;
  try {
    text = await bodyText(response, MAX_RESPONSE_BYTES);
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`${shown}: ${error.message}`);
    throw new UserError(`${shown}: the answer was cut off: ${reason(error, timeoutMs)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UserError(`${shown}: not an Alertmanager API v2: GET /api/v2/alerts did not answer JSON`);
  }
  if (!Array.isArray(value))
    throw new UserError(`${shown}: not an Alertmanager API v2: GET /api/v2/alerts did not answer a list of alerts`);
  return value.map((item, i) => apiAlert(item, i, shown));
}

async function bodyText(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    length += chunk.length;
    if (length > limit) {
      await response.body.cancel().catch(() => undefined);
      throw new UserError(`not an Alertmanager API v2: the list of alerts is larger than ${limit / 1024 / 1024} MiB`);
    }
    chunks.push(chunk);
  }
  return new TextDecoder().decode(Buffer.concat(chunks, length));
}

function reason(error: unknown, timeoutMs: number): string {
  const e = error as Error & { cause?: NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[] } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  // undici hides the system error in `cause` (and, for several addresses, in cause.errors).
  const cause = e.cause?.code ? e.cause : e.cause?.errors?.[0];
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is it running, on that port?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'no such host';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return oneLine(cause?.message ?? e.message, 160);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Only string values: a label map is strings to strings, whatever else a server sends. */
function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const optionalString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function apiAlert(item: unknown, index: number, shown: string): ApiAlert {
  if (!isObject(item) || !isObject(item.labels) || typeof item.startsAt !== 'string') {
    throw new UserError(`${shown}: not an Alertmanager API v2: alert ${index} has no labels or startsAt`);
  }
  const status = isObject(item.status) ? item.status : {};
  return {
    // The API lists only alerts that have not ended: each one is firing.
    status: 'firing',
    labels: stringMap(item.labels),
    annotations: stringMap(item.annotations),
    startsAt: item.startsAt,
    endsAt: optionalString(item.endsAt),
    generatorURL: optionalString(item.generatorURL),
    fingerprint: optionalString(item.fingerprint),
    updatedAt: optionalString(item.updatedAt),
    state: optionalString(status.state) ?? 'unknown',
    silencedBy: strings(status.silencedBy),
    inhibitedBy: strings(status.inhibitedBy),
    receivers: Array.isArray(item.receivers)
      ? item.receivers.map((r) => (isObject(r) ? optionalString(r.name) : undefined)).filter((n): n is string => n !== undefined)
      : [],
  };
}
