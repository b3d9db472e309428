import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aStringContaining, aStringMatching, parseJson, ROOT, tempDir } from '../helpers.js';
import { controlPlane, runSev, type Event } from '../fixtures/wallet/harness.js';
import { TempPostgres } from '../fixtures/wallet/postgres.js';

// A real PostgreSQL (Debian's package; .ci/run installs it). Missing binaries fail this file loudly: no skip.
let pg: TempPostgres;
// The first transfer through the resumed flow arrives as soon as the admin API turns the flow back on.
let database = '';
let resumedTransfer = '';
const control = controlPlane([
  { method: 'PUT', path: '/admin/flows/transfer', when: (b) => b.enabled === true, run: () => pg.sql(database, resumedTransfer) },
]);
beforeAll(async () => {
  pg = await TempPostgres.start();
  await control.start();
}, 120_000);
afterAll(async () => {
  await control.stop();
  await pg?.stop();
});

const ROLES = join(ROOT, 'test/fixtures/wallet/roles.sql');
const POST = join(ROOT, 'test/fixtures/wallet/post-corrections.sql');
const id = (n: string) => `00000000-0000-0000-0000-${n.padStart(12, '0')}`;

/**
 * The ledger before the incident, adversarial on purpose. Customers funded from an internal float (wallet 9),
 * then, all within the last hours:
 * - b2 repeats user 1's transfer b1 to user 2 (same user, kind, amount and key): a duplicate;
 *   b3 is user 8's own, legitimate transfer that reuses the same key: not a duplicate;
 * - f3 repeats user 5's payment f2 to the merchant (wallet 50): a double debit that credited the merchant;
 * - f1: user 4 paid the merchant 10, but 100 moved: a wrong amount;
 * - d2 repeats user 7's transfer d1 to user 6, who has already withdrawn all of it (w1): reversing it would take
 *   wallet 6 below zero;
 * - user 3's stored balance drifted 5.00 above the ledger;
 * - a second incident, OTHER-INC, runs at the same time: it paused withdrawals, holds wallets 20 and 22, and has
 *   its own unposted proposals (the wrong amount c1, wallet 20's drifted balance). None of it is ours to touch.
 */
const SEED = `
insert into wallets (id, user_id, kind, currency, balance) values
  (1, 1, 'user', 'EUR', 80), (2, 2, 'user', 'EUR', 80), (3, 3, 'user', 'EUR', 35), (4, 4, 'user', 'EUR', 100),
  (5, 5, 'user', 'EUR', 140), (6, 6, 'user', 'EUR', 0), (7, 7, 'user', 'EUR', 20), (8, 8, 'user', 'EUR', 90),
  (50, 50, 'merchant', 'EUR', 160), (20, 20, 'user', 'EUR', 47), (21, 21, 'user', 'EUR', 50), (22, 22, 'user', 'EUR', 50),
  (9, null, 'float', 'EUR', -840);
insert into transactions (id, user_id, kind, channel, amount, currency, status, idempotency_key, created_at) values
  ('${id('a1')}', 1, 'top-up', 'bank-a', 100, 'EUR', 'completed', 'top-up-1', now() - interval '3 hours'),
  ('${id('a2')}', 2, 'top-up', 'bank-a', 50, 'EUR', 'completed', 'top-up-2', now() - interval '3 hours'),
  ('${id('a3')}', 3, 'top-up', 'bank-a', 30, 'EUR', 'completed', 'top-up-3', now() - interval '3 hours'),
  ('${id('a4')}', 4, 'top-up', 'bank-a', 200, 'EUR', 'completed', 'top-up-4', now() - interval '3 hours'),
  ('${id('a5')}', 5, 'top-up', 'bank-a', 200, 'EUR', 'completed', 'top-up-5', now() - interval '3 hours'),
  ('${id('a7')}', 7, 'top-up', 'bank-a', 100, 'EUR', 'completed', 'top-up-7', now() - interval '3 hours'),
  ('${id('a8')}', 8, 'top-up', 'bank-a', 100, 'EUR', 'completed', 'top-up-8', now() - interval '3 hours'),
  ('${id('a20')}', 20, 'top-up', 'bank-a', 40, 'EUR', 'completed', 'top-up-20', now() - interval '3 hours'),
  ('${id('a21')}', 21, 'top-up', 'bank-a', 100, 'EUR', 'completed', 'top-up-21', now() - interval '3 hours'),
  ('${id('b1')}', 1, 'transfer', 'internal', 10, 'EUR', 'completed', 'transfer-k1', now() - interval '1 hour'),
  ('${id('b2')}', 1, 'transfer', 'internal', 10, 'EUR', 'completed', 'transfer-k1', now() - interval '1 hour' + interval '2 seconds'),
  ('${id('b3')}', 8, 'transfer', 'internal', 10, 'EUR', 'completed', 'transfer-k1', now() - interval '50 minutes'),
  ('${id('f1')}', 4, 'payment', 'internal', 10, 'EUR', 'completed', 'pay-k4', now() - interval '45 minutes'),
  ('${id('f2')}', 5, 'payment', 'internal', 30, 'EUR', 'completed', 'pay-k5', now() - interval '40 minutes'),
  ('${id('f3')}', 5, 'payment', 'internal', 30, 'EUR', 'completed', 'pay-k5', now() - interval '40 minutes' + interval '1 second'),
  ('${id('d1')}', 7, 'transfer', 'internal', 40, 'EUR', 'completed', 'transfer-k7', now() - interval '30 minutes'),
  ('${id('d2')}', 7, 'transfer', 'internal', 40, 'EUR', 'completed', 'transfer-k7', now() - interval '30 minutes' + interval '1 second'),
  ('${id('e1')}', 6, 'withdrawal', 'bank-a', 80, 'EUR', 'completed', 'withdrawal-6', now() - interval '20 minutes'),
  ('${id('c1')}', 21, 'transfer', 'internal', 5, 'EUR', 'completed', 'transfer-k21', now() - interval '2 hours');
insert into ledger_entries (txn_id, wallet_id, amount) values
  ('${id('a1')}', 9, -100), ('${id('a1')}', 1, 100), ('${id('a2')}', 9, -50), ('${id('a2')}', 2, 50),
  ('${id('a3')}', 9, -30), ('${id('a3')}', 3, 30), ('${id('a4')}', 9, -200), ('${id('a4')}', 4, 200),
  ('${id('a5')}', 9, -200), ('${id('a5')}', 5, 200), ('${id('a7')}', 9, -100), ('${id('a7')}', 7, 100),
  ('${id('a8')}', 9, -100), ('${id('a8')}', 8, 100), ('${id('a20')}', 9, -40), ('${id('a20')}', 20, 40),
  ('${id('a21')}', 9, -100), ('${id('a21')}', 21, 100),
  ('${id('b1')}', 1, -10), ('${id('b1')}', 2, 10), ('${id('b2')}', 1, -10), ('${id('b2')}', 2, 10),
  ('${id('b3')}', 8, -10), ('${id('b3')}', 2, 10),
  ('${id('f1')}', 4, -100), ('${id('f1')}', 50, 100),
  ('${id('f2')}', 5, -30), ('${id('f2')}', 50, 30), ('${id('f3')}', 5, -30), ('${id('f3')}', 50, 30),
  ('${id('d1')}', 7, -40), ('${id('d1')}', 6, 40), ('${id('d2')}', 7, -40), ('${id('d2')}', 6, 40),
  ('${id('e1')}', 6, -80), ('${id('e1')}', 9, 80),
  ('${id('c1')}', 21, -50), ('${id('c1')}', 22, 50);
insert into ledger_corrections (incident, txn_id, reason, proposed_by, correct_amount) values
  ('OTHER-INC', '${id('c1')}', 'wrong amount, proposed by the other incident', 'wallet_oncall', 5);
insert into balance_corrections (incident, wallet_id, old_balance, new_balance, proposed_by) values
  ('OTHER-INC', 20, 47, 40, 'wallet_oncall');
insert into wallet_holds (wallet_id, reason) values (20, 'incident OTHER-INC'), (22, 'incident OTHER-INC');
`;

