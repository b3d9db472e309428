import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { controlPlane, type Hook } from './control-plane.js';
import { LEDGER_SCHEMA, ledgerFacts } from './ledger.js';
import { writeState, type DrillState } from './leftovers.js';
import { DrillPostgres, freePort } from './postgres.js';
import type { Service } from './service.js';
import { drillTools } from './stand-ins.js';
import { seeded, Traffic } from './traffic.js';

/** Kilobytes in use under a directory, as du counts them (blocks of the files). */
function diskUsedKb(dir: string): number {
  let kb = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    kb += entry.isDirectory() ? diskUsedKb(path) : Math.ceil((statSync(path).blocks * 512) / 1024);
  }
  return kb;
}

/** A part of the demo wallet a scenario starts (in this process): its ports, its traffic's settling, its stop. */
export interface WalletPart {
  readonly ports: number[];
  start(): Promise<void>;
  /** Stops its traffic at the end, retrying what is unanswered a while; before the money is counted. */
  settle?(): Promise<{ unanswered: number }>;
  stop(): Promise<void>;
}

const API_MAIN = join(import.meta.dirname, 'wallet-api.js');

/**
 * A demo wallet on 127.0.0.1: its API (a process of its own), the admin API (control plane, in this process),
 * a PostgreSQL ledger, payments flowing, and the stand-ins for the privileged tools. Everything it starts is
 * written to the drill's state file as it starts, and stopped by stop().
 */
export class DemoWallet {
  private api?: ChildProcess;
  private pg?: DrillPostgres;
  private control?: Service & { state: Map<string, Record<string, unknown>> };
  traffic?: Traffic;
  /** What a scenario adds to the wallet (a partner bank…), stopped with it; and its hooks on the admin API. */
  private readonly parts: WalletPart[] = [];
  private readonly hooks: Hook[] = [];
  apiPort = 0;
  /** The API's process name, this drill's own (15 characters at most, as the kernel keeps it). */
  readonly apiName = `wallet-api-${randomBytes(2).toString('hex')}`;
  readonly work: string;
  private readonly state: DrillState;

  constructor(
    private readonly incidentDir: string,
    readonly seed: number,
  ) {
    this.work = mkdtempSync(join(tmpdir(), 'sev-drill-'));
    this.state = { drillPid: process.pid, workDir: this.work, ports: [] };
    this.save();
  }

