// The types of corpus.mjs, for the tests that take their runbooks from it; the benchmarks run it as plain JavaScript.

export const DEFAULT_SIZE: number;
export const DEFAULT_SEED: number;

/** Random choices from a seed: the same seed gives the same choices. Plain functions, so they can be passed around. */
export interface Random {
  next: () => number;
  int: (min: number, max: number) => number;
  pick: <T>(list: readonly T[]) => T;
  chance: (p: number) => boolean;
  sample: <T>(list: readonly T[], n: number) => T[];
}

export function rng(seed: number): Random;

/** One runbook as YAML text, named by its id. */
export function generateRunbook(seed: number, index: number): { name: string; text: string };

export function ensureCorpus(
  dir: string,
  options?: { size?: number; seed?: number },
): { dir: string; files: number; bytes: number; seed: number; generated: boolean };