/** A correct transfer through the resumed flow: what the last wait needs to see. */
const GOOD_TRANSFER = `
with t as (insert into transactions (user_id, kind, channel, amount, currency, status, idempotency_key)
           values (1, 'transfer', 'internal', 5, 'EUR', 'completed', 'transfer-k9') returning id)
insert into ledger_entries (txn_id, wallet_id, amount) select id, 1, -5 from t union all select id, 2, 5 from t;
update wallets set balance = balance - 5 where id = 1;
update wallets set balance = balance + 5 where id = 2;
`;

const checkStatus = (events: Event[], step: string, check: string) =>
  events.filter((e) => e.type === 'check.result' && e.data.step === step && e.data.check === check).map((e) => e.data.status);

async function database_(name: string): Promise<string> {
  database = name;
  await pg.createDatabase(name);
  await pg.sql(name, readFileSync(ROLES, 'utf8'));
  await pg.sql(name, readFileSync(POST, 'utf8'));
  return name;
}

const roleUrl = (role: string) => pg.url(database).replace('postgres@', `${role}@`);

function answersFile(
  dir: string,
  name: string,
  options: { snapshots: string; steps: string; approverRole?: string; flow?: string },
): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `responder: drill
inputs:
  affected_flow: ${options.flow ?? 'transfer'}
  lookback: 24 hours
  db_url: ${roleUrl('wallet_oncall')}
  db_password: ""
  approver_db_url: ${roleUrl(options.approverRole ?? 'wallet_approver')}
  approver_db_password: ""
  admin_url: ${control.url}/admin
  snapshot_dir: ${options.snapshots}
  records_dir: ${join(dir, 'records')}
steps:
${options.steps}`,
  );
  return path;
}

const digests = (events: Event[]) =>
  events
    .filter((e) => e.type === 'command.finished' && e.data.step === 'review-corrections')
    .map((e) => /approval digest: ([0-9a-f]{32})/.exec(String(e.data.stdout))?.[1]);

interface WalkOptions {
  approverRole?: string;
  /** The affected_flow input (transfer unless given). */
  flow?: string;
  /** Answers that replace the usual ones, by step id. */
  answers?: Record<string, string>;
  /** Called before each resume, once the approver has read the digest: what happens between review and post. */
  between?: (incident: string) => Promise<unknown>;
}

/**
 * Walks the whole runbook as the on-call with an answers file. Each time it reaches the approval, it pauses; the
 * approver reads the digest the review printed (from the log, as they read it on the screen), and the run is
 * resumed with that digest, until the incident is closed, stopped, or paused elsewhere.
 */
