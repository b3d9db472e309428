import { json, Service } from './service.js';

/** What the control plane does besides answering: `POST /admin/accounts/freeze` freezes the accounts in the database… */
export interface Hook {
  method: string;
  path: string;
  when?: (body: Record<string, unknown>) => boolean;
  /** Done (and awaited, when it returns a promise) before the answer is sent, so the runbook's next step sees its effect. */
  run: (body: Record<string, unknown>) => unknown;
}

/** The money flows of the admin API; `/admin/flows/all` stands for all of them. */
export const FLOWS = ['transfer', 'top-up', 'withdrawal', 'bill-pay', 'payment'] as const;

/**
 * What the admin API answers for something never set: a channel is active, the settlement files of a channel are
 * released to the banks, the risk engine scores every payment, a flow's limits are the normal ones, one-time codes
 * go through the main SMS provider, a flow or flag is on.
 */
function initialState(path: string): Record<string, unknown> {
  if (/^\/admin\/channels\/[^/]+$/.test(path)) return { state: 'active' };
  if (/^\/admin\/settlement\/[^/]+$/.test(path)) return { state: 'released' };
  if (path === '/admin/risk/mode') return { mode: 'scoring' };
  if (/^\/admin\/limits\/[^/]+$/.test(path)) return { per_payment: 1000, per_day: 5000, currency: 'EUR' };
  if (path === '/admin/otp/route') return { provider: 'sms-a', voice_fallback: false };
  return { enabled: true };
}

/** What `GET <path>` answers on the control plane now. */
export function stateOf(control: { state: Map<string, Record<string, unknown>> }, path: string): Record<string, unknown> {
  return control.state.get(path) ?? initialState(path);
}

/**
 * The control plane: the wallet admin API (/admin: flows, flags, channels, routing, settlement files, risk mode, limits, deploy freeze, accounts,
 * sessions, policies) and the customer care tool API (/care). It keeps what it was told and answers as the
 * runbooks' header comments describe; hooks give a call its effect on the rest of the drill. Like the real admin
 * API, a GET of a flow, flag or channel answers its state (with the reason it was last changed), a PUT merges what
 * it is told into that state, and `/admin/flows/all` reads and switches every flow at once. A test seeds a state
 * (another incident's pause) with `state.set(path, …)`.
 */
export function controlPlane(hooks: Hook[] = []): Service & { state: Map<string, Record<string, unknown>> } {
  const state = new Map<string, Record<string, unknown>>();
  const flow = (name: string) => state.get(`/admin/flows/${name}`) ?? { enabled: true };
  const service = new Service(async (req, body, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    let data: Record<string, unknown> = {};
    if (body) {
      try {
        data = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return json(res, 400, { error: `bad JSON: ${body}` });
      }
    }
    for (const hook of hooks) {
      if (hook.method === req.method && hook.path === path && (!hook.when || hook.when(data))) await hook.run(data);
    }
    if (req.method === 'GET') {
      if (path.endsWith('/health')) return json(res, 200, { status: 'ok' });
      if (path === '/care/queues/summary') return json(res, 200, { open: 3, overdue: 0 });
      // `all` is no switch of its own: it is on when every flow is on.
      if (path === '/admin/flows/all') return json(res, 200, { enabled: FLOWS.every((f) => flow(f).enabled !== false) });
      return json(res, 200, state.get(path) ?? initialState(path));
    }
    // Like the real admin API, a PUT to /flows/all switches every flow, whoever had paused it.
    if (req.method === 'PUT' && path === '/admin/flows/all') {
      for (const f of FLOWS) state.set(`/admin/flows/${f}`, { ...flow(f), ...data });
      return json(res, 200, { ...data, enabled: FLOWS.every((f) => flow(f).enabled !== false) });
    }
    if (path === '/admin/accounts/freeze') return json(res, 200, { frozen: data.user_ids });
    if (path === '/admin/sessions/revoke') return json(res, 200, { revoked: data.user_ids });
    // Like the care tool, a campaign is sent once per Idempotency-Key: a retry answers the first one, sending nothing.
    if (path === '/care/campaigns') {
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || !key) return json(res, 400, { error: 'Idempotency-Key header required' });
      const sent = state.get('/care/campaigns') ?? {};
      if (!sent[key]) state.set('/care/campaigns', { ...sent, [key]: { campaign: `c-${Object.keys(sent).length + 1}`, ...data } });
      return json(res, 200, (state.get('/care/campaigns') as Record<string, unknown>)[key]);
    }
    if (/\/status-enquiry$/.test(path)) return json(res, 200, { enquired: 0 });
    if (/\/drain$/.test(path)) return json(res, 200, { draining: true, ...data });
    // A PUT merges what it is told into the state now, as the real admin API does.
    state.set(path, { ...(state.get(path) ?? initialState(path)), ...data });
    json(res, 200, state.get(path));
  });
  return Object.assign(service, { state });
}
