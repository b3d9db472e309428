import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { parseJson, SEV, tempDir, waitFor } from '../helpers.js';
import { controlPlane, drillTools, runSev, stepEvent, type Event } from '../fixtures/wallet/harness.js';
import { DatabaseHaproxy } from '../fixtures/wallet/haproxy.js';
import { asServerUser, freePort, postgresBinDir, serverOwnedDir, TempPostgres } from '../fixtures/wallet/postgres.js';

// A real primary and a real streaming standby (PostgreSQL from Debian's package; missing binaries fail loudly), the
// app's database endpoint through a HAProxy stand-in that really forwards TCP, and the runbook walked by `sev run`.

/** The role the runbook connects as, with exactly the grants the README lists (created on the primary: it replicates). */
const DR_ROLE = `
create role wallet_dr login;
grant pg_monitor, pg_signal_backend to wallet_dr;
grant select on wallets, transactions, ledger_entries to wallet_dr;
grant execute on function pg_promote(boolean, integer) to wallet_dr;
grant execute on function pg_reload_conf() to wallet_dr;
grant alter system on parameter default_transaction_read_only to wallet_dr;
create table dr_heartbeat (at timestamptz not null, incident text not null);
grant select, insert on dr_heartbeat to wallet_dr;
grant execute on function pg_ls_dir(text, boolean, boolean), pg_stat_file(text, boolean),
  pg_read_binary_file(text), pg_read_binary_file(text, bigint, bigint, boolean) to wallet_dr;
grant pg_checkpoint to wallet_dr;
create role replicator login replication;
`;
const SEED = `
insert into wallets (id, user_id, kind, currency, balance) values
  (1, 1, 'user', 'EUR', 0), (2, 2, 'user', 'EUR', 0), (9, null, 'float', 'EUR', 0);
`;
/** A top-up of wallet 1 or a transfer from 1 to 2, booked as the app books it: one transaction, entries summing to zero. */
const payment = (kind: 'top-up' | 'transfer', amount: number, key: string) => `
with t as (insert into transactions (user_id, kind, channel, amount, currency, status, idempotency_key)
           values (1, '${kind}', 'internal', ${amount}, 'EUR', 'completed', '${key}') returning id)
insert into ledger_entries (txn_id, wallet_id, amount)
  select id, ${kind === 'top-up' ? 9 : 1}, -${amount} from t union all select id, ${kind === 'top-up' ? 1 : 2}, ${amount} from t;
update wallets set balance = balance - ${amount} where id = ${kind === 'top-up' ? 9 : 1};
update wallets set balance = balance + ${amount} where id = ${kind === 'top-up' ? 1 : 2};
select id from transactions where idempotency_key = '${key}';
`;
const INVARIANTS = `
select (select count(*) from (select txn_id from ledger_entries group by txn_id having sum(amount) <> 0) x)
       || ' ' || (select count(*) from wallets w where balance <> (select coalesce(sum(amount), 0) from ledger_entries e where e.wallet_id = w.id))`;
