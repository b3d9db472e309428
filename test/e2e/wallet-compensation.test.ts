import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempPostgres } from '../fixtures/wallet/postgres.js';

// The compensation authority is enforced by the database: each role connects as itself to a real PostgreSQL with
// the reference schema, roles.sql and post-compensations.sql, and tries what the runbook does and what it must not.
const FIXTURES = join(import.meta.dirname, '../fixtures/wallet');
const ROLES = readFileSync(join(FIXTURES, 'roles.sql'), 'utf8');
const POST = join(FIXTURES, 'post-compensations.sql');
const INC = '20261126T031502Z-data-error-k3f9';
const OTHER = '20261120T100000Z-network-aa11';
const DB = 'wallet_compensation';

/**
 * Wallets of users 1-3 and 7, a merchant, the EUR and USD expense wallets; limits as finance set them (under its
 * own role: the trigger stamps who and when); the incidents and their affected users as the on-call registered them.
 */
const SEED = `
do $$ begin
  if not exists (select 1 from pg_roles where rolname = 'wallet_care_peer') then create role wallet_care_peer login; end if;
end $$;
grant select on compensations, compensation_limits to wallet_care_peer;
grant insert (incident, user_id, wallet_id, kind, amount, currency, reason, authority_limit) on compensations to wallet_care_peer;
grant execute on function post_compensations(text, bigint, text) to wallet_care_peer;
insert into wallets (id, user_id, kind, currency, balance) values
  (1, 1, 'user', 'EUR', 10), (2, 2, 'user', 'EUR', 10), (3, 3, 'user', 'EUR', 10), (7, 7, 'user', 'EUR', 10),
  (50, 50, 'merchant', 'EUR', 0), (900, null, 'expense', 'EUR', 0), (901, null, 'expense', 'USD', 0);
set session authorization wallet_finance;
insert into compensation_limits (role, per_user_max, per_incident_max, currency) values
  ('wallet_care', 20, 100, 'EUR'), ('wallet_care_peer', 20, 100, 'EUR'), ('wallet_approver', 500, 1000, 'EUR');
set session authorization wallet_oncall;
insert into incidents (id) values ('${INC}'), ('${OTHER}'), ('20261128T090000Z-software-bug-aa01'), ('20261128T090000Z-software-bug-aa02');
insert into incident_affected_users (incident, user_id) values ('${INC}', 1), ('${INC}', 2), ('${INC}', 3), ('${OTHER}', 7),
  ('20261128T090000Z-software-bug-aa01', 1), ('20261128T090000Z-software-bug-aa01', 2), ('20261128T090000Z-software-bug-aa02', 3);
reset session authorization;
`;
/** What the care lead's proposal writes (the runbook's propose-compensation step): only these columns. */
const propose = (incident: string, rows: [user: number, amount: number][]) =>
  `insert into compensations (incident, user_id, wallet_id, kind, amount, currency, reason, authority_limit) values ${rows
    .map(([user, amount]) => `('${incident}', ${user}, ${user}, 'goodwill-credit', ${amount}, 'EUR', 'two hours without transfers', 20)`)
    .join(', ')}`;
/** The review's digest (the runbook's review-above-limit step): every proposed compensation of the incident. */
const DIGEST = `select md5(coalesce(string_agg(user_id || ' ' || wallet_id || ' ' || trim_scale(amount) || ' ' || currency || ' ' || decided_by,
  E'\\n' order by user_id), '')) from compensations where incident = '${INC}' and status = 'proposed'`;

let pg: TempPostgres;
beforeAll(async () => {
  pg = await TempPostgres.start();
  await pg.createDatabase(DB);
  await pg.sql(DB, ROLES);
  await promisify(execFile)('psql', [pg.url(DB), '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', POST]);
  await pg.sql(DB, SEED);
}, 120_000);
afterAll(async () => {
  await pg?.stop();
});

/** psql as `role`, one transaction, as the runbook connects: exit code, output, and the error or notices. */
async function as(role: string, sql: string) {
  const url = pg.url(DB).replace('postgres@', `${role}@`);
  return promisify(execFile)('psql', [url, '-X', '-q', '-A', '-t', '-1', '-v', 'ON_ERROR_STOP=1', '-c', sql])
    .then((r) => ({ code: 0, stdout: r.stdout.trim(), stderr: r.stderr }))
    .catch((e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout.trim(), stderr: e.stderr }));
}
const q = (sql: string) => pg.sql(DB, sql);
const statuses = (incident = INC) =>
  q(
    `select coalesce(string_agg(user_id || ' ' || status || ' ' || coalesce(approved_by, '-'), ', ' order by user_id), '')
     from compensations where incident = '${incident}'`,
  );
