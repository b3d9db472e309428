import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './helpers.js';

/** A diagnostic as yaml-language-server publishes it (the fields the tests read). */
export interface LspDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  message: string;
  severity?: number;
}

/** A completion item (the fields the tests read). */
export interface LspCompletion {
  label: string;
  documentation?: string | { kind: string; value: string };
}

interface Message {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { message: string };
}

/**
 * A minimal LSP client over stdio (JSON-RPC with Content-Length framing), enough to open a document in
 * the real yaml-language-server, wait for its diagnostics and ask for completions.
 */
export class YamlLanguageServer {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly diagnostics = new Map<string, LspDiagnostic[]>();
  private readonly waiting: { uri: string; resolve: (d: LspDiagnostic[]) => void }[] = [];
  private stderr = '';

  constructor() {
    this.child = spawn(join(ROOT, 'node_modules/.bin/yaml-language-server'), ['--stdio'], { stdio: 'pipe' });
    this.child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  async start(): Promise<void> {
    await this.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(ROOT).href,
      capabilities: {
        textDocument: {
          completion: { completionItem: { documentationFormat: ['markdown', 'plaintext'] } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          publishDiagnostics: {},
        },
        workspace: { configuration: true },
      },
    });
    this.notify('initialized', {});
    this.notify('workspace/didChangeConfiguration', { settings: { yaml: SETTINGS } });
  }

  /** Opens a document and resolves with the first diagnostics published for it. */
  open(file: string, text: string): Promise<LspDiagnostic[]> {
    const uri = pathToFileURL(file).href;
    this.diagnostics.delete(uri);
    const published = new Promise<LspDiagnostic[]>((resolve) => this.waiting.push({ uri, resolve }));
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    return published;
  }

  async complete(file: string, line: number, character: number): Promise<LspCompletion[]> {
    const result = (await this.request('textDocument/completion', {
      textDocument: { uri: pathToFileURL(file).href },
      position: { line, character },
    })) as { items: LspCompletion[] } | LspCompletion[] | null;
    return Array.isArray(result) ? result : (result?.items ?? []);
  }

  /** Asks the server to shut down, and kills it when it has not within a few seconds. */
  async stop(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([this.request('shutdown', null), new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
      this.notify('exit', null);
    } finally {
      clearTimeout(timer);
      this.child.kill();
    }
  }

  get log(): string {
    return this.stderr;
  }

  private request(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    const answered = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.send({ jsonrpc: '2.0', id, method, params });
    return answered;
  }

  private notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  private send(message: object): void {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, end).toString())?.[1]);
      if (this.buffer.length < end + 4 + length) return;
      const body = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(end + 4 + length);
      this.handle(JSON.parse(body) as Message);
    }
  }

  private handle(message: Message): void {
    if (message.method === undefined && message.id !== undefined) {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error.message));
      else waiter?.resolve(message.result);
      return;
    }
    if (message.method === 'textDocument/publishDiagnostics') {
      const { uri, diagnostics } = message.params as { uri: string; diagnostics: LspDiagnostic[] };
      this.diagnostics.set(uri, diagnostics);
      for (let k = this.waiting.length - 1; k >= 0; k--) {
        if (this.waiting[k]!.uri === uri) this.waiting.splice(k, 1)[0]!.resolve(diagnostics);
      }
      return;
    }
    // Requests from the server: its settings, and registrations it may ask for.
    if (message.id !== undefined && message.method !== undefined) {
      const result =
        message.method === 'workspace/configuration' ? ((message.params as { items: unknown[] }).items ?? []).map(() => SETTINGS) : null;
      this.send({ jsonrpc: '2.0', id: message.id, result });
    }
  }
}

/** What a user's editor sends: validation, completion and hover on; no schema store fetched from the network. */
const SETTINGS = {
  validate: true,
  completion: true,
  hover: true,
  format: { enable: false },
  schemaStore: { enable: false },
  schemas: {},
};