async function walk(runbook: string, dir: string, snapshots: string, kinds: string[], options: WalkOptions = {}) {
  const incidents = join(dir, 'incidents');
  const steps = (approve: string, remaining: string[]) =>
    Object.entries({
      'impact-start': '2026-11-26T02:00Z',
      confirmed: 'yes',
      declare: 'sev2',
      ...INCIDENT_ROLES,
      'stop-flows': 'yes',
      snapshot: 'yes',
      'hold-wallets': 'yes',
      'notify-users': 'yes',
      'brief-care': 'yes',
      'notify-regulators':
        '{ facts: { interruption: 45m, transactions_affected: 3, records_leaked: 0, customers_exposed: 0, personal_data: no, ' +
        'eu_entity: no, eu_residents: no, dora_major: no, clients_financial_interests: no, card_data: no } }',
      'which-error': `[${remaining.join(', ')}]`,
      'propose-duplicates': 'yes',
      'propose-wrong-amounts': 'yes',
      'recompute-balances': 'yes',
      'set-aside': 'yes',
      'approve-corrections': approve,
      'post-corrections': '{ answer: yes, on_fail: stop }',
      'update-users': 'yes',
      'cause-fixed': 'yes',
      'resume-flow': 'yes',
      'release-holds': 'yes',
      'resolve-users': 'yes',
      handoff: 'yes',
      postmortem: 'done',
      ...options.answers,
    })
      .map(([step, answer]) => `  ${step}: ${answer}\n`)
      .join('');
  const file = (n: number, approve: string, remaining: string[]) =>
    answersFile(dir, `answers-${n}.yaml`, {
      snapshots,
      steps: steps(approve, remaining),
      approverRole: options.approverRole,
      flow: options.flow,
    });
  let r = await runSev(['run', runbook, '--answers', file(0, '{ pause: yes }', kinds)], { cwd: dir, incidents });
  if (!r.events[0]) throw new Error(`the run wrote no log: ${r.stderr}`);
  const incident = String((r.events[0] as Event & { incident: string }).incident);
  const pausedForApproval = () => r.events.at(-1)?.type === 'incident.paused' && r.events.at(-1)?.data.step === 'approve-corrections';
  for (let n = 1; n <= kinds.length + 1 && r.code === 0 && pausedForApproval(); n++) {
    const digest = digests(r.events).at(-1);
    const used = r.events.filter((e) => e.type === 'step.answered' && e.data.step === 'which-error').length;
    await options.between?.(incident);
    r = await runSev(['resume', incident, '--answers', file(n, `[${digest}, { pause: yes }]`, kinds.slice(used))], { cwd: dir, incidents });
  }
  return { ...r, incident, answers: join(dir, 'answers-0.yaml') };
}

const q = (sql: string) => pg.sql(database, sql);

/** The answers naming the incident's roles, and keeping the incident commander when a hand-over is offered. */
const INCIDENT_ROLES = {
  'incident-commander': 'Ana Silva',
  'comms-lead': 'Bo Chen',
  'ops-lead': 'Cy Diaz',
  'post-roles': 'yes',
  'ic-handoff': 'stay',
};

