/**
 * The demo wallet's API, a process of its own (named wallet-api-XXXX, as `pgrep -x` sees it) so that a drill can kill
 * it for real and the systemd stand-in can start it again. Started by the drill with its port, ledger and log file
 * in the environment.
 */
import { appendFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { bookPayment } from './ledger.js';

// Named for this drill: `pgrep -x` looks at the whole machine, where another drill's API may be running.
process.title = process.env.WALLET_NAME ?? 'wallet-api';
const port = Number(process.env.WALLET_PORT);
const db = process.env.WALLET_DB_URL ?? '';
const logFile = process.env.WALLET_LOG_FILE ?? '';
const log = (line: string) => logFile && appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
const disk = process.env.WALLET_DISK ?? '';
const diskBytes = Number(process.env.WALLET_DISK_KB ?? 0) * 1024;
const dataPath = process.env.WALLET_DATA_PATH ?? '';

function used(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? used(path) : statSync(path).size;
  }
  return total;
}

/** The demo disk counts as full from 95% on, as the runbook's disk-space check does. */
function diskFull(): boolean {
  return Boolean(disk && diskBytes) && used(disk) >= 0.95 * diskBytes;
}

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    const answer = (status: number, value: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json', Connection: 'close' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'GET' && req.url === '/health')
      return diskFull() ? answer(503, { status: 'degraded', reason: 'no space left on the data disk' }) : answer(200, { status: 'ok' });
    if (req.method === 'POST' && req.url === '/payments') {
      let payment: { key?: unknown; user?: unknown; amount?: unknown };
      try {
        payment = JSON.parse(body) as typeof payment;
      } catch {
        return answer(400, { error: 'bad JSON' });
      }
      const { key, user, amount } = payment;
      if (
        typeof key !== 'string' ||
        !/^[A-Za-z0-9-]{1,64}$/.test(key) ||
        !Number.isInteger(user) ||
        typeof amount !== 'string' ||
        !/^\d{1,6}\.\d{2}$/.test(amount)
      ) {
        return answer(400, { error: 'expected {key, user, amount}' });
      }
      if (diskFull()) {
        log(`ERROR payment ${key}: ENOSPC: no space left on device, writing its receipt`);
        return answer(507, { error: 'no space left on device' });
      }
      bookPayment(db, { key, user: user as number, amount }).then(
        (id) => {
          // The receipt the API keeps on its data disk.
          if (dataPath) writeFileSync(join(dataPath, `${key}.json`), JSON.stringify({ key, id, amount }));
          answer(200, { id, status: 'completed' });
        },
        (error: Error) => {
          log(`ERROR payment ${key}: ${error.message}`);
          answer(503, { error: 'ledger unavailable' });
        },
      );
      return;
    }
    answer(404, { error: 'not found' });
  });
});
server.listen(port, '127.0.0.1', () => log(`INFO wallet-api listening on 127.0.0.1:${port}`));
const leave = () => server.close(() => process.exit(0));
process.on('SIGTERM', leave);
process.on('SIGINT', leave);
