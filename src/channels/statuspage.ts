import { answerText, byStatus, JSON_HEADERS, parseJson, type HttpKind, type RequestContext } from './http-kind.js';
import type { ComponentStatus, Message, StatuspageChannel } from './types.js';

/**
 * Atlassian Statuspage: the first delivery of an incident creates a status page incident
 * (POST /v1/pages/{page_id}/incidents), whose id is the message id; later ones update it
 * (PATCH /v1/pages/{page_id}/incidents/{incident_id}), each update a new entry on the page.
 * Authorization: OAuth <token>. It answers 201 / 200 with the incident as JSON, 401 / 404 with
 * {error}, and 420 or 429 when more than about one request a second comes.
 */
export const statuspage: HttpKind<StatuspageChannel> = {
  request(def, message, secrets, context) {
    const base = `${(def.api_url ?? DEFAULT_API).replace(/\/+$/, '')}/v1/pages/${encodeURIComponent(def.page_id)}/incidents`;
    const update = context.previous?.messageId;
    return {
      method: update ? 'PATCH' : 'POST',
      url: update ? `${base}/${encodeURIComponent(update)}` : base,
      headers: { ...JSON_HEADERS, authorization: `OAuth ${secrets.token_env!}` },
      body: JSON.stringify({ incident: incidentFields(def, message, update !== undefined) }),
    };
  },
  judge(answer, context) {
    const body = parseJson(answer.text) as { id?: unknown; error?: unknown } | undefined;
    if (answer.status === ENHANCE_YOUR_CALM) return { ok: false, error: `HTTP 420: ${answerText(answer)}`, retry: true };
    const verdict = byStatus(answer, typeof body?.error === 'string' ? body.error : answerText(answer));
    if (!verdict.ok) return verdict;
    const id = typeof body?.id === 'string' ? body.id : context.previous?.messageId;
    if (!id) return { ok: false, error: `HTTP ${answer.status} without an incident id: ${answerText(answer)}`, retry: false };
    return { ok: true, messageId: id };
  },
  // A second PATCH with the same body adds nothing new to the page; a second POST opens a second incident.
  idempotent: (context: RequestContext) => context.previous !== undefined,
  delivered: (def) => `status page ${def.page_id} updated`,
};

const DEFAULT_API = 'https://api.statuspage.io';

/** Statuspage's own rate-limit status, older than 429 and still documented beside it. */
const ENHANCE_YOUR_CALM = 420;

type IncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved';

function incidentFields(def: StatuspageChannel, message: Message, update: boolean): Record<string, unknown> {
  const status = incidentStatusOf(message);
  const fields: Record<string, unknown> = { name: message.subject ?? `${message.runbook} (${message.incident})`, body: message.text };
  // An update that reaches no milestone leaves the page's status as the last one set it.
  if (status !== undefined || !update) fields.status = status ?? 'investigating';
  if (def.components?.length) {
    const componentStatus = componentStatusOf(def, message);
    fields.component_ids = def.components;
    fields.components = Object.fromEntries(def.components.map((id) => [id, componentStatus]));
  }
  return fields;
}

function incidentStatusOf(message: Message): IncidentStatus | undefined {
  if (message.kind !== 'milestone') return undefined;
  if (message.milestone === 'resolved') return 'resolved';
  if (message.milestone === 'mitigated') return 'monitoring';
  return 'investigating';
}

/** A resolved incident's components are operational again; until then the severity says how bad. */
function componentStatusOf(def: StatuspageChannel, message: Message): ComponentStatus {
  if (message.kind === 'milestone' && message.milestone === 'resolved') return 'operational';
  if (def.component_status) return def.component_status;
  if (message.severity === 'SEV1') return 'major_outage';
  if (message.severity === 'SEV2') return 'partial_outage';
  return 'degraded_performance';
}
