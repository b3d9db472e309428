import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempPostgres } from './fixtures/wallet/postgres.js';

describe('the throwaway PostgreSQL of the wallet tests', () => {
  let pg: TempPostgres;
  beforeAll(async () => {
    pg = await TempPostgres.start();
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('starts on loopback, loads the reference ledger schema, and answers queries', async () => {
    await pg.createDatabase('smoke');
    expect(
      await pg.sql(
        'smoke',
        "select string_agg(table_name, ',' order by table_name) from information_schema.tables where table_schema = 'public'",
      ),
    ).toBe(
      [
        'auth_events',
        'balance_corrections',
        'compensation_limits',
        'compensations',
        'incident_affected_users',
        'incidents',
        'ledger_corrections',
        'ledger_entries',
        'transactions',
        'users',
        'wallet_holds',
        'wallets',
      ].join(','),
    );
    expect(await pg.sql('smoke', 'show listen_addresses')).toBe('127.0.0.1');
  });
});
