import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { UserError } from '../errors.js';
import { MAX_FILE_BYTES, readTextFile } from '../files/read-file.js';
import { oneLine } from '../report/sanitize.js';

// A webhook payload is what Alertmanager POSTs to a webhook_config receiver (version 4), saved to a file or
// piped in by whatever received it. Its text comes from whoever could write it: it is read with the same
// size limit as every other input, checked against runbooks/alertmanager-webhook.schema.json, and every
// problem is one line that names the file. Labels and annotations are kept exactly as sent; whoever
// prints them sanitises them.

export type AlertStatus = 'firing' | 'resolved';

/** One alert, as a webhook payload and the API v2 both describe it. */
export interface Alert {
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** RFC 3339 as Alertmanager wrote it (nanoseconds, any offset). */
  startsAt: string;
  /** RFC 3339; Alertmanager writes 0001-01-01T00:00:00Z for a firing alert with no end yet. */
  endsAt?: string;
  generatorURL?: string;
  fingerprint?: string;
}

export interface WebhookPayload {
  version: '4';
  status: AlertStatus;
  receiver?: string;
  groupKey?: string;
  truncatedAlerts?: number;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL?: string;
  alerts: Alert[];
}

const WHAT = 'Alertmanager webhook payload';
const SCHEMA_FILE = new URL('../../runbooks/alertmanager-webhook.schema.json', import.meta.url);

// Compiled at run time, once: only `--alert` reads a payload, and the schema is small (a few ms), so it
// does not go through the build-time compilation the runbook schema needs for validate's start-up.
let validator: ValidateFunction | undefined;

function validate(): ValidateFunction {
  if (validator) return validator;
  const require = createRequire(import.meta.url);
  const Ajv = (require('ajv') as { default: typeof import('ajv').default }).default;
  const ajv = new Ajv({ strict: true, allErrors: false });
  validator = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);
  return validator;
}

/** Reads a payload from a file, or from stdin when the path is "-"; a bad one is a one-line usage error. */
export async function readAlertPayload(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<WebhookPayload> {
  if (path === '-') return parseAlertPayload(await readBounded(stdin, 'stdin'), 'stdin');
  return parseAlertPayload(readTextFile(path, WHAT), path);
}

/** Stdin read to its end, refused past the limit every input file has, and as UTF-8 text. */
async function readBounded(stream: NodeJS.ReadableStream, where: string): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    length += bytes.length;
    if (length > MAX_FILE_BYTES) {
      // Stop reading: the writer gets EPIPE rather than sev holding gigabytes.
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      throw new UserError(`${where}: larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB (the limit for an ${WHAT})`);
    }
    chunks.push(bytes);
  }
  const bytes = Buffer.concat(chunks, length);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(`${where}: not valid UTF-8: an ${WHAT} is JSON text`);
  }
}

/** A payload's text checked and typed; `where` names it in messages (a file, or stdin). */
export function parseAlertPayload(text: string, where: string): WebhookPayload {
  if (text.trim() === '') throw new UserError(`${where}: empty: expected an ${WHAT} (JSON)`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${where}: not JSON (${oneLine((error as Error).message, 120)}): expected an ${WHAT}`);
  }
  const check = validate();
  if (!check(value)) throw new UserError(`${where}: ${describe(check.errors?.[0], value)}`);
  const payload = value as WebhookPayload;
  // Optional maps are read as empty ones, so that no caller tests for them.
  return {
    ...payload,
    groupLabels: payload.groupLabels ?? {},
    commonLabels: payload.commonLabels ?? {},
    commonAnnotations: payload.commonAnnotations ?? {},
    alerts: payload.alerts.map((a) => ({ ...a, annotations: a.annotations ?? {} })),
  };
}

/** `/alerts/0/labels/team` as people write it: `alerts[0].labels.team`. */
function pathOf(pointer: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts
    .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : /^[A-Za-z_][\w]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`))
    .join('');
}

function describe(error: ErrorObject | undefined, value: unknown): string {
  if (!error) return `not an ${WHAT}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `not an ${WHAT}: expected a JSON object with version, status and alerts`;
  const at = pathOf(error.instancePath);
  const where = at ? `${oneLine(at, 120)}: ` : '';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'const':
      if (at === 'version')
        return `version ${oneLine(JSON.stringify((value as { version?: unknown }).version), 40)}: sev reads the ${WHAT} of version "4"`;
      return `${where}must be ${JSON.stringify(params.allowedValue)}`;
    case 'required':
      return `${where}missing ${String(params.missingProperty)}: not an ${WHAT}?`;
    case 'enum':
      return `${where}must be one of ${(params.allowedValues as string[]).join(', ')}`;
    case 'pattern':
      return `${where}not an RFC 3339 time`;
    case 'type':
      return `${where}must be ${article(String(params.type))}`;
    case 'minItems':
      return `${where}no alerts`;
    case 'maxItems':
    case 'maxProperties':
    case 'maxLength':
      return `${where}too many or too long (at most ${String(params.limit)})`;
    default:
      return `${where}${error.message ?? 'not valid'}`;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
