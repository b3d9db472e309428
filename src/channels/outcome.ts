/** What one attempt came to; deliver() turns these into a DeliveryResult. */
export type Outcome =
  | { ok: true; status?: number; messageId?: string; detail: string }
  | {
      ok: false;
      status?: number;
      error: string;
      /** Safe to send again: nothing reached the vendor, or the vendor said "later", or sending twice is harmless. */
      retry: boolean;
      retryAfterMs?: number;
      /** The request may have reached the vendor although no answer says so. */
      maybeDelivered?: boolean;
    };

/** One kind's way to send: one attempt, and whatever it must release when the delivery ends. */
export interface Sender {
  attempt(signal: AbortSignal): Promise<Outcome>;
  close?(): void;
}
