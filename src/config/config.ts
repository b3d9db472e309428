import { basename, dirname, resolve } from 'node:path';
import type { ChannelDef } from '../channels/types.js';
import { finishFindings, firstError, readDocument, reporter, type YamlDocument } from '../lint/document.js';
import type { Diagnostic } from '../runbook/diagnostic.js';
import type { CompiledSchema } from '../runbook/schema.js';
import type { Path, RunbookSource } from '../runbook/source.js';
import { fullValidator, isValid } from './config-schema-check.js';

const CONFIG_SCHEMA: CompiledSchema = { isValid, fullValidator };
const CONFIG_FORMAT = 'sevkit-config/v1';
const FORMAT_LINE = /^format:\s*["']?sevkit-config\/v1["']?\s*(#.*)?$/m;

/** The names a team config file is found by, in this order in each directory. */
export const CONFIG_NAMES = ['sev.config.yaml', 'sev.config.yml', '.sevrc.yaml', '.sevrc.yml'] as const;

/** A team's configuration, its paths resolved against the file's directory. */
export interface TeamConfig {
  file: string;
  runbooks?: string;
  incidentDir?: string;
  responder?: string;
  policy?: string;
  channels: ChannelDef[];
  /** Audience → channel names. */
  audiences: Record<string, string[]>;
  live?: { channel: string; milestones: boolean; severity: boolean };
  /** Where a key's value was written, as file:line, for `sev config`. */
  origin(key: Path): string;
}

/** A config file is known by its name, or by its format line wherever it lives. */
export function isConfigFile(file: string, bytes: Uint8Array): boolean {
  if ((CONFIG_NAMES as readonly string[]).includes(basename(file))) return true;
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 4096));
  return head.indexOf(CONFIG_FORMAT) >= 0 && FORMAT_LINE.test(head.toString('utf8'));
}

/** Reads a config file through the shared pipeline; what the schema cannot say (names of channels) is checked here. */
export function checkConfigBytes(file: string, bytes: Uint8Array): { document: YamlDocument; config?: TeamConfig } {
  const document = readDocument(file, bytes, CONFIG_SCHEMA);
  if (!document.value || document.diagnostics.length > 0 || document.found.length > 0) return { document };
  const config = buildConfig(file, document.value, document.source);
  const report = reporter(document, 'undefined-channel');
  const names = new Set(config.channels.map((c) => c.name));
  for (const [audience, channels] of Object.entries(config.audiences)) {
    channels.forEach((name, i) => {
      if (!names.has(name))
        report(['audiences', audience, i], `audience "${audience}" names channel "${name}", which channels does not define`);
    });
  }
  if (config.live && !names.has(config.live.channel))
    report(['live', 'channel'], `live names channel "${config.live.channel}", which channels does not define`);
  return { document, ...(document.found.length === 0 ? { config } : {}) };
}

/** Checks a config file given as bytes, each finding at file:line:col. */
export function lintConfigBytes(
  file: string,
  bytes: Uint8Array,
): { source?: RunbookSource; config?: TeamConfig; diagnostics: Diagnostic[] } {
  const { document, config } = checkConfigBytes(file, bytes);
  return { source: document.source, diagnostics: finishFindings(document), ...(config ? { config } : {}) };
}

/** The message a config file with problems is refused with. */
export const configProblem = (diagnostics: readonly Diagnostic[]) => firstError(diagnostics);

function buildConfig(file: string, value: Record<string, unknown>, source: RunbookSource | undefined): TeamConfig {
  const dir = dirname(resolve(file));
  const path = (v: unknown) => (typeof v === 'string' ? resolve(dir, v) : undefined);
  const channels = Object.entries((value.channels as Record<string, Record<string, unknown>> | undefined) ?? {}).map(
    ([name, def]) => ({ ...def, name }) as unknown as ChannelDef,
  );
  const live = value.live as { channel: string; milestones?: boolean; severity?: boolean } | undefined;
  return {
    file: resolve(file),
    ...(path(value.runbooks) ? { runbooks: path(value.runbooks) } : {}),
    ...(path(value.incident_dir) ? { incidentDir: path(value.incident_dir) } : {}),
    ...(typeof value.responder === 'string' ? { responder: value.responder.trim() } : {}),
    ...(path(value.policy) ? { policy: path(value.policy) } : {}),
    channels,
    audiences: (value.audiences as Record<string, string[]> | undefined) ?? {},
    ...(live ? { live: { channel: live.channel, milestones: live.milestones ?? true, severity: live.severity ?? true } } : {}),
    origin: (key) => {
      const at = source?.locate(key, 'value');
      return at ? `${file}:${at.line}` : file;
    },
  };
}
