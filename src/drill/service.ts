import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void | Promise<void>;

export const json = (res: ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json', Connection: 'close' });
  res.end(JSON.stringify(value));
};

/**
 * A small HTTP service on 127.0.0.1 that a drill or a test can stop (to cause an outage) and start again on the same port
 * (the recovery). Every server it started is closed by close().
 */
export class Service {
  private server?: Server;
  port = 0;
  readonly requests: { method: string; path: string; body: string }[] = [];

  constructor(private readonly handler: Handler) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return Boolean(this.server?.listening);
  }

  async start(): Promise<this> {
    if (this.running) return this;
    const server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        this.requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', body });
        Promise.resolve(this.handler(req, body, res)).catch((error: Error) => json(res, 500, { error: error.message }));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
