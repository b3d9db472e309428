import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { diskError } from '../files/io-error.js';
import { exampleRunbook, EXAMPLE_RUNBOOK_ID, githubWorkflow, teamConfig } from './templates.js';
import { installedSchemaPath, schemaFileName, type SchemaName } from './schemas.js';

/**
 * The schemas a team's runbooks directory needs beside its files: the runbook's (the example), the
 * config's (sev.config.yaml names it there), and those of the shipped files a team copies in to adapt
 * (translations, the triage matrix, the regulators file, the policy), so that every modeline resolves.
 */
const SCHEMAS_BESIDE: readonly SchemaName[] = ['runbook', 'translation', 'triage', 'regulators', 'policy', 'config'];

export interface InitRequest {
  /** The runbooks directory to scaffold. */
  dir: string;
  /** Where sev runs: a new sev.config.yaml goes here. */
  cwd: string;
  /** The team config in force, if any: kept, and none written. */
  existingConfig?: string;
  version: string;
}

export interface PlannedFile {
  path: string;
  /** What the file is for, as the summary shows it. */
  role: string;
  content: () => string;
}

export interface InitResult {
  written: PlannedFile[];
  /** Files that existed already: never overwritten. */
  kept: PlannedFile[];
  /** The config in force, when there was one (nothing written for it). */
  existingConfig?: string;
}

/** A path as a file names another: relative, with forward slashes, starting with ./ or ../. */
function reference(from: string, to: string): string {
  const path = relative(from, to).split(sep).join('/');
  return path.startsWith('../') ? path : `./${path}`;
}

/**
 * Where the CI workflow goes: the repository the directory lies in (its nearest ancestor with .git), else
 * the working directory when the directory is inside it, else the directory above it.
 */
function repositoryRoot(dir: string, cwd: string): string {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, '.git'))) return at;
    if (dirname(at) === at) return relative(cwd, dir).startsWith('..') ? dirname(dir) : cwd;
  }
}

/** Every file `sev init` would write, in the order it writes them. */
export function planInit(request: InitRequest): PlannedFile[] {
  const dir = resolve(request.cwd, request.dir);
  const files: PlannedFile[] = [{ path: join(dir, `${EXAMPLE_RUNBOOK_ID}.yaml`), role: 'example runbook', content: exampleRunbook }];
  for (const name of SCHEMAS_BESIDE) {
    files.push({
      path: join(dir, schemaFileName(name)),
      role: `${name} schema (for editors)`,
      content: () => readFileSync(installedSchemaPath(name), 'utf8'),
    });
  }
  const config = request.existingConfig ? undefined : join(resolve(request.cwd), 'sev.config.yaml');
  if (config) {
    const at = dirname(config);
    files.push({
      path: config,
      role: 'team config',
      content: () => teamConfig(reference(at, dir), reference(at, join(dir, schemaFileName('config')))),
    });
  }
  const root = repositoryRoot(dir, resolve(request.cwd));
  const workflow = join(root, '.github', 'workflows', 'runbooks.yml');
  const configInRepo = config ?? request.existingConfig;
  const configPath =
    configInRepo && !relative(root, configInRepo).startsWith('..') ? relative(root, configInRepo).split(sep).join('/') : undefined;
  files.push({
    path: workflow,
    role: 'CI: sev validate on every change',
    content: () => githubWorkflow(relative(root, dir).split(sep).join('/') || '.', configPath, request.version),
  });
  return files;
}

/** Writes each planned file that does not exist yet; an existing file is kept as it is. */
export function writeInit(request: InitRequest): InitResult {
  const result: InitResult = { written: [], kept: [], ...(request.existingConfig ? { existingConfig: request.existingConfig } : {}) };
  for (const file of planInit(request)) {
    try {
      mkdirSync(dirname(file.path), { recursive: true });
      // wx: created only if absent, so a file made meanwhile is not overwritten either.
      writeFileSync(file.path, file.content(), { flag: 'wx' });
      result.written.push(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw diskError(file.path, error, `cannot write the ${file.role}`);
      result.kept.push(file);
    }
  }
  return result;
}