const OTHER = { enabled: false, reason: 'incident 20261126T030000Z-data-error-zz99' };
const ARC = ['impact-started', 'detected', 'acknowledged', 'mitigated', 'resolved'];

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** A directory the server's user owns, removed after the test. */
function ownedDir(prefix: string): string {
  const dir = serverOwnedDir(prefix);
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const milestones = (events: Event[]) => events.filter((e) => e.type === 'milestone').map((e) => e.data.milestone);
const checkResult = (events: Event[], step: string, check: string) =>
  events.find((e) => e.type === 'check.result' && e.data.step === step && e.data.check === check)?.data;
const commandsRun = (events: Event[]) => events.filter((e) => e.type === 'command.started').map((e) => e.data.step);
const answered = (events: Event[], step: string) =>
  events.filter((e) => e.type === 'step.answered' && e.data.step === step).map((e) => e.data.answer);
const lagOf = (output: unknown) => Number(/lag (\d+(?:\.\d)?) s/.exec(String(output))?.[1]);
const url = (pg: TempPostgres | { port: number }, role = 'wallet_dr') => `postgresql://${role}@127.0.0.1:${pg.port}/wallet`;

/** A primary at site A (archiving its WAL, hints on for pg_rewind) holding the reference ledger. */
async function primarySite(archive: string, options: { fullPageWrites?: boolean } = {}) {
  const primary = await TempPostgres.start({
    ...options,
    settings: [
      "cluster_name = 'site_a'",
      'wal_log_hints = on',
      'archive_mode = on',
      `archive_command = 'cp %p ${archive}/%f'`,
      `restore_command = 'cp ${archive}/%f %p'`,
    ],
  });
  cleanups.push(() => primary.stop());
  await primary.createDatabase('wallet');
  await primary.sql('wallet', DR_ROLE + SEED);
  return primary;
}

/** A primary and its streaming standby (site_b), the endpoint in front of them, and the admin API. */
async function twoSites() {
  // full_page_writes stays on: the fail-back's pg_rewind needs it on the new primary.
  const primary = await primarySite(ownedDir('sev-wal-'), { fullPageWrites: true });
  const standby = await primary.standby('site_b');
  cleanups.push(() => standby.stop());
  await waitFor(
    'site_b streaming from the primary',
    async () => (await primary.sql('postgres', "select state from pg_stat_replication where application_name = 'site_b'")) === 'streaming',
    { timeoutMs: 30_000 },
  );
  const haproxy = await new DatabaseHaproxy(join(tempDir(), 'db-admin.sock'), 'wallet_db', [
    { name: 'site_a', port: primary.port },
    { name: 'site_b', port: standby.port, maint: true },
  ]).start();
  cleanups.push(() => haproxy.stop());
  const control = await controlPlane().start();
  cleanups.push(() => control.stop());
  return { primary, standby, haproxy, control, app: { port: haproxy.port } };
}

/** Waits until the standby has replayed the transaction, and returns its last replayed commit time (ms). */
async function replayed(standby: TempPostgres, txn: string): Promise<number> {
  await waitFor(
    `transaction ${txn} on the standby`,
    async () => (await standby.sql('wallet', `select count(*) from transactions where id = '${txn}'`)) === '1',
    { timeoutMs: 20_000 },
  );
  return Date.parse(
    await standby.sql('wallet', 'select to_char(pg_last_xact_replay_timestamp() at time zone \'UTC\', \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\')'),
  );
}

/** `sev check disaster-recovery --json` with these inputs (asynchronously: the stand-ins here keep answering): results by check. */
async function sevCheck(cwd: string, set: Record<string, string | number>) {
  const args = ['check', 'disaster-recovery', '--json', ...Object.entries(set).flatMap(([k, v]) => ['--set', `${k}=${v}`])];
  const env = { ...process.env, NO_COLOR: '1', CI: 'true', GITHUB_ACTIONS: '', PATH: `${drillTools(cwd)}:${process.env.PATH}` };
  const r = await promisify(execFile)(process.execPath, [SEV, ...args], { cwd, env, timeout: 60_000 }).catch((e: { stdout: string }) => e);
  return new Map(
    (JSON.parse(r.stdout) as { results: { check: string; status: string; stdout: string }[] }).results.map((x) => [x.check, x]),
  );
}

/** One command on HAProxy's runtime API socket (the stand-in's), as an operator would send it. */
async function haproxyCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let reply = '';
    const socket = connect(socketPath, () => socket.write(`${command}\n`));
    socket
      .setEncoding('utf8')
      .on('data', (d: string) => (reply += d))
      .on('end', () => resolve(reply))
      .on('error', reject);
  });
}

function workspace() {
  const dir = tempDir();
  mkdirSync(join(dir, 'records'));
  return { dir, incidents: join(dir, 'incidents'), records: join(dir, 'records') };
}

function answers(dir: string, name: string, inputs: Record<string, string | number>, steps: Record<string, string>): string {
  const path = join(dir, name);
  const yaml = (o: Record<string, string | number>) =>
    Object.entries(o)
      .map(([k, v]) => `  ${k}: ${JSON.stringify(String(v))}`)
      .join('\n');
  writeFileSync(
    path,
    `responder: drill\ninputs:\n${yaml(inputs)}\nsteps:\n${Object.entries(steps)
      .map(([k, v]) => `  ${k}: ${v}`)
      .join('\n')}\n`,
  );
  return path;
}

const DECIDER = '"Ana Lima (head of payments operations)"';
const FIRST_STEPS = {
  'impact-start': '2026-11-26T03:00Z',
  confirmed: 'yes',
  declare: 'sev1',
  decider: DECIDER,
  'protect-funds': 'yes',
  'notify-users': 'yes',
  'notify-regulators':
    '{ facts: { interruption: 40m, transactions_affected: 40, records_leaked: 0, customers_exposed: 0, personal_data: no, ' +
    'eu_entity: no, eu_residents: no, dora_major: no, clients_financial_interests: no, card_data: no } }',
};