describe('data-error, end to end against a real PostgreSQL seeded with adversarial data', () => {
  it.each([
    ['data-error.yaml', 'data-error', 'wallet_data_error'],
    ['data-error.zh-CN.yaml', join(ROOT, 'runbooks/data-error.zh-CN.yaml'), 'wallet_data_error_zh'],
  ])(
    '%s corrects exactly the wrong money, under a second role and a digest of the reviewed set, and touches nothing else',
    async (_name, runbook, db) => {
      control.requests.length = 0;
      control.state.clear(); // a run stopped part-way leaves its pause behind
      resumedTransfer = GOOD_TRANSFER;
      await database_(db);
      await q(SEED);
      const ledgerBefore = await q(
        "select string_agg(id || ':' || txn_id || ':' || wallet_id || ':' || amount, ',' order by id) from ledger_entries",
      );
      const otherBefore = await q(
        "select string_agg(w.id || '=' || w.balance, ' ' order by w.id) from wallets w where w.id in (8, 20, 21, 22)",
      );

      const dir = tempDir();
      const snapshots = join(dir, 'snapshots');
      mkdirSync(snapshots);
      const r = await walk(runbook, dir, snapshots, ['duplicates', 'wrong-amounts', 'balance-drift']);
      expect(digests(r.events), r.stderr).toHaveLength(3);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.events.at(-1)).toMatchObject({ type: 'incident.closed', data: { outcome: 'completed' } });
      // The Chinese run walks data-error.yaml itself, with the translation's texts over it.
      const zh = _name.includes('zh-CN');
      expect(r.events[0]!.data.runbook).toMatchObject({
        id: 'data-error',
        file: aStringMatching(/\/data-error\.yaml$/),
        ...(zh ? { translation: { lang: 'zh-CN', file: join(ROOT, 'runbooks/data-error.zh-CN.yaml') } } : {}),
      });
      expect(r.events.find((e) => e.type === 'step.started' && e.data.step === 'hold-wallets')!.data.title).toEqual(
        zh ? '对多入账的钱包止付（只进不出）' : expect.not.stringMatching(/止付/),
      );
      // Three transactions wrong for 45 minutes: no shipped rule makes it reportable, and nothing is filed.
      const assessed = r.events.filter((e) => e.type === 'regulator.assessed');
      expect(assessed.map((e) => e.data.step)).toEqual(['notify-regulators']);
      expect((assessed[0]!.data.notifications as { applies: boolean }[]).filter((n) => n.applies)).toEqual([]);
      expect(r.events.filter((e) => e.type === 'regulator.filed' || e.type === 'regulator.pending')).toEqual([]);

      // The reconciliation queries found the problems at the start: two duplicates (not user 8's payment), and d2.
      const first = r.events.find((e) => e.type === 'check.result' && e.data.check === 'duplicate-transactions');
      expect(first?.data.stdout).toMatch(/^3 duplicate transaction/);
      expect(checkStatus(r.events, 'confirm-mismatch', 'wrong-amounts')).toEqual(['CRITICAL']);
      expect(checkStatus(r.events, 'confirm-mismatch', 'balances-match-ledger')).toEqual(['CRITICAL']);
      // …and passed once all three kinds were corrected (d2 is with finance, the other incident's are its own).
      expect(checkStatus(r.events, 'reconcile', 'balances-match-ledger')).toEqual(['CRITICAL', 'CRITICAL', 'OK']);
      expect(checkStatus(r.events, 'reconcile', 'wrong-amounts')).toEqual(['CRITICAL', 'OK', 'OK']);
      expect(checkStatus(r.events, 'reconcile', 'duplicate-transactions')).toEqual(['OK', 'OK', 'OK']);
      expect(r.events.filter((e) => e.type === 'milestone').map((e) => e.data.milestone)).toEqual([
        'impact-started',
        'detected',
        'acknowledged',
        'mitigated',
        'resolved',
      ]);
      expect(r.events.find((e) => e.type === 'wait.finished' && e.data.step === 'verify-flow')?.data.passed).toBe(true);

      // Never a ledger row updated or deleted.
      expect(
        await q(
          `select string_agg(id || ':' || txn_id || ':' || wallet_id || ':' || amount, ',' order by id)
           from ledger_entries where id <= ${ledgerBefore.split(',').length}`,
        ),
      ).toBe(ledgerBefore);
      // Exactly these corrections: b2 and f3 reversed in full, f1 corrected by the difference (90 back to user 4).
      expect(
        await q(`select string_agg(o.txn_id || ' ' || e.wallet_id || ' ' || e.amount, ', ' order by o.txn_id, e.wallet_id)
               from ledger_entries e join ledger_entries o on o.id = e.reverses_entry_id`),
      ).toBe(`${id('b2')} 1 10, ${id('b2')} 2 -10, ${id('f1')} 4 90, ${id('f1')} 50 -90, ${id('f3')} 5 30, ${id('f3')} 50 -30`);
      expect(
        await q(
          "select count(*) from ledger_entries where reverses_entry_id is null and txn_id in (select id from transactions where kind = 'reversal')",
        ),
      ).toBe('0');
      // Every transaction's entries sum to zero.
      expect(await q('select count(*) from (select txn_id from ledger_entries group by txn_id having sum(amount) <> 0) x')).toBe('0');
      // Who proposed and who posted, and what stays with finance.
      expect(
        await q(
          `select string_agg(txn_id || ' ' || status || ' ' || proposed_by || ' ' || coalesce(approved_by, '-'), ', ' order by txn_id)
           from ledger_corrections where incident <> 'OTHER-INC'`,
        ),
      ).toBe(
        [
          `${id('b2')} posted wallet_oncall wallet_approver`,
          `${id('d2')} handed-to-finance wallet_oncall -`,
          `${id('f1')} posted wallet_oncall wallet_approver`,
          `${id('f3')} posted wallet_oncall wallet_approver`,
        ].join(', '),
      );
      expect(
        await q(
          `select string_agg(wallet_id || ' ' || old_balance || '>' || new_balance || ' ' || status || ' ' || approved_by, ', ')
           from balance_corrections where incident <> 'OTHER-INC'`,
        ),
      ).toBe('3 35>30 posted wallet_approver');
      // Balances: the ledger for every wallet of this incident; wallet 20 (the other incident's drift) untouched.
      expect(await q("select string_agg(id || '=' || balance, ' ' order by id) from wallets")).toBe(
        '1=85 2=75 3=30 4=190 5=170 6=0 7=20 8=90 9=-840 20=47 21=50 22=50 50=40',
      );
      expect(
        await q(
          `select string_agg(w.id::text, ' ' order by w.id) from wallets w
           where w.balance <> (select coalesce(sum(amount), 0) from ledger_entries e where e.wallet_id = w.id)`,
        ),
      ).toBe('20');
      expect(await q("select string_agg(w.id || '=' || w.balance, ' ' order by w.id) from wallets w where w.id in (8, 20, 21, 22)")).toBe(
        otherBefore,
      );
      // Holds: the merchant was held too; released once corrected, except wallet 6 (with finance); the other
      // incident's holds and proposals are as they were.
      expect(
        await q(
          "select string_agg(wallet_id || ' ' || (released_at is not null), ', ' order by wallet_id) from wallet_holds where reason <> 'incident OTHER-INC'",
        ),
      ).toBe('2 true, 3 true, 6 false, 50 true');
      expect(
        await q(
          "select string_agg(wallet_id || ' ' || (released_at is null), ', ' order by wallet_id) from wallet_holds where reason = 'incident OTHER-INC'",
        ),
      ).toBe('20 true, 22 true');
      expect(await q("select status || ' ' || (approved_by is null) from ledger_corrections where incident = 'OTHER-INC'")).toBe(
        'proposed true',
      );
      expect(await q("select status || ' ' || (approved_by is null) from balance_corrections where incident = 'OTHER-INC'")).toBe(
        'proposed true',
      );
      // Only the transfer flow was paused and resumed; the other incident's paused withdrawals were left alone.
      expect(
        control.requests.filter((x) => x.method === 'PUT').map((x) => `${x.path} ${parseJson<{ enabled: boolean }>(x.body).enabled}`),
      ).toEqual(['/admin/flows/transfer false', '/admin/flows/transfer true']);

      // The review showed each duplicate next to its original, and printed the digest the approver typed.
      const reviews = r.events
        .filter((e) => e.type === 'command.finished' && e.data.step === 'review-corrections')
        .map((e) => String(e.data.stdout));
      expect(reviews).toHaveLength(3);
      expect(reviews[0]).toContain(id('b1'));
      expect(reviews[0]).toContain(id('f2'));
      expect(digests(r.events).every(Boolean)).toBe(true);

      // The same reconciliation queries, run now through sev check, find nothing.
      const check = await runSev(['check', 'data-error', '--answers', r.answers, '--json'], {
        cwd: dir,
        incidents: join(dir, 'incidents'),
      });
      const results = (JSON.parse(check.stdout) as { results: { check: string; status: string }[] }).results;
      for (const name of [
        'balances-match-ledger',
        'ledger-balanced',
        'duplicate-transactions',
        'wrong-amounts',
        'negative-balances',
        'missing-entries',
        'flow-healthy',
      ]) {
        expect(results.find((x) => x.check === name)?.status, name).toBe('OK');
      }

      // The snapshot was taken before anything changed, and the affected users are listed for customer care.
      const files = readdirSync(snapshots);
      expect(files.some((f) => f.endsWith('.dump'))).toBe(true);
      expect(files.some((f) => f.endsWith('.dump.sha256'))).toBe(true);
      const affected = files.find((f) => f.endsWith('-affected-users.csv'));
      expect(affected).toBeDefined();
      const users = readFileSync(join(snapshots, affected!), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[0]);
      expect([...new Set(users)].sort()).toEqual(['1', '2', '3', '4', '5', '6', '7']);
      expect(
        existsSync(
          join(
            snapshots,
            files.find((f) => f.endsWith('-corrections.csv'))!,
          ),
        ),
      ).toBe(true);
    },
    300_000,
  );
});

