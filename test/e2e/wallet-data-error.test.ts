import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { controlPlane, runSev, type Event } from '../fixtures/wallet/harness.js';
import { TempPostgres } from '../fixtures/wallet/postgres.js';

// A real PostgreSQL (Debian's package; .ci/run installs it). Missing binaries fail this file loudly: no skip.
let pg: TempPostgres;
// The first transfer through the resumed flow arrives as soon as the admin API turns the flow back on.
let database = '';
const control = controlPlane([
  { method: 'PUT', path: '/admin/flows/transfer', when: (b) => b.enabled === true, run: () => pg.sql(database, NEW_TRANSFER) },
]);
beforeAll(async () => {
  pg = await TempPostgres.start();
  await control.start();
}, 120_000);
afterAll(async () => {
  await control.stop();
  await pg?.stop();
});

/**
 * The ledger before the incident: three customers funded from an internal float wallet, then one transfer of
 * 10.00 from user 1 to user 2 recorded twice under the same idempotency key (a duplicate debit), and user 3's
 * stored balance drifted 5.00 above the ledger.
 */
const SEED = `
insert into wallets (id, user_id, kind, currency, balance) values
  (1, 1, 'user', 'EUR', 80), (2, 2, 'user', 'EUR', 70), (3, 3, 'user', 'EUR', 35), (9, null, 'float', 'EUR', -180);
insert into transactions (id, user_id, kind, channel, amount, currency, status, idempotency_key, created_at) values
  ('00000000-0000-0000-0000-0000000000a1', 1, 'top-up', 'bank-a', 100, 'EUR', 'completed', 'top-up-1', now() - interval '3 hours'),
  ('00000000-0000-0000-0000-0000000000a2', 2, 'top-up', 'bank-a', 50, 'EUR', 'completed', 'top-up-2', now() - interval '3 hours'),
  ('00000000-0000-0000-0000-0000000000a3', 3, 'top-up', 'bank-a', 30, 'EUR', 'completed', 'top-up-3', now() - interval '3 hours'),
  ('00000000-0000-0000-0000-0000000000b1', 1, 'transfer', 'internal', 10, 'EUR', 'completed', 'transfer-k1', now() - interval '1 hour'),
  ('00000000-0000-0000-0000-0000000000b2', 1, 'transfer', 'internal', 10, 'EUR', 'completed', 'transfer-k1', now() - interval '1 hour' + interval '2 seconds');
insert into ledger_entries (txn_id, wallet_id, amount) values
  ('00000000-0000-0000-0000-0000000000a1', 9, -100), ('00000000-0000-0000-0000-0000000000a1', 1, 100),
  ('00000000-0000-0000-0000-0000000000a2', 9, -50), ('00000000-0000-0000-0000-0000000000a2', 2, 50),
  ('00000000-0000-0000-0000-0000000000a3', 9, -30), ('00000000-0000-0000-0000-0000000000a3', 3, 30),
  ('00000000-0000-0000-0000-0000000000b1', 1, -10), ('00000000-0000-0000-0000-0000000000b1', 2, 10),
  ('00000000-0000-0000-0000-0000000000b2', 1, -10), ('00000000-0000-0000-0000-0000000000b2', 2, 10);
`;

/** A correct transfer through the resumed flow: what the last wait needs to see. */
const NEW_TRANSFER = `
with t as (insert into transactions (user_id, kind, channel, amount, currency, status, idempotency_key)
           values (1, 'transfer', 'internal', 5, 'EUR', 'completed', 'transfer-k3') returning id)
insert into ledger_entries (txn_id, wallet_id, amount) select id, 1, -5 from t union all select id, 2, 5 from t;
update wallets set balance = balance - 5 where id = 1;
update wallets set balance = balance + 5 where id = 2;
`;

const checkStatus = (events: Event[], step: string, check: string) =>
  events.filter((e) => e.type === 'check.result' && e.data.step === step && e.data.check === check).map((e) => e.data.status);