describe('disaster-recovery, end to end against a real primary and streaming standby', () => {
  it(
    'fails over: the RPO check reads the real lag, the old primary is fenced, the standby promoted, traffic and writes reach it, ' +
      'the ledger holds; fails back by pg_rewind',
    async () => {
      const w = workspace();
      const { primary, standby, haproxy, control, app } = await twoSites();
      control.state.set('/admin/flows/withdrawal', OTHER); // another incident's pause, not ours to lift
      // The app writes through its endpoint, to site A.
      const viaApp = (sql: string) => new TempPostgresClient(app.port).sql(sql);
      await viaApp(payment('top-up', 100, 'top-up-1'));
      const last = (await viaApp(payment('transfer', 30, 'transfer-1'))).split('\n').at(-1)!;
      await replayed(standby, last);
      // While the primary answers, the lag comes from its pg_stat_replication: a stuck replay counts by the bytes behind.
      await standby.sql('wallet', 'select pg_wal_replay_pause()');
      const unapplied = (await primary.sql('wallet', payment('top-up', 1, 'top-up-while-paused'))).split('\n').at(-1)!;
      await waitFor(
        'the standby to receive what it does not apply',
        async () =>
          Number(
            await primary.sql(
              'postgres',
              "select pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) from pg_stat_replication where application_name = 'site_b'",
            ),
          ) > 100,
      );
      const stuck = await sevCheck(w.dir, { primary_db_url: url(primary), standby_db_url: url(standby), rpo_seconds: 60, rpo_bytes: 100 });
      expect(stuck.get('replica-lag')?.status, stuck.get('replica-lag')?.stdout).toBe('CRITICAL');
      expect(stuck.get('replica-lag')?.stdout).toMatch(
        /^CRITICAL: lag \d+(\.\d)? s, \d{3,} bytes behind the primary \(from pg_stat_replication\)/,
      );
      expect(stuck.get('standby-healthy')?.status).toBe('CRITICAL');
      // The primary is alive but refuses the role (psql exits 2 as for a server that is down): not a reason to read the
      // lag from the standby, which would say OK while the primary goes on taking payments.
      const refused = await sevCheck(w.dir, {
        primary_db_url: url(primary, 'wallet_nobody'),
        standby_db_url: url(standby),
        rpo_seconds: 60,
      });
      expect(refused.get('replica-lag')?.status, refused.get('replica-lag')?.stdout).toBe('UNKNOWN');
      expect(refused.get('replica-lag')?.stdout).toMatch(/^UNKNOWN: the primary is up but refused this role/);
      await standby.sql('wallet', 'select pg_wal_replay_resume()');
      const lastCommitAfter = await replayed(standby, unapplied);
      await new Promise((resolve) => setTimeout(resolve, 700));
      await primary.kill(); // site A goes down
      const lostAt = new Date();
      const expectedLag = (lostAt.getTime() - lastCommitAfter) / 1000;

      const file = answers(
        w.dir,
        'answers.yaml',
        {
          primary_db_url: url(primary),
          standby_db_url: url(standby),
          app_db_url: url(app),
          db_password: '',
          rpo_seconds: 60,
          lb_socket: haproxy.socketPath,
          admin_url: `${control.url}/admin`,
          records_dir: w.records,
          replication_conninfo: `host=127.0.0.1 port=${standby.port} user=replicator application_name=site_a`,
          old_primary_pgdata: primary.data,
          old_primary_unit: 'postgresql@15-main',
          pg_bindir: postgresBinDir(),
          pg_conf_dir: primary.data,
        },
        {
          ...FIRST_STEPS,
          'can-primary-return': 'failover',
          'primary-lost': JSON.stringify(lostAt.toISOString()),
          'confirm-failover': 'yes',
          'fence-old-primary': 'yes',
          'stop-old-primary': 'yes',
          'old-primary-stopped': '"Rui Costa (host powered off at site A)"',
          'record-last-transaction': 'yes',
          promote: 'yes',
          'switch-traffic': 'yes',
          'resume-flows-in-wallet': 'yes',
          'window-reconciled': 'yes',
          'resume-payouts': 'yes',
          'update-users': 'yes',
          'loss-handoff': 'yes',
          stable: 'yes',
          'resolve-users': 'yes',
          handoff: 'yes',
          // Paused before the fail-back: the old primary comes back in between.
          'failback-plan': '{ pause: yes }',
          'rebuild-old-primary': 'yes',
          switchover: 'done',
          postmortem: 'done',
        },
      );
      // systemctl start of the old primary's unit (the drill's stand-in) starts it on its port.
      const startOldPrimary = join(w.dir, 'start-old-primary');
      const pgCtl = [join(postgresBinDir(), 'pg_ctl'), ...primary.startArgs()].map((a) => `'${a}'`).join(' ');
      writeFileSync(startOldPrimary, `#!/bin/sh\nexec ${process.getuid?.() === 0 ? 'runuser -u postgres -- ' : ''}${pgCtl}\n`, {
        mode: 0o755,
      });
      const env = {
        PATH: `${drillTools(w.dir)}:${process.env.PATH}`,
        DRILL_PG_UNIT: 'postgresql@15-main',
        DRILL_PG_START: startOldPrimary,
      };
      const r = await runSev(['run', 'disaster-recovery', '--answers', file], { cwd: w.dir, incidents: w.incidents, env });
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.events.at(-1)).toMatchObject({ type: 'incident.paused', data: { step: 'failback-plan' } });

      // The RPO check asked the standby (the primary is down) and reported the lag that really was.
      const lag = checkResult(r.events, 'rpo-check', 'replica-lag');
      expect(lag?.status, String(lag?.stdout)).toBe('OK');
      expect(String(lag?.stdout)).toContain('the primary does not answer');
      expect(String(lag?.stdout)).toContain(`last transaction here: ${unapplied}`);
      expect(Math.abs(lagOf(lag?.stdout) - expectedLag)).toBeLessThanOrEqual(0.2);

      // Fenced and stopped at its site (by a named person) before the standby is promoted, after it replayed all it had.
      const order = commandsRun(r.events);
      expect(order.indexOf('fence-old-primary')).toBeLessThan(order.indexOf('stop-old-primary'));
      expect(order.indexOf('stop-old-primary')).toBeLessThan(order.indexOf('record-last-transaction'));
      expect(order.indexOf('record-last-transaction')).toBeLessThan(order.indexOf('promote'));
      expect(r.events.find((e) => e.type === 'input.set' && e.data.name === 'old_primary_stopped_by')?.data.value).toBe(
        'Rui Costa (host powered off at site A)',
      );
      expect(r.events.find((e) => e.type === 'wait.finished' && e.data.step === 'wait-old-primary-wal')?.data.passed).toBe(true);
      expect(checkResult(r.events, 'check-fenced', 'old-primary-fenced')?.status).toBe('OK');
      expect(await standby.sql('wallet', 'select pg_is_in_recovery()')).toBe('f');
      expect(await primary.running()).toBe(false);
      expect(haproxy.state('site_a')).toBe('maint');
      expect(haproxy.seen).toEqual(
        expect.arrayContaining([
          'set server wallet_db/site_a state maint',
          'shutdown sessions server wallet_db/site_a',
          'set server wallet_db/site_b state ready',
        ]),
      );
      expect(
        readFileSync(join(w.records, String((r.events[0] as Event & { incident: string }).incident), 'lb_wallet_db.txt'), 'utf8'),
      ).toMatch(/wallet_db 2 site_b 127\.0\.0\.1 2 1 /);

      // The app's endpoint reaches the new primary and a write succeeds there; the ledger invariants hold.
      expect(await viaApp("select current_setting('cluster_name') || ' ' || pg_is_in_recovery()")).toBe('site_b false');
      const after = (await viaApp(payment('transfer', 5, 'transfer-after-failover'))).split('\n').at(-1)!;
      expect(await standby.sql('wallet', `select amount from transactions where id = '${after}'`)).toBe('5');
      expect(await standby.sql('wallet', INVARIANTS)).toBe('0 0');
      expect(await standby.sql('wallet', 'select balance from wallets order by id')).toBe('66\n35\n-101');
      for (const check of [
        'new-primary-writable',
        'traffic-on-new-primary',
        'ledger-balanced',
        'balances-match-ledger',
        'nothing-lost-in-promotion',
      ]) {
        expect(checkResult(r.events, 'verify-new-primary', check)?.status, check).toBe('OK');
      }

      // The old primary comes back after a reboot, on its own a writable primary: the fence keeps the app off it.
      await primary.startServer();
      expect(await primary.sql('wallet', 'select pg_is_in_recovery()')).toBe('f');
      expect(await viaApp("select current_setting('cluster_name')")).toBe('site_b');
      await primary.kill();

      // Fail-back: the old primary is rewound and follows the new one, and catches up with what was written since.
      const incident = String((r.events[0] as Event & { incident: string }).incident);
      const rebuild = join(w.dir, 'rebuild.yaml');
      writeFileSync(rebuild, readFileSync(file, 'utf8').replace('failback-plan: { pause: yes }', 'failback-plan: rebuild'));
      const resumed = await runSev(['resume', incident, '--answers', rebuild], { cwd: w.dir, incidents: w.incidents, env });
      expect(resumed.code, `${resumed.stdout}\n${resumed.stderr}`).toBe(0);
      expect(resumed.events.at(-1)).toMatchObject({ type: 'incident.closed', data: { outcome: 'completed' } });
      expect(resumed.events.find((e) => e.type === 'wait.finished' && e.data.step === 'wait-caught-up')?.data.passed).toBe(true);
      expect(await primary.running()).toBe(true);
      expect(await primary.sql('wallet', 'select pg_is_in_recovery()')).toBe('t');
      expect(await primary.sql('wallet', `select amount from transactions where id = '${after}'`)).toBe('5');
      expect(await standby.sql('postgres', "select state from pg_stat_replication where application_name = 'site_a'")).toBe('streaming');
      expect(haproxy.state('site_a')).toBe('maint'); // the switch back is a planned change of its own
      // Nothing was extracted from the old primary: its data directory was kept before pg_rewind overwrote it.
      expect(readFileSync(join(`${primary.data}.pre-rewind`, 'pre-rewind-incident.txt'), 'utf8').trim()).toBe(incident);
      expect(existsSync(join(`${primary.data}.pre-rewind`, 'global', 'pg_control'))).toBe(true);

      // Money flows: paused before the switch, back after it, except the one another incident paused.
      const puts = control.requests
        .filter((q) => q.method === 'PUT')
        .map((q) => `${q.path} ${parseJson<{ enabled: boolean }>(q.body).enabled}`);
      expect(puts.filter((p) => p.endsWith('false'))).toEqual([
        '/admin/flows/transfer false',
        '/admin/flows/top-up false',
        '/admin/flows/bill-pay false',
        '/admin/flows/payment false',
        '/admin/flags/payout-dispatch false',
      ]);
      // Payouts only after the lost window is reconciled: the flows inside the wallet first.
      expect(puts.filter((p) => p.endsWith('true'))).toEqual([
        '/admin/flows/transfer true',
        '/admin/flows/top-up true',
        '/admin/flows/bill-pay true',
        '/admin/flows/payment true',
        '/admin/flags/payout-dispatch true',
      ]);
      expect(order.indexOf('resume-flows-in-wallet')).toBeLessThan(order.indexOf('resume-payouts'));
      expect(r.events.findIndex((e) => e.type === 'step.answered' && e.data.step === 'window-reconciled')).toBeLessThan(
        r.events.findIndex((e) => e.type === 'command.started' && e.data.step === 'resume-payouts'),
      );
      expect(control.state.get('/admin/flows/withdrawal')).toEqual(OTHER);
      expect(control.state.get('/admin/flows/transfer')?.enabled).toBe(true);
      expect(order.indexOf('protect-funds')).toBeLessThan(order.indexOf('fence-old-primary'));

      expect(milestones(r.events)).toEqual(ARC);
      expect(r.events.find((e) => e.type === 'input.set' && e.data.name === 'failover_decider')?.data.value).toBe(
        'Ana Lima (head of payments operations)',
      );
      expect(answered(r.events, 'can-primary-return')).toEqual([expect.stringMatching(/^Fail over - /)]);
      expect(r.events.filter((e) => e.type === 'announcement').map((e) => e.data.step)).toEqual([
        'notify-users',
        'loss-handoff',
        'update-users',
        'resolve-users',
        'handoff',
      ]);
    },
    110_000,
  );

  it('lag over the RPO: no promotion without the named decision; the primary brought back instead', async () => {
    const w = workspace();
    const { primary, standby, haproxy, control, app } = await twoSites();
    const replicatedLast = (await primary.sql('wallet', payment('top-up', 100, 'top-up-1'))).split('\n').at(-1)!;
    const lastCommit = await replayed(standby, replicatedLast);
    // The link between the sites breaks; the primary goes on taking payments, then dies.
    await standby.sql('postgres', "alter system set primary_conninfo = 'host=127.0.0.1 port=1 user=postgres'");
    await standby.sql('postgres', 'select pg_reload_conf()');
    await waitFor(
      'the standby to stop streaming',
      async () => (await primary.sql('postgres', "select count(*) from pg_stat_replication where application_name = 'site_b'")) === '0',
      { timeoutMs: 20_000 },
    );
    const unreplicated = (await primary.sql('wallet', payment('transfer', 30, 'transfer-lost'))).split('\n').at(-1)!;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await primary.kill();
    const lostAt = new Date();
    const expectedLag = (lostAt.getTime() - lastCommit) / 1000;

    const inputs = {
      primary_db_url: url(primary),
      standby_db_url: url(standby),
      app_db_url: url(app),
      db_password: '',
      rpo_seconds: 1,
      lb_socket: haproxy.socketPath,
      admin_url: `${control.url}/admin`,
      records_dir: w.records,
    };
    const steps = { ...FIRST_STEPS, 'can-primary-return': 'failover', 'primary-lost': JSON.stringify(lostAt.toISOString()) };
    const env = { PATH: `${drillTools(w.dir)}:${process.env.PATH}` };
    const rest = {
      'resume-money-flows': 'yes',
      'update-users': 'yes',
      stable: 'yes',
      'resolve-users': 'yes',
      handoff: 'yes',
      'failback-plan': 'stay',
      postmortem: 'done',
    };
    const waited = await runSev(
      [
        'run',
        'disaster-recovery',
        '--answers',
        answers(w.dir, 'wait.yaml', inputs, { ...steps, 'rpo-exceeded': 'wait', 'primary-back': 'done', ...rest }),
      ],
      {
        cwd: w.dir,
        incidents: join(w.incidents, 'wait'),
        env,
        // The primary's site is brought back while the runbook waits for it.
        triggers: [{ when: stepEvent('step.started', 'wait-primary'), then: () => primary.startServer() }],
      },
    );
    expect(waited.code, `${waited.stdout}\n${waited.stderr}`).toBe(0);
    expect(waited.unfired).toBe(0);
    expect(waited.events.at(-1)).toMatchObject({ type: 'incident.closed', data: { outcome: 'completed' } });
    expect(waited.events.find((e) => e.type === 'wait.finished' && e.data.step === 'wait-primary')?.data.passed).toBe(true);
    expect(milestones(waited.events)).toEqual(ARC);
    // Only what this incident paused comes back: every flow and the payout flag were on before it.
    expect(control.state.get('/admin/flows/transfer')?.enabled).toBe(true);
    expect(control.state.get('/admin/flags/payout-dispatch')?.enabled).toBe(true);
    const lag = checkResult(waited.events, 'rpo-check', 'replica-lag');
    expect(lag?.status, String(lag?.stdout)).toBe('CRITICAL');
    expect(Math.abs(lagOf(lag?.stdout) - expectedLag)).toBeLessThanOrEqual(0.2);
    expect(lagOf(lag?.stdout)).toBeGreaterThan(1);
    expect(answered(waited.events, 'rpo-exceeded')).toEqual([expect.stringMatching(/^Do not promote - /)]);
    expect(waited.events.some((e) => e.type === 'step.started' && e.data.step === 'primary-back')).toBe(true);

    // Accepting the loss needs a name: without one, the scripted run stops there (exit 2) and nothing is promoted.
    const unnamed = await runSev(
      ['run', 'disaster-recovery', '--answers', answers(w.dir, 'accept.yaml', inputs, { ...steps, 'rpo-exceeded': 'accept-loss' })],
      { cwd: w.dir, incidents: join(w.incidents, 'accept'), env },
    );
    expect(unnamed.code).toBe(2);
    expect(unnamed.events.at(-1)).toMatchObject({ type: 'incident.paused', data: { step: 'accept-loss', reason: 'missing-answer' } });
    expect(answered(unnamed.events, 'rpo-exceeded')).toEqual([expect.stringMatching(/^Accept losing /)]);

    expect(commandsRun(waited.events)).toEqual(['protect-funds', 'resume-money-flows']);
    expect(commandsRun(unnamed.events)).toEqual(['protect-funds']);
    expect(milestones(unnamed.events)).toEqual(['impact-started', 'detected', 'acknowledged']);
    expect(await standby.sql('wallet', 'select pg_is_in_recovery()')).toBe('t');
    expect(haproxy.state('site_a')).toBe('ready');
    expect(haproxy.state('site_b')).toBe('maint');
    expect(await standby.sql('wallet', `select count(*) from transactions where id = '${unreplicated}'`)).toBe('0');

    // A server that runs read-only, or refuses the role, is neither a writable new primary nor a fenced old one.
    await primary.sql('postgres', 'alter system set default_transaction_read_only = on');
    await primary.sql('postgres', 'select pg_reload_conf()');
    expect(await haproxyCommand(haproxy.socketPath, 'set server wallet_db/site_a state maint')).toBe('\n');
    const readOnly = await sevCheck(w.dir, { ...inputs, standby_db_url: url(primary) });
    expect(readOnly.get('new-primary-writable')?.status, readOnly.get('new-primary-writable')?.stdout).not.toBe('OK');
    expect(readOnly.get('old-primary-fenced')?.status, readOnly.get('old-primary-fenced')?.stdout).toBe('CRITICAL');
    expect(readOnly.get('old-primary-fenced')?.stdout).toContain('read-only only by default');
    const refused = await sevCheck(w.dir, { ...inputs, primary_db_url: url(primary, 'wallet_nobody') });
    expect(refused.get('old-primary-fenced')?.status, refused.get('old-primary-fenced')?.stdout).toBe('CRITICAL');
    expect(refused.get('old-primary-fenced')?.stdout).toContain('up but refused this role');
    await primary.sql('postgres', 'alter system reset default_transaction_read_only');
    await primary.sql('postgres', 'select pg_reload_conf()');
    const writable = await sevCheck(w.dir, { ...inputs, standby_db_url: url(primary) });
    expect(writable.get('new-primary-writable')?.status, writable.get('new-primary-writable')?.stdout).toBe('OK');
    expect(await primary.sql('wallet', 'select incident from dr_heartbeat')).toMatch(/\S/);

    // With the standby gone too, the lag is unknown, never a lag of 0.
    await primary.kill();
    await standby.kill();
    const results = await sevCheck(w.dir, inputs);
    expect(results.get('replica-lag')?.status).toBe('UNKNOWN');
    expect(results.get('replica-lag')?.stdout).toContain('neither the primary nor the standby answers');
    expect(results.get('replica-lag')?.stdout).not.toMatch(/lag \d/);
    expect(results.get('standby-healthy')?.status).toBe('CRITICAL');
  }, 110_000);

  it('restores a real base backup to a named restore point on a scratch copy and verifies the ledger there first', async () => {
    const w = workspace();
    const archive = ownedDir('sev-wal-');
    const primary = await primarySite(archive);
    const kept = (await primary.sql('wallet', payment('top-up', 100, 'top-up-1'))).split('\n').at(-1)!;
    const backup = join(ownedDir('sev-backup-'), 'base');
    await asServerUser('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(primary.port),
      '-U',
      'postgres',
      '-D',
      backup,
      '-Ft',
      '-z',
      '-X',
      'stream',
      '--checkpoint=fast',
      '--no-sync',
    ]);
    const afterBackup = (await primary.sql('wallet', payment('transfer', 30, 'transfer-1'))).split('\n').at(-1)!;
    await primary.sql('wallet', "select pg_create_restore_point('before-migration-0142')");
    // The damage the restore point was made for: a migration zeroes every balance, then the app goes on.
    await primary.sql('wallet', 'update wallets set balance = 0');
    const lost = (await primary.sql('wallet', payment('transfer', 7, 'transfer-after-damage'))).split('\n').at(-1)!;
    const segment = await primary.sql('postgres', 'select pg_walfile_name(pg_switch_wal())');
    await waitFor(`WAL ${segment} archived`, () => existsSync(join(archive, segment)), { timeoutMs: 20_000 });
    await primary.kill();

    // A WAL archive that is not there, or does not hold the backup's START WAL file, fails the backup check.
    for (const [walArchive, says] of [
      [join(archive, 'missing'), 'is missing or not a directory'],
      [ownedDir('sev-wal-empty-'), 'is not in'],
    ] as const) {
      const checked = await sevCheck(w.dir, {
        primary_db_url: url(primary),
        standby_db_url: url({ port: await freePort() }),
        base_backup_dir: backup,
        wal_archive_dir: walArchive,
      });
      expect(checked.get('base-backup-readable')?.status, checked.get('base-backup-readable')?.stdout).not.toBe('OK');
      expect(checked.get('base-backup-readable')?.stdout).toContain(says);
    }
    const scratch = join(ownedDir('sev-scratch-'), 'wallet');
    const scratchPort = await freePort();
    cleanups.push(() => asServerUser('pg_ctl', ['-D', scratch, '-m', 'immediate', '-w', 'stop']));
    const control = await controlPlane().start();
    cleanups.push(() => control.stop());
    const file = answers(
      w.dir,
      'answers.yaml',
      {
        primary_db_url: url(primary),
        standby_db_url: url({ port: await freePort() }),
        db_password: '',
        admin_url: `${control.url}/admin`,
        records_dir: w.records,
        pg_bindir: '/usr/lib/postgresql/15/bin',
        base_backup_dir: backup,
        wal_archive_dir: archive,
        scratch_pgdata: scratch,
        scratch_port: scratchPort,
        scratch_db_url: url({ port: scratchPort }),
      },
      {
        ...FIRST_STEPS,
        declare: 'sev2',
        'can-primary-return': 'restore',
        'restore-why': 'done',
        'choose-restore-point': 'before-migration-0142',
        'restore-test': 'yes',
        'what-is-lost': 'yes',
        'restore-loss-handoff': 'yes',
        'restore-production': '{ pause: yes }',
      },
    );
    const r = await runSev(['run', 'disaster-recovery', '--answers', file], {
      cwd: w.dir,
      incidents: w.incidents,
      env: { PATH: `${drillTools(w.dir)}:${process.env.PATH}` },
    });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.events.at(-1)).toMatchObject({ type: 'incident.paused', data: { step: 'restore-production' } });
    expect(checkResult(r.events, 'check-backup', 'base-backup-readable')?.status).toBe('OK');
    const restore = r.events.find((e) => e.type === 'command.finished' && e.data.step === 'restore-test');
    expect(restore?.data.ok, String(restore?.data.stderr)).toBe(true);
    expect(String(restore?.data.stdout)).toContain('recovery reached before-migration-0142 and paused there');
    for (const check of ['restored-ledger-balanced', 'restored-balances-match-ledger']) {
      expect(checkResult(r.events, 'verify-restored', check)?.status, check).toBe('OK');
    }

    // The scratch copy stopped at the restore point: what came before it is there, the damage and what followed are not.
    const copy = new TempPostgresClient(scratchPort);
    expect(await copy.sql('select pg_is_in_recovery(), pg_get_wal_replay_pause_state()')).toBe('t|paused');
    expect(await copy.sql(`select count(*) from transactions where id in ('${kept}', '${afterBackup}')`)).toBe('2');
    expect(await copy.sql(`select count(*) from transactions where id = '${lost}'`)).toBe('0');
    expect(await copy.sql('select balance from wallets order by id')).toBe('70\n30\n-100');
    expect(await copy.sql("select current_setting('archive_mode') || ' ' || current_setting('listen_addresses')")).toBe('off 127.0.0.1');
    const newest = r.events.find((e) => e.type === 'command.finished' && e.data.step === 'what-is-lost');
    expect(String(newest?.data.stdout)).toContain('(2 transactions)');
    expect(r.events.filter((e) => e.type === 'announcement').map((e) => e.data.step)).toEqual(['notify-users', 'restore-loss-handoff']);
    expect(commandsRun(r.events)).not.toContain('promote');
  }, 110_000);
});

/** psql to a server on 127.0.0.1 by port (the endpoint, the scratch copy), as the postgres superuser. */
class TempPostgresClient {
  constructor(private readonly port: number) {}
  async sql(sql: string): Promise<string> {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { stdout } = await promisify(execFile)(
      'psql',
      [`postgresql://postgres@127.0.0.1:${this.port}/wallet`, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql],
      { env: { ...process.env, PGCONNECT_TIMEOUT: '10' } },
    );
    return stdout.trim();
  }
}