const balances = () => q("select string_agg(id || '=' || trim_scale(balance), ' ' order by id) from wallets");
const compensationTxns = () => q("select count(*) from transactions where kind = 'compensation'");

describe("post_compensations: the limit is finance's data and the database enforces it", () => {
  it('the care role cannot write the ledger, the balances, the limits or an approval itself', async () => {
    for (const [sql, error] of [
      [
        'insert into ledger_entries (txn_id, wallet_id, amount) values (gen_random_uuid(), 1, 5)',
        /permission denied for table ledger_entries/,
      ],
      [
        "insert into transactions (user_id, kind, amount, currency, status) values (1, 'compensation', 5, 'EUR', 'completed')",
        /permission denied for table transactions/,
      ],
      ['update wallets set balance = balance + 5 where id = 1', /permission denied for table wallets/],
      ["update compensation_limits set per_user_max = 1000 where role = 'wallet_care'", /permission denied for table compensation_limits/],
      [
        "insert into compensation_limits (role, per_user_max, per_incident_max, currency) values ('wallet_care_peer', 1000, 1000, 'EUR')",
        /permission denied for table compensation_limits/,
      ],
      ["update compensations set approved_by = 'wallet_approver'", /permission denied for table compensations/],
      [
        `insert into compensations (incident, user_id, wallet_id, kind, amount, currency, reason, authority_limit, status)
         values ('${INC}', 9, 1, 'x', 5, 'EUR', 'x', 20, 'posted')`,
        /permission denied for table compensations/,
      ],
      // Who was affected, and which incidents exist, is the on-call's record, not the care lead's.
      ["insert into incidents (id) values ('INC-1a')", /permission denied for table incidents/],
      [
        `insert into incident_affected_users (incident, user_id) values ('${INC}', 9)`,
        /permission denied for table incident_affected_users/,
      ],
    ] as const) {
      const r = await as('wallet_care', sql);
      expect(r.code, sql).not.toBe(0);
      expect(r.stderr, sql).toMatch(error);
    }
    // Only the roles granted it may call the function at all.
    expect((await as('wallet_oncall', `select * from post_compensations('${INC}', 900)`)).stderr).toMatch(
      /permission denied for function post_compensations/,
    );
    expect(
      await q(
        `select p.prosecdef || ' ' || pg_get_userbyid(p.proowner) || ' ' || array_to_string(p.proconfig, ',')
         from pg_proc p where p.proname = 'post_compensations'`,
      ),
    ).toBe('true wallet_ledger search_path=pg_catalog, public, pg_temp');
    // Finance's role sets the limits, and the database records who and when: what finance types there is overwritten.
    expect(
      (
        await as(
          'wallet_finance',
          "update compensation_limits set set_at = now() where role = 'wallet_care' returning trim_scale(per_user_max)",
        )
      ).stdout,
    ).toBe('20');
    expect(
      (
        await as(
          'wallet_finance',
          `update compensation_limits set set_by = 'finance: Ana Ruiz', set_at = '2020-01-01' where role = 'wallet_care'
           returning set_by || ' ' || (set_at > now() - interval '1 minute')`,
        )
      ).stdout,
    ).toBe('wallet_finance true');
    expect(
      (
        await as(
          'wallet_finance',
          `insert into compensation_limits (role, per_user_max, per_incident_max, currency, set_by, set_at)
           values ('wallet_oncall', 1, 1, 'EUR', 'the CFO', '2020-01-01')
           returning set_by || ' ' || (set_at > now() - interval '1 minute')`,
        )
      ).stdout,
    ).toBe('wallet_finance true');
    expect((await as('wallet_finance', "delete from compensation_limits where role = 'wallet_oncall'")).code).toBe(0);
    expect(await compensationTxns()).toBe('0');
  });

  it("posts within the caller's limit, needs another role whose limit covers the rest, and refuses every other way", async () => {
    // 1 within the care lead's limit, 2 above it; another incident's 7 within it.
    expect(
      (
        await as(
          'wallet_care',
          `${propose(INC, [
            [1, 5],
            [2, 50],
          ])}; ${propose(OTHER, [[7, 5]])}`,
        )
      ).code,
    ).toBe(0);

    // Alone, the care lead posts 1 only; 2 waits for approval, the other incident is untouched.
    const alone = await as('wallet_care', `select compensated_user || ' ' || trim_scale(amount) from post_compensations('${INC}', 900)`);
    expect(alone.stdout).toBe('1 5');
    expect(alone.stderr).toMatch(
      /1 compensation\(s\) of incident .* above the per-user limit of role wallet_care \(20 EUR\) wait for approval/,
    );
    expect(await statuses()).toBe('1 posted -, 2 proposed -');
    expect(await statuses(OTHER)).toBe('7 proposed -');
    // Without a digest, the approver posts only what the approver decided: not the care lead's 50 above their limit.
    const bypass = await as('wallet_approver', `select count(*) from post_compensations('${INC}', 900)`);
    expect(bypass).toMatchObject({ code: 0, stdout: '0' });
    expect(bypass.stderr).toMatch(
      /1 compensation\(s\) of incident .* decided by another role or above the per-user limit of role wallet_approver \(500 EUR\) wait for approval/,
    );
    expect(await statuses()).toBe('1 posted -, 2 proposed -');

    const digest = (await q(DIGEST)).trim();
    const refusals: [role: string, digest: string, error: RegExp][] = [
      ['wallet_care', digest, /role wallet_care decided some of these compensations: another person approves them/],
      [
        'wallet_care_peer',
        digest,
        /above the per-user limit of role wallet_care_peer \(20 EUR\): user 2 50; an approver whose own limit covers them approves; nothing was posted/,
      ],
      ['wallet_approver', '0'.repeat(32), /the compensations waiting are not the reviewed set: nothing was posted/],
    ];
    for (const [role, d, error] of refusals) {
      const r = await as(role, `select * from post_compensations('${INC}', 900, '${d}')`);
      expect(r.code, role).not.toBe(0);
      expect(r.stderr, role).toMatch(error);
    }
    // A compensation proposed after the review: the approver's digest no longer matches, and nothing is posted.
    expect((await as('wallet_care', propose(INC, [[3, 10]]))).code).toBe(0);
    const late = await as('wallet_approver', `select * from post_compensations('${INC}', 900, '${digest}')`);
    expect(late.stderr).toMatch(/the compensations waiting are not the reviewed set: nothing was posted; review again/);
    expect(await statuses()).toBe('1 posted -, 2 proposed -, 3 proposed -');
    expect(await compensationTxns()).toBe('1');

    // Reviewed again, the approver posts both under their own role.
    const approved = await as(
      'wallet_approver',
      `select compensated_user || ' ' || trim_scale(amount) || ' ' || decided_by || ' ' || approved_by
       from post_compensations('${INC}', 900, '${(await q(DIGEST)).trim()}')`,
    );
    expect(approved.stdout.split('\n')).toEqual(['2 50 wallet_care wallet_approver', '3 10 wallet_care wallet_approver']);
    expect(await statuses()).toBe('1 posted -, 2 posted wallet_approver, 3 posted wallet_approver');

    // A second call, alone or approved, posts nothing.
    expect(await as('wallet_care', `select count(*) from post_compensations('${INC}', 900)`)).toMatchObject({ code: 0, stdout: '0' });
    expect(await as('wallet_approver', `select count(*) from post_compensations('${INC}', 900, '${digest}')`)).toMatchObject({
      code: 0,
      stdout: '0',
    });
    expect(await compensationTxns()).toBe('3');

    // The money: one transaction per compensation, from the expense wallet, every transaction summing to zero.
    expect(
      await q(`select string_agg(t.user_id || ':' || e.wallet_id || '=' || trim_scale(e.amount), ' ' order by t.user_id, e.amount)
      from compensations c join transactions t on t.id = c.txn_id join ledger_entries e on e.txn_id = t.id
      where c.incident = '${INC}' and t.idempotency_key = 'compensation-${INC}-' || c.user_id`),
    ).toBe('1:900=-5 1:1=5 2:900=-50 2:2=50 3:900=-10 3:3=10');
    expect(await q('select count(*) from (select txn_id from ledger_entries group by txn_id having sum(amount) <> 0) x')).toBe('0');
    expect(await balances()).toBe('1=15 2=60 3=20 7=10 50=0 900=-65 901=0');
    expect(await statuses(OTHER)).toBe('7 proposed -');
  });

  it("refuses, and posts nothing, above the per-incident limit, for a wallet not the user's, or from a wrong paying wallet", async () => {
    const before = await balances();
    const incident = (n: string) => `20261128T090000Z-software-bug-${n}`;
    // Finance lowers the care lead's per-incident limit: 15 + 15 is above 25.
    expect((await as('wallet_finance', "update compensation_limits set per_incident_max = 25 where role = 'wallet_care'")).code).toBe(0);
    expect(
      (
        await as(
          'wallet_care',
          propose(incident('aa01'), [
            [1, 15],
            [2, 15],
          ]),
        )
      ).code,
    ).toBe(0);
    const overIncident = await as('wallet_care', `select * from post_compensations('${incident('aa01')}', 900)`);
    expect(overIncident.stderr).toMatch(
      /would have 30 EUR of compensation in all, above the per-incident limit of role wallet_care \(25 EUR\): nothing was posted/,
    );
    expect((await as('wallet_finance', "update compensation_limits set per_incident_max = 100 where role = 'wallet_care'")).code).toBe(0);

    // A proposal naming someone else's wallet for user 3.
    expect(
      (
        await as(
          'wallet_care',
          `insert into compensations (incident, user_id, wallet_id, kind, amount, currency, reason, authority_limit)
           values ('${incident('aa02')}', 3, 7, 'goodwill-credit', 5, 'EUR', 'x', 20)`,
        )
      ).code,
    ).toBe(0);
    expect((await as('wallet_care', `select * from post_compensations('${incident('aa02')}', 900)`)).stderr).toMatch(
      /not the user's own customer wallet in the currency: user 3 wallet 7; nothing was posted/,
    );

    // Only the operator's expense wallets pay: not a customer's, not a merchant's.
    for (const [wallet, error] of [
      ['2', /wallet 2 is not an expense wallet of the operator/],
      ['50', /wallet 50 is not an expense wallet of the operator/],
      ['901', /the expense wallet 901 is in another currency/],
    ] as const) {
      expect((await as('wallet_care', `select * from post_compensations('${incident('aa01')}', ${wallet})`)).stderr).toMatch(error);
    }
    expect(await statuses(incident('aa01'))).toBe('1 proposed -, 2 proposed -');
    expect(await balances()).toBe(before);
  });

  it("pays only registered incidents' affected users: no invented incident id or user sidesteps the limits", async () => {
    const before = await balances();
    // Under an incident id nobody registered (a second id for the same incident, to start a new per-incident total).
    expect((await as('wallet_care', propose('INC-1a', [[1, 15]]))).code).toBe(0);
    const unknown = await as('wallet_care', "select * from post_compensations('INC-1a', 900)");
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(
      /incident INC-1a is not registered \(incidents; the on-call registers it with its affected users\): nothing was posted/,
    );
    // A user the on-call did not register as affected by this incident.
    expect((await as('wallet_care', propose(OTHER, [[1, 5]]))).code).toBe(0);
    const stranger = await as('wallet_care', `select * from post_compensations('${OTHER}', 900)`);
    expect(stranger.stderr).toMatch(
      new RegExp(`user\\(s\\) 1 are not affected users of incident ${OTHER} \\(incident_affected_users\\): nothing was posted`),
    );
    expect(await statuses(OTHER)).toBe('1 proposed -, 7 proposed -');
    expect(await statuses('INC-1a')).toBe('1 proposed -');
    expect(await balances()).toBe(before);
  });

  it('loads in one transaction: stopped half-way, it leaves no function anyone may call', async () => {
    const db = 'wallet_compensation_partial';
    await pg.createDatabase(db);
    await pg.sql(db, ROLES);
    // The file up to the end of the function's definition, then an error: psql stops there (ON_ERROR_STOP).
    const text = readFileSync(POST, 'utf8');
    const cut = text.indexOf('$fn$;') + '$fn$;'.length;
    const partial = join(mkdtempSync(join(tmpdir(), 'sev-partial-')), 'post-compensations.sql');
    writeFileSync(partial, `${text.slice(0, cut)}\nselect 1/0;\n`);
    const loaded = await promisify(execFile)('psql', [pg.url(db), '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', partial]).then(
      () => 0,
      (e: { code: number }) => e.code,
    );
    expect(loaded).toBe(3);
    expect(
      await pg.sql(
        db,
        "select coalesce(bool_or(has_function_privilege('wallet_oncall', p.oid, 'execute')), false) from pg_proc p where p.proname = 'post_compensations'",
      ),
    ).toBe('f');
    // Loaded whole, only the roles granted it may call it.
    await promisify(execFile)('psql', [pg.url(db), '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', POST]);
    expect(
      await pg.sql(
        db,
        `select string_agg(r || '=' || has_function_privilege(r, 'post_compensations(text, bigint, text)', 'execute'), ' ' order by r)
         from unnest(array['wallet_oncall', 'wallet_finance', 'wallet_care', 'wallet_approver']) r`,
      ),
    ).toBe('wallet_approver=true wallet_care=true wallet_finance=false wallet_oncall=false');
  });
});
