import type { DemoWallet } from '../wallet.js';
import type { Scenario } from './scenario.js';

const serverFailureInputs = (w: DemoWallet): Record<string, string> => ({
  health_url: `${w.apiUrl}/health`,
  service_name: 'wallet-api',
  process_name: w.apiName,
  data_path: w.dataPath,
  log_file: w.logFile,
  db_url: w.db,
  db_password: '',
  admin_url: w.adminUrl,
  records_dir: w.recordsDir,
  archive_dir: w.archiveDir,
});

const apiAnswers = async (w: DemoWallet) =>
  (await w.healthy())
    ? { ok: true, detail: 'the wallet API answers its health check' }
    : { ok: false, detail: 'the wallet API still does not answer its health check' };

export const SERVER_FAILURE: Scenario[] = [
  {
    name: 'api-killed',
    runbook: 'server-failure',
    summary: 'The wallet API process is killed (as by the OOM killer) while payments are flowing',
    branch: 'which-cause: process (restart-service)',
    inject: (w) => w.killApi(),
    pager: (w) =>
      [
        'FIRING [SEV2] WalletApiDown',
        `  wallet-api health check failing: ${w.apiUrl}/health refuses connections`,
        '  payments: error rate 100% over the last minute',
        '  runbook: server-failure',
      ].join('\n'),
    inputs: serverFailureInputs,
    fixed: apiAnswers,
    targets: { detect: 5, mitigate: 15, resolve: 30 },
    expected: [
      { step: 'confirm-symptoms', why: 'confirm the failure with the checks before acting' },
      { step: 'protect-funds', why: 'pause money flows and payouts while the API is down, so no payment is half-sent' },
      { step: 'restart-service', why: 'restart the crashed API (the mitigation for a dead process)' },
      { step: 'verify-all', why: 'check every resource before resuming money flows' },
      { step: 'resume-money-flows', why: 'turn back on what the incident paused' },
      { step: 'settle-pending', why: 'wait for pending money movements to settle' },
    ],
  },
  {
    name: 'disk-full',
    runbook: 'server-failure',
    summary: "Old log archives fill the wallet host's disk; payments fail with ENOSPC",
    branch: 'which-cause: disk-full (find-disk-usage, free-disk)',
    inject: (w) => Promise.resolve(w.fillDisk()),
    pager: (w) =>
      [
        'FIRING [SEV2] WalletApiUnhealthy',
        `  wallet-api health check degraded: ${w.apiUrl}/health answers 503`,
        `  node-exporter: filesystem of ${w.dataPath} ${w.diskPercent()}% full`,
        '  payments: error rate 100% over the last minute',
        '  runbook: server-failure',
      ].join('\n'),
    inputs: serverFailureInputs,
    fixed: async (w) => {
      const percent = w.diskPercent();
      if (percent >= 85) return { ok: false, detail: `the data disk is still ${percent}% full` };
      return (await w.healthy())
        ? { ok: true, detail: `the data disk is ${percent}% full and the API is healthy` }
        : { ok: false, detail: 'the API is still not healthy' };
    },
    targets: { detect: 5, mitigate: 20, resolve: 40 },
    expected: [
      { step: 'confirm-symptoms', why: 'confirm the failure with the checks before acting' },
      { step: 'protect-funds', why: 'pause money flows and payouts while payments fail, so no payment is half-sent' },
      { step: 'find-disk-usage', why: 'find what filled the disk before freeing anything' },
      { step: 'free-disk', why: 'move the old archives off the disk (never delete logs)' },
      { step: 'verify-all', why: 'check every resource before resuming money flows' },
      { step: 'resume-money-flows', why: 'turn back on what the incident paused' },
      { step: 'settle-pending', why: 'wait for pending money movements to settle' },
    ],
  },
];
