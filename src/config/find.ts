import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { lilconfigSync } from 'lilconfig';
import { EXIT, UserError } from '../errors.js';
import { readTextFileBytes } from '../files/read-file.js';
import { CONFIG_NAMES, configProblem, lintConfigBytes, type TeamConfig } from './config.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The user's own config directory: $XDG_CONFIG_HOME/sev, else ~/.config/sev. */
export function userConfigDir(env: Env = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'sev');
}

/** Where the search looked, for a message that says so. */
export function searchedPlaces(cwd: string, env: Env = process.env): string {
  return `${CONFIG_NAMES.join(', ')} in ${resolve(cwd)} and the directories above it, then ${join(userConfigDir(env), 'config.yaml')}`;
}

/**
 * The config file in force: SEV_CONFIG names one (which must exist); else the first of the names found
 * upward from the working directory (lilconfig's search, to the home directory or the root); else the
 * user's own file. None is fine: every setting has a default.
 */
export function findConfigFile(cwd: string, env: Env = process.env): string | undefined {
  const named = env.SEV_CONFIG;
  if (named) {
    const file = resolve(cwd, named);
    if (!existsSync(file) || !statSync(file).isFile())
      throw new UserError(`SEV_CONFIG=${named}: no such file`, EXIT.usage, 'Point SEV_CONFIG at a sev.config.yaml, or unset it.');
    return file;
  }
  // Only the path is wanted here: the file is read through the one pipeline, with its limits and positions.
  const found = lilconfigSync('sev', {
    searchPlaces: [...CONFIG_NAMES],
    loaders: { '.yaml': () => true, '.yml': () => true },
    ignoreEmptySearchPlaces: false,
    cache: false,
  }).search(cwd);
  if (found) return found.filepath;
  for (const name of ['config.yaml', 'config.yml']) {
    const file = join(userConfigDir(env), name);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** Reads a config file, refusing one with problems with its first error at file:line:col. */
export function loadConfig(file: string): TeamConfig {
  const { config, diagnostics } = lintConfigBytes(file, readTextFileBytes(file, 'config file'));
  const problem = configProblem(diagnostics);
  if (problem || !config)
    throw new UserError(problem ?? `${file}: not a config file`, EXIT.usage, `Fix the config file first: sev validate ${file}`);
  return config;
}
