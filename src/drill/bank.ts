import { appendFileSync } from 'node:fs';
import { psql } from './postgres.js';
import { json, Service } from './service.js';
import { seeded, Traffic } from './traffic.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The partner bank's endpoint: it pays out what it is sent, once per request, and does not deduplicate (as many
 * bank rails do not): a request sent twice is paid twice. It answers status enquiries by key.
 */
export class PartnerBank {
  /** Times each key was paid out. */
  readonly paid = new Map<string, number>();
  readonly service = new Service(async (req, body, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' && path === '/health') return json(res, 200, { status: 'ok' });
    const enquiry = /^\/transfers\/([A-Za-z0-9-]{1,64})$/.exec(path);
    if (req.method === 'GET' && enquiry) return json(res, 200, { key: enquiry[1], executed: (this.paid.get(enquiry[1]!) ?? 0) > 0 });
    if (req.method === 'POST' && path === '/transfers') {
      const { key } = JSON.parse(body) as { key: string };
      // The bank's own processing time: requests are in flight when its port goes dark.
      await pause(400);
      if (!this.service.running) return;
      this.paid.set(key, (this.paid.get(key) ?? 0) + 1);
      // Cut off: paid, but the answer never leaves the bank.
      if (this.cutting) return;
      return json(res, 200, { key, executed: true });
    }
    json(res, 404, { error: 'not found' });
  });
  private cutting = false;

  /** The fault: the bank's port stops answering; what it was processing is paid (or not) and never answered. */
  async cutOff(): Promise<void> {
    this.cutting = true;
    await pause(500);
    await this.service.stop();
    this.cutting = false;
  }

  /** The bank answers again, on the same port. */
  async back(): Promise<void> {
    await this.service.start();
  }
}

/**
 * The wallet's channel connector for one bank: the app's withdrawals through that bank arrive here
 * (POST /payments {key, user, amount}). Each is booked pending in the ledger once per key, sent to the bank, and
 * completed when the bank answers. A refused connection means the bank never got it: the withdrawal fails (its
 * money back on the balance) and the app may send it again. Any other failure leaves it pending, its outcome
 * unknown: a status enquiry settles it, or, while the admin API's bank-auto-retry flag is on, the connector's
 * automatic retry sends it again (which a bank that paid the first one pays twice). A paused channel takes no new
 * withdrawal.
 */
export class ChannelConnector {
  readonly service: Service;
  private retrier?: NodeJS.Timeout;

  constructor(
    private readonly options: {
      channel: string;
      bank: PartnerBank;
      db: string;
      logFile: string;
      /** The admin API's state now: whether the channel is active, whether automatic retries are on. */
      active: () => boolean;
      retries: () => boolean;
    },
  ) {
    this.service = new Service(async (req, body, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (req.method === 'GET' && path === `/channels/${options.channel}/health`) {
        const up = await this.bankCall('GET', '/health').then(
          (r) => r.ok,
          () => false,
        );
        return up
          ? json(res, 200, { status: 'ok', channel: options.channel })
          : json(res, 502, { error: `${options.channel} unreachable` });
      }
      if (req.method === 'POST' && path === '/payments') {
        const { key, user, amount } = JSON.parse(body) as { key: string; user: number; amount: string };
        const [status, code] = await this.withdraw(key, user, amount);
        return json(res, code, { key, status });
      }
      json(res, 404, { error: 'not found' });
    });
  }

  private get bankUrl() {
    return this.options.bank.service.url;
  }