/** One duplicate debit (b2 repeats user 1's transfer b1 to user 2) and user 8's legitimate transfer b3. */
const SMALL_SEED = `
insert into wallets (id, user_id, kind, currency, balance) values
  (1, 1, 'user', 'EUR', 80), (2, 2, 'user', 'EUR', 80), (8, 8, 'user', 'EUR', 90), (9, null, 'float', 'EUR', -250);
insert into transactions (id, user_id, kind, channel, amount, currency, status, idempotency_key, created_at) values
  ('${id('a1')}', 1, 'top-up', 'bank-a', 100, 'EUR', 'completed', 'top-up-1', now() - interval '3 hours'),
  ('${id('a2')}', 2, 'top-up', 'bank-a', 50, 'EUR', 'completed', 'top-up-2', now() - interval '3 hours'),
  ('${id('a8')}', 8, 'top-up', 'bank-a', 100, 'EUR', 'completed', 'top-up-8', now() - interval '3 hours'),
  ('${id('b1')}', 1, 'transfer', 'internal', 10, 'EUR', 'completed', 'transfer-k1', now() - interval '1 hour'),
  ('${id('b2')}', 1, 'transfer', 'internal', 10, 'EUR', 'completed', 'transfer-k1', now() - interval '1 hour' + interval '2 seconds'),
  ('${id('b3')}', 8, 'transfer', 'internal', 10, 'EUR', 'completed', 'transfer-k1', now() - interval '50 minutes');
insert into ledger_entries (txn_id, wallet_id, amount) values
  ('${id('a1')}', 9, -100), ('${id('a1')}', 1, 100), ('${id('a2')}', 9, -50), ('${id('a2')}', 2, 50),
  ('${id('a8')}', 9, -100), ('${id('a8')}', 8, 100),
  ('${id('b1')}', 1, -10), ('${id('b1')}', 2, 10), ('${id('b2')}', 1, -10), ('${id('b2')}', 2, 10),
  ('${id('b3')}', 8, -10), ('${id('b3')}', 2, 10);
`;

