import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { policyFile } from '../clocks/policy-file.js';
import { EXIT, UserError } from '../errors.js';
import type { TeamConfig } from './config.js';
import { findConfigFile, loadConfig } from './find.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A value in force and where it came from: a flag, an environment variable, the config file (file:line), or a default. */
export interface Setting {
  value: string;
  from: string;
}

export interface Settings {
  /** The config file in force, if any. */
  configFile?: Setting;
  runbooks: Setting;
  incidentDir: Setting;
  /** Undefined: the responder is asked for, or is the login name. */
  responder?: Setting;
  policy: Setting;
  config?: TeamConfig;
}

/** What the command line said, before any config. */
export interface GivenFlags {
  /** --config: the config file, as SEV_CONFIG would name it. */
  config?: string;
  runbooks?: string;
  incidentDir?: string;
  as?: string;
}

/**
 * The settings in force: a flag, else its environment variable, else the config file, else the default.
 * One function, so that `sev config` shows exactly what the other commands use.
 */
export function resolveSettings(
  flags: GivenFlags,
  cwd: string = process.cwd(),
  env: Env = process.env,
  options: { lenient?: boolean } = {},
): Settings {
  let config: TeamConfig | undefined;
  const file = findConfigFile(cwd, flags.config ? { ...env, SEV_CONFIG: flags.config } : env);
  try {
    config = file ? loadConfig(file) : undefined;
  } catch (error) {
    // `sev validate` must be able to check a broken config file: it goes on with the defaults.
    if (!options.lenient || !(error instanceof UserError)) throw error;
  }
  const pick = (
    flag: string | undefined,
    flagName: string,
    envName: string | undefined,
    fromConfig: string | undefined,
    configKey: string,
    fallback: string,
  ): Setting => {
    if (flag) return { value: flag, from: flagName };
    if (envName && env[envName]) return { value: env[envName], from: `$${envName}` };
    if (config && fromConfig) return { value: fromConfig, from: config.origin([configKey]) };
    return { value: fallback, from: 'default' };
  };
  const runbooks = pick(flags.runbooks, '--runbooks', 'SEV_RUNBOOKS', config?.runbooks, 'runbooks', './runbooks');
  const incidentDir = pick(flags.incidentDir, '--incident-dir', 'SEV_INCIDENT_DIR', config?.incidentDir, 'incident_dir', 'incidents');
  const responder = flags.as
    ? { value: flags.as, from: '--as' }
    : config?.responder
      ? { value: config.responder, from: config.origin(['responder']) }
      : undefined;
  const policy = config?.policy
    ? { value: config.policy, from: config.origin(['policy']) }
    : { value: policyFile(runbooks.value), from: 'default' };
  const configFile = file ? { value: file, from: flags.config ? '--config' : env.SEV_CONFIG ? '$SEV_CONFIG' : 'found' } : undefined;
  return {
    runbooks,
    incidentDir,
    policy,
    ...(responder ? { responder } : {}),
    ...(config ? { config } : {}),
    ...(configFile ? { configFile } : {}),
  };
}

/** A runbooks directory someone named (flag, variable or config) must exist; the default ./runbooks may well be missing. */
export function checkRunbooksDir(runbooks: Setting): void {
  if (runbooks.from === 'default') return;
  const dir = resolve(runbooks.value);
  if (existsSync(dir) && statSync(dir).isDirectory()) return;
  const named =
    runbooks.from === '--runbooks' ? `--runbooks ${runbooks.value}` : `runbooks directory ${runbooks.value} (from ${runbooks.from})`;
  throw new UserError(`${named}: no such directory`, EXIT.usage);
}
