import { seeded } from '../src/drill/traffic.js';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { expect } from 'vitest';

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

/**
 * JSON.parse with the shape the test expects written down: the test's assertions are what check it, so
 * this only saves every test from handling `any`.
 */
export function parseJson<T = unknown>(text: string): T {
  return JSON.parse(text) as T;
}

/** An event as tests read it from a log: typed loosely, so a test can look at any event type's data. */
export interface LoggedEvent {
  v: number;
  id: string;
  seq: number;
  time: string;
  incident: string;
  actor: string;
  type: string;
  data: Record<string, unknown>;
}

/** Every line of a JSON Lines file parsed, blank lines left out. */
export function readEvents<T = LoggedEvent>(file: string): T[] {
  return parseJsonLines<T>(readFileSync(file, 'utf8'));
}

/** Every line of JSON Lines text parsed, blank lines left out. */
export function parseJsonLines<T = LoggedEvent>(text: string): T[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => parseJson<T>(line));
}

/*
 * vitest types its asymmetric matchers as `any`, which leaks into every object literal built with them;
 * these are the same matchers typed `unknown`, so such a literal stays type-checked.
 */
export const aStringMatching = (pattern: string | RegExp): unknown => expect.stringMatching(pattern);
export const aStringContaining = (text: string): unknown => expect.stringContaining(text);
export const anObjectContaining = (shape: Record<string, unknown>): unknown => expect.objectContaining(shape);
export const anInstanceOf = (constructor: unknown): unknown => expect.any(constructor);

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

export interface WaitOptions {
  /** How long to wait before failing. */
  timeoutMs?: number;
  /** How often to look. */
  intervalMs?: number;
}

/**
 * Polls until `condition` returns something other than undefined, null or false, and returns it; throws
 * a clear error naming what it waited for when the time is up, with the last error the condition threw.
 * `what` may be a function, to say what was seen by then.
 */
export async function waitFor<T>(
  what: string | (() => string),
  condition: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== null && value !== false) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const why = lastError === undefined ? '' : ` (last error: ${lastError instanceof Error ? lastError.message : inspect(lastError)})`;
  throw new Error(`waited ${timeoutMs} ms for ${typeof what === 'function' ? what() : what}, in vain${why}`);
}

/** Random numbers from a seed (mulberry32): the same seed gives the same numbers; the drill's own generator. */
export const seededRandom = seeded;

/**
 * The seed of a test file's random choices: SEV_TEST_SEED when set, else a new one. It is printed, so a
 * failure can be replayed with SEV_TEST_SEED=<seed> npx vitest run <file>. Call it once, at the top of the file.
 */
export function testSeed(file: string): { seed: number; random: () => number } {
  const given = process.env.SEV_TEST_SEED;
  let seed: number;
  if (given !== undefined && given !== '') {
    if (!/^\d+$/.test(given) || Number(given) > 0xffffffff)
      throw new Error(`SEV_TEST_SEED=${given}: expected a whole number from 0 to 4294967295`);
    seed = Number(given);
  } else {
    seed = Math.floor(Math.random() * 0x100000000);
  }
  console.log(`${file}: random seed ${seed} (replay with SEV_TEST_SEED=${seed})`);
  return { seed, random: seededRandom(seed) };
}

/** Says at the top of a test file that some of its tests are skipped, and why: a missing tool is visible in the output. */
export function warnSkipped(file: string, tool: string, what: string): void {
  console.warn(`${file}: SKIPPED ${what}: ${tool} is not installed`);
}
