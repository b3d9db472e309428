import { psql } from './postgres.js';

/**
 * The demo wallet's ledger: the part of the reference schema (runbooks' header comments) that server-failure's
 * checks read. A payment is one transaction row, written once per idempotency key.
 */
export const LEDGER_SCHEMA = `
create table transactions (
  id uuid primary key default gen_random_uuid(),
  user_id bigint,
  kind text not null,
  channel text,
  amount numeric not null check (amount >= 0),
  currency text not null,
  status text not null,
  idempotency_key text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index on transactions (idempotency_key);
`;

/**
 * Books a payment once: a retry with the same key answers the first booking. The advisory lock makes two
 * concurrent retries of one key wait for each other instead of both inserting.
 */
export function bookPayment(db: string, payment: { key: string; user: number; amount: string }): Promise<string> {
  return psql(
    db,
    `begin;
select pg_advisory_xact_lock(hashtext(:'key'));
insert into transactions (user_id, kind, channel, amount, currency, status, idempotency_key)
  select :'user', 'payment', 'app', :'amount', 'EUR', 'completed', :'key'
  where not exists (select 1 from transactions where idempotency_key = :'key');
commit;
select id from transactions where idempotency_key = :'key' order by created_at limit 1;
`,
    { key: payment.key, user: String(payment.user), amount: payment.amount },
  );
}

/** How many times each key was booked, and how many movements are still pending. */
export async function ledgerFacts(db: string): Promise<{ booked: Map<string, number>; pending: number }> {
  const rows = await psql(
    db,
    `select idempotency_key || ' ' || count(*) from transactions where kind = 'payment' group by idempotency_key;`,
  );
  const booked = new Map<string, number>();
  for (const line of rows.split('\n').filter(Boolean)) {
    const [key, n] = line.split(' ');
    booked.set(key!, Number(n));
  }
  const pending = Number(await psql(db, `select count(*) from transactions where status = 'pending';`));
  return { booked, pending };
}