describe('data-error, end to end against a real PostgreSQL', () => {
  it.each([
    ['data-error.yaml', 'data-error', 'wallet_data_error'],
    ['data-error.zh-CN.yaml', join(ROOT, 'runbooks/data-error.zh-CN.yaml'), 'wallet_data_error_zh'],
  ])('%s finds the duplicate debit and the drifted balance, corrects them with compensating entries only, and reconciles', async (_name, runbook, db) => {
    control.requests.length = 0;
    database = db;
    const dbUrl = await pg.createDatabase(database);
    await pg.sql(database, SEED);
    const ledgerBefore = await pg.sql(database, "select string_agg(id || ':' || txn_id || ':' || wallet_id || ':' || amount, ',' order by id) from ledger_entries");

    const dir = tempDir();
    const snapshots = join(dir, 'snapshots');
    mkdirSync(snapshots);
    const answers = join(dir, 'answers.yaml');
    writeFileSync(
      answers,
      `responder: drill
inputs:
  affected_flow: transfer
  lookback: 24 hours
  db_url: ${dbUrl}
  db_password: ""
  admin_url: ${control.url}/admin
  snapshot_dir: ${snapshots}
steps:
  impact-start: 2026-11-26T02:00Z
  confirmed: yes
  declare: sev2
  stop-flows: yes
  snapshot: yes
  hold-wallets: yes
  notify-users: yes
  brief-care: yes
  which-error: [duplicates, balance-drift]
  propose-duplicates: yes
  approver: Bo Approver
  post-corrections: yes
  recompute-balances: yes
  update-users: yes
  cause-fixed: yes
  resume-flow: yes
  release-holds: yes
  resolve-users: yes
  handoff: yes
  postmortem: done
`,
    );
    const r = await runSev(['run', runbook, '--answers', answers], { cwd: dir, incidents: join(dir, 'incidents') });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.events.at(-1)).toMatchObject({ type: 'incident.closed', data: { outcome: 'completed' } });

    // The reconciliation queries found the mismatch at the start…
    expect(checkStatus(r.events, 'confirm-mismatch', 'duplicate-transactions')).toEqual(['CRITICAL']);
    expect(checkStatus(r.events, 'confirm-mismatch', 'balances-match-ledger')).toEqual(['CRITICAL']);
    const first = r.events.find((e) => e.type === 'check.result' && e.data.check === 'duplicate-transactions');
    expect(first?.data.stdout).toMatch(/^1 duplicate transaction/);
    for (const check of ['ledger-balanced', 'wrong-amounts', 'negative-balances', 'missing-entries']) {
      expect(checkStatus(r.events, 'confirm-mismatch', check), check).toEqual(['OK']);
    }
    // …reconciliation failed while the drift was left, and passed after both corrections.
    expect(checkStatus(r.events, 'reconcile', 'duplicate-transactions')).toEqual(['OK', 'OK']);
    expect(checkStatus(r.events, 'reconcile', 'balances-match-ledger')).toEqual(['CRITICAL', 'OK']);
    expect(r.events.filter((e) => e.type === 'step.answered' && e.data.step === 'which-error').map((e) => e.data.answer)).toEqual([
      expect.stringMatching(/^(Duplicate transactions|重复交易)/),
      expect.stringMatching(/^(Only stored balances differ|只有存储的余额)/),
    ]);
    expect(r.events.filter((e) => e.type === 'milestone').map((e) => e.data.milestone)).toEqual(['impact-started', 'detected', 'acknowledged', 'mitigated', 'resolved']);
    expect(r.events.find((e) => e.type === 'wait.finished' && e.data.step === 'verify-flow')?.data.passed).toBe(true);

    // The same reconciliation queries, run now through sev check, find nothing.
    const check = await runSev(['check', 'data-error', '--answers', answers, '--json'], { cwd: dir, incidents: join(dir, 'incidents') });
    const results = (JSON.parse(check.stdout) as { results: { check: string; status: string }[] }).results;
    for (const name of ['balances-match-ledger', 'ledger-balanced', 'duplicate-transactions', 'wrong-amounts', 'negative-balances', 'missing-entries', 'flow-healthy']) {
      expect(results.find((x) => x.check === name)?.status, name).toBe('OK');
    }

    // Never a ledger row updated or deleted: every original entry is still there, unchanged.
    const ledgerAfter = await pg.sql(database, "select string_agg(id || ':' || txn_id || ':' || wallet_id || ':' || amount, ',' order by id) from ledger_entries where id <= 10");
    expect(ledgerAfter).toBe(ledgerBefore);
    // The duplicate is reversed by a compensating transaction whose entries point at the originals.
    expect(await pg.sql(database, "select string_agg(e.wallet_id || ':' || e.amount || ':' || r.txn_id, ',' order by e.wallet_id) from ledger_entries e join ledger_entries r on r.id = e.reverses_entry_id")).toBe(
      '1:10:00000000-0000-0000-0000-0000000000b2,2:-10:00000000-0000-0000-0000-0000000000b2',
    );
    expect(await pg.sql(database, "select approved_by from ledger_corrections where posted_at is not null")).toBe('Bo Approver');
    expect(await pg.sql(database, "select string_agg(id || '=' || balance, ' ' order by id) from wallets")).toBe('1=85 2=65 3=30 9=-180');
    expect(await pg.sql(database, 'select count(*) from wallet_holds where released_at is null')).toBe('0');
    expect(control.requests.filter((q) => q.method === 'PUT' && q.path === '/admin/flows/transfer').map((q) => JSON.parse(q.body).enabled)).toEqual([false, true]);

    // The snapshot was taken before anything changed, and the affected users are listed for customer care.
    const files = readdirSync(snapshots);
    expect(files.some((f) => f.endsWith('.dump'))).toBe(true);
    expect(files.some((f) => f.endsWith('.dump.sha256'))).toBe(true);
    const affected = files.find((f) => f.endsWith('-affected-users.csv'));
    expect(affected).toBeDefined();
    const users = readFileSync(join(snapshots, affected!), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    expect([...new Set(users)].sort()).toEqual(['1', '2', '3']);
    expect(existsSync(join(snapshots, files.find((f) => f.endsWith('-corrections.csv'))!))).toBe(true);
  }, 240_000);
});
