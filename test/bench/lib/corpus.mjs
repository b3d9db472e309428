// Generates a deterministic corpus of realistic, valid runbooks for the validate benchmark.
// Shapes follow test/fixtures/minimal.yaml and runbooks/runbook.schema.json: metadata, inputs
// (plain, patterned, with choices, secret), named checks, and 15–25 steps of every kind
// (instructions, confirm, choice, input, checks, wait, command, announce) with milestones in
// their natural order and jumps that keep every step reachable. Every file is meant to be
// clean for both the JSON Schema and sev's own rules, so both validators do their full work.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_SIZE = 1000;
export const DEFAULT_SEED = 20240611;

/** mulberry32: small, fast and good enough to vary texts; the same seed gives the same corpus. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min, max) => min + Math.floor(next() * (max - min + 1));
  const pick = (list) => list[Math.floor(next() * list.length)];
  const chance = (p) => next() < p;
  const sample = (list, n) => {
    const copy = [...list];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy.slice(0, Math.min(n, copy.length));
  };
  return { next, int, pick, chance, sample };
}

// ---------------------------------------------------------------------------------------------
// Vocabulary of a digital-wallet operator.

const CLASSES = {
  'server-failure': ['api-outage', 'node-down', 'disk-full', 'memory-leak', 'pod-crashloop', 'db-primary-down', 'cache-cluster-down'],
  network: ['packet-loss', 'dns-failure', 'cdn-errors', 'load-balancer-5xx', 'cross-region-latency', 'tls-cert-expired'],
  'software-bug': ['bad-deploy', 'double-charge', 'wrong-balance-display', 'app-crash-spike', 'feature-flag-misfire'],
  'data-error': ['ledger-mismatch', 'duplicate-transactions', 'stale-balances', 'reconciliation-gap', 'corrupted-export'],
  security: ['credential-leak', 'suspicious-withdrawals', 'account-takeover-wave', 'ddos'],
  'third-party': ['card-processor-down', 'kyc-provider-slow', 'sms-gateway-failure', 'bank-api-timeouts'],
  'customer-care': ['mass-refund-comms', 'failed-topups-followup', 'status-page-update'],
};

const SERVICES = [
  'payments-api',
  'wallet-ledger',
  'topup-service',
  'transfer-service',
  'kyc-gateway',
  'notification-service',
  'auth-service',
  'fx-rates',
  'card-issuing',
  'payout-worker',
];
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'ap-southeast-1'];
const TEAMS = [
  'Payments SRE',
  'Wallet Core',
  'Ledger Team',
  'Platform Infrastructure',
  'Security Operations',
  'Customer Operations',
  'Integrations',
];
const SYSTEMS = [
  'the primary database',
  'the Kafka cluster',
  'the Redis cache',
  'the API gateway',
  'the payout queue',
  'the ledger writer',
  'the card processor link',
  'the KYC provider',
];
const SYMPTOMS = [
  'error rate above threshold',
  'p99 latency over 2 s',
  'failed top-ups',
  'stuck transfers',
  'balance mismatches',
  'timeouts from the bank API',
  'login failures',
  'duplicate ledger entries',
];
const PEOPLE = [
  'the incident commander',
  'the database on-call',
  'the payments lead',
  'the security on-call',
  'the customer support lead',
  'the network on-call',
];
const CHANNELS = ['status page', 'in-app banner', 'email', 'SMS', '#incident chat channel', 'partner portal'];
const DASHBOARDS = ['payments-overview', 'wallet-ledger-health', 'api-gateway', 'kafka-lag', 'database-replication', 'fraud-signals'];
const INPUT_PROMPTS = [
  'What do you think the cause is?',
  'How many customers are affected?',
  'Which change ticket covers this?',
  'Vendor case number?',
];
const TAGS = ['payments', 'wallet', 'ledger', 'customer-impact', 'fund-safety', 'regulated', 'tier-1'];

const TITLE_WORDS = {
  'api-outage': 'API outage',
  'node-down': 'Compute node down',
  'disk-full': 'Disk full on a stateful node',
  'memory-leak': 'Memory leak in a service',
  'pod-crashloop': 'Pods in crash loop',
  'db-primary-down': 'Database primary down',
  'cache-cluster-down': 'Cache cluster unavailable',
  'packet-loss': 'Packet loss between zones',
  'dns-failure': 'DNS resolution failures',
  'cdn-errors': 'CDN serving errors',
  'load-balancer-5xx': 'Load balancer returning 5xx',
  'cross-region-latency': 'Cross-region latency spike',
  'tls-cert-expired': 'TLS certificate expired',
  'bad-deploy': 'Bad deploy in production',
  'double-charge': 'Customers charged twice',
  'wrong-balance-display': 'Wrong balances shown in the app',
  'app-crash-spike': 'Mobile app crash spike',
  'feature-flag-misfire': 'Feature flag turned on by mistake',
  'ledger-mismatch': 'Ledger does not balance',
  'duplicate-transactions': 'Duplicate transactions in the ledger',
  'stale-balances': 'Stale balances after a replication delay',
  'reconciliation-gap': 'Gap in the daily reconciliation',
  'corrupted-export': 'Corrupted regulatory export',
  'credential-leak': 'Leaked credential',
  'suspicious-withdrawals': 'Suspicious withdrawal pattern',
  'account-takeover-wave': 'Wave of account takeovers',
  ddos: 'Denial-of-service attack',
  'card-processor-down': 'Card processor unavailable',
  'kyc-provider-slow': 'KYC provider slow or failing',
  'sms-gateway-failure': 'SMS gateway failing to deliver codes',
  'bank-api-timeouts': 'Partner bank API timing out',
  'mass-refund-comms': 'Communication for a mass refund',
  'failed-topups-followup': 'Follow-up for failed top-ups',
  'status-page-update': 'Status page update cadence',
};

// ---------------------------------------------------------------------------------------------
// YAML writing helpers: plain scalars where a person would write them, quotes where needed.

const PLAIN = /^[A-Za-z][A-Za-z0-9 ,.()/_+?-]*[A-Za-z0-9.)?]$/;
const RESERVED = /^(?:true|false|yes|no|on|off|null|y|n)$/i;

function str(text) {
  return PLAIN.test(text) && !RESERVED.test(text) ? text : JSON.stringify(text);
}

/** Single quotes keep regular expressions free of YAML escapes. */
function sq(text) {
  return `'${text.replace(/'/g, "''")}'`;
}

