import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = resolve(BENCH, '../..');
export const SEV = join(ROOT, 'bin/sev.js');
export const SCHEMA = join(ROOT, 'runbooks/runbook.schema.json');
export const CORPUS = join(BENCH, '.corpus');
export const RESULTS = join(BENCH, '.results.json');
/** Every contender runs on the Node that runs the benchmark, so none gains from another version. */
export const node = process.execPath;