describe('data-error posts nothing unless the approver approved exactly this set under their own role', () => {
  it.each([
    {
      name: 'a proposal added after the review',
      db: 'wallet_de_tampered',
      approverRole: 'wallet_approver',
      between: (incident: string) =>
        q(
          `insert into ledger_corrections (incident, txn_id, reason, proposed_by)
           values ('${incident}', '${id('b3')}', 'added after the review', 'wallet_oncall')`,
        ),
      refusal: /the proposals are not the reviewed set/,
    },
    {
      name: "the on-call's own role posts",
      db: 'wallet_de_oncall_posts',
      approverRole: 'wallet_oncall',
      refusal: /permission denied for function post_ledger_corrections/,
    },
    {
      // A team that lets its on-call role approve too: the function still refuses the proposer's own approval.
      name: 'the approver is the proposer',
      db: 'wallet_de_same_role',
      approverRole: 'wallet_oncall',
      setup: () => q('grant execute on function post_ledger_corrections(text, text) to wallet_oncall'),
      refusal: /role wallet_oncall proposed some of these corrections/,
    },
    {
      name: 'a wallet spent the money after the review',
      db: 'wallet_de_spent',
      approverRole: 'wallet_approver',
      between: () =>
        q(`with t as (insert into transactions (user_id, kind, channel, amount, currency, status, idempotency_key)
                                   values (2, 'withdrawal', 'bank-a', 80, 'EUR', 'completed', 'withdrawal-2') returning id)
                        insert into ledger_entries (txn_id, wallet_id, amount) select id, 2, -80 from t union all select id, 9, 80 from t;
                        update wallets set balance = balance - 80 where id = 2; update wallets set balance = balance + 80 where id = 9;`),
      refusal: /would take wallet\(s\) 2 below zero/,
    },
  ])(
    '$name',
    async ({ db, approverRole, setup, between, refusal }) => {
      control.requests.length = 0;
      control.state.clear(); // a run stopped part-way leaves its pause behind
      await database_(db);
      await q(SMALL_SEED);
      await setup?.();
      const dir = tempDir();
      const snapshots = join(dir, 'snapshots');
      mkdirSync(snapshots);
      const before = async () =>
        q(
          "select count(*) || ' ' || sum(amount) || ' ' || (select string_agg(id || '=' || balance, ' ' order by id) from wallets) from ledger_entries",
        );
      let ledger = '';
      const r = await walk('data-error', dir, snapshots, ['duplicates'], {
        approverRole,
        between: async (incident) => {
          await between?.(incident);
          ledger = await before();
        },
      });
      // The post step failed and the run stopped there, with the reason on screen and in the log.
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
      const post = r.events.filter((e) => e.type === 'command.finished' && e.data.step === 'post-corrections');
      expect(post).toHaveLength(1);
      expect(post[0]!.data.ok).toBe(false);
      expect(String(post[0]!.data.stderr)).toMatch(refusal);
      // Nothing was posted: the ledger, the balances and the proposals are as they were after the review.
      expect(await before()).toBe(ledger);
      expect(await q("select count(*) from transactions where kind = 'reversal'")).toBe('0');
      expect(await q("select string_agg(distinct status || ' ' || coalesce(approved_by, '-'), ', ') from ledger_corrections")).toBe(
        'proposed -',
      );
    },
    120_000,
  );
});

