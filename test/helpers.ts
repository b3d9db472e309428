import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
export const SEV = join(ROOT, 'bin', 'sev.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI as a user would, without a terminal and without colour. */
export function sev(args: string[], options: SpawnSyncOptions & { env?: NodeJS.ProcessEnv } = {}): Run {
  const env = { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', FORCE_COLOR: '', ...options.env };
  const r = spawnSync(process.execPath, [SEV, ...args], { encoding: 'utf8', timeout: 30_000, ...options, env });
  return { code: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** A fresh temporary directory with the given files written into it. */
export function tempDir(files: Record<string, string | Uint8Array> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'sev-test-'));
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return dir;
}