  private save(): void {
    writeState(this.incidentDir, this.state);
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  get adminUrl(): string {
    return `${this.control!.url}/admin`;
  }

  get db(): string {
    return this.pg!.url('wallet');
  }

  /** The wallet host's small disk: its data and log directories; df (the stand-in) reports it as a filesystem. */
  get disk(): string {
    return join(this.work, 'disk');
  }

  readonly diskKb = 64 * 1024;

  get logFile(): string {
    return join(this.disk, 'log', 'api.log');
  }

  get dataPath(): string {
    return join(this.disk, 'data');
  }

  /** Where the runbook moves old log archives: another filesystem. */
  get archiveDir(): string {
    return join(this.work, 'archive');
  }

  get recordsDir(): string {
    return join(this.work, 'records');
  }

  async start(): Promise<void> {
    mkdirSync(join(this.disk, 'log'), { recursive: true });
    mkdirSync(this.dataPath);
    writeFileSync(this.logFile, '');
    DrillPostgres.onCreated = (dir) => {
      this.state.pgDir = dir;
      this.save();
    };
    this.pg = await DrillPostgres.start();
    this.state.ports.push(this.pg.port);
    await this.pg.sql('postgres', 'create database wallet;');
    await this.pg.sql('wallet', LEDGER_SCHEMA);
    this.apiPort = await freePort();
    this.state.ports.push(this.apiPort);
    // systemctl restart, through the stand-in, starts the API again on its port.
    this.hooks.push({ method: 'POST', path: '/drill/restart', run: () => this.startApi() });
    this.control = controlPlane(this.hooks);
    await this.control.start();
    this.state.ports.push(this.control.port);
    this.save();
    await this.startApi();
    this.traffic = new Traffic(this.apiUrl, seeded(this.seed));
    this.traffic.start();
  }

  /** Starts a scenario's part of the wallet, its ports recorded for the clean-up, and its hooks on the admin API. */
  async attach<T extends WalletPart>(part: T, hooks: Hook[] = []): Promise<T> {
    this.parts.push(part);
    this.hooks.push(...hooks);
    await part.start();
    this.state.ports.push(...part.ports);
    this.save();
    return part;
  }

  /** The part of that kind a scenario attached, for its checks at the end. */
  part<T extends WalletPart>(kind: abstract new (...args: never[]) => T): T | undefined {
    return this.parts.find((p): p is T => p instanceof kind);
  }

  /** Starts the API process (when it is not running) and waits until it answers its health check. */
  async startApi(): Promise<void> {
    if (this.api && this.api.exitCode === null && this.api.signalCode === null) return;
    const child = spawn(process.execPath, [API_MAIN], {
      env: {
        ...process.env,
        WALLET_PORT: String(this.apiPort),
        WALLET_NAME: this.apiName,
        WALLET_DB_URL: this.db,
        WALLET_LOG_FILE: this.logFile,
        WALLET_DISK: this.disk,
        WALLET_DISK_KB: String(this.diskKb),
        WALLET_DATA_PATH: this.dataPath,
      },
      // Its own process group: the drill stops it, and Ctrl-C at the terminal pauses the walk rather than killing it.
      detached: true,
      stdio: 'ignore',
    });
    this.api = child;
    this.state.apiPid = child.pid;
    this.save();
    const until = Date.now() + 15_000;
    while (!(await this.healthy())) {
      if (child.exitCode !== null || Date.now() > until) throw new Error(`the demo wallet API did not start (see ${this.logFile})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The fault of the server-failure scenarios: the API process dies (SIGKILL, as the OOM killer does it). */
  async killApi(): Promise<void> {
    const child = this.api;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }

  /**
   * The fault of the disk-full scenario: the API log's rotated archives, days old, fill the disk to 97% (what a
   * broken log rotation leaves); the API then fails payments with ENOSPC and its health check says so.
   */
  fillDisk(): void {
    const dir = dirname(this.logFile);
    const chunk = 4 * 1024 * 1024;
    const old = new Date(Date.now() - 5 * 86_400_000);
    for (let n = 1; diskUsedKb(this.disk) < 0.97 * this.diskKb; n++) {
      const file = join(dir, `api.log.${n}.gz`);
      writeFileSync(file, randomBytes(Math.min(chunk, Math.ceil((0.97 * this.diskKb - diskUsedKb(this.disk)) * 1024) + 4096)));
      utimesSync(file, old, old);
    }
  }

  /** Percent of the demo disk in use. */
  diskPercent(): number {
    return Math.round((diskUsedKb(this.disk) * 100) / this.diskKb);
  }

  async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`${this.apiUrl}/health`, { signal: AbortSignal.timeout(2000) });
      return res.ok && ((await res.json()) as { status?: string }).status === 'ok';
    } catch {
      return false;
    }
  }

  /** PATH and variables for the runbook's commands during the run: the stand-ins first, and where they reach the wallet. */
  toolEnv(): Record<string, string> {
    return {
      PATH: `${drillTools(this.work)}:${process.env.PATH ?? ''}`,
      DRILL_API: this.apiUrl,
      DRILL_CONTROL: this.control!.url,
      DRILL_DISK: realpathSync(this.disk),
      DRILL_DISK_KB: String(this.diskKb),
    };
  }

  /** What the admin API holds for a flow or flag now. */
  adminState(path: string): Record<string, unknown> | undefined {
    return this.control?.state.get(path);
  }

  /**
   * The money at the end: every payment the wallet acknowledged is booked, exactly once; no key booked twice;
   * nothing left pending. Traffic has stopped by then.
   */
  async money(): Promise<{ acknowledged: number; lost: string[]; doubled: string[]; pending: number; unanswered: number }> {
    const unanswered = (await this.traffic?.stop()) ?? { unanswered: 0 };
    for (const part of this.parts) unanswered.unanswered += (await part.settle?.())?.unanswered ?? 0;
    const { booked, pending } = await ledgerFacts(this.db);
    const acknowledged = [...(this.traffic?.acknowledged ?? [])];
    return {
      acknowledged: acknowledged.length,
      lost: acknowledged.filter((k) => !booked.has(k)),
      doubled: [...booked].filter(([, n]) => n > 1).map(([k]) => k),
      pending,
      unanswered: unanswered.unanswered,
    };
  }

  /** Stops everything, whatever state the drill is in; safe to call twice. */
  async stop(): Promise<void> {
    await this.traffic?.stop(0);
    for (const part of this.parts.splice(0)) await part.stop();
    if (this.api?.pid && this.api.exitCode === null && this.api.signalCode === null) {
      const gone = new Promise((r) => this.api!.once('exit', r));
      try {
        process.kill(-this.api.pid, 'SIGKILL');
      } catch {
        this.api.kill('SIGKILL');
      }
      await gone;
    }
    await this.control?.stop();
    await this.pg?.stop();
    rmSync(this.work, { recursive: true, force: true });
  }
}
