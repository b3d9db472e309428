import { BankChannel } from '../bank.js';
import { psql } from '../postgres.js';
import type { DemoWallet } from '../wallet.js';
import type { Scenario } from './scenario.js';

const CHANNEL = 'bank-a';
const bankOf = (w: DemoWallet) => w.part(BankChannel)!;

/**
 * The partner bank behind its channel connector, with withdrawals flowing through it. The admin API's channel
 * pause and bank-auto-retry flag act on the connector; its status enquiry is answered by the bank. The bank fixes
 * its side once the wallet has paused its channel (the bank's own repair, which the drill cannot wait an hour for).
 */
async function startBank(w: DemoWallet): Promise<BankChannel> {
  const channel = new BankChannel(CHANNEL, {
    db: w.db,
    logFile: w.logFile,
    seed: w.seed,
    active: () => w.adminState(`/admin/channels/${CHANNEL}`)?.state !== 'paused',
    retries: () => w.adminState('/admin/flags/bank-auto-retry')?.enabled !== false,
  });
  return w.attach(channel, [
    { method: 'PUT', path: `/admin/channels/${CHANNEL}`, when: (b) => b.state === 'paused', run: () => channel.bank.back() },
    {
      method: 'POST',
      path: `/admin/channels/${CHANNEL}/status-enquiry`,
      run: (b) => channel.connector.enquire((typeof b.older_than === 'string' ? b.older_than : '2m').replace(/^(\d+)m$/, '$1 minutes')),
    },
  ]);
}

const networkInputs = (w: DemoWallet): Record<string, string> => {
  const bank = bankOf(w);
  const db = new URL(w.db);
  return {
    health_url: `${w.apiUrl}/health`,
    db_host: 'localhost',
    db_port: db.port,
    db_url: w.db,
    db_password: '',
    channel: CHANNEL,
    bank_name: 'Bank A',
    bank_host: 'localhost',
    bank_port: String(bank.bank.service.port),
    bank_health_url: bank.healthUrl,
    admin_url: w.adminUrl,
    log_file: w.logFile,
    records_dir: w.recordsDir,
  };
};

export const NETWORK: Scenario[] = [
  {
    name: 'bank-unreachable',
    runbook: 'network',
    summary: "The partner bank's endpoint stops answering while withdrawals to it are in flight",
    branch: 'which-cause: bank (pause-channel, tell-bank), then settle-in-flight by status enquiry',
    inject: async (w) => {
      const channel = await startBank(w);
      // Withdrawals flow a moment, then the bank's port goes dark with some of them in flight.
      await new Promise((r) => setTimeout(r, 1500));
      await channel.bank.cutOff();
      // The drill compresses time: the page comes as if the bank had been dark for three minutes, so what is
      // pending was sent longer ago than the runbook's two-minute threshold (and the connector's retry delay).
      await psql(
        w.db,
        `update transactions set created_at = created_at - interval '3 minutes', updated_at = updated_at - interval '3 minutes'
         where channel = :'channel' and status = 'pending';`,
        { channel: CHANNEL },
      );
    },
    pager: (w) =>
      [
        'FIRING [SEV2] BankChannelDown',
        `  channel ${CHANNEL}: connector health ${bankOf(w).healthUrl} failing, connections to the bank refused`,
        `  withdrawals to ${CHANNEL} pending for over 2 minutes, outcome unknown`,
        '  runbook: network',
      ].join('\n'),
    inputs: networkInputs,
    fixed: async (w) => {
      const res = await fetch(bankOf(w).healthUrl, { signal: AbortSignal.timeout(3000) }).catch(() => undefined);
      const active = w.adminState(`/admin/channels/${CHANNEL}`)?.state !== 'paused';
      if (!res?.ok) return { ok: false, detail: `the connector still does not reach ${CHANNEL}` };
      return active
        ? { ok: true, detail: `${CHANNEL} answers end to end and its channel is active again` }
        : { ok: false, detail: `${CHANNEL} answers, but its channel is still paused` };
    },
    money: (w) => bankOf(w).money(w.db),
    targets: { detect: 5, mitigate: 15, resolve: 30 },
    expected: [
      { step: 'confirm-symptoms', why: 'find where the path breaks with the checks before acting' },
      { step: 'pause-auto-retry', why: 'stop automatic retries before the bank answers again: a retry of a paid withdrawal pays it twice' },
      { step: 'pause-channel', why: 'pause the unreachable channel, so users pick another way instead of waiting on a timeout' },
      { step: 'tell-bank', why: "tell the bank's operations desk, and ask for the status of the pending payments" },
      { step: 'settle-in-flight', why: 'settle every pending withdrawal by status enquiry, never by sending it again' },
      { step: 'wait-settled', why: 'wait until nothing is left pending before turning things back on' },
      { step: 'restore', why: 'turn back on what the incident switched off, retries last' },
    ],
  },
];
