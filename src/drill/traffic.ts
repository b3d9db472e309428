/**
 * Demo traffic: payments sent to the wallet API while the drill runs, so the checks see real failures and the
 * score can tell whether a payment was lost or booked twice. Like the app, a payment that got no answer is sent
 * again with the same idempotency key until the wallet answers.
 */
export class Traffic {
  readonly acknowledged = new Set<string>();
  private readonly unanswered: { key: string; user: number; amount: string }[] = [];
  private timer?: NodeJS.Timeout;
  private inFlight = new Set<Promise<void>>();
  private sent = 0;
  attempts = 0;
  failures = 0;

  constructor(
    public apiUrl: string,
    private readonly random: () => number,
    private readonly everyMs = 250,
    /** Keys are `<prefix>-<n>`: two traffics of one drill (payments, withdrawals) never share one. */
    private readonly prefix = 'pay',
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.everyMs);
    this.timer.unref();
  }

  private tick(): void {
    // One retry and one new payment at most per tick: a drill's traffic, not a load test.
    const retry = this.unanswered.shift();
    if (retry) this.send(retry);
    const n = ++this.sent;
    this.send({ key: `${this.prefix}-${n}`, user: 1 + Math.floor(this.random() * 50), amount: (1 + this.random() * 99).toFixed(2) });
  }

  private send(payment: { key: string; user: number; amount: string }): void {
    this.attempts++;
    const done = fetch(`${this.apiUrl}/payments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(payment),
      signal: AbortSignal.timeout(5000),
    })
      .then(async (res) => {
        await res.body?.cancel();
        if (!res.ok) throw new Error(String(res.status));
        this.acknowledged.add(payment.key);
      })
      .catch(() => {
        this.failures++;
        this.unanswered.push(payment);
      });
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }

  /** Stops sending new payments; retries the unanswered ones for up to `settleMs` (the wallet may be down). */
  async stop(settleMs = 10_000): Promise<{ unanswered: number }> {
    clearInterval(this.timer);
    const until = Date.now() + settleMs;
    await Promise.all(this.inFlight);
    while (this.unanswered.length > 0 && Date.now() < until) {
      for (const p of this.unanswered.splice(0)) this.send(p);
      await Promise.all(this.inFlight);
      if (this.unanswered.length) await new Promise((r) => setTimeout(r, 250));
    }
    return { unanswered: this.unanswered.length };
  }
}

/** A small seeded generator (mulberry32): the same --seed, the same traffic. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
