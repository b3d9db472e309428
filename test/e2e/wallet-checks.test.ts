import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aStringContaining, aStringMatching, SEV, tempDir } from '../helpers.js';
import { walletApi, type Service } from '../fixtures/wallet/harness.js';
import { TempPostgres } from '../fixtures/wallet/postgres.js';

const run = promisify(execFile);

// The shipped runbooks' checks, run by `sev check --json` against a real PostgreSQL holding the reference schema.
let pg: TempPostgres;
let db: string;
let api: Service;
beforeAll(async () => {
  pg = await TempPostgres.start();
  db = await pg.createDatabase('wallet_checks');
  api = await walletApi().start();
}, 120_000);
afterAll(async () => {
  await api?.stop();
  await pg?.stop();
});

interface Result {
  check: string;
  status: string;
  stdout: string;
  stderr: string;
}
/** `sev check <runbook> --json`, asynchronously so the API here keeps answering; the results by check. */
async function check(runbook: string, set: Record<string, string>): Promise<Map<string, Result>> {
  const args = [
    'check',
    runbook,
    '--json',
    '--set',
    `health_url=${api.url}/health`,
    ...Object.entries(set).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
  ];
  const env = { ...process.env, NO_COLOR: '1', CI: 'true', GITHUB_ACTIONS: '' };
  const r = await run(process.execPath, [SEV, ...args], { cwd: tempDir(), env, timeout: 120_000 }).catch((e: { stdout: string }) => e);
  const report = JSON.parse(r.stdout) as { results: Result[] };
  return new Map(report.results.map((x) => [x.check, x]));
}

describe('server-failure checks', () => {
  it('stuck-transactions counts the transactions pending, not the kinds they fall into', async () => {
    await pg.sql(
      'wallet_checks',
      `insert into transactions (user_id, kind, channel, amount, currency, status, created_at)
      select n, case when n <= 45 then 'withdrawal' else 'top-up' end, 'bank-a', 10, 'EUR', 'pending', now() - interval '10 minutes'
      from generate_series(1, 47) n`,
    );
    const results = await check('server-failure', { db_url: db });
    expect(results.get('stuck-transactions')).toMatchObject({
      status: 'CRITICAL',
      stdout: '47 money movement(s) pending for over 5 minutes (top-up 2, withdrawal 45)\n',
    });
    await pg.sql('wallet_checks', `delete from transactions`);
  });

  it('db-connections counts client sessions, and says it cannot see them without pg_monitor', async () => {
    const ok = (await check('server-failure', { db_url: db })).get('db-connections')!;
    expect(ok.status).toBe('OK');
    // Only the checks' own sessions are clients (two run side by side): the background processes (checkpointer, walwriter…) are not.
    expect(ok.stdout).toMatch(/^OK: [12] of 100 connections used by clients \(3 reserved for superusers\), 0 idle in a transaction/);
    await pg.sql('wallet_checks', 'create role oncall_plain login');
    const blind = (await check('server-failure', { db_url: db.replace('postgres@', 'oncall_plain@') })).get('db-connections')!;
    expect(blind.status).toBe('CRITICAL');
    expect(blind.stdout).toContain('role oncall_plain lacks pg_monitor (or pg_read_all_stats)');
    await pg.sql('wallet_checks', 'grant pg_monitor to oncall_plain');
    const seeing = (await check('server-failure', { db_url: db.replace('postgres@', 'oncall_plain@') })).get('db-connections')!;
    expect(seeing.status).toBe('OK');
  });
});

/** A TLS server on 127.0.0.1 with a self-signed certificate for localhost, valid `days` days, made by openssl. */
async function tlsServer(days: number) {
  const dir = tempDir();
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      String(days),
      '-subj',
      '/CN=localhost',
    ],
    { stdio: 'ignore' },
  );
  const server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) =>
    res.end('ok'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('network checks', () => {
  it("probe the database and the bank over TCP (not ping), and read the bank certificate's expiry", async () => {
    const soon = await tlsServer(3);
    const later = await tlsServer(60);
    try {
      const base = { db_url: db, db_host: '127.0.0.1', db_port: String(pg.port), bank_host: 'localhost' };
      const expiring = await check('network', { ...base, bank_port: String(soon.port) });
      expect(expiring.get('db-tcp')).toMatchObject({ status: 'OK', stdout: aStringContaining(`127.0.0.1:${pg.port} accepts connections`) });
      expect(expiring.get('bank-tls')).toMatchObject({
        status: 'WARNING',
        stdout: aStringMatching(/^certificate of localhost:\d+ expires within 14 days \(notAfter=/),
      });
      expect(expiring.has('db-packet-loss')).toBe(false);
      const valid = await check('network', { ...base, bank_port: String(later.port) });
      expect(valid.get('bank-tls')).toMatchObject({ status: 'OK', stdout: aStringContaining('certificate valid') });
    } finally {
      await soon.close();
      await later.close();
    }
    // Nothing listens on the ports of the closed servers any more.
    const closed = await check('network', {
      db_url: db,
      db_host: '127.0.0.1',
      db_port: String(soon.port),
      bank_host: 'localhost',
      bank_port: String(later.port),
    });
    expect(closed.get('db-tcp')).toMatchObject({ status: 'CRITICAL', stdout: aStringContaining('no answer from 127.0.0.1') });
    expect(closed.get('bank-tls')).toMatchObject({ status: 'CRITICAL', stdout: aStringContaining('no TLS connection to localhost') });
  }, 120_000);
});
