import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { aStringContaining, aStringMatching, SEV, tempDir } from '../helpers.js';
import {
  channelConnector,
  controlPlane,
  drillTools,
  FLOWS,
  runSev,
  Service,
  stateOf,
  stepEvent,
  walletApi,
  type Event,
  type Trigger,
} from '../fixtures/wallet/harness.js';
import { TempPostgres } from '../fixtures/wallet/postgres.js';

// Every runbook runs through the real CLI with an answers file against services on 127.0.0.1 that the test starts,
// stops (the outage) and starts again (the recovery), and a real PostgreSQL holding the reference schema.
let pg: TempPostgres;
beforeAll(async () => {
  pg = await TempPostgres.start();
}, 120_000);
afterAll(async () => {
  await pg?.stop();
});

const started: Service[] = [];
async function start<T extends Service>(service: T): Promise<T> {
  started.push(service);
  await service.start();
  return service;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

const milestones = (events: Event[]) => events.filter((e) => e.type === 'milestone').map((e) => e.data.milestone);
const checkStatus = (events: Event[], step: string, check: string) =>
  events.filter((e) => e.type === 'check.result' && e.data.step === step && e.data.check === check).map((e) => e.data.status);
const announced = (events: Event[]) => events.filter((e) => e.type === 'announcement').map((e) => e.data.step);
const puts = (service: Service, path: string) =>
  service.requests.filter((q) => q.method !== 'GET' && q.path === path).map((q) => JSON.parse(q.body) as Record<string, unknown>);
const commandOut = (events: Event[], step: string) =>
  events
    .filter((e) => e.type === 'command.finished' && e.data.step === step)
    .map((e) => (typeof e.data.stdout === 'string' ? e.data.stdout : ''))
    .join('\n');
/** Another incident's pause, as the admin API keeps it. */
const OTHER = { enabled: false, reason: 'incident 20261126T030000Z-data-error-zz99' };
const ARC = ['impact-started', 'detected', 'acknowledged', 'mitigated', 'resolved'];
/** The regulator step's answer for an incident no shipped rule makes reportable. */
const NOT_REPORTABLE =
  '{ facts: { interruption: 30m, transactions_affected: 40, records_leaked: 0, customers_exposed: 0, personal_data: no, ' +
  'eu_entity: no, eu_residents: no, dora_major: no, clients_financial_interests: no, card_data: no } }';
const regulatorEvents = (events: Event[]) => events.filter((e) => e.type.startsWith('regulator.'));
const applying = (events: Event[]) =>
  (events.find((e) => e.type === 'regulator.assessed')?.data.notifications as { id: string; applies: boolean }[] | undefined)
    ?.filter((n) => n.applies)
    .map((n) => n.id);
const minuteAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString().slice(0, 16) + 'Z';

function workspace() {
  const dir = tempDir();
  mkdirSync(join(dir, 'data'));
  mkdirSync(join(dir, 'evidence'));
  writeFileSync(join(dir, 'api.log'), '2026-11-26T03:00:00Z INFO started\n');
  return {
    dir,
    incidents: join(dir, 'incidents'),
    answers: join(dir, 'answers.yaml'),
    evidence: join(dir, 'evidence'),
    records: join(dir, 'records'),
    log: join(dir, 'api.log'),
  };
}

/** `sev check <runbook> --json` with these inputs, asynchronously so the services here keep answering: results by check. */
async function runCheck(runbook: string, set: Record<string, string>) {
  const args = ['check', runbook, '--json', ...Object.entries(set).flatMap(([k, v]) => ['--set', `${k}=${v}`])];
  const env = { ...process.env, NO_COLOR: '1', CI: 'true', GITHUB_ACTIONS: '' };
  const r = await promisify(execFile)(process.execPath, [SEV, ...args], { cwd: tempDir(), env, timeout: 120_000 }).catch(
    (e: { stdout: string }) => e,
  );
  return new Map((JSON.parse(r.stdout) as { results: { check: string }[] }).results.map((x) => [x.check, x]));
}

/** PATH with the drill's stand-ins for sudo, systemctl and kubectl first, and where they reach the services. */
const drillEnv = (dir: string, api: Service, control: Service) => ({
  PATH: `${drillTools(dir)}:${process.env.PATH}`,
  DRILL_API: api.url,
  DRILL_CONTROL: control.url,
});

type Result = Awaited<ReturnType<typeof runSev>>;
function expectCompleted(r: Result) {
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(r.unfired, 'a trigger never fired').toBe(0);
  expect(r.events.at(-1)).toMatchObject({ type: 'incident.closed', data: { outcome: 'completed' } });
}

describe('shipped runbooks, end to end against real local services', () => {
  it('server-failure: the API is down, the checks see it, a restart brings it back and the wait sees the recovery', async () => {
    const w = workspace();
    const db = await pg.createDatabase('wallet_server_failure');
    const api = await start(walletApi());
    // systemctl restart (through the drill's stand-in for systemd) restarts the API.
    const control = await start(controlPlane([{ method: 'POST', path: '/drill/restart', run: () => api.start() }]));
    await api.stop(); // the outage
    // Two incidents at once: a data error had paused withdrawals before this one started.
    control.state.set('/admin/flows/withdrawal', OTHER);
    writeFileSync(
      w.answers,
      `responder: drill
inputs:
  health_url: ${api.url}/health
  admin_url: ${control.url}/admin
  records_dir: ${w.records}
  db_url: ${db}
  db_password: ""
  data_path: ${join(w.dir, 'data')}
  log_file: ${w.log}
  process_name: node
steps:
  impact-start: 2026-11-26T03:00Z
  confirmed: yes
  declare: sev1
  incident-commander: Ana Silva
  comms-lead: Bo Chen
  ops-lead: Cy Diaz
  post-roles: yes
  ic-handoff: stay
  protect-needed: pause
  protect-funds: yes
  notify-users: yes
  brief-care: yes
  notify-regulators:
    facts: { transactions_affected: 150000, records_leaked: 0, customers_exposed: 0, personal_data: no, eu_entity: no, eu_residents: no,
      dora_major: no, clients_financial_interests: no, card_data: no }
    filed:
      pboc-incident: { at: ${minuteAgo(0)}, by: head of compliance, reference: PBOC-2026-118 }
  which-cause: process
  restart-service: yes
  resume-money-flows: yes
  update-users: yes
  stable: yes
  resolve-users: yes
  handoff: yes
  postmortem: done
`,
    );
    const r = await runSev(['run', 'server-failure', '--answers', w.answers], {
      cwd: w.dir,
      incidents: w.incidents,
      env: drillEnv(w.dir, api, control),
      // While this incident has every flow paused, a third one pauses transfers for its own reasons.
      triggers: [
        {
          when: stepEvent('step.started', 'notify-users'),
          then: () => void control.state.set('/admin/flows/transfer', { enabled: false, reason: 'incident third' }),
        },
      ],
    });
    expectCompleted(r);
    expect(checkStatus(r.events, 'confirm-symptoms', 'api-health')).toEqual(['CRITICAL']);
    expect(checkStatus(r.events, 'confirm-symptoms', 'db-connections')).toEqual(['OK']);
    expect(r.events.find((e) => e.type === 'wait.finished' && e.data.step === 'verify-recovery')?.data.passed).toBe(true);
    expect(checkStatus(r.events, 'confirm-symptoms', 'service-state')).toEqual(['CRITICAL']);
    expect(r.events.find((e) => e.type === 'command.finished' && e.data.step === 'restart-service')?.data.ok).toBe(true);
    const verified = r.events.filter((e) => e.type === 'check.result' && e.data.step === 'verify-all');
    expect(verified.map((e) => [e.data.check, e.data.status])).toEqual(
      ['api-health', 'api-process', 'service-state', 'disk-space', 'memory', 'db-connections', 'error-log'].map((c) => [c, 'OK']),
    );
    expect(r.events.find((e) => e.type === 'wait.finished' && e.data.step === 'settle-pending')?.data.passed).toBe(true);
    expect(milestones(r.events)).toEqual(ARC);
    expect(r.events.find((e) => e.type === 'severity.changed')?.data).toMatchObject({ from: 'SEV2', to: 'SEV1' });
    // Only what this incident paused comes back: the other incidents' pauses stay.
    expect(stateOf(control, '/admin/flows/withdrawal')).toEqual(OTHER);
    expect(stateOf(control, '/admin/flows/transfer')).toMatchObject({ enabled: false, reason: 'incident third' });
    for (const f of ['top-up', 'bill-pay', 'payment']) expect(stateOf(control, `/admin/flows/${f}`), f).toMatchObject({ enabled: true });
    expect(stateOf(control, '/admin/flags/payout-dispatch')).toMatchObject({ enabled: true });
    expect(puts(control, '/admin/flows/withdrawal')).toEqual([]);
    expect(puts(control, '/admin/flows/all')).toEqual([]);
    expect(puts(control, '/admin/flags/payout-dispatch').map((b) => b.enabled)).toEqual([false, true]);
    // The prior state is in the incident log and in the incident's records.
    expect(commandOut(r.events, 'protect-funds')).toContain(`flows/withdrawal before: ${JSON.stringify(OTHER)}`);
    const incident = r.events[0]!.incident!;
    expect(readFileSync(join(w.records, incident, 'flows_withdrawal.json'), 'utf8').trim()).toBe(JSON.stringify(OTHER));
    expect(JSON.parse(readFileSync(join(w.records, incident, 'flows_top-up.json'), 'utf8'))).toEqual({ enabled: true });
    expect(commandOut(r.events, 'resume-money-flows')).toMatch(/flows\/transfer: paused since by someone else/);
    expect(announced(r.events)).toEqual(['post-roles', 'notify-users', 'brief-care', 'update-users', 'resolve-users', 'handoff']);
    // Over 100,000 transactions affected: the PBoC reports apply, the brief one filed within its 30 minutes and
    // the incident report (due in 2 hours) still pending; the interruption
    // came from the milestones (impact started at 03:00Z, long before now), which also makes the CAC's apply.
    const assessed = r.events.find((e) => e.type === 'regulator.assessed')!;
    expect(assessed.data.facts).toMatchObject({
      interruption: { source: 'milestones' },
      transactions_affected: { value: '150,000', source: 'answer' },
    });
    expect(applying(r.events)).toEqual(['pboc-incident', 'cac-incident']);
    expect(regulatorEvents(r.events).map((e) => [e.type, e.data.notification])).toEqual([
      ['regulator.assessed', undefined],
      ['regulator.filed', 'pboc-incident'],
      ['regulator.pending', 'pboc-incident'],
      ['regulator.pending', 'cac-incident'],
    ]);
    expect(regulatorEvents(r.events)[2]!.data).toMatchObject({ deadline: 'intermediate' });
    expect(regulatorEvents(r.events)[1]!.data).toMatchObject({
      deadline: 'initial',
      by: 'head of compliance',
      reference: 'PBOC-2026-118',
      lateMs: 0,
    });
  }, 180_000);

  /** server-failure with the API up, money flows not paused, and `cause` answered at which-cause; `inputs` adds to the defaults. */
  async function serverFailure(
    name: string,
    cause: string,
    inputs: Record<string, string>,
    options: { stopOnFail?: string; triggers?: Trigger[] } = {},
  ) {
    const w = workspace();
    const db = await pg.createDatabase(name);
    const api = await start(walletApi());
    const control = await start(controlPlane([{ method: 'POST', path: '/drill/restart', run: () => api.start() }]));
    const all = {
      health_url: `${api.url}/health`,
      admin_url: `${control.url}/admin`,
      records_dir: w.records,
      db_url: db,
      db_password: '""',
      data_path: join(w.dir, 'data'),
      log_file: w.log,
      process_name: 'node',
      ...inputs,
    };
    writeFileSync(
      w.answers,
      `responder: drill
inputs:
${Object.entries(all)
  .map(([k, v]) => `  ${k}: ${v}`)
  .join('\n')}
steps:
  impact-start: unknown
  confirm-symptoms: continue
  confirmed: yes
  declare: sev3
  incident-commander: Ana Silva
  comms-lead: Bo Chen
  ops-lead: Cy Diaz
  post-roles: yes
  ic-handoff: stay
  protect-needed: no-pause
  notify-users: yes
  brief-care: yes
  notify-regulators: ${NOT_REPORTABLE}
  which-cause: ${cause}
${options.stopOnFail ? `  ${options.stopOnFail}: { answer: yes, on_fail: stop }` : ''}
  free-disk: yes
  replica-out-of-pool: yes
  replica-back-in-pool: yes
  verify-all: continue
  resume-money-flows: yes
  update-users: yes
  stable: yes
  resolve-users: yes
  handoff: yes
  postmortem: done
`,
    );
    const r = await runSev(['run', 'server-failure', '--answers', w.answers], {
      cwd: w.dir,
      incidents: w.incidents,
      env: drillEnv(w.dir, api, control),
      triggers: options.triggers,
    });
    return { w, r, control };
  }

  it("server-failure: a full disk moves only the API log's own old archives elsewhere, and deletes no log", async () => {
    const base = tempDir();
    const logs = join(base, 'log');
    mkdirSync(join(logs, 'nested'), { recursive: true });
    const old = new Date(Date.now() - 5 * 86_400_000);
    const files = ['api.log', 'api.log.1.gz', 'api.log.2.gz', 'api.log.3.gz', 'audit.log.1.gz', 'nested/api.log.9.gz'];
    for (const f of files) writeFileSync(join(logs, f), `${f}\n`);
    for (const f of ['api.log.1.gz', 'api.log.2.gz', 'audit.log.1.gz', 'nested/api.log.9.gz']) utimesSync(join(logs, f), old, old);
    const archive = join(base, 'archive');
    const { r } = await serverFailure('wallet_server_failure_disk', 'disk-full', { log_file: join(logs, 'api.log'), archive_dir: archive });
    expectCompleted(r);
    expect(r.events.find((e) => e.type === 'command.finished' && e.data.step === 'free-disk')?.data.ok).toBe(true);
    expect(readdirSync(archive).sort()).toEqual(['api.log.1.gz', 'api.log.2.gz']);
    // The recent archive, another service's audit log and everything below stay where they are.
    for (const f of ['api.log', 'api.log.3.gz', 'audit.log.1.gz', 'nested/api.log.9.gz']) expect(existsSync(join(logs, f)), f).toBe(true);
  }, 180_000);

  it('server-failure: a real standby whose replay is paused lags; it is taken out of the read pool and put back once caught up', async () => {
    const db = await pg.createDatabase('wallet_server_failure_replica');
    // A real replica whose replay the test pauses (select pg_wal_replay_pause()) to make it lag.
    const standby = await pg.standby('replica-1');
    onTestFinished(() => standby.stop());
    const replica = standby.url('wallet_server_failure_replica');
    // It has replayed a first write; then it stops replaying while the primary goes on writing: what it serves is stale.
    await pg.sql(
      'wallet_server_failure_replica',
      "insert into transactions (user_id, kind, channel, amount, currency, status) values (1, 'top-up', 'bank-a', 10, 'EUR', 'completed')",
    );
    for (let i = 0; i < 100 && (await standby.sql('wallet_server_failure_replica', 'select count(*) from transactions')) !== '1'; i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    await standby.sql('postgres', 'select pg_wal_replay_pause()');
    await pg.sql(
      'wallet_server_failure_replica',
      "insert into transactions (user_id, kind, channel, amount, currency, status) values (1, 'top-up', 'bank-a', 20, 'EUR', 'completed')",
    );
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const { r, control } = await serverFailure(
      'wallet_server_failure_replica_walk',
      'replica-lag',
      { db_url: db, replica_db_url: replica, replica_name: 'replica-1', max_replica_lag_seconds: '1' },
      // Its replay resumes (the database on-call found it paused) while the runbook waits for it to catch up.
      {
        triggers: [
          {
            when: stepEvent('step.started', 'replica-caught-up'),
            then: () => void standby.sql('postgres', 'select pg_wal_replay_resume()'),
          },
        ],
      },
    );
    expectCompleted(r);
    const lag = r.events.find((e) => e.type === 'check.result' && e.data.step === 'check-replica' && e.data.check === 'replica-lag');
    expect(lag?.data).toMatchObject({
      status: 'CRITICAL',
      stdout: aStringMatching(/^CRITICAL: the replica is \d+ s behind \(its replay is paused\)/),
    });
    const primary = r.events.find(
      (e) => e.type === 'check.result' && e.data.step === 'check-replica' && e.data.check === 'replication-status',
    );
    expect(primary?.data.stdout).toMatch(/^OK: \S+ streaming, replay \d+ (bytes|kB|MB) behind/);
    expect(r.events.find((e) => e.type === 'wait.finished' && e.data.step === 'replica-caught-up')?.data.passed).toBe(true);
    expect(puts(control, '/admin/read-pool/replica-1').map((b) => b.enabled)).toEqual([false, true]);
    expect(puts(control, '/admin/flags/balances-from-replicas').map((b) => b.enabled)).toEqual([false, true]);
    expect(commandOut(r.events, 'replica-out-of-pool')).toContain('read-pool/replica-1 before: {"enabled":true}');
  }, 180_000);

  it('server-failure: release-db-connections ends nothing, and says why, for a role without pg_monitor', async () => {
    await pg.sql(
      'postgres',
      `do $$ begin
        if not exists (select from pg_roles where rolname = 'oncall_blind') then create role oncall_blind login; end if;
      end $$;
      grant pg_signal_backend to oncall_blind`,
    );
    const db = pg.url('wallet_server_failure_pool').replace('postgres@', 'oncall_blind@');
    const { r } = await serverFailure(
      'wallet_server_failure_pool',
      'connection-pool',
      { db_url: db },
      { stopOnFail: 'release-db-connections' },
    );
    const step = r.events.find((e) => e.type === 'command.finished' && e.data.step === 'release-db-connections');
    expect(step?.data.ok).toBe(false);
    expect(String(step?.data.stderr)).toContain('role oncall_blind lacks pg_monitor');
    expect(String(step?.data.stdout)).not.toMatch(/idle_in_transaction_sessions_ended/);
    expect(r.code).not.toBe(0);
    expect(checkStatus(r.events, 'confirm-symptoms', 'db-connections')).toEqual(['CRITICAL']);
  }, 180_000);

  describe('server-failure: drain-host talks to HAProxy over its UNIX socket and reads the answer', () => {
    /** A stand-in for HAProxy's runtime API on a real UNIX socket: one command per connection, like HAProxy's. */
    async function haproxy(path: string) {
      const seen: string[] = [];
      const admin = new Map([['app1', 0]]);
      const server = createNetServer((socket) => {
        socket.setEncoding('utf8');
        let line = '';
        socket.on('data', (d: string) => {
          line += d;
          if (!line.includes('\n')) return;
          const command = line.trim();
          seen.push(command);
          const set = /^set server wallet_api\/(\S+) state maint$/.exec(command);
          if (set) {
            if (!admin.has(set[1]!)) socket.end('No such server.\n\n');
            else {
              admin.set(set[1]!, 1);
              socket.end('\n');
            }
          } else if (command === 'show servers state wallet_api') {
            const rows = [...admin].map(
              ([name, state], i) => `3 wallet_api ${i + 1} ${name} 10.0.0.${i + 1} 2 ${state} 1 1 1 6 3 0 0 0 0 0 - 8080 -`,
            );
            socket.end(`1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state ...\n${rows.join('\n')}\n\n`);
          } else socket.end('Unknown command.\n\n');
        });
      });
      await new Promise<void>((resolve) => server.listen(path, resolve));
      return { seen, admin, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
    }

    it('puts the host in maintenance and checks it is', async () => {
      const socket = join(tempDir(), 'admin.sock');
      const hap = await haproxy(socket);
      try {
        const { r } = await serverFailure(
          'wallet_server_failure_drain',
          'host-down',
          { haproxy_socket: socket, lb_backend: 'wallet_api', app_server: 'app1' },
          { stopOnFail: 'drain-host' },
        );
        expectCompleted(r);
        expect(hap.seen).toEqual(['set server wallet_api/app1 state maint', 'show servers state wallet_api']);
        expect(hap.admin.get('app1')).toBe(1);
      } finally {
        await hap.close();
      }
    }, 180_000);

    it('fails on "No such server." and on a socket path that does not exist (creating no file)', async () => {
      const socket = join(tempDir(), 'admin.sock');
      const hap = await haproxy(socket);
      try {
        const wrongName = await serverFailure(
          'wallet_server_failure_drain_name',
          'host-down',
          { haproxy_socket: socket, lb_backend: 'wallet_api', app_server: 'app9' },
          { stopOnFail: 'drain-host' },
        );
        const named = wrongName.r.events.find((e) => e.type === 'command.finished' && e.data.step === 'drain-host');
        expect(named?.data.ok).toBe(false);
        expect(String(named?.data.stderr)).toContain('HAProxy refused: No such server.');
        expect(wrongName.r.code).not.toBe(0);
      } finally {
        await hap.close();
      }
      const missing = join(tempDir(), 'no-such.sock');
      const wrongPath = await serverFailure(
        'wallet_server_failure_drain_path',
        'host-down',
        { haproxy_socket: missing, lb_backend: 'wallet_api', app_server: 'app1' },
        { stopOnFail: 'drain-host' },
      );
      const pathed = wrongPath.r.events.find((e) => e.type === 'command.finished' && e.data.step === 'drain-host');
      expect(pathed?.data.ok).toBe(false);
      expect(String(pathed?.data.stderr)).toContain(`cannot reach HAProxy at ${missing}`);
      expect(existsSync(missing)).toBe(false);
    }, 180_000);
  });

  it('network: the bank channel is unreachable, paused, and settled by status enquiry once it answers again', async () => {
    const w = workspace();
    const db = await pg.createDatabase('wallet_network');
    await pg.sql(
      'wallet_network',
      `insert into transactions (user_id, kind, channel, amount, currency, status, created_at) values
      (1, 'withdrawal', 'bank-a', 20, 'EUR', 'pending', now() - interval '10 minutes'),
      (2, 'top-up', 'bank-a', 50, 'EUR', 'pending', now() - interval '8 minutes')`,
    );
    const api = await start(walletApi());
    const bank = await start(channelConnector());
    const control = await start(
      controlPlane([
        // The bank fixes its side while its channel is paused; its answers to the status enquiry settle what was pending.
        { method: 'PUT', path: '/admin/channels/bank-a', when: (b) => b.state === 'paused', run: () => bank.start() },
        {
          method: 'POST',
          path: '/admin/channels/bank-a/status-enquiry',
          run: () => pg.sql('wallet_network', "update transactions set status = 'completed' where status = 'pending'"),
        },
      ]),
    );
    await bank.stop(); // the partition to the bank
    // Two incidents at once: another one had paused withdrawals and shed non-essential traffic.
    control.state.set('/admin/flows/withdrawal', OTHER);
    control.state.set('/admin/flags/non-essential-traffic', OTHER);
    writeFileSync(
      w.answers,
      `responder: drill
inputs:
  health_url: ${api.url}/health
  db_host: localhost
  db_port: ${pg.port}
  db_url: ${db}
  db_password: ""
  channel: bank-a
  bank_name: Bank A
  bank_host: localhost
  bank_health_url: ${bank.url}/channels/bank-a/health
  admin_url: ${control.url}/admin
  records_dir: ${w.records}
  log_file: ${w.log}
steps:
  impact-start: 2026-11-26T03:00Z
  confirmed: yes
  declare: sev2
  incident-commander: Ana Silva
  comms-lead: Bo Chen
  ops-lead: Cy Diaz
  post-roles: yes
  ic-handoff: stay
  pause-auto-retry: yes
  notify-users: yes
  brief-care: yes
  notify-regulators: ${NOT_REPORTABLE}
  which-cause: bank
  pause-channel: yes
  tell-bank: yes
  verify-all-failing: { answer: unrelated, note: "the drill has no bank endpoint with TLS" }
  settle-in-flight: yes
  restore: yes
  update-users: yes
  stable: yes
  resolve-users: yes
  handoff: yes
  postmortem: done
`,
    );
    const r = await runSev(['run', 'network', '--answers', w.answers], { cwd: w.dir, incidents: w.incidents });
    expectCompleted(r);
    expect(checkStatus(r.events, 'confirm-symptoms', 'bank-channel')).toEqual(['CRITICAL']);
    expect(checkStatus(r.events, 'confirm-symptoms', 'in-flight')).toEqual(['CRITICAL']);
    expect(checkStatus(r.events, 'confirm-symptoms', 'db-query')).toEqual(['OK']);
    expect(checkStatus(r.events, 'confirm-symptoms', 'dns-bank')).toEqual(['OK']);
    expect(checkStatus(r.events, 'confirm-symptoms', 'db-tcp')).toEqual(['OK']);
    expect(checkStatus(r.events, 'verify-all', 'db-tcp')).toEqual(['OK']);
    expect(r.events.find((e) => e.type === 'wait.finished' && e.data.step === 'verify-recovery')?.data.passed).toBe(true);
    expect(checkStatus(r.events, 'verify-all', 'bank-channel')).toEqual(['OK']);
    expect(r.events.find((e) => e.type === 'wait.finished' && e.data.step === 'wait-settled')?.data.passed).toBe(true);
    expect(milestones(r.events)).toEqual(ARC);
    expect(puts(control, '/admin/channels/bank-a').map((b) => b.state)).toEqual(['paused', 'active']);
    expect(puts(control, '/admin/flags/bank-auto-retry').map((b) => b.enabled)).toEqual([false, true]);
    // The restore turns back on what this incident switched off, and nothing of the other incident's.
    expect(stateOf(control, '/admin/channels/bank-a')).toMatchObject({ state: 'active' });
    expect(stateOf(control, '/admin/flags/bank-auto-retry')).toMatchObject({ enabled: true });
    expect(stateOf(control, '/admin/flows/withdrawal')).toEqual(OTHER);
    expect(stateOf(control, '/admin/flags/non-essential-traffic')).toEqual(OTHER);
    for (const f of FLOWS.filter((f) => f !== 'withdrawal'))
      expect(stateOf(control, `/admin/flows/${f}`), f).toMatchObject({ enabled: true });
    expect(control.requests.filter((q) => q.method === 'PUT' && q.path.startsWith('/admin/flows/'))).toEqual([]);
    expect(commandOut(r.events, 'pause-channel')).toContain('channels/bank-a before: {"state":"active"}');
    expect(commandOut(r.events, 'restore')).toContain('flows/withdrawal: this incident did not change it');
    const incident = r.events[0]!.incident!;
    expect(readdirSync(join(w.records, incident)).sort()).toEqual(['channels_bank-a.json', 'flags_bank-auto-retry.json']);
  }, 180_000);

  /** A release breaks the API; the rollback (kubectl's stand-in) brings the previous one back. `steps` answers from money-touched to the end. */
  async function softwareBug(
    name: string,
    steps: string,
    seed: Record<string, Record<string, unknown>> = {},
    options: { deployedAt?: string; sql?: string; rollbackTo?: string } = {},
  ) {
    const w = workspace();
    const db = await pg.createDatabase(name);
    if (options.sql) await pg.sql(name, options.sql);
    await pg.sql(
      name,
      `insert into transactions (user_id, kind, channel, amount, currency, status, app_version, error_code, created_at)
      select n, 'payment', 'qr', 12.5, 'EUR', case when n % 2 = 0 then 'failed' else 'completed' end,
             '2026.11.26-2', case when n % 2 = 0 then 'E_FEE_CALC' end, now() - interval '5 minutes'
      from generate_series(1, 10) n`,
    );
    const release = { version: '2026.11.26-2' };
    const api = await start(walletApi(release));
    const control = await start(
      controlPlane([
        {
          method: 'POST',
          path: '/drill/rollback',
          run: () => {
            release.version = options.rollbackTo ?? '2026.11.26-1';
            writeFileSync(w.log, '2026-11-26T04:00:00Z INFO started release 2026.11.26-1\n');
            return api.start();
          },
        },
      ]),
    );
    for (const [path, value] of Object.entries(seed)) control.state.set(path, value);
    await api.stop(); // the bad release crashes
    writeFileSync(w.log, Array.from({ length: 60 }, (_, i) => `2026-11-26T03:0${i % 10}:00Z ERROR fee calculation failed: NaN\n`).join(''));
    writeFileSync(
      w.answers,
      `responder: drill
inputs:
  health_url: ${api.url}/health
  version_url: ${api.url}/version
  log_file: ${w.log}
  admin_url: ${control.url}/admin
  records_dir: ${w.records}
  db_url: ${db}
  db_password: ""
  evidence_dir: ${w.evidence}
steps:
  impact-start: ${minuteAgo(30)}
  suspect-release: 2026.11.26-2
  deployed-at: ${options.deployedAt ?? minuteAgo(60)}
  confirmed: yes
  declare: sev2
  incident-commander: Ana Silva
  comms-lead: Bo Chen
  ops-lead: Cy Diaz
  post-roles: yes
  ic-handoff: stay
  freeze-deploys: yes
${steps}`,
    );
    const r = await runSev(['run', 'software-bug', '--answers', w.answers], {
      cwd: w.dir,
      incidents: w.incidents,
      env: drillEnv(w.dir, api, control),
    });
    return { w, control, r };
  }

  it('network: fix-dns restarts nothing on a host where systemd-resolved is not the resolver', async () => {
    const w = workspace();
    const db = await pg.createDatabase('wallet_network_dns');
    const api = await start(walletApi());
    const bank = await start(channelConnector());
    const control = await start(controlPlane());
    writeFileSync(
      w.answers,
      `responder: drill
inputs:
  health_url: ${api.url}/health
  db_host: no-such-host.invalid
  db_port: ${pg.port}
  db_url: ${db}
  db_password: ""
  bank_health_url: ${bank.url}/channels/bank-a/health
  admin_url: ${control.url}/admin
  records_dir: ${w.records}
  log_file: ${w.log}
steps:
  impact-start: unknown
  confirm-symptoms: continue
  confirmed: yes
  declare: sev2
  incident-commander: Ana Silva
  comms-lead: Bo Chen
  ops-lead: Cy Diaz
  post-roles: yes
  ic-handoff: stay
  pause-auto-retry: yes
  notify-users: yes
  brief-care: yes
  notify-regulators: ${NOT_REPORTABLE}
  which-cause: dns
  fix-dns: { answer: yes, on_fail: stop }
`,
    );
    const r = await runSev(['run', 'network', '--answers', w.answers], {
      cwd: w.dir,
      incidents: w.incidents,
      env: drillEnv(w.dir, api, control),
    });
    const fix = r.events.find((e) => e.type === 'command.finished' && e.data.step === 'fix-dns');
    expect(fix?.data.ok).toBe(false);
    expect(String(fix?.data.stderr)).toContain("systemd-resolved is not this host's resolver: nothing restarted");
    expect(control.requests.filter((q) => q.path.startsWith('/drill/'))).toEqual([]);
    expect(r.code).not.toBe(0);
  }, 180_000);

  it('software-bug: a release breaks the API; deploys frozen, the flows paused, a rollback, the touched transactions listed', async () => {
    // Two incidents at once: a data error had paused transfers before this release went bad.
    const { w, control, r } = await softwareBug(
      'wallet_software_bug',
      `  money-touched: pause
  flow-name: all
  pause-flow: yes
  notify-users: yes
  brief-care: yes
  notify-regulators: ${NOT_REPORTABLE}
  which-mitigation: rollback
  good-release: 2026.11.26-1
  rollback: yes
  money-wrong: no-repair
  resume-flow: yes
  update-users: yes
  stable: yes
  resolve-users: yes
  handoff: yes
  postmortem: done
`,
      { '/admin/flows/transfer': OTHER },
    );
    expectCompleted(r);
    expect(checkStatus(r.events, 'confirm-symptoms', 'api-health')).toEqual(['CRITICAL']);
    expect(checkStatus(r.events, 'confirm-symptoms', 'error-log')).toEqual(['CRITICAL']);
    expect(checkStatus(r.events, 'confirm-symptoms', 'failed-transactions')).toEqual(['CRITICAL']);
    expect(r.events.find((e) => e.type === 'command.finished' && e.data.step === 'rollback')?.data.ok).toBe(true);
    expect(checkStatus(r.events, 'verify-errors', 'error-log')).toEqual(['OK']);
    const version = r.events.find(
      (e) => e.type === 'check.result' && e.data.step === 'verify-errors' && e.data.check === 'running-release',
    );
    expect(version?.data.stdout).toContain('2026.11.26-1');
    expect(milestones(r.events)).toEqual(ARC);
    expect(puts(control, '/admin/deploys/freeze')).toEqual([expect.objectContaining({ frozen: true })]);
    expect(puts(control, '/admin/flows/payment').map((b) => b.enabled)).toEqual([false, true]);
    // The flows this incident paused are back; the one the other incident paused is not.
    expect(stateOf(control, '/admin/flows/transfer')).toEqual(OTHER);
    expect(puts(control, '/admin/flows/transfer')).toEqual([]);
    for (const f of FLOWS.filter((f) => f !== 'transfer'))
      expect(stateOf(control, `/admin/flows/${f}`), f).toMatchObject({ enabled: true });
    expect(commandOut(r.events, 'pause-flow')).toContain(`flows/transfer before: ${JSON.stringify(OTHER)}`);
    expect(commandOut(r.events, 'resume-flow')).toContain('flows/transfer: was already off before this incident: left off');
    const touched = readdirSync(w.evidence).find((f) => f.endsWith('-touched-transactions.csv'))!;
    const rows = readFileSync(join(w.evidence, touched), 'utf8').trim().split('\n');
    expect(rows).toHaveLength(11);
    expect(rows[0]).toMatch(/^user_id,transaction_id,/);
    // customer-care reads the list software-bug writes: one user per distinct first column.
    const care = await start(controlPlane());
    const cc = await runCheck('customer-care', {
      care_url: `${care.url}/care`,
      affected_list: join(w.evidence, touched),
      incident_ref: '20261126T031502Z-software-bug-k3f9',
      what_happened: 'payments failed after a release',
      records_dir: w.records,
    });
    expect(cc.get('affected-list')).toMatchObject({ status: 'OK', stdout: aStringMatching(/^10 affected user\(s\)/) });
  }, 180_000);

  it('software-bug: after a rollback, a release other than the good one fails the check', async () => {
    const { r } = await softwareBug(
      'wallet_software_bug_wrong_release',
      `  money-touched: no-pause
  notify-users: yes
  brief-care: yes
  notify-regulators: ${NOT_REPORTABLE}
  which-mitigation: rollback
  good-release: 2026.11.26-1
  rollback: yes
  verify-errors-failing: { pause: yes }
`,
      {},
      { rollbackTo: '2026.11.26-0' }, // the rollout undo went one release too far back
    );
    const version = r.events.find(
      (e) => e.type === 'check.result' && e.data.step === 'verify-errors' && e.data.check === 'running-release',
    );
    expect(version?.data).toMatchObject({
      status: 'CRITICAL',
      stdout: 'running 2026.11.26-0, not 2026.11.26-1 (the release rolled back to)\n',
    });
    expect(checkStatus(r.events, 'verify-errors', 'error-log')).toEqual(['OK']);
    expect(r.events.filter((e) => e.type === 'step.started').map((e) => e.data.step)).not.toContain('find-touched');
  }, 180_000);

  it('software-bug: when no flow was paused, the resume turns none on', async () => {
    const { control, r } = await softwareBug(
      'wallet_software_bug_no_pause',
      `  money-touched: no-pause
  notify-users: yes
  brief-care: yes
  notify-regulators: ${NOT_REPORTABLE}
  which-mitigation: rollback
  good-release: 2026.11.26-1
  rollback: yes
  money-wrong: no-repair
  resume-flow: yes
  update-users: yes
  stable: yes
  resolve-users: yes
  handoff: yes
  postmortem: done
`,
      { '/admin/flows/withdrawal': OTHER },
    );
    expectCompleted(r);
    expect(control.requests.filter((q) => q.method === 'PUT' && q.path.startsWith('/admin/flows/'))).toEqual([]);
    expect(stateOf(control, '/admin/flows/withdrawal')).toEqual(OTHER);
    expect(r.events.find((e) => e.type === 'command.finished' && e.data.step === 'resume-flow')?.data.ok).toBe(true);
  }, 180_000);

  it('software-bug: money is wrong - the flow stays paused and the incident hands over to data-error', async () => {
    const { w, control, r } = await softwareBug(
      'wallet_software_bug_data_error',
      `  money-touched: pause
  flow-name: payment
  pause-flow: yes
  notify-users: yes
  brief-care: yes
  notify-regulators: ${NOT_REPORTABLE}
  which-mitigation: rollback
  good-release: 2026.11.26-1
  rollback: yes
  money-wrong: data-error
  hand-to-data-error: yes
`,
      {},
      {
        // The session's time zone is not UTC, and the time of the deploy is given without Z: it is UTC all the same.
        sql: `alter database wallet_software_bug_data_error set timezone = 'Pacific/Pago_Pago';
          insert into transactions (user_id, kind, channel, amount, currency, status, app_version, error_code, created_at)
          select n, 'payment', 'qr', 12.5, 'EUR', 'failed', '2026.11.26-1', 'E_TIMEOUT', now() - interval '5 minutes' from generate_series(20, 22) n`,
        deployedAt: minuteAgo(60).slice(0, -1),
      },
    );
    const touched = readdirSync(w.evidence).find((f) => f.endsWith('-touched-transactions.csv'))!;
    expect(readFileSync(join(w.evidence, touched), 'utf8').trim().split('\n')).toHaveLength(14);
    expectCompleted(r);
    expect(puts(control, '/admin/flows/payment').map((b) => b.enabled)).toEqual([false]);
    expect(stateOf(control, '/admin/flows/payment')).toMatchObject({ enabled: false, reason: `incident ${r.events[0]!.incident}` });
    const steps = r.events.filter((e) => e.type === 'step.started').map((e) => e.data.step);
    expect(steps).not.toContain('resume-flow');
    expect(steps.at(-1)).toBe('hand-to-data-error');
    expect(announced(r.events)).toEqual(['post-roles', 'notify-users', 'brief-care', 'hand-to-data-error']);
    expect(existsSync(join(w.records, r.events[0]!.incident!, 'flows_payment.json'))).toBe(true);
  }, 180_000);

  it('security: takeovers found, accounts frozen, sessions revoked, MFA required, evidence kept with checksums', async () => {
    const w = workspace();
    const db = await pg.createDatabase('wallet_security');
    await pg.sql(
      'wallet_security',
      `
      insert into users (id, phone, email) values
        (1, '+100', 'a@example.com'), (2, '+200', 'b@example.com'), (3, '+300', 'c@example.com'), (4, '+400', 'mule@example.com');
      insert into wallets (id, user_id, currency, balance) values (10, 1, 'EUR', 0), (20, 2, 'EUR', 0), (30, 3, 'EUR', 90), (40, 4, 'EUR', 250);
      insert into auth_events (user_id, kind, ip, device_id, created_at) values
        (1, 'password_reset', '203.0.113.7', 'dev-x', now() - interval '50 minutes'),
        (1, 'device_added', '203.0.113.7', 'dev-x', now() - interval '49 minutes'),
        (2, 'password_reset', '203.0.113.7', 'dev-y', now() - interval '40 minutes'),
        (2, 'device_added', '203.0.113.7', 'dev-y', now() - interval '39 minutes'),
        (3, 'login', '198.51.100.3', 'dev-3', now() - interval '30 minutes');
      insert into transactions (id, user_id, kind, channel, amount, currency, status, created_at) values
        ('00000000-0000-0000-0000-00000000000a', 1, 'withdrawal', 'bank-a', 400, 'EUR', 'completed', now() - interval '45 minutes'),
        ('00000000-0000-0000-0000-00000000000b', 2, 'transfer', 'internal', 250, 'EUR', 'completed', now() - interval '35 minutes'),
        ('00000000-0000-0000-0000-00000000000c', 3, 'transfer', 'internal', 90, 'EUR', 'completed', now() - interval '20 minutes');
      -- The takeover of account 2 moved its money to wallet 40 (the mule); user 3's own transfer went to user 2.
      insert into ledger_entries (txn_id, wallet_id, amount) values
        ('00000000-0000-0000-0000-00000000000b', 20, -250), ('00000000-0000-0000-0000-00000000000b', 40, 250),
        ('00000000-0000-0000-0000-00000000000c', 30, -90), ('00000000-0000-0000-0000-00000000000c', 20, 90);`,
    );
    const api = await start(walletApi());
    const control = await start(
      controlPlane([
        // The admin API's freeze marks the accounts frozen; with the attacker's sessions cut, the API recovers.
        {
          method: 'POST',
          path: '/admin/accounts/freeze',
          run: (b) => pg.sql('wallet_security', `update users set status = 'frozen' where id in (${(b.user_ids as number[]).join(',')})`),
        },
        { method: 'POST', path: '/admin/sessions/revoke', run: () => api.start() },
      ]),
    );
    await api.stop(); // the attack's traffic took the API down
    control.state.set('/admin/flows/payment', OTHER); // another incident had paused payments
    const access = join(w.dir, 'access.log');
    writeFileSync(
      access,
      Array.from({ length: 30 }, (_, i) => `${i % 3 ? '203.0.113.7' : '198.51.100.3'} - - "POST /login" 200\n`).join(''),
    );
    writeFileSync(
      w.answers,
      `responder: drill
inputs:
  health_url: ${api.url}/health
  admin_url: ${control.url}/admin
  db_url: ${db}
  db_password: ""
  access_log: ${access}
  evidence_dir: ${w.evidence}
  records_dir: ${w.records}
steps:
  impact-start: ${minuteAgo(50)}
  confirmed: yes
  declare: sev1
  incident-commander: Ana Silva
  comms-lead: Bo Chen
  ops-lead: Cy Diaz
  post-roles: yes
  ic-handoff: stay
  affected-list: yes
  freeze-accounts: yes
  freeze-receivers: yes
  recall-withdrawals: yes
  revoke-sessions: yes
  mfa-scope: affected
  require-mfa: yes
  preserve-evidence: yes
  stop-money-out: systems
  pause-outflows: yes
  cut-access: yes
  notify-users: yes
  notify-required:
    facts: { interruption: 0m, transactions_affected: 1, records_leaked: 2, customers_exposed: 2, personal_data: yes, eu_entity: yes,
      eu_residents: no, dora_major: no, clients_financial_interests: no, card_data: no }
    filed: { gdpr-breach: { by: dpo, reference: DPA-77 } }
  brief-care: yes
  restore-funds: yes
  resume-outflows: yes
  stable: yes
  resolve-users: yes
  handoff: yes
  postmortem: done
`,
    );
    const r = await runSev(['run', 'security', '--answers', w.answers], { cwd: w.dir, incidents: w.incidents });
    expectCompleted(r);
    const takeovers = r.events.find(
      (e) => e.type === 'check.result' && e.data.step === 'confirm-signals' && e.data.check === 'takeover-signals',
    );
    expect(takeovers?.data).toMatchObject({ status: 'CRITICAL', stdout: aStringMatching(/^2 account/) });
    expect(checkStatus(r.events, 'confirm-signals', 'api-health')).toEqual(['CRITICAL']);
    expect(checkStatus(r.events, 'verify-contained', 'takeover-signals')).toEqual(['OK']);
    expect(checkStatus(r.events, 'verify-contained', 'api-health')).toEqual(['OK']);
    expect(milestones(r.events)).toEqual(ARC);
    // The victims' accounts, then the wallet their money went to; the bank withdrawal is recalled.
    expect(puts(control, '/admin/accounts/freeze')).toEqual([
      expect.objectContaining({ user_ids: [1, 2] }),
      expect.objectContaining({ user_ids: [4] }),
    ]);
    expect(puts(control, '/admin/recalls')).toEqual([
      expect.objectContaining({ transaction_ids: ['00000000-0000-0000-0000-00000000000a'] }),
    ]);
    // Every way out was paused, and only what this incident paused is back.
    for (const f of ['withdrawal', 'transfer', 'bill-pay']) {
      expect(
        puts(control, `/admin/flows/${f}`).map((b) => b.enabled),
        f,
      ).toEqual([false, true]);
      expect(stateOf(control, `/admin/flows/${f}`), f).toMatchObject({ enabled: true });
    }
    expect(puts(control, '/admin/flows/payment')).toEqual([]);
    expect(stateOf(control, '/admin/flows/payment')).toEqual(OTHER);
    expect(puts(control, '/admin/flows/top-up')).toEqual([]);
    expect(puts(control, '/admin/sessions/revoke')).toEqual([expect.objectContaining({ user_ids: [1, 2] })]);
    expect(puts(control, '/admin/policies/mfa')).toEqual([expect.objectContaining({ required_for: 'affected', user_ids: [1, 2] })]);
    const evidence = readdirSync(w.evidence).find((f) => f.endsWith('-evidence'))!;
    const sums = readFileSync(join(w.evidence, evidence, 'SHA256SUMS'), 'utf8');
    expect(sums).toMatch(/ access\.log\n/);
    expect(sums).toMatch(/ auth_events\.csv\n/);
    expect(
      readFileSync(join(w.evidence, evidence, 'transactions.csv'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(3);
    expect(announced(r.events)).toEqual(['post-roles', 'notify-users', 'brief-care', 'resolve-users', 'handoff']);
    // Two users' personal data in the EU: only the GDPR notification applies, and it is recorded as filed.
    expect(applying(r.events)).toEqual(['gdpr-breach']);
    expect(
      regulatorEvents(r.events)
        .filter((e) => e.type === 'regulator.filed')
        .map((e) => e.data),
    ).toEqual([
      expect.objectContaining({
        step: 'notify-required',
        notification: 'gdpr-breach',
        deadline: 'initial',
        by: 'dpo',
        reference: 'DPA-77',
        lateMs: 0,
      }),
    ]);
  }, 180_000);

  it('security: a failing query or an empty list of accounts stops the step, and nothing is frozen', async () => {
    const w = workspace();
    const db = await pg.createDatabase('wallet_security_empty');
    const control = await start(controlPlane());
    const answers = (dbUrl: string) => `responder: drill
inputs:
  health_url: ${control.url}/health
  admin_url: ${control.url}/admin
  db_url: ${dbUrl}
  db_password: ""
  access_log: ${join(w.dir, 'access.log')}
  evidence_dir: ${w.evidence}
  records_dir: ${w.records}
steps:
  impact-start: unknown
  confirm-signals: continue
  confirmed: yes
  declare: sev1
  incident-commander: Ana Silva
  comms-lead: Bo Chen
  ops-lead: Cy Diaz
  post-roles: yes
  ic-handoff: stay
  affected-list: { answer: yes, on_fail: stop }
`;
    // The database refuses the query (the role cannot read auth_events): the step fails, not "0 accounts".
    await pg.sql('wallet_security_empty', 'create role no_reader login; revoke all on all tables in schema public from public');
    writeFileSync(w.answers, answers(db.replace('postgres@', 'no_reader@')));
    const denied = await runSev(['run', 'security', '--answers', w.answers], { cwd: w.dir, incidents: join(w.dir, 'denied') });
    const deniedStep = denied.events.find((e) => e.type === 'command.finished' && e.data.step === 'affected-list');
    expect(deniedStep?.data.ok, denied.stderr).toBe(false);
    expect(String(deniedStep?.data.stderr)).toContain('the query for the affected accounts failed');
    expect(denied.code).not.toBe(0);
    // No takeover signal at all: an empty list is refused too.
    writeFileSync(w.answers, answers(db));
    const empty = await runSev(['run', 'security', '--answers', w.answers], { cwd: w.dir, incidents: join(w.dir, 'empty') });
    const emptyStep = empty.events.find((e) => e.type === 'command.finished' && e.data.step === 'affected-list');
    expect(emptyStep?.data.ok, empty.stderr).toBe(false);
    expect(String(emptyStep?.data.stderr)).toContain('no account with takeover signals');
    expect(empty.code).not.toBe(0);
    expect(control.requests.filter((q) => q.method !== 'GET')).toEqual([]);
  }, 180_000);

  /**
   * The partner is down; it recovers while requests queue, and its answers to the status enquiry settle the pending
   * ones (all but `unanswered`'s, when given), the queue goes out and new top-ups succeed.
   */
  async function thirdParty(
    name: string,
    steps: string,
    options: {
      unanswered?: number;
      runbook?: string;
      triggers?: (control: ReturnType<typeof controlPlane>) => Trigger[];
      edit?: (answers: string) => string;
    } = {},
  ) {
    const w = workspace();
    const db = await pg.createDatabase(name);
    await pg.sql(
      name,
      `insert into transactions (user_id, kind, channel, amount, currency, status, created_at)
      select n, 'top-up', 'bank-a', 30, 'EUR', case when n <= 4 then 'failed' when n <= 6 then 'pending' else 'completed' end, now() - interval '5 minutes'
      from generate_series(1, 8) n`,
    );
    const api = await start(walletApi());
    const partner = await start(channelConnector());
    const control = await start(
      controlPlane([
        { method: 'PUT', path: '/admin/channels/bank-a', when: (b) => b.state === 'queueing', run: () => partner.start() },
        {
          method: 'POST',
          path: '/admin/channels/bank-a/status-enquiry',
          run: () =>
            pg.sql(
              name,
              `update transactions set status = 'completed', partner_ref = 'A-' || user_id
                where status in ('pending', 'queued') and user_id <> ${options.unanswered ?? 0};
              insert into transactions (user_id, kind, channel, amount, currency, status)
                select n, 'top-up', 'bank-a', 30, 'EUR', 'completed' from generate_series(100, 199) n;`,
            ),
        },
      ]),
    );
    await partner.stop(); // the partner's outage
    writeFileSync(
      w.answers,
      `responder: drill
inputs:
  health_url: ${api.url}/health
  channel: bank-a
  partner_name: Bank A
  channel_host: localhost
  channel_health_url: ${partner.url}/channels/bank-a/health
  flow: top-up
  admin_url: ${control.url}/admin
  db_url: ${db}
  db_password: ""
  evidence_dir: ${w.evidence}
  records_dir: ${w.records}
steps:
  impact-start: ${minuteAgo(20)}
  confirmed: yes
  declare: sev2
  incident-commander: Ana Silva
  comms-lead: Bo Chen
  ops-lead: Cy Diaz
  post-roles: yes
  ic-handoff: stay
  stop-retries: yes
  which-way: queue
  queue-requests: yes
  which-vendor: payment-channel
  risk-decision: scoring
  merchants-affected: no-merchants
  reconciled: yes
  release-settlement: yes
  notify-users: yes
  tell-partner: yes
  brief-care: yes
  notify-regulators: ${NOT_REPORTABLE}
  settle-pending: yes
  reopen-channel: yes
${steps}`,
    );
    if (options.edit) writeFileSync(w.answers, options.edit(readFileSync(w.answers, 'utf8')));
    let runbook = 'third-party';
    if (options.runbook) writeFileSync((runbook = join(w.dir, 'third-party.yaml')), options.runbook);
    const r = await runSev(['run', runbook, '--answers', w.answers], {
      cwd: w.dir,
      incidents: w.incidents,
      triggers: options.triggers?.(control),
    });
    return { w, control, r };
  }
  const started_ = (r: Result) => r.events.filter((e) => e.type === 'step.started').map((e) => e.data.step);

  it('third-party: the partner is down; requests queued, retries off, the queue drained and reconciled after', async () => {
    const { w, control, r } = await thirdParty(
      'wallet_third_party',
      `  restore-retries: yes
  resolve-users: yes
  handoff: yes
  postmortem: done
`,
    );
    expectCompleted(r);
    expect(checkStatus(r.events, 'confirm-outage', 'channel-health')).toEqual(['CRITICAL']);
    expect(checkStatus(r.events, 'confirm-outage', 'channel-failures')).toEqual(['CRITICAL']);
    expect(checkStatus(r.events, 'confirm-outage', 'api-health')).toEqual(['OK']);
    expect(checkStatus(r.events, 'escalate-by-time', 'escalation-due')).toEqual(['OK']);
    expect(r.events.find((e) => e.type === 'wait.finished' && e.data.step === 'wait-partner')?.data.passed).toBe(true);
    expect(r.events.find((e) => e.type === 'wait.finished' && e.data.step === 'wait-settled')?.data.passed).toBe(true);
    expect(checkStatus(r.events, 'verify-all', 'channel-failures')).toEqual(['OK']);
    expect(milestones(r.events)).toEqual(ARC);
    expect(puts(control, '/admin/channels/bank-a').map((b) => b.state)).toEqual(['queueing', 'active']);
    expect(puts(control, '/admin/flags/bank-auto-retry').map((b) => b.enabled)).toEqual([false, true]);
    expect(stateOf(control, '/admin/flags/bank-auto-retry')).toMatchObject({ enabled: true });
    expect(started_(r)).not.toContain('retries-stay-off');
    const file = readdirSync(w.evidence).find((f) => f.endsWith('-reconciliation.csv'))!;
    expect(readFileSync(join(w.evidence, file), 'utf8').trim().split('\n')).toHaveLength(109);
    // customer-care reads the list third-party writes (user_id first): users 1-8 and the 100 new top-ups.
    const care = await start(controlPlane());
    const cc = await runCheck('customer-care', {
      care_url: `${care.url}/care`,
      affected_list: join(w.evidence, file),
      incident_ref: '20261126T031502Z-third-party-k3f9',
      what_happened: 'top-ups through Bank A failed',
      records_dir: w.records,
    });
    expect(cc.get('affected-list')).toMatchObject({ status: 'OK', stdout: aStringMatching(/^108 affected user\(s\)/) });
  }, 180_000);

  it('third-party: when the settle wait times out with payments pending, automatic retries stay off', async () => {
    // The shipped runbook, with the settle wait cut from 30 minutes to 2 seconds: the branch is what is tested.
    const shipped = readFileSync(join(import.meta.dirname, '../../runbooks/third-party.yaml'), 'utf8');
    const runbook = shipped.replace(/(- id: wait-settled\n(?:.*\n)*?\s+timeout: )30m\n(\s+interval: )1m/, '$12s\n$21s');
    expect(runbook).not.toBe(shipped);
    const { w, control, r } = await thirdParty(
      'wallet_third_party_unsettled',
      `  retries-stay-off: yes
  verify-all: continue
  resolve-users: yes
  handoff: yes
  postmortem: done
`,
      { unanswered: 5, runbook },
    );
    expectCompleted(r);
    expect(r.events.find((e) => e.type === 'wait.finished' && e.data.step === 'wait-settled')?.data.passed).toBe(false);
    expect(started_(r)).toContain('retries-stay-off');
    expect(started_(r)).not.toContain('restore-retries');
    expect(puts(control, '/admin/flags/bank-auto-retry').map((b) => b.enabled)).toEqual([false]);
    expect(stateOf(control, '/admin/flags/bank-auto-retry')).toMatchObject({ enabled: false });
    const unsettled = readdirSync(w.evidence).find((f) => f.endsWith('-unsettled.csv'))!;
    const lines = readFileSync(join(w.evidence, unsettled), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('user_id,transaction_id,kind,amount,currency,status,created_at');
    expect(lines[1]).toMatch(/^5,[^,]+,top-up,30,EUR,pending,/);
    expect(checkStatus(r.events, 'verify-all', 'unsettled')).toEqual(['CRITICAL']);
  }, 180_000);

  it("third-party: the channel is reopened only if it is still as this incident left it; another incident's pause since stays", async () => {
    const paused = { state: 'paused', reason: 'incident 20261126T030000Z-network-zz99' };
    const { w, control, r } = await thirdParty(
      'wallet_third_party_reopen',
      `  restore-retries: yes
  resolve-users: yes
  handoff: yes
  postmortem: done
`,
      {
        // While this incident's requests queue, a network incident pauses the same channel for its own reasons.
        triggers: (control) => [
          { when: stepEvent('step.started', 'settle-pending'), then: () => void control.state.set('/admin/channels/bank-a', paused) },
        ],
      },
    );
    expectCompleted(r);
    expect(puts(control, '/admin/channels/bank-a').map((b) => b.state)).toEqual(['queueing']);
    expect(stateOf(control, '/admin/channels/bank-a')).toEqual(paused);
    expect(control.requests.filter((q) => q.path === '/admin/channels/bank-a/drain')).toEqual([]);
    expect(commandOut(r.events, 'reopen-channel')).toContain(
      'channels/bank-a: changed since by someone else: left as it is, its queue not drained',
    );
    expect(readFileSync(join(w.records, r.events[0]!.incident!, 'channels_bank-a.json'), 'utf8').trim()).toBe('{"state":"active"}');
  }, 180_000);

  it('third-party: a SEV1 past its time is escalated by the detection time in the log, and the commander hands over to one who resumes the walk', async () => {
    const { w, r } = await thirdParty('wallet_third_party_escalation', '', {
      edit: (answers) =>
        answers
          .replace('  declare: sev2\n', '  declare: sev1\n')
          .replace('  records_dir:', '  escalate_after_minutes: 0\n  records_dir:')
          .replace(
            '  ic-handoff: stay\n',
            `  page-leadership: yes
  dr-decision: keep-mitigating
  ic-handoff: hand-over
  new-commander: dana
  open-actions: partner call-back - Bo; reconciliation file - Cy
  next-update-due: 2026-11-26T05:00Z
  handoff-brief: yes
  hand-over-walk: { pause: yes }
`,
          ),
    });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.events.at(-1)).toMatchObject({ type: 'incident.paused', data: { step: 'hand-over-walk' } });
    const detected = r.events.find((e) => e.type === 'milestone' && e.data.milestone === 'detected') as Event & { time: string };
    const due = r.events.find((e) => e.type === 'check.result' && e.data.step === 'escalate-by-time' && e.data.check === 'escalation-due');
    expect(due?.data).toMatchObject({
      status: 'CRITICAL',
      stdout: aStringContaining(`SEV1 not mitigated 0 minute(s) after detection at ${detected.time} (limit 0)`),
    });
    expect(announced(r.events)).toEqual(['post-roles', 'notify-users', 'tell-partner', 'brief-care', 'page-leadership', 'handoff-brief']);
    expect(checkStatus(r.events, 'risk-check', 'risk-engine')).toEqual(['OK']);
    const roles = r.events.find((e) => e.type === 'announcement' && e.data.step === 'post-roles');
    expect(roles?.data.message).toContain('Incident commander: Ana Silva. Communications lead: Bo Chen. Operations lead:\nCy Diaz.');
    const brief = r.events.find((e) => e.type === 'announcement' && e.data.step === 'handoff-brief');
    expect(brief?.data.subject).toContain('passes from Ana Silva to dana');
    expect(brief?.data.message).toContain('Open actions: partner call-back - Bo; reconciliation file - Cy.');
    expect(brief?.data.message).toContain('Next update to users due: 2026-11-26T05:00Z UTC (Bo Chen sends it).');
    expect(r.events.find((e) => e.type === 'step.answered' && e.data.step === 'dr-decision')?.data).toMatchObject({
      answer: 'Keep mitigating here, and decide again at the next update',
    });

    // The new commander resumes the walk under their own name where it was paused, and walks it to the end.
    const incident = r.events[0]!.incident!;
    const rest = join(w.dir, 'answers-dana.yaml');
    writeFileSync(
      rest,
      readFileSync(w.answers, 'utf8').replace(
        /\nsteps:\n[\s\S]*$/,
        `
steps:
  hand-over-walk: yes
  settle-pending: yes
  reopen-channel: yes
  restore-retries: yes
  reconciled: yes
  release-settlement: yes
  resolve-users: yes
  handoff: yes
  postmortem: done
`,
      ),
    );
    const taken = await runSev(['resume', incident, '--take-over', '--as', 'dana', '--answers', rest], {
      cwd: w.dir,
      incidents: w.incidents,
    });
    expectCompleted(taken);
    const after = taken.events
      .filter((e) => e.seq > r.events.at(-1)!.seq && e.type === 'step.started')
      .map((e) => (e as Event & { actor: string }).actor);
    expect(after.length).toBeGreaterThan(3);
    expect(new Set(after)).toEqual(new Set(['dana']));
    expect(milestones(taken.events)).toEqual(ARC);
  }, 180_000);

  /** The risk engine fails open while the partner is down; merchants are paid through the channel. */
  async function thirdPartyDegraded(name: string, reconciled: 'yes' | 'no') {
    const salaryWeek = { per_payment: 3000, per_day: 9000, currency: 'EUR', reason: 'raised for the salary week' };
    const heldElsewhere = { state: 'held', reason: 'incident 20261126T030000Z-data-error-zz99' };
    const run = await thirdParty(
      name,
      reconciled === 'yes'
        ? `  restore-retries: yes\n  resolve-users: yes\n  handoff: yes\n  postmortem: done\n`
        : `  restore-retries: yes\n  verify-all: continue\n  resolve-users: yes\n  handoff: yes\n  postmortem: done\n`,
      {
        edit: (answers) =>
          answers
            .replace('  risk-decision: scoring\n', '  risk-decision: fail-open-lowered\n  lower-limits: yes\n')
            .replace(
              '  merchants-affected: no-merchants\n',
              '  merchants-affected: merchants\n  hold-settlement: yes\n  notify-merchants: yes\n  settlement-stays-held: done\n',
            )
            .replace('  reconciled: yes\n', `  reconciled: ${reconciled}\n`),
        triggers: (control) => {
          control.state.set('/admin/risk/mode', { mode: 'fail-open', reason: 'risk vendor unreachable' });
          control.state.set('/admin/limits/top-up', salaryWeek);
          // Another incident holds another channel's settlement: not this incident's to release.
          control.state.set('/admin/settlement/bank-b', heldElsewhere);
          // The risk engine scores again once the partner is back.
          return [
            {
              when: stepEvent('step.started', 'settle-pending'),
              then: () => void control.state.set('/admin/risk/mode', { mode: 'scoring' }),
            },
          ];
        },
      },
    );
    return { ...run, salaryWeek, heldElsewhere };
  }

  it(
    'third-party: merchants told and their settlement held, limits lowered while the risk engine fails open; ' +
      'both put back as they were after reconciliation',
    async () => {
      const { w, control, r, salaryWeek, heldElsewhere } = await thirdPartyDegraded('wallet_third_party_merchants', 'yes');
      expectCompleted(r);
      expect(checkStatus(r.events, 'risk-check', 'risk-engine')).toEqual(['CRITICAL']);
      expect(puts(control, '/admin/limits/top-up')).toEqual([
        expect.objectContaining({ per_payment: 200 }),
        expect.objectContaining({ per_payment: 3000, per_day: 9000 }),
      ]);
      expect(stateOf(control, '/admin/limits/top-up')).toEqual(salaryWeek);
      expect(puts(control, '/admin/settlement/bank-a').map((b) => b.state)).toEqual(['held', 'released']);
      expect(stateOf(control, '/admin/settlement/bank-a')).toMatchObject({ state: 'released' });
      expect(stateOf(control, '/admin/settlement/bank-b')).toEqual(heldElsewhere);
      const incident = r.events[0]!.incident!;
      expect(JSON.parse(readFileSync(join(w.records, incident, 'limits_top-up.json'), 'utf8'))).toEqual(salaryWeek);
      expect(JSON.parse(readFileSync(join(w.records, incident, 'settlement_bank-a.json'), 'utf8'))).toEqual({ state: 'released' });
      const merchants = r.events.find((e) => e.type === 'announcement' && e.data.step === 'notify-merchants');
      expect(merchants?.data).toMatchObject({ audience: 'merchants', message: aStringContaining('Our reference: ' + incident) });
      expect(started_(r)).not.toContain('settlement-stays-held');
    },
    180_000,
  );

  it('third-party: while the reconciliation does not match, the settlement files stay held and the limits lowered', async () => {
    const { control, r } = await thirdPartyDegraded('wallet_third_party_unmatched', 'no');
    expectCompleted(r);
    expect(started_(r)).toContain('settlement-stays-held');
    expect(started_(r)).not.toContain('release-settlement');
    expect(stateOf(control, '/admin/settlement/bank-a')).toMatchObject({ state: 'held' });
    expect(stateOf(control, '/admin/limits/top-up')).toMatchObject({ per_payment: 200 });
  }, 180_000);

  it(
    'third-party: the OTP provider is down; codes go through the backup provider with voice fallback, verification stays on, ' +
      'the route is put back as it was',
    async () => {
      const w = workspace();
      const db = await pg.createDatabase('wallet_third_party_otp');
      const api = await start(walletApi());
      const vendor = await start(channelConnector());
      // The SMS provider recovers once codes go through the backup.
      const control = await start(
        controlPlane([{ method: 'PUT', path: '/admin/otp/route', when: (b) => b.voice_fallback === true, run: () => vendor.start() }]),
      );
      await vendor.stop();
      writeFileSync(
        w.answers,
        `responder: drill
inputs:
  health_url: ${api.url}/health
  channel: sms-a
  partner_name: SMS provider A
  channel_host: localhost
  channel_health_url: ${vendor.url}/health
  admin_url: ${control.url}/admin
  db_url: ${db}
  db_password: ""
  evidence_dir: ${w.evidence}
  records_dir: ${w.records}
steps:
  impact-start: ${minuteAgo(10)}
  confirmed: yes
  declare: sev2
  incident-commander: Ana Silva
  comms-lead: Bo Chen
  ops-lead: Cy Diaz
  post-roles: yes
  which-vendor: otp
  otp-fallback: yes
  notify-vendor-users: yes
  restore-otp: yes
  resolve-users: yes
  handoff: yes
  postmortem: done
`,
      );
      const r = await runSev(['run', 'third-party', '--answers', w.answers], { cwd: w.dir, incidents: w.incidents });
      expectCompleted(r);
      expect(checkStatus(r.events, 'confirm-outage', 'channel-health')).toEqual(['CRITICAL']);
      expect(r.events.find((e) => e.type === 'wait.finished' && e.data.step === 'wait-vendor')?.data.passed).toBe(true);
      expect(milestones(r.events)).toEqual(ARC);
      expect(puts(control, '/admin/otp/route')).toEqual([
        expect.objectContaining({ provider: 'sms-b', voice_fallback: true }),
        expect.objectContaining({ provider: 'sms-a', voice_fallback: false }),
      ]);
      expect(stateOf(control, '/admin/otp/route')).toMatchObject({ provider: 'sms-a', voice_fallback: false });
      // No payment-channel step ran: nothing queued, paused, retried or drained; no verification policy touched.
      expect(control.requests.filter((q) => q.method !== 'GET' && q.path !== '/admin/otp/route')).toEqual([]);
      for (const step of ['stop-retries', 'queue-requests', 'reopen-channel', 'notify-users']) expect(started_(r)).not.toContain(step);
      expect(announced(r.events)).toEqual(['post-roles', 'notify-vendor-users', 'resolve-users', 'handoff']);
    },
    180_000,
  );

  describe('customer-care: compensation posted from the expense wallet, once, to verified users, within the limit or approved', () => {
    const INC = '20261126T031502Z-data-error-k3f9';
    const OTHER = '20261120T100000Z-network-aa11';
    const uid = (n: string) => `00000000-0000-0000-0000-${n.padStart(12, '0')}`;
    /**
     * Users 1-6 and 9, the merchant 50 and the expense wallet 900. User 3 was charged twice and it is not reversed
     * yet; user 4 was charged twice and it was reversed, and this incident already compensated them (3.00); user 5
     * paid once; user 1 was compensated by another incident (2.50); user 6's correction is with finance.
     */
    const SEED = `
insert into wallets (id, user_id, kind, currency, balance) values
  (1, 1, 'user', 'EUR', 102.5), (2, 2, 'user', 'EUR', 100), (3, 3, 'user', 'EUR', 80), (4, 4, 'user', 'EUR', 103),
  (5, 5, 'user', 'EUR', 90), (6, 6, 'user', 'EUR', 0), (9, 9, 'user', 'EUR', 100), (50, 50, 'merchant', 'EUR', 40),
  (900, null, 'expense', 'EUR', -5.5), (901, null, 'expense', 'USD', 0);
insert into transactions (id, user_id, kind, channel, amount, currency, status, idempotency_key, created_at) values
  ('${uid('31')}', 3, 'payment', 'internal', 10, 'EUR', 'completed', 'pay-k3', now() - interval '2 hours'),
  ('${uid('32')}', 3, 'payment', 'internal', 10, 'EUR', 'completed', 'pay-k3', now() - interval '2 hours' + interval '1 second'),
  ('${uid('41')}', 4, 'payment', 'internal', 20, 'EUR', 'completed', 'pay-k4', now() - interval '2 hours'),
  ('${uid('42')}', 4, 'payment', 'internal', 20, 'EUR', 'completed', 'pay-k4', now() - interval '2 hours' + interval '1 second'),
  ('${uid('43')}', 4, 'reversal', null, 20, 'EUR', 'completed', 'correction-${uid('42')}', now() - interval '1 hour'),
  ('${uid('51')}', 5, 'payment', 'internal', 10, 'EUR', 'completed', 'pay-k5', now() - interval '2 hours'),
  ('${uid('c4')}', 4, 'compensation', 'internal', 3, 'EUR', 'completed', 'compensation-${INC}-4', now() - interval '30 minutes'),
  ('${uid('c1')}', 1, 'compensation', 'internal', 2.5, 'EUR', 'completed', 'compensation-${OTHER}-1', now() - interval '5 days');
insert into ledger_entries (id, txn_id, wallet_id, amount, reverses_entry_id) values
  (1, '${uid('31')}', 3, -10, null), (2, '${uid('31')}', 50, 10, null), (3, '${uid('32')}', 3, -10, null), (4, '${uid('32')}', 50, 10, null),
  (5, '${uid('41')}', 4, -20, null), (6, '${uid('41')}', 50, 20, null), (7, '${uid('42')}', 4, -20, null), (8, '${uid('42')}', 50, 20, null),
  (9, '${uid('43')}', 4, 20, 7), (10, '${uid('43')}', 50, -20, 8),
  (11, '${uid('51')}', 5, -10, null), (12, '${uid('51')}', 50, 10, null),
  (13, '${uid('c4')}', 900, -3, null), (14, '${uid('c4')}', 4, 3, null), (15, '${uid('c1')}', 900, -2.5, null), (16, '${uid('c1')}', 1, 2.5, null);
select setval('ledger_entries_id_seq', 100);
set session authorization wallet_finance;
insert into compensation_limits (role, per_user_max, per_incident_max, currency, set_by) values
  ('wallet_care', 20.00, 1000, 'EUR', 'finance: Ana Ruiz'), ('wallet_care_peer', 20.00, 1000, 'EUR', 'finance: Ana Ruiz'),
  ('wallet_approver', 500, 5000, 'EUR', 'finance: Ana Ruiz');
reset session authorization;
insert into compensations
  (incident, user_id, wallet_id, kind, amount, currency, reason, authority_limit, status, decided_by, txn_id, expense_wallet_id, posted_at) values
  ('${INC}', 4, 4, 'goodwill-credit', 3, 'EUR', 'an earlier run', 20, 'posted', 'wallet_care', '${uid('c4')}', 900, now() - interval '30 minutes'),
  ('${OTHER}', 1, 1, 'fee-waiver', 2.5, 'EUR', 'fees of the failed top-ups', 20, 'posted', 'wallet_care', '${uid('c1')}', 900, now() - interval '5 days');
`;
    const ROLES = readFileSync(join(import.meta.dirname, '../fixtures/wallet/roles.sql'), 'utf8');
    const POST = readFileSync(join(import.meta.dirname, '../fixtures/wallet/post-compensations.sql'), 'utf8');
    /** A second care lead, whose own limit is the care lead's: too low to approve what is above it. */
    const PEER = `do $$ begin if not exists (select 1 from pg_roles where rolname = 'wallet_care_peer') then create role wallet_care_peer login; end if; end $$;
grant select on compensations, compensation_limits to wallet_care_peer; grant execute on function post_compensations(text, bigint, text) to wallet_care_peer`;
    async function database(name: string) {
      await pg.createDatabase(name);
      await pg.sql(name, ROLES);
      await pg.sql(name, POST);
      await pg.sql(name, PEER);
      await pg.sql(name, SEED);
      return { q: (sql: string) => pg.sql(name, sql), role: (r: string) => pg.url(name).replace('postgres@', `${r}@`) };
    }
    const digestOf = (events: Event[]) => /approval digest: ([0-9a-f]{32})/.exec(commandOut(events, 'review-above-limit'))?.[1];

    function answers(
      file: string,
      o: {
        care: Service;
        affected: string;
        decisions: string;
        records: string;
        db: Awaited<ReturnType<typeof database>>;
        ref?: string;
        claims?: string;
        approver?: string;
        steps: Record<string, string>;
      },
    ) {
      const steps = {
        ready: 'retry',
        'open-intake': 'yes',
        'care-macro': 'yes',
        explain: 'yes',
        'charged-twice-claims': 'continue',
        'compensation-kind': 'goodwill-credit',
        'compensation-file': o.decisions,
        'compensation-currency': 'EUR',
        'compensation-wallet': '"900"',
        'compensation-reason': 'two hours without transfers',
        'compensation-decider': 'Mia Chen, head of customer care',
        'record-compensation': 'yes',
        'register-affected': '{ answer: yes, on_fail: stop }',
        'propose-compensation': '{ answer: yes, on_fail: stop }',
        'post-within-limit': '{ answer: yes, on_fail: stop }',
        'approval-needed': "'yes'",
        'approve-compensation': '{ pause: yes }',
        'post-approved': '{ answer: yes, on_fail: stop }',
        'all-posted': 'stop',
        'money-verified': 'yes',
        'follow-up': 'yes',
        'follow-up-message': 'yes',
        'changes-made': 'Transfers are now checked against the ledger before they post, so a debit cannot be taken twice.',
        improvements: 'yes',
        close: 'yes',
        ...o.steps,
      };
      writeFileSync(
        file,
        `responder: drill
inputs:
  incident_ref: ${o.ref ?? INC}
  what_happened: some payments were debited twice for an hour
  care_url: ${o.care.url}/care
  affected_list: ${o.affected}
  records_dir: ${o.records}
  claim_users: "${o.claims ?? 'none'}"
  care_db_url: ${o.db.role('wallet_care')}
  care_db_password: ""
  oncall_db_url: ${o.db.role('wallet_oncall')}
  oncall_db_password: ""
  approver_db_url: ${o.db.role(o.approver ?? 'wallet_approver')}
  approver_db_password: ""
steps:
${Object.entries(steps)
  .map(([k, v]) => `  ${k}: ${v}`)
  .join('\n')}
`,
      );
      return file;
    }

    function files(w: ReturnType<typeof workspace>) {
      const affected = join(w.evidence, 'affected-users.csv');
      writeFileSync(
        affected,
        [
          'user_id,what,detail',
          '1,transaction corrected,"duplicate of a1 (same user, kind and key)"',
          '2,balance corrected,x',
          '3,transaction corrected,x',
          '4,transaction corrected,x',
          '6,with finance,x',
          '',
        ].join('\n'),
      );
      // 1 within the limit, 2 above it, 3 charged twice and not reversed yet, 4 already compensated, 9 not on the list, 6 with cents.
      const decisions = join(w.evidence, 'decisions.csv');
      writeFileSync(decisions, 'user_id,amount\n1,5.00\n2,50\n3,5\n4,5\n9,5\n6,7.50\n');
      return { affected, decisions };
    }

    /** Runs to the approval, has the approver read the digest, and resumes with it. */
    async function walk(
      w: ReturnType<typeof workspace>,
      make: (file: string, steps: Record<string, string>) => string,
      between?: () => Promise<unknown>,
      triggers?: Trigger[],
    ) {
      const first = await runSev(['run', 'customer-care', '--answers', make(join(w.dir, 'a1.yaml'), {})], {
        cwd: w.dir,
        incidents: w.incidents,
        triggers,
      });
      expect(first.unfired).toBe(0);
      expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(0);
      const digest = digestOf(first.events);
      expect(digest).toMatch(/^[0-9a-f]{32}$/);
      await between?.();
      const incident = first.events[0]!.incident!;
      const resumed = await runSev(['resume', incident, '--answers', make(join(w.dir, 'a2.yaml'), { 'approve-compensation': digest! })], {
        cwd: w.dir,
        incidents: w.incidents,
      });
      return { first, resumed, events: resumed.events };
    }

    it('claims checked against the ledger; each verified user credited once from the expense wallet, above the limit under the approver', async () => {
      const w = workspace();
      const care = await start(controlPlane());
      await care.stop(); // the care tool is down when the follow-up starts
      const db = await database('wallet_care_full');
      const { affected, decisions } = files(w);
      const make = (file: string, steps: Record<string, string>) =>
        answers(file, { care, affected, decisions, records: w.records, db, claims: '3,4,5', steps });
      // The care tool comes back a second after the first checks: care-tool's own retry (5 s later) finds it up, and
      // the responder retries the step for the check that has no retry of its own.
      const { first, resumed, events } = await walk(w, make, undefined, [
        {
          when: stepEvent('step.started', 'ready'),
          then: () => new Promise<void>((resolve) => setTimeout(() => void care.start().then(() => resolve()), 1000)),
        },
      ]);
      expectCompleted(resumed);
      expect(first.events.find((e) => e.type === 'check.result' && e.data.check === 'care-tool')?.data).toMatchObject({
        status: 'OK',
        attempts: 2,
      });
      expect(checkStatus(first.events, 'ready', 'overdue-complaints')).toEqual(['CRITICAL', 'OK']);
      expect(announced(events)).toEqual(['care-macro', 'explain', 'follow-up-message', 'improvements']);

      // "Charged twice": 3 confirmed (hand over to data-error), 4 already reversed, 5 not found.
      expect(checkStatus(first.events, 'charged-twice-claims', 'charged-twice')).toEqual(['CRITICAL']);
      const claims = String(first.events.find((e) => e.type === 'check.result' && e.data.check === 'charged-twice')!.data.stdout);
      expect(claims.trim().split('\n')).toEqual([
        `CONFIRMED user 3: 1 duplicate debit(s) not reversed: payment 10 EUR ${uid('32')} - ` +
          'hand over to data-error for the reversal; do not compensate it by a credit',
        expect.stringMatching(/^CORRECTED user 4: 1 duplicate debit\(s\), already reversed/),
        expect.stringMatching(/^NOT FOUND user 5: /),
      ]);

      // Who was refused and why, in the proposal's output.
      const proposed = commandOut(first.events, 'propose-compensation');
      expect(proposed).toMatch(/^\s*3 \|\s*5 \| a duplicate debit not yet reversed/m);
      expect(proposed).toMatch(/^\s*4 \|\s*5 \| already compensated for this incident/m);
      expect(proposed).toMatch(/^\s*9 \|\s*5 \| not on the affected list: the claim is not verified/m);
      // The limit is read from finance's table, not typed: printed when proposing and in the review.
      // Who set it is the database's record (the role finance connected as), not what was typed.
      expect(proposed).toMatch(/^\s*wallet_care \| +20\.00 \| +1000 \| EUR +\| wallet_finance/m);
      expect(proposed).toMatch(/^\s*1 \| +5\.00 \| EUR +\| within the limit/m);
      expect(proposed).toMatch(/^\s*2 \| +50 \| EUR +\| needs approval/m);
      const review = commandOut(first.events, 'review-above-limit');
      expect(review).toMatch(/^\s*wallet_approver +\| +500 \| +5000 \| EUR/m);
      expect(review).toMatch(/^\s*2 \| +2 \| goodwill-credit \| +50 \| EUR +\| +20\.00 \| two hours without transfers \| wallet_care/m);
      expect(review).toMatch(/approval digest: [0-9a-f]{32} \(1 compensations\)/);

      // Exactly the verified users, once: 1 and 6 by the care lead within the limit, 2 by the approver; 4 keeps the earlier 3.00.
      expect(
        await db.q(
          `select string_agg(
             user_id || ' ' || trim_scale(amount) || ' ' || status || ' ' || decided_by || ' ' || coalesce(approved_by, '-') || ' ' ||
               trim_scale(authority_limit),
             ', ' order by user_id)
           from compensations where incident = '${INC}'`,
        ),
      ).toBe(
        '1 5 posted wallet_care - 20, 2 50 posted wallet_care wallet_approver 20, 4 3 posted wallet_care - 20, 6 7.5 posted wallet_care - 20',
      );
      expect(await db.q(`select reason || ' ' || kind from compensations where incident = '${INC}' and user_id = 2`)).toBe(
        'two hours without transfers goodwill-credit',
      );
      // The other incident's compensation of user 1 is untouched, and user 1 is compensated again for this one.
      expect(await db.q(`select trim_scale(amount) || ' ' || status from compensations where incident = '${OTHER}'`)).toBe('2.5 posted');
      // Each is one transaction whose two entries sum to zero: the expense wallet debited, the user credited.
      expect(
        await db.q(`select string_agg(t.user_id || ':' || e.wallet_id || '=' || trim_scale(e.amount), ' ' order by t.user_id, e.amount)
        from compensations c join transactions t on t.id = c.txn_id join ledger_entries e on e.txn_id = t.id
        where c.incident = '${INC}' and c.user_id <> 4 and t.kind = 'compensation' and t.idempotency_key = 'compensation-${INC}-' || c.user_id`),
      ).toBe('1:900=-5 1:1=5 2:900=-50 2:2=50 6:900=-7.5 6:6=7.5');
      expect(await db.q('select count(*) from (select txn_id from ledger_entries group by txn_id having sum(amount) <> 0) x')).toBe('0');
      expect(await db.q('select string_agg(id || ' + "'='" + " || trim_scale(balance), ' ' order by id) from wallets")).toBe(
        '1=107.5 2=150 3=80 4=103 5=90 6=7.5 9=100 50=40 900=-68 901=0',
      );

      // The decision record and the care tool have who decided; the follow-up leaves out the user whose correction is with finance.
      const record = readFileSync(join(w.records, `${INC}-compensation-decisions.csv`), 'utf8')
        .trim()
        .split('\n');
      expect(record[0]).toBe(
        'recorded_at,incident,compensation,currency,authority_limit,decisions_file,reason,decided_by,recorded_by,care_incident',
      );
      expect(record[1]).toContain(
        `"goodwill-credit","EUR","20.00","${decisions}","two hours without transfers","Mia Chen, head of customer care","drill"`,
      );
      expect(puts(care, '/care/compensation')).toEqual([
        expect.objectContaining({
          decided_by: 'Mia Chen, head of customer care',
          recorded_by: 'drill',
          kind: 'goodwill-credit',
          authority_limit: '20.00',
        }),
      ]);
      const audience = join(w.records, `${INC}-follow-up-audience.csv`);
      // The on-call's role registered the incident and the affected list; the function pays only them.
      expect(commandOut(first.events, 'register-affected')).toMatch(
        new RegExp(`^registered 5 affected user\\(s\\) of incident ${INC}, 5 on the list`, 'm'),
      );
      expect(
        await db.q(
          `select string_agg(user_id || ' ' || added_by, ', ' order by user_id) from incident_affected_users where incident = '${INC}'`,
        ),
      ).toBe('1 wallet_oncall, 2 wallet_oncall, 3 wallet_oncall, 4 wallet_oncall, 6 wallet_oncall');
      // User 3's duplicate is not reversed yet: "your balance is correct" is not true for them, so they do not get it.
      expect(puts(care, '/care/campaigns')).toEqual([expect.objectContaining({ tag: INC, audience_file: audience })]);
      expect(readFileSync(audience, 'utf8')).toBe('user_id\n1\n2\n4\n');
      expect(resumed.stderr).toContain('1 user(s) held back, a duplicate debit not yet reversed: 3');
      expect(resumed.stderr).toContain('sending the follow-up to 3 user(s)');
      expect(readFileSync(join(w.records, `${INC}-follow-up.sent`), 'utf8')).toMatch(/"campaign":"c-1"/);
      expect(milestones(events)).toEqual(['detected', 'acknowledged', 'mitigated', 'resolved']);

      // Run again for the same incident: everyone is refused as already compensated, nothing is posted twice.
      const again = await runSev(['run', 'customer-care', '--answers', make(join(w.dir, 'a3.yaml'), { 'approval-needed': "'no'" })], {
        cwd: w.dir,
        incidents: join(w.dir, 'incidents-2'),
      });
      expectCompleted(again);
      expect(commandOut(again.events, 'propose-compensation').match(/already compensated for this incident/g)).toHaveLength(4);
      // The follow-up is not sent twice: the records say it was sent, and the care tool got one campaign.
      expect(commandOut(again.events, 'follow-up')).toMatch(
        /the follow-up of \S+ was already sent \(.*-follow-up\.sent\): not sent again\n.*"campaign":"c-1"/,
      );
      expect(puts(care, '/care/campaigns')).toHaveLength(1);
      expect(await db.q(`select count(*) from transactions where kind = 'compensation'`)).toBe('5');

      // A second incident compensates user 1 again, under its own id.
      const second = join(w.evidence, 'second.csv');
      writeFileSync(second, 'user_id,amount\n1,4\n');
      const other = await runSev(
        [
          'run',
          'customer-care',
          '--answers',
          answers(join(w.dir, 'a4.yaml'), {
            care,
            affected,
            decisions: second,
            records: w.records,
            db,
            ref: '20261127T080000Z-third-party-bb22',
            steps: { 'approval-needed': "'no'" },
          }),
        ],
        {
          cwd: w.dir,
          incidents: join(w.dir, 'incidents-3'),
        },
      );
      expectCompleted(other);
      expect(
        await db.q(`select string_agg(incident || ' ' || trim_scale(amount), ', ' order by incident) from compensations where user_id = 1`),
      ).toBe(`${OTHER} 2.5, ${INC} 5, 20261127T080000Z-third-party-bb22 4`);
      expect(await db.q('select trim_scale(balance) from wallets where id = 1')).toBe('111.5');
    }, 240_000);

    it('posts nothing when the paying wallet is a customer wallet or in another currency', async () => {
      const w = workspace();
      const care = await start(controlPlane());
      const db = await database('wallet_care_wrong_wallet');
      const { affected, decisions } = files(w);
      for (const [wallet, refusal] of [
        ['2', /wallet 2 is not an expense wallet of the operator/],
        ['901', /the expense wallet 901 is in another currency/],
      ] as const) {
        const file = answers(join(w.dir, `wallet-${wallet}.yaml`), {
          care,
          affected,
          decisions,
          records: w.records,
          db,
          steps: { 'compensation-wallet': `"${wallet}"` },
        });
        const r = await runSev(['run', 'customer-care', '--answers', file], { cwd: w.dir, incidents: join(w.dir, `incidents-${wallet}`) });
        expect(r.code).toBe(1);
        expect(JSON.stringify(r.events.filter((e) => e.data.step === 'post-within-limit'))).toMatch(refusal);
      }
      expect(
        await db.q(`select string_agg(user_id || ' ' || status, ', ' order by user_id) from compensations where incident = '${INC}'`),
      ).toBe('1 proposed, 2 proposed, 4 posted, 6 proposed');
      expect(await db.q("select count(*) from transactions where kind = 'compensation'")).toBe('2');
      expect(await db.q("select string_agg(trim_scale(balance)::text, ' ' order by id) from wallets where id in (1, 2, 6, 900)")).toBe(
        '102.5 100 0 -5.5',
      );
    }, 240_000);

    it.each([
      {
        name: 'the approver decided them',
        db: 'wallet_care_same_role',
        approver: 'wallet_care',
        between: undefined,
        refusal: /role wallet_care decided some of these compensations/,
      },
      {
        name: 'a compensation changed after the review',
        db: 'wallet_care_changed',
        approver: 'wallet_approver',
        between: (q: (sql: string) => Promise<string>) =>
          q(`update compensations set amount = 500 where user_id = 2 and status = 'proposed'`),
        refusal: /the compensations waiting are not the reviewed set/,
      },
      {
        name: 'a compensation was added after the review',
        db: 'wallet_care_added',
        approver: 'wallet_approver',
        between: (q: (sql: string) => Promise<string>) =>
          q(
            `insert into compensations (incident, user_id, wallet_id, kind, amount, currency, reason, authority_limit)
             values ('${INC}', 5, 5, 'goodwill-credit', 30, 'EUR', 'added late', 20)`,
          ),
        refusal: /the compensations waiting are not the reviewed set/,
      },
      {
        name: "the approver's own limit is too low",
        db: 'wallet_care_low_approver',
        approver: 'wallet_care_peer',
        between: undefined,
        refusal: /above the per-user limit of role wallet_care_peer \(20 EUR\): user 2 50/,
      },
    ])(
      'posts nothing above the limit when $name',
      async ({ db: name, approver, between, refusal }) => {
        const w = workspace();
        const care = await start(controlPlane());
        const db = await database(name);
        const { affected, decisions } = files(w);
        const make = (file: string, steps: Record<string, string>) =>
          answers(file, { care, affected, decisions, records: w.records, db, approver, steps });
        const { resumed } = await walk(w, make, between ? () => between(db.q) : undefined);
        expect(resumed.code).toBe(1);
        expect(
          commandOut(resumed.events, 'post-approved') + JSON.stringify(resumed.events.filter((e) => e.data.step === 'post-approved')),
        ).toMatch(refusal);
        // The care lead's own within the limit are posted; what waited for approval (and a late addition) is not.
        expect(
          await db.q(
            `select string_agg(user_id || ' ' || status, ', ' order by user_id) from compensations where incident = '${INC}' and user_id <> 5`,
          ),
        ).toBe('1 posted, 2 proposed, 4 posted, 6 posted');
        expect(await db.q("select count(*) from transactions where kind = 'compensation' and user_id in (2, 5)")).toBe('0');
        expect(await db.q("select string_agg(trim_scale(balance)::text, ' ' order by id) from wallets where id in (2, 5)")).toBe('100 90');
      },
      240_000,
    );
  });
});