  private bankCall(method: string, path: string, body?: unknown) {
    return fetch(`${this.bankUrl}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(3000),
    });
  }

  private log(line: string) {
    appendFileSync(this.options.logFile, `${new Date().toISOString()} ${line}\n`);
  }

  private sql(text: string, vars: Record<string, string>) {
    return psql(this.options.db, text, { channel: this.options.channel, ...vars });
  }

  /** The withdrawal's status and the HTTP status the app is answered. */
  private async withdraw(key: string, user: number, amount: string): Promise<[string, number]> {
    const known = await this.sql(`select status from transactions where idempotency_key = :'key' and kind = 'withdrawal';`, { key });
    if (known === 'completed') return ['completed', 200];
    if (known === 'pending') return ['pending', 202];
    if (!this.options.active()) return ['channel paused', 503];
    if (known === 'failed')
      await this.sql(`update transactions set status = 'pending', updated_at = now() where idempotency_key = :'key';`, { key });
    else
      await this.sql(
        `insert into transactions (user_id, kind, channel, amount, currency, status, idempotency_key)
         values (:'user', 'withdrawal', :'channel', :'amount', 'EUR', 'pending', :'key');`,
        { key, user: String(user), amount },
      );
    const outcome = await this.send(key, amount);
    if (outcome === 'executed') return ['completed', 200];
    if (outcome === 'refused') return ['failed', 503];
    return ['pending', 202];
  }

  /**
   * Sends one withdrawal to the bank and books what its answer says. A refused retry proves nothing about the
   * first attempt: the withdrawal stays pending.
   */
  private async send(key: string, amount: string, retry = false): Promise<'executed' | 'refused' | 'unknown'> {
    try {
      const res = await this.bankCall('POST', '/transfers', { key, amount });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      await this.sql(`update transactions set status = 'completed', updated_at = now() where idempotency_key = :'key';`, { key });
      return 'executed';
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      if (cause === 'ECONNREFUSED' && !retry) {
        this.log(`ERROR withdrawal ${key} to ${this.options.channel}: connect ECONNREFUSED ${this.bankUrl}`);
        await this.sql(`update transactions set status = 'failed', updated_at = now() where idempotency_key = :'key';`, { key });
        return 'refused';
      }
      const code = cause === 'TimeoutError' ? 'ETIMEDOUT' : cause === 'ECONNREFUSED' ? 'ECONNREFUSED' : 'ECONNRESET';
      this.log(`ERROR ${retry ? 'retry of ' : ''}withdrawal ${key} to ${this.options.channel}: ${code}: outcome unknown, left pending`);
      return 'unknown';
    }
  }

  /** Pending withdrawals created (or, with `since: 'updated_at'`, last sent) longer ago than `olderThan`. */
  private pending(olderThan: string, since: 'created_at' | 'updated_at' = 'created_at'): Promise<string[]> {
    return this.sql(
      `select idempotency_key || ' ' || amount from transactions
       where channel = :'channel' and status = 'pending' and ${since} < now() - (:'age')::interval;`,
      { age: olderThan },
    ).then((rows) => rows.split('\n').filter(Boolean));
  }

  /** The status enquiry: the bank says for each pending withdrawal whether it paid it; completed or returned. */
  async enquire(olderThan: string): Promise<number> {
    const rows = await this.pending(olderThan);
    for (const row of rows) {
      const [key] = row.split(' ');
      const res = await this.bankCall('GET', `/transfers/${key}`);
      const { executed } = (await res.json()) as { executed: boolean };
      await this.sql(`update transactions set status = :'status', updated_at = now() where idempotency_key = :'key';`, {
        key: key!,
        status: executed ? 'completed' : 'failed',
      });
    }
    return rows.length;
  }

  /**
   * The connector's automatic retry, every second while the flag is on: a withdrawal still pending 5 seconds after
   * it was sent (its answer timed out or its connection broke) is sent again.
   */
  private async retryPending(): Promise<void> {
    if (!this.options.retries()) return;
    for (const row of await this.pending('5 seconds', 'updated_at')) {
      const [key, amount] = row.split(' ');
      await this.send(key!, amount!, true);
    }
  }

  async start(): Promise<void> {
    await this.service.start();
    let busy = false;
    this.retrier = setInterval(() => {
      if (busy) return;
      busy = true;
      void this.retryPending()
        .catch((error: Error) => this.log(`ERROR automatic retry: ${error.message}`))
        .finally(() => (busy = false));
    }, 1000);
    this.retrier.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.retrier);
    await this.service.stop();
  }
}

/**
 * A partner bank reached through its channel connector, and the app's withdrawals through it: what the bank
 * scenarios of the network runbook add to the demo wallet.
 */
export class BankChannel {
  readonly bank = new PartnerBank();
  readonly connector: ChannelConnector;
  readonly traffic: Traffic;

  constructor(
    readonly channel: string,
    options: { db: string; logFile: string; seed: number; active: () => boolean; retries: () => boolean },
  ) {
    this.connector = new ChannelConnector({ channel, bank: this.bank, ...options });
    this.traffic = new Traffic('', seeded(options.seed + 1), 250, 'wd');
  }

  get ports(): number[] {
    return [this.bank.service.port, this.connector.service.port];
  }

  get healthUrl(): string {
    return `${this.connector.service.url}/channels/${this.channel}/health`;
  }

  async start(): Promise<void> {
    await this.bank.service.start();
    await this.connector.start();
    this.traffic.apiUrl = this.connector.service.url;
    this.traffic.start();
  }

  /** Stops the withdrawals, retrying the unanswered ones a while (the channel may be paused). */
  settle(): Promise<{ unanswered: number }> {
    return this.traffic.stop();
  }

  async stop(): Promise<void> {
    await this.traffic.stop(0);
    await this.connector.stop();
    await this.bank.service.stop();
  }

  /**
   * The money of this channel at the end: every withdrawal the app was answered for is booked once; none is left
   * pending; the bank paid each completed one exactly once and none of those returned to the balance.
   */
  async money(db: string): Promise<{ ok: boolean; detail: string }> {
    const rows = await psql(
      db,
      `select idempotency_key || ' ' || status || ' ' || count(*) over (partition by idempotency_key)
       from transactions where kind = 'withdrawal' and channel = :'channel';`,
      { channel: this.channel },
    );
    // key → [status, rows booked for that key]
    const booked = new Map<string, [string, number]>();
    for (const [key, status, n] of rows
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' '))) {
      booked.set(key!, [status!, Number(n)]);
    }
    const times = (key: string) => this.bank.paid.get(key) ?? 0;
    const acknowledged = [...this.traffic.acknowledged];
    const lost = acknowledged.filter((k) => !booked.has(k));
    const doubled = [...booked].filter(([k, [, n]]) => n > 1 || times(k) > 1).map(([k]) => k);
    const pending = [...booked].filter(([, [s]]) => s === 'pending').map(([k]) => k);
    const unpaid = [...booked].filter(([k, [s]]) => s === 'completed' && times(k) === 0).map(([k]) => k);
    const paidButReturned = [...booked].filter(([k, [s]]) => s !== 'completed' && times(k) > 0).map(([k]) => k);
    const completed = [...booked].filter(([, [s]]) => s === 'completed').length;
    const ok = !lost.length && !doubled.length && !pending.length && !unpaid.length && !paidButReturned.length;
    const detail =
      `${booked.size} withdrawals through ${this.channel}: ${completed} paid by the bank and completed, ${booked.size - completed - pending.length} ` +
      `returned to the balance; ${doubled.length} paid twice, ${paidButReturned.length} paid but returned, ${unpaid.length} completed but never paid, ` +
      `${pending.length} pending, ${lost.length} acknowledged but not booked` +
      (doubled.length ? ` (paid twice: ${doubled.slice(0, 5).join(', ')})` : '');
    return { ok, detail };
  }
}