describe("data-error: the approver's role moves money only through post_ledger_corrections", () => {
  /** One statement under a login role, as psql would run it: its output, or its error. */
  const as = (role: string, sql: string) =>
    promisify(execFile)('psql', [roleUrl(role), '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql])
      .then((r) => ({ code: 0, out: r.stdout.trim() }))
      .catch((e: { code: number; stderr: string }) => ({ code: e.code, out: e.stderr.trim() }));
  const money = () =>
    q(
      `select (select count(*) from ledger_entries) || ' ' || (select count(*) from transactions) || ' ' ||
         (select string_agg(id || '=' || balance, ' ' order by id) from wallets)`,
    );
  const digestOf = async (incident: string) =>
    (await as('wallet_oncall', `select digest from ledger_corrections_digest('${incident}')`)).out;
  const post = (incident: string, digest: string) =>
    as('wallet_approver', `select corrected || ' ' || approved_by from post_ledger_corrections('${incident}', '${digest}')`);

  it('writes no ledger, balance or proposal directly, and the function posts only with the reviewed digest', async () => {
    await database_('wallet_de_direct');
    await q(SMALL_SEED);
    const before = await money();
    for (const sql of [
      'update wallets set balance = balance + 1000 where id = 2',
      "insert into transactions (user_id, kind, amount, currency, status) values (2, 'reversal', 1000, 'EUR', 'completed')",
      `insert into ledger_entries (txn_id, wallet_id, amount) values ('${id('b2')}', 2, 1000)`,
      "update ledger_corrections set status = 'posted'",
      "insert into ledger_corrections (incident, txn_id, reason) values ('X', '" + id('b2') + "', 'r')",
    ]) {
      expect(await as('wallet_approver', sql), sql).toMatchObject({ code: 1, out: aStringMatching(/permission denied for table/) });
    }
    // The on-call proposes; the approver's role posts only with the digest of exactly what was proposed.
    await as(
      'wallet_oncall',
      `insert into ledger_corrections (incident, txn_id, reason, original_txn_id) values ('INC-1', '${id('b2')}', 'duplicate', '${id('b1')}')`,
    );
    const digest = await digestOf('INC-1');
    expect(digest).toMatch(/^[0-9a-f]{32}$/);
    expect(await as('wallet_approver', `select * from post_ledger_corrections('INC-1', '${'0'.repeat(32)}')`)).toMatchObject({
      code: 1,
      out: aStringMatching(/not the reviewed set/),
    });
    expect(await as('wallet_oncall', `select * from post_ledger_corrections('INC-1', '${digest}')`)).toMatchObject({
      code: 1,
      out: aStringMatching(/permission denied for function/),
    });
    expect(await money()).toBe(before);
    const posted = await post('INC-1', digest);
    expect(posted).toEqual({ code: 0, out: `transaction ${id('b2')} wallet_approver` });
    expect(
      await q(
        "select count(*) || ' ' || sum(e.amount) from ledger_entries e join transactions t on t.id = e.txn_id where t.kind = 'reversal'",
      ),
    ).toMatch(/^[1-9]\d* 0$/);
    // A second post finds nothing proposed and moves nothing.
    const after = await money();
    expect(await as('wallet_approver', `select * from post_ledger_corrections('INC-1', '${digest}')`)).toMatchObject({
      code: 1,
      out: aStringMatching(/no proposal of incident INC-1 is waiting/),
    });
    expect(await money()).toBe(after);
  });

  it("the on-call writes only a proposal's own columns, and cannot mark one posted or name its approver", async () => {
    await database_('wallet_de_oncall_columns');
    await q(SMALL_SEED);
    await as(
      'wallet_oncall',
      `insert into ledger_corrections (incident, txn_id, reason, original_txn_id) values ('INC-1', '${id('b2')}', 'duplicate', '${id('b1')}')`,
    );
    for (const sql of [
      // A proposer field holding what looks like more digest lines, or someone else's name.
      `insert into balance_corrections (incident, wallet_id, old_balance, new_balance, proposed_by) values ('INC-1', 2, 80, 70, E'wallet_oncall\\nledger x')`,
      `insert into ledger_corrections (incident, txn_id, reason, proposed_by) values ('INC-1', '${id('b3')}', 'r', 'wallet_finance')`,
      "update ledger_corrections set approved_by = 'alice', posted_at = now()",
      "update ledger_corrections set proposed_by = 'wallet_finance'",
    ]) {
      expect(await as('wallet_oncall', sql), sql).toMatchObject({ code: 1, out: aStringMatching(/permission denied for table/) });
    }
    expect(await as('wallet_oncall', "update ledger_corrections set status = 'posted'")).toMatchObject({
      code: 1,
      out: aStringMatching(/a proposed correction cannot become posted/),
    });
    expect(await as('wallet_oncall', "update ledger_corrections set status = 'handed-to-finance'")).toMatchObject({ code: 0 });
    expect(await as('wallet_oncall', "update ledger_corrections set status = 'proposed'")).toMatchObject({
      code: 1,
      out: aStringMatching(/a handed-to-finance correction cannot become proposed/),
    });
    expect(await q("select status || ' ' || proposed_by || ' ' || coalesce(approved_by, '-') from ledger_corrections")).toBe(
      'handed-to-finance wallet_oncall -',
    );
  });

  it('a proposal added after the review, even one with no ledger entries, changes the digest; one reviewed with none posts nothing', async () => {
    await database_('wallet_de_no_legs');
    await q(SMALL_SEED);
    await q(
      `insert into transactions (id, user_id, kind, amount, currency, status) values ('${id('e1')}', 1, 'payment', 10, 'EUR', 'failed')`,
    );
    await as(
      'wallet_oncall',
      `insert into ledger_corrections (incident, txn_id, reason, original_txn_id) values ('INC-1', '${id('b2')}', 'duplicate', '${id('b1')}')`,
    );
    const reviewed = await digestOf('INC-1');
    await as(
      'wallet_oncall',
      `insert into ledger_corrections (incident, txn_id, reason) values ('INC-1', '${id('e1')}', 'added after the review')`,
    );
    const now = await digestOf('INC-1');
    expect(now).not.toBe(reviewed);
    const before = await money();
    expect(await post('INC-1', reviewed)).toMatchObject({ code: 1, out: aStringMatching(/not the reviewed set/) });
    expect(await post('INC-1', now)).toMatchObject({
      code: 1,
      out: aStringContaining(`transaction(s) ${id('e1')} have no ledger entries to correct`),
    });
    expect(await money()).toBe(before);
    expect(await q("select string_agg(distinct status, ',') from ledger_corrections")).toBe('proposed');
  });

  it('a wrong amount whose difference splits into fractions of a cent is set aside for finance, and the function refuses to post it', async () => {
    await database_('wallet_de_cents');
    await q(SMALL_SEED);
    // A payment of 10 that moved 30: 20 to the merchant, 10 to the fee account. A third of the difference each way is not whole cents.
    await q(`insert into wallets (id, user_id, kind, currency, balance) values (30, 30, 'merchant', 'EUR', 20), (31, null, 'fee', 'EUR', 10);
             insert into transactions (id, user_id, kind, amount, currency, status) values ('${id('f9')}', 1, 'payment', 10, 'EUR', 'completed');
             insert into ledger_entries (txn_id, wallet_id, amount) values ('${id('f9')}', 1, -30), ('${id('f9')}', 30, 20), ('${id('f9')}', 31, 10);
             update wallets set balance = balance - 30 where id = 1;`);
    await as(
      'wallet_oncall',
      `insert into ledger_corrections (incident, txn_id, reason, correct_amount) values ('INC-1', '${id('f9')}', 'moved 30, says 10', 10)`,
    );
    expect(
      await as('wallet_oncall', `select string_agg(amount::text, ' ' order by wallet_id) from ledger_correction_legs('INC-1')`),
    ).toEqual({ code: 0, out: '20 -13.3333333333333333 -6.6666666666666667' });
    const before = await money();
    expect(await post('INC-1', await digestOf('INC-1'))).toMatchObject({
      code: 1,
      out: aStringContaining(`the correction of transaction(s) ${id('f9')} does not split into whole cents`),
    });
    expect(await money()).toBe(before);
    // The runbook's set-aside step hands it to finance before the review.
    const setAside = readFileSync(join(ROOT, 'runbooks/data-error.yaml'), 'utf8')
      .match(/ {2}- id: set-aside\n[\s\S]*?<<'SQL'\n([\s\S]*?)\n {8}SQL\n/)![1]!
      .replace(/^ {8}/gm, '');
    const run = spawnSync('psql', [roleUrl('wallet_oncall'), '-X', '-q', '-1', '-v', 'ON_ERROR_STOP=1', '-v', 'incident=INC-1'], {
      input: setAside,
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(await q('select status from ledger_corrections')).toBe('handed-to-finance');
  });

  it('a balance written while the post waits for its locks is seen: the post refuses instead of overwriting it', async () => {
    await database_('wallet_de_race');
    await q(SMALL_SEED);
    // Wallet 2's stored balance is 80 while its ledger says 80; propose a stored-balance correction as if it drifted.
    await q('update wallets set balance = 85 where id = 2');
    await as(
      'wallet_oncall',
      "insert into balance_corrections (incident, wallet_id, old_balance, new_balance) values ('INC-1', 2, 85, 80)",
    );
    const digest = await digestOf('INC-1');
    // Another writer holds wallet 2 and changes its balance without a ledger entry; the post starts meanwhile.
    const writer = promisify(execFile)('psql', [
      pg.url(database),
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      'begin; update wallets set balance = balance + 50 where id = 2; select pg_sleep(1.5); commit;',
    ]);
    await new Promise((done) => setTimeout(done, 400));
    const posting = await post('INC-1', digest);
    await writer;
    expect(posting).toMatchObject({ code: 1, out: aStringMatching(/a stored balance or its ledger changed since it was proposed/) });
    expect(await q('select balance from wallets where id = 2')).toBe('135');
  });
});

describe('data-error: a resumed flow that still writes wrong money', () => {
  it('ends the wait at the first MISMATCH and goes back to pausing the flow', async () => {
    control.requests.length = 0;
    control.state.clear(); // a run stopped part-way leaves its pause behind
    await database_('wallet_de_mismatch');
    await q(SMALL_SEED);
    // The "fixed" flow books a transfer of 5 as 50 on the user's wallet.
    resumedTransfer = `
with t as (insert into transactions (user_id, kind, channel, amount, currency, status, idempotency_key)
           values (1, 'transfer', 'internal', 5, 'EUR', 'completed', 'transfer-k9') returning id)
insert into ledger_entries (txn_id, wallet_id, amount) select id, 1, -50 from t union all select id, 2, 50 from t;
update wallets set balance = balance - 50 where id = 1;
update wallets set balance = balance + 50 where id = 2;
`;
    const dir = tempDir();
    const snapshots = join(dir, 'snapshots');
    mkdirSync(snapshots);
    const started = Date.now();
    const r = await walk('data-error', dir, snapshots, ['handed-to-finance'], { answers: { 'stop-flows': '[yes, { pause: yes }]' } });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const wait = r.events.find((e) => e.type === 'wait.finished' && e.data.step === 'verify-flow');
    expect(wait?.data).toMatchObject({ passed: false, attempts: 1, status: 'CRITICAL' });
    expect(Number(wait?.data.durationMs)).toBeLessThan(30_000);
    expect(Date.now() - started).toBeLessThan(90_000);
    expect(checkStatus(r.events, 'verify-flow', 'flow-healthy')).toEqual(['CRITICAL']);
    expect(r.events.at(-1)).toMatchObject({ type: 'incident.paused', data: { step: 'stop-flows' } });
    expect(control.requests.filter((x) => x.method === 'PUT').map((x) => parseJson<{ enabled: boolean }>(x.body).enabled)).toEqual([
      false,
      true,
    ]);
  }, 120_000);
});

describe('data-error with affected_flow "all" while another incident has a flow paused', () => {
  it("pauses and resumes flow by flow, never flows/all, and leaves the other incident's pause as it was", async () => {
    control.requests.length = 0;
    control.state.clear(); // a run stopped part-way leaves its pause behind
    resumedTransfer = GOOD_TRANSFER;
    await database_('wallet_de_all_flows');
    await q(SMALL_SEED);
    const other = { enabled: false, reason: 'incident 20261126T030000Z-server-failure-zz99' };
    control.state.set('/admin/flows/withdrawal', other);
    const dir = tempDir();
    const snapshots = join(dir, 'snapshots');
    mkdirSync(snapshots);
    const r = await walk('data-error', dir, snapshots, ['duplicates'], { flow: 'all' });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.events.at(-1)).toMatchObject({ type: 'incident.closed', data: { outcome: 'completed' } });
    const puts = control.requests
      .filter((x) => x.method === 'PUT')
      .map((x) => `${x.path} ${parseJson<{ enabled: boolean }>(x.body).enabled}`);
    expect(puts).not.toContain('/admin/flows/all true');
    expect(puts.filter((p) => p.startsWith('/admin/flows/withdrawal'))).toEqual([]);
    expect(control.state.get('/admin/flows/withdrawal')).toEqual(other);
    for (const f of ['transfer', 'top-up', 'bill-pay', 'payment']) {
      expect(
        puts.filter((p) => p.startsWith(`/admin/flows/${f} `)),
        f,
      ).toEqual([`/admin/flows/${f} false`, `/admin/flows/${f} true`]);
      expect(control.state.get(`/admin/flows/${f}`), f).toMatchObject({ enabled: true });
    }
    expect(readFileSync(join(dir, 'records', r.incident, 'flows_withdrawal.json'), 'utf8').trim()).toBe(JSON.stringify(other));
  }, 120_000);
});
