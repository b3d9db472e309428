import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EXIT, UserError } from '../errors.js';

const run = promisify(execFile);

/** The machine's PostgreSQL server programs (Debian's postgresql package, or $PG_BINDIR). */
export function postgresBinDir(): string {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
  const candidates = [process.env.PG_BINDIR, ...versions.map((v) => `/usr/lib/postgresql/${v}/bin`), '/usr/local/bin', '/usr/bin'];
  const dir = candidates.find((d): d is string => Boolean(d && existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl'))));
  if (!dir) {
    throw new UserError(
      'the drill needs a PostgreSQL server for the wallet ledger, and none is installed (initdb and pg_ctl not found)',
      EXIT.usage,
      'Install it (Debian/Ubuntu: apt-get install -y postgresql postgresql-client; macOS: brew install postgresql) ' +
        'or set PG_BINDIR to the directory of initdb.',
    );
  }
  return dir;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** PostgreSQL refuses to run as root: as root, the server and its tools run as the `postgres` user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0)
    throw new UserError(
      "running as root, but there is no postgres user to run the drill's database as",
      EXIT.usage,
      'Run sev drill as yourself, or install the postgresql package (it creates the user).',
    );
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function asServerUser(program: string, args: string[], cwd: string) {
  const path = join(postgresBinDir(), program);
  return serverUser() ? run('runuser', ['-u', 'postgres', '--', path, ...args], { cwd }) : run(path, args, { cwd });
}

/** Stops the server of a data directory a killed drill left running; nothing when there is none. */
export async function stopCluster(dir: string): Promise<void> {
  const data = join(dir, 'data');
  if (existsSync(join(data, 'postmaster.pid')))
    await asServerUser('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'], dir).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}

/** SQL through psql, as the runbooks reach the database; values are passed as psql variables (-v), never pasted into the SQL. */
export async function psql(url: string, sql: string, vars: Record<string, string> = {}): Promise<string> {
  const args = [url, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', ...Object.entries(vars).flatMap(([k, v]) => ['-v', `${k}=${v}`])];
  const child = execFile('psql', args, { env: { ...process.env, PGCONNECT_TIMEOUT: '10' } });
  child.stdin?.end(sql);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`psql: ${stderr.trim() || `exit ${code}`}`);
  return stdout.trim();
}

/**
 * The demo wallet's ledger database: a throwaway cluster in a temporary directory on a free loopback port,
 * trust authentication (nothing listens beyond 127.0.0.1), durability off for speed: it lives for one drill.
 */
export class DrillPostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<DrillPostgres> {
    postgresBinDir();
    const dir = mkdtempSync(join(tmpdir(), 'sev-drill-pg-'));
    const owner = serverUser();
    if (owner) chownSync(dir, owner.uid, owner.gid);
    const pg = new DrillPostgres(dir, await freePort());
    // Known before the server starts, so whatever happens next the clean-up finds it.
    DrillPostgres.onCreated?.(dir);
    const data = join(dir, 'data');
    await asServerUser('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--no-sync'], dir);
    await asServerUser(
      'pg_ctl',
      [
        '-D',
        data,
        '-l',
        join(dir, 'server.log'),
        '-w',
        '-t',
        '60',
        '-o',
        `-p ${pg.port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
        'start',
      ],
      dir,
    ).catch((error: Error) => {
      const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8') : '';
      throw new Error(`the drill's PostgreSQL did not start: ${error.message}\n${log}`);
    });
    return pg;
  }

  /** Set by the drill to record the cluster's directory in its state file before the server starts. */
  static onCreated?: (dir: string) => void;

  url(db: string): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${db}`;
  }

  sql(db: string, sql: string, vars: Record<string, string> = {}): Promise<string> {
    return psql(this.url(db), sql, vars);
  }

  async stop(): Promise<void> {
    await stopCluster(this.dir);
  }
}
