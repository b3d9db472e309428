import { cutText } from '../text/cut.js';
import type { Outcome, Sender } from './outcome.js';
import type { Message } from './types.js';

export interface HttpRequest {
  method: 'POST' | 'PATCH';
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** What a vendor's answer means, read from its status and body. */
export type Verdict = { ok: true; messageId?: string } | { ok: false; error: string; retry: boolean };

export interface RequestContext {
  idempotencyKey: string;
  previous?: { messageId: string };
}

/** A channel kind spoken over HTTP: the request its vendor documents, and how its answers read. */
export interface HttpKind<D> {
  /** Built again for every attempt: a signature carries the time it was made. */
  request(def: D, message: Message, secrets: Record<string, string>, context: RequestContext): HttpRequest;
  judge(answer: HttpAnswer, context: RequestContext): Verdict;
  /** Sending the same request twice makes one message, not two (an idempotency key, an update). */
  idempotent(context: RequestContext): boolean;
  /** What a person reads of a success: the endpoint without its secret part. */
  delivered(def: D, secrets: Record<string, string>): string;
}

/** A vendor's answer is read this far; an answer is a few hundred bytes, anything longer is not one. */
const ANSWER_CAP = 64 * 1024;

export function httpSender(
  request: () => HttpRequest,
  judge: (answer: HttpAnswer) => Verdict,
  idempotent: boolean,
  fetchImpl: typeof fetch,
  timeoutMs: number,
  delivered: string,
): Sender {
  return {
    async attempt(signal) {
      const req = request();
      const timeout = AbortSignal.timeout(timeoutMs);
      let answer: HttpAnswer;
      try {
        const response = await fetchImpl(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body,
          signal: AbortSignal.any([signal, timeout]),
          redirect: 'error',
        });
        answer = { status: response.status, headers: response.headers, text: await readCapped(response) };
      } catch (error) {
        return failureWithoutAnswer(error, signal, timeout, timeoutMs, idempotent);
      }
      const verdict = judge(answer);
      if (verdict.ok)
        return { ok: true, status: answer.status, ...(verdict.messageId ? { messageId: verdict.messageId } : {}), detail: delivered };
      const retryAfterMs = answer.status === 429 || answer.status === 503 ? retryAfterOf(answer.headers) : undefined;
      return {
        ok: false,
        status: answer.status,
        error: verdict.error,
        retry: verdict.retry,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    },
  };
}

/** Errors raised while connecting: the request never left, so sending it again cannot make a second message. */
const BEFORE_SENDING = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function failureWithoutAnswer(error: unknown, signal: AbortSignal, timeout: AbortSignal, timeoutMs: number, idempotent: boolean): Outcome {
  if (signal.aborted) return { ok: false, error: 'cancelled', retry: false, maybeDelivered: true };
  if (timeout.aborted) {
    // The vendor may have the request and be slow to answer: again only where a second one is harmless.
    return { ok: false, error: `no answer within ${timeoutMs} ms`, retry: idempotent, maybeDelivered: true };
  }
  const code = causeCode(error);
  if (code !== undefined && BEFORE_SENDING.has(code)) return { ok: false, error: `could not connect (${code})`, retry: true };
  return { ok: false, error: `connection failed (${code ?? messageOf(error)})`, retry: idempotent, maybeDelivered: true };
}

function causeCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function readCapped(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    // Node's web streams are typed loosely without the DOM library.
    const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
    if (done || !value) break;
    chunks.push(value);
    size += value.length;
    if (size >= ANSWER_CAP) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, ANSWER_CAP).toString('utf8');
}

/** Retry-After in seconds or as an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterOf(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The verdict every vendor shares: 2xx is taken, 429 and 5xx are "later", any other status is final. */
export function byStatus(answer: HttpAnswer, error = answerText(answer)): Verdict {
  if (answer.status >= 200 && answer.status < 300) return { ok: true };
  return { ok: false, error: `HTTP ${answer.status}${error ? `: ${error}` : ''}`, retry: answer.status === 429 || answer.status >= 500 };
}

/** An answer's text on one line, short enough for a result. */
export function answerText(answer: HttpAnswer): string {
  return cutText(answer.text.replace(/\s+/g, ' ').trim(), 200);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The {errcode, errmsg} answer DingTalk and WeCom share; `throttled` is the vendor's "too many, try later". */
export function byErrcode(answer: HttpAnswer, vendor: string, throttled: number): Verdict {
  const status = byStatus(answer);
  if (!status.ok) return status;
  const body = parseJson(answer.text) as { errcode?: unknown; errmsg?: unknown } | undefined;
  if (body?.errcode === 0) return { ok: true };
  if (body?.errcode === undefined) return { ok: false, error: `unreadable answer: ${answerText(answer)}`, retry: false };
  const errmsg = typeof body.errmsg === 'string' ? body.errmsg : '';
  return { ok: false, error: `${vendor} errcode ${JSON.stringify(body.errcode)}: ${errmsg}`.trimEnd(), retry: body.errcode === throttled };
}

export const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;