function block(text, indent) {
  const pad = ' '.repeat(indent);
  return `|\n${text
    .split('\n')
    .map((line) => (line ? pad + line : ''))
    .join('\n')}`;
}

/** A shell command as people write it: plain when YAML allows, else double-quoted. */
function cmd(text) {
  return /^[A-Za-z/]/.test(text) && !/: | #|^[-?:,[\]{}#&*!|>'"%@`]|\s$/.test(text) ? text : JSON.stringify(text);
}

function flow(items) {
  const plain = (x) => /^[A-Za-z/+_-][^,[\]{}:#\s'"]*$/.test(x) && !/^[-+]?[\d.]/.test(x) && !RESERVED.test(x);
  const item = (x) => (typeof x === 'string' && !plain(x) ? JSON.stringify(x) : String(x));
  return `[${items.map(item).join(', ')}]`;
}

// ---------------------------------------------------------------------------------------------
// Inputs: each knows how to declare itself; texts and commands reference the chosen ones.

const INPUTS = {
  service: (r) => {
    const choices = r.sample(SERVICES, r.int(3, 6));
    return [
      `prompt: Affected service`,
      `description: The service whose alerts fired, as named in the service catalog.`,
      `default: ${choices[0]}`,
      `choices: ${flow(choices)}`,
    ];
  },
  region: (r) => [`prompt: Region`, `default: ${r.pick(REGIONS)}`, `pattern: ${sq('[a-z]{2}-[a-z]+-\\d')}`],
  ticket: () => [`prompt: Incident ticket (for example INC-1234)`, `pattern: ${sq('INC-\\d{3,6}')}`],
  error_threshold: (r) => [
    `prompt: Error rate (percent) that counts as recovered`,
    `default: ${r.pick([1, 2, 5])}`,
    `pattern: ${sq('\\d+(\\.\\d+)?')}`,
  ],
  merchant_id: () => [`prompt: Merchant id, if one merchant is affected`, `pattern: ${sq('[A-Z0-9]{8}')}`, `required: false`],
  dashboard_url: (r) => [
    `prompt: Dashboard to watch`,
    `default: https://grafana.example.com/d/${r.pick(DASHBOARDS)}`,
    `pattern: ${sq('https?://\\S+')}`,
  ],
  deploy_version: (r) => [
    `prompt: Version currently deployed`,
    `default: v2.${r.int(0, 40)}.${r.int(0, 9)}`,
    `pattern: ${sq('v\\d+\\.\\d+\\.\\d+')}`,
  ],
  provider: (r) => {
    const choices = r.sample(['adyen', 'stripe', 'checkout', 'worldpay', 'marqeta'], 3);
    return [`prompt: Payment provider`, `default: ${choices[0]}`, `choices: ${flow(choices)}`];
  },
  currency: () => [`prompt: Currency of the affected wallets`, `default: EUR`, `choices: [EUR, USD, GBP, SGD]`],
  customer_count: (r) => [`prompt: Customers affected (estimate)`, `default: ${r.int(10, 5000)}`, `pattern: ${sq('\\d+')}`],
  api_token: () => [`prompt: Admin API token`, `description: Read it from the vault; it is never written to the log.`, `secret: true`],
  db_password: () => [`prompt: Password of the read-only database user`, `secret: true`],
};
const SECRET_INPUTS = new Set(['api_token', 'db_password']);

// ---------------------------------------------------------------------------------------------
// Checks: named, each a command that reads state; inputs reach them as SEV_* variables only.

function checkDefs(r, has, home) {
  const svc = has('service') ? '$SEV_SERVICE' : r.pick(SERVICES);
  const region = has('region') ? '$SEV_REGION' : home;
  const auth = has('api_token') ? ' -H "Authorization: Bearer $SEV_API_TOKEN"' : '';
  const pg = has('db_password') ? 'PGPASSWORD="$SEV_DB_PASSWORD" ' : '';
  return {
    'api-health': () => [
      `description: The service answers its health endpoint.`,
      `run: ${cmd(`curl -fsS --max-time 5${auth} "https://${svc}.${region}.internal/health"`)}`,
      `timeout: ${r.pick(['10s', '15s', '20s'])}`,
      `retries: ${r.int(0, 3)}`,
      `interval: ${r.pick(['2s', '5s', '10s'])}`,
      `expect:`,
      `  stdout: ${sq('"status":\\s*"(ok|pass)"')}`,
    ],
    'error-rate': () => [
      `description: 5xx ratio over the last five minutes, from Prometheus.`,
      `run: >-`,
      `  curl -fsS "https://prometheus.internal/api/v1/query"`,
      `  --data-urlencode 'query=sum(rate(http_requests_total{service="'"${svc}"'",code=~"5.."}[5m]))'`,
      `timeout: 15s`,
      `expect:`,
      `  exit: 0`,
      `  stdout: ${sq('"resultType":"vector"')}`,
      `  stdout_not: ${sq('"value":\\[[^\\]]*"(?:[1-9]\\d|\\d{3,})(?:\\.\\d+)?"\\]')}`,
    ],
    'db-replication-lag': () => [
      `description: Replication lag of the replicas, as a Nagios plugin reports it.`,
      `run: ${flow(['/usr/lib/nagios/plugins/check_pgsql_lag', '-w', '5', '-c', '30'])}`,
      `nagios: true`,
      `failure: warning`,
      `timeout: 30s`,
    ],
    'db-connections': () => [
      `description: Connections in use on the primary.`,
      `run: ${cmd(`${pg}psql -h db-primary.${region}.internal -U readonly -tAc "select count(*) from pg_stat_activity"`)}`,
      `expect:`,
      `  stdout: ${sq('^\\d+\\s*$')}`,
      `timeout: 10s`,
    ],
    'queue-depth': () => [
      `run: ${cmd(`kafka-consumer-groups --bootstrap-server kafka.${region}.internal:9092 --describe --group payouts`)}`,
      `timeout: 20s`,
      `retries: 1`,
      `expect:`,
      `  exit: [0]`,
      `  stderr: ${sq('^$')}`,
    ],
    'dns-resolves': () => [
      `description: The public API name resolves from outside.`,
      `run: ${flow(['dig', '+short', '@1.1.1.1', 'api.wallet.example.com'])}`,
      `expect:`,
      `  stdout: ${sq('\\d+\\.\\d+\\.\\d+\\.\\d+')}`,
      `timeout: 5s`,
    ],
    'cert-valid': () => [
      `run: ${cmd(
        'echo | openssl s_client -servername api.wallet.example.com -connect api.wallet.example.com:443 2>/dev/null' +
          ' | openssl x509 -noout -checkend 86400',
      )}`,
      `timeout: 10s`,
      `expect:`,
      `  exit: 0`,
      `  stdout: ${sq('will not expire')}`,
    ],
    'ledger-balanced': () => [
      `description: Debits and credits of today's ledger sum to zero.`,
      `run: ${cmd(`${pg}psql -h ledger-replica.${region}.internal -U readonly -tAc "select sum(amount) from entries where booked_at::date = current_date"`)}`,
      `expect:`,
      `  stdout: ${sq('^\\s*0(\\.0+)?\\s*$')}`,
      `timeout: 1m`,
      `failure: critical`,
    ],
    'payout-backlog': () => [
      `run: ${cmd(`curl -fsS${auth} "https://payout-worker.${region}.internal/admin/backlog"`)}`,
      `expect:`,
      `  stdout: ${sq('"pending":\\s*\\d{1,3}\\b')}`,
      `retries: ${r.int(1, 5)}`,
      `interval: 30s`,
      `timeout: 10s`,
    ],
    'processor-status': () => [
      `description: The provider's public status page reports no incident.`,
      `run: ${cmd(
        `curl -fsS https://status.${has('provider') ? 'provider' : 'processor'}.example.com/api/v2/status.json` +
          (has('provider') ? ' -H "X-Provider: $SEV_PROVIDER"' : ''),
      )}`,
      `expect:`,
      `  stdout: ${sq('"indicator":\\s*"none"')}`,
      `timeout: 10s`,
      `failure: warning`,
    ],
    'pods-ready': () => [
      `run: ${cmd(`kubectl --context ${region} -n ${svc} get deploy -o jsonpath='{.items[*].status.unavailableReplicas}'`)}`,
      `expect:`,
      `  stdout: ${sq('^\\s*$')}`,
      `timeout: 15s`,
      `retries: 2`,
      `interval: 5s`,
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Steps.

const STEP_NAMES = {
  instructions: [
    'open-dashboards',
    'read-recent-changes',
    'gather-evidence',
    'note-first-symptoms',
    'check-vendor-status',
    'review-alerts',
    'inspect-logs',
    'write-handover',
    'collect-samples',
    'list-affected-accounts',
  ],
  confirm: [
    'acknowledge-page',
    'confirm-impact',
    'confirm-recovery',
    'verify-traffic',
    'confirm-rollback-done',
    'confirm-failover',
    'confirm-no-data-loss',
  ],
  choice: ['choose-mitigation', 'decide-severity', 'pick-recovery-path', 'decide-customer-comms', 'choose-failover-target'],
  input: ['record-root-cause-guess', 'record-affected-count', 'record-bad-version', 'record-change-ticket', 'record-vendor-case'],
  checks: ['check-health', 'check-dependencies', 'check-data-integrity', 'check-capacity', 'run-diagnostics'],
  wait: ['wait-for-recovery', 'wait-for-replication', 'wait-for-queue-drain', 'wait-for-dns-propagation'],
  command: [
    'restart-service',
    'roll-back-deploy',
    'scale-out',
    'fail-over-database',
    'pause-payouts',
    'disable-feature-flag',
    'flush-cache',
    'rotate-credential',
    'block-ip-ranges',
  ],
  announce: ['notify-stakeholders', 'post-status-page', 'inform-support', 'update-users', 'notify-regulator', 'tell-partners'],
};

const OPTIONS = [
  ['Roll back the last deploy', 'rollback'],
  ['Fail over to the standby', 'failover'],
  ['Scale out and watch', 'scale-out'],
  ['Pause payouts', 'pause-payouts'],
  ['Escalate to the vendor', 'escalate'],
  ['Wait and observe', 'wait'],
  ['Block the offending traffic', 'block'],
  ['Nothing to do: false alarm', 'false-alarm'],
];

function sentence(r, ctx) {
  const ref = () => {
    const names = ctx.textInputs();
    return names.length && r.chance(0.6)
      ? `{{ ${r.pick(names)} }}`
      : r.pick(['{{ incident.id }}', '{{ incident.severity }}', '{{ runbook.title }}', '{{ incident.elapsed }}']);
  };
  return r.pick([
    () => `Look at ${r.pick(SYSTEMS)} for ${r.pick(SYMPTOMS)} since the alert fired.`,
    () => `Compare the last hour of ${r.pick(DASHBOARDS)} with the same hour last week.`,
    () => `Write what you see in the incident channel and tag it with ${ref()}.`,
    () => `If ${r.pick(SYSTEMS)} shows ${r.pick(SYMPTOMS)}, call ${r.pick(PEOPLE)} before going on.`,
    () => `Keep ${ref()} in mind: it is what the next steps act on.`,
    () => `Do not restart anything yet: the state of ${r.pick(SYSTEMS)} is evidence.`,
    () => `Expect ${r.pick(SYMPTOMS)} to ease within ${r.int(2, 15)} minutes of the change.`,
    () => `Record the time you started this step; the postmortem measures from ${ref()}.`,
  ])();
}

function paragraph(r, ctx, min = 1, max = 3) {
  const out = [];
  for (let i = r.int(min, max); i > 0; i--) out.push(sentence(r, ctx));
  if (r.chance(0.3)) {
    out.push('');
    for (let i = r.int(2, 3); i > 0; i--) out.push(`- ${sentence(r, ctx)}`);
  }
  return out.join('\n');
}

function action(r, laterId) {
  if (laterId && r.chance(0.25)) return [`goto: ${laterId}`];
  return r.pick(['ask', 'ask', 'continue', 'stop']);
}

function emitAction(key, a, indent) {
  const pad = ' '.repeat(indent);
  return Array.isArray(a) ? [`${pad}${key}:`, `${pad}  ${a[0]}`] : [`${pad}${key}: ${a}`];
}

function stepLines(r, ctx, kind, i) {
  const later = ctx.ids.slice(i + 2);
  const laterId = later.length ? r.pick(later) : undefined;
  const out = [];
  const P = '    ';
  if (r.chance(0.7)) out.push(`${P}title: ${str(titleFor(kind, ctx.ids[i]))}`);
  const withText = kind === 'instructions' || r.chance(0.6);
  if (withText)
    out.push(`${P}instructions: ${block(paragraph(r, ctx, kind === 'instructions' ? 2 : 1, kind === 'instructions' ? 4 : 2), 6)}`);
  switch (kind) {
    case 'instructions':
      break;
    case 'confirm': {
      const question = r.pick([
        `Is ${r.pick(SYSTEMS)} healthy again?`,
        `Did you see ${r.pick(SYMPTOMS)} on the dashboard?`,
        `Is the change done and recorded in {{ incident.id }}?`,
        `Does the traffic look normal again?`,
      ]);
      if (r.chance(0.5)) out.push(`${P}confirm: ${str(question)}`);
      else {
        out.push(`${P}confirm:`, `${P}  question: ${str(question)}`);
        out.push(...emitAction('on_no', action(r, laterId), 6));
      }
      break;
    }
    case 'choice': {
      const n = r.int(2, 4);
      out.push(
        `${P}choice:`,
        `${P}  question: ${str(r.pick(['What is the most likely cause?', 'How do we mitigate?', 'How bad is it for customers?', 'Which path do we take?']))}`,
        `${P}  options:`,
      );
      const options = r.sample(OPTIONS, n);
      options.forEach(([label, value], k) => {
        out.push(`${P}    - label: ${str(label)}`);
        if (r.chance(0.4)) out.push(`${P}      value: ${value}`);
        // The first option always falls through, so every later step stays reachable.
        if (k > 0 && laterId && r.chance(0.5)) out.push(`${P}      goto: ${laterId}`);
        else if (k > 0 && i > 2 && r.chance(0.1)) out.push(`${P}      goto: ${ctx.ids[r.int(1, i - 1)]}`);
        if (r.chance(0.25)) out.push(`${P}      severity: ${r.pick(['SEV1', 'SEV2', 'SEV3'])}`);
      });
      break;
    }
    case 'input': {
      const name = ctx.stepInputName(i);
      out.push(`${P}input:`, `${P}  name: ${name}`, `${P}  prompt: ${str(r.pick(INPUT_PROMPTS))}`);
      if (r.chance(0.5)) out.push(`${P}  description: ${str('Recorded in the log for the postmortem.')}`);
      if (r.chance(0.4)) out.push(`${P}  pattern: ${sq('[A-Za-z0-9 #._-]+')}`, `${P}  default: unknown`);
      else if (r.chance(0.3)) out.push(`${P}  choices: [infrastructure, code-change, data, vendor, unknown]`, `${P}  default: unknown`);
      if (r.chance(0.3)) out.push(`${P}  required: false`);
      break;
    }
    case 'checks': {
      out.push(`${P}checks: ${flow(r.sample(ctx.checkNames, r.int(1, Math.min(3, ctx.checkNames.length))))}`);
      if (r.chance(0.7)) out.push(...emitAction('on_fail', action(r, laterId), 4));
      break;
    }
    case 'wait': {
      out.push(`${P}wait:`, `${P}  check: ${r.pick(ctx.checkNames)}`, `${P}  timeout: ${r.pick(['5m', '10m', '15m', '30m', '1h'])}`);
      if (r.chance(0.6)) out.push(`${P}  interval: ${r.pick(['15s', '30s', '1m', '1m30s'])}`);
      if (r.chance(0.6)) out.push(...emitAction('on_timeout', action(r, laterId), 6));
      break;
    }
    case 'command': {
      const svc = ctx.has('service') ? '$SEV_SERVICE' : r.pick(SERVICES);
      const region = ctx.has('region') ? '$SEV_REGION' : ctx.region;
      const run = r.pick([
        () => `kubectl --context ${region} -n ${svc} rollout restart deployment/${svc}`,
        () => `kubectl --context ${region} -n ${svc} rollout undo deployment/${svc}`,
        () => `kubectl --context ${region} -n ${svc} scale deployment/${svc} --replicas=${r.int(6, 24)}`,
        () => flow(['flagctl', 'set', 'instant-payouts', '--off', '--reason', 'incident']),
        () =>
          `curl -fsS -X POST${ctx.has('api_token') ? ' -H "Authorization: Bearer $SEV_API_TOKEN"' : ''} "https://payout-worker.${region}.internal/admin/pause"`,
        () => flow(['redis-cli', '-h', `cache.${ctx.region}.internal`, 'FLUSHDB', 'ASYNC']),
        () => `patronictl -c /etc/patroni.yml failover --candidate db-replica-${r.int(1, 3)} --force`,
      ])();
      out.push(`${P}command:`, `${P}  run: ${run.startsWith('[') ? run : cmd(run)}`);
      if (r.chance(0.4)) {
        out.push(`${P}  env:`, `${P}    INCIDENT_REF: ${JSON.stringify('{{ incident.id }}')}`);
        const names = ctx.textInputs();
        if (names.length && r.chance(0.5))
          out.push(`${P}    CHANGE_NOTE: ${JSON.stringify(`incident {{ incident.id }} on {{ ${r.pick(names)} }}`)}`);
      }
      out.push(`${P}  timeout: ${r.pick(['30s', '1m', '2m', '5m'])}`);
      if (r.chance(0.5)) out.push(`${P}  expect:`, `${P}    exit: ${r.pick(['0', '[0, 3]'])}`);
      if (r.chance(0.2)) out.push(`${P}  changes_state: false`, `${P}  confirm: false`);
      else if (r.chance(0.3)) out.push(`${P}  confirm: true`);
      if (r.chance(0.6)) out.push(...emitAction('on_fail', action(r, laterId), 4));
      break;
    }
    case 'announce': {
      const audience = r.pick(['users', 'stakeholders', 'internal', 'regulator', 'partners']);
      out.push(`${P}announce:`, `${P}  audience: ${audience}`);
      if (r.chance(0.8)) out.push(`${P}  channel: ${str(r.pick(CHANNELS))}`);
      if (r.chance(0.6))
        out.push(`${P}  subject: ${str(`[${r.pick(['Investigating', 'Identified', 'Monitoring', 'Resolved'])}] {{ runbook.title }}`)}`);
      const msg = [
        r.pick([
          `We are investigating ${r.pick(SYMPTOMS)} affecting some customers.`,
          `Some payments may be delayed while we fix an issue with ${r.pick(SYSTEMS)}.`,
          `The issue is mitigated and we are monitoring the recovery.`,
        ]),
        `Reference: {{ incident.id }}, severity {{ incident.severity }}.`,
        r.pick(['Next update within 30 minutes.', 'No action is needed on your side.', 'Balances are safe; no funds were lost.']),
      ].join('\n');
      out.push(`${P}  message: ${block(msg, 8)}`);
      break;
    }
  }
  return out;
}

function titleFor(kind, id) {
  const words = id.replace(/-\d+$/, '').split('-');
  const t = words.join(' ');
  return t[0].toUpperCase() + t.slice(1);
}

function stepKinds(r, n) {
  // Every kind at least once, the rest drawn with weights close to real runbooks.
  const weighted = [
    'instructions',
    'instructions',
    'instructions',
    'confirm',
    'confirm',
    'choice',
    'input',
    'checks',
    'checks',
    'wait',
    'command',
    'command',
    'announce',
    'announce',
  ];
  const middle = ['choice', 'input', 'wait', 'command', 'announce', 'checks'];
  while (middle.length < n - 3) middle.push(r.pick(weighted));
  const shuffled = r.sample(middle, middle.length);
  return ['checks', 'confirm', ...shuffled, 'confirm'];
}

// ---------------------------------------------------------------------------------------------

/** One runbook as YAML text; `index` makes its id unique in the corpus. */
export function generateRunbook(seed, index) {
  const r = rng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const klass = r.pick(Object.keys(CLASSES));
  const topic = r.pick(CLASSES[klass]);
  const id = `${topic}-${String(index).padStart(4, '0')}`;
  const n = r.int(15, 25);

  // Inputs: always the service, then a few more; a secret one now and then.
  const plain = r.sample(
    Object.keys(INPUTS).filter((k) => k !== 'service' && !SECRET_INPUTS.has(k)),
    r.int(1, 3),
  );
  const inputNames = ['service', ...plain, ...(r.chance(0.35) ? [r.pick([...SECRET_INPUTS])] : [])];
  const has = (name) => inputNames.includes(name);

  const home = r.pick(REGIONS);
  const defs = checkDefs(r, has, home);
  const checkNames = r.sample(Object.keys(defs), r.int(3, 6));
  // A secret input is used only by commands: make sure one check that uses it is in the runbook.
  if (has('api_token') && !checkNames.some((c) => c === 'api-health' || c === 'payout-backlog')) checkNames.push('api-health');
  if (has('db_password') && !checkNames.some((c) => c === 'db-connections' || c === 'ledger-balanced')) checkNames.push('db-connections');

  const kinds = stepKinds(r, n);
  const ids = [];
  const seen = new Set();
  for (const kind of kinds) {
    let name = r.pick(STEP_NAMES[kind]);
    for (let k = 2; seen.has(name); k++) name = `${r.pick(STEP_NAMES[kind])}-${k}`;
    seen.add(name);
    ids.push(name);
  }

  const textInputs = inputNames.filter((x) => !SECRET_INPUTS.has(x));
  const ctx = {
    ids,
    checkNames,
    has,
    region: home,
    textInputs: () => textInputs,
    stepInputName: (i) => `${ids[i].replace(/^record-/, '').replace(/-/g, '_')}`,
  };

  // Milestones in their natural order: detected first, resolved on the last step.
  const milestones = new Map([
    [0, 'detected'],
    [1, 'acknowledged'],
    [Math.floor(n * 0.6), 'mitigated'],
    [n - 1, 'resolved'],
  ]);
  const resolvedMilestone = klass !== 'customer-care' || r.chance(0.5);
  if (!resolvedMilestone) milestones.delete(n - 1);

  const lines = [];
  lines.push('# yaml-language-server: $schema=../../../runbooks/runbook.schema.json');
  lines.push(`# Generated benchmark runbook ${index}: ${klass} / ${topic}`);
  lines.push('format: sevkit/v1');
  lines.push(`id: ${id}`);
  lines.push(`title: ${str(`${TITLE_WORDS[topic]} (${home})`)}`);
  lines.push(`version: ${r.int(1, 3)}.${r.int(0, 12)}.${r.int(0, 9)}`);
  lines.push(`class: ${klass}`);
  lines.push(`severity: ${r.pick(['SEV1', 'SEV2', 'SEV2', 'SEV3', 'SEV3', 'SEV4'])}`);
  lines.push(`owner: ${str(r.pick(TEAMS))}`);
  lines.push(`summary: >-`);
  lines.push(`  Use this runbook when ${r.pick(SYMPTOMS)} point at ${r.pick(SYSTEMS)}.`);
  lines.push(`  It walks the responder from detection to resolution and keeps customers informed.`);
  if (r.chance(0.5)) lines.push(`lang: ${r.pick(['en', 'en-GB', 'en-US'])}`);
  lines.push(`tags: ${flow([...new Set([klass, topic, ...r.sample(TAGS, r.int(1, 3))])])}`);
  lines.push('links:');
  for (const dash of r.sample(DASHBOARDS, r.int(1, 3))) {
    lines.push(`  - title: ${str(`Dashboard ${dash}`)}`, `    url: https://grafana.example.com/d/${dash}`);
  }
  lines.push('inputs:');
  for (const name of inputNames) {
    lines.push(`  ${name}:`);
    for (const line of INPUTS[name](r)) lines.push(`    ${line}`);
  }
  lines.push('checks:');
  for (const name of checkNames) {
    lines.push(`  ${name}:`);
    for (const line of defs[name]()) lines.push(`    ${line}`);
  }
  lines.push('steps:');
  // The first step mentions every plain input so none goes unused.
  kinds.forEach((kind, i) => {
    const body = stepLines(r, ctx, kind, i);
    if (i === 0) {
      const mention = textInputs.map((x) => `${x.replace(/_/g, ' ')}: {{ ${x} }}`).join(', ');
      const k = body.findIndex((l) => l.startsWith('    instructions:'));
      const intro = `    instructions: ${block(`Scope of this incident (${mention}).\n${paragraph(r, ctx, 1, 2)}`, 6)}`;
      if (k >= 0) body[k] = intro;
      else body.unshift(intro);
    }
    lines.push(`  - id: ${ids[i]}`);
    lines.push(...body);
    const milestone = milestones.get(i);
    if (milestone) lines.push(`    milestone: ${milestone}`);
  });
  return { name: `${id}.yaml`, text: `${lines.join('\n')}\n` };
}

function generatorHash() {
  return createHash('sha256')
    .update(readFileSync(new URL(import.meta.url)))
    .digest('hex')
    .slice(0, 16);
}

/**
 * Writes the corpus into `dir` unless an identical one is already there (same generator, seed and
 * size, checked through a stamp file; dot files are skipped by both validators).
 */
export function ensureCorpus(dir, { size = DEFAULT_SIZE, seed = DEFAULT_SEED } = {}) {
  const stampFile = join(dir, '.stamp.json');
  const stamp = { generator: generatorHash(), seed, size };
  if (existsSync(stampFile)) {
    try {
      const old = JSON.parse(readFileSync(stampFile, 'utf8'));
      if (old.generator === stamp.generator && old.seed === seed && old.size === size) {
        const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
        if (files.length === size) {
          const bytes = files.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
          return { dir, files: size, bytes, seed, generated: false };
        }
      }
    } catch {
      // A broken stamp: regenerate.
    }
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  for (let i = 0; i < size; i++) {
    const { name, text } = generateRunbook(seed, i);
    writeFileSync(join(dir, name), text);
    bytes += Buffer.byteLength(text);
  }
  writeFileSync(stampFile, `${JSON.stringify(stamp)}\n`);
  return { dir, files: size, bytes, seed, generated: true };
}
