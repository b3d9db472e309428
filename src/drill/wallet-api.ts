/**
 * The demo wallet's API, a process of its own (named wallet-api, as `pgrep -x` sees it) so that a drill can kill
 * it for real and the systemd stand-in can start it again. Started by the drill with its port, ledger and log file
 * in the environment.
 */
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { bookPayment } from './ledger.js';

process.title = 'wallet-api';
const port = Number(process.env.WALLET_PORT);
const db = process.env.WALLET_DB_URL ?? '';
const logFile = process.env.WALLET_LOG_FILE ?? '';
const log = (line: string) => logFile && appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    const answer = (status: number, value: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json', Connection: 'close' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'GET' && req.url === '/health') return answer(200, { status: 'ok' });
    if (req.method === 'POST' && req.url === '/payments') {
      let payment: { key?: unknown; user?: unknown; amount?: unknown };
      try {
        payment = JSON.parse(body) as typeof payment;
      } catch {
        return answer(400, { error: 'bad JSON' });
      }
      const { key, user, amount } = payment;
      if (typeof key !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(key) || !Number.isInteger(user) || typeof amount !== 'string' || !/^\d{1,6}\.\d{2}$/.test(amount)) {
        return answer(400, { error: 'expected {key, user, amount}' });
      }
      bookPayment(db, { key, user: user as number, amount }).then(
        (id) => answer(200, { id, status: 'completed' }),
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
