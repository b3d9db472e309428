import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ioError } from '../files/read-file.js';

const RUNBOOK_FILE = /\.ya?ml$/i;

/** Expands paths into runbook files: directories are searched recursively for *.yaml and *.yml. */
export async function findRunbookFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw ioError(path, error);
    }
    if (info.isDirectory()) files.push(...(await walk(path)));
    else files.push(path);
  }
  return [...new Set(files)];
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else if (entry.isFile() && RUNBOOK_FILE.test(entry.name)) files.push(path);
  }
  return files;
}
