import type { ChannelDef } from '../channels/types.js';
import type { Setting, Settings } from '../config/settings.js';
import { printable } from '../report/sanitize.js';
import { paint, write } from '../ui/output.js';

export interface ConfigOptions {
  settings: Settings;
  json?: boolean;
}

/** The environment variables a channel reads its secrets from: named here, and whether set, never their values. */
function secretsOf(channel: ChannelDef, env: NodeJS.ProcessEnv): { key: string; variable: string; set: boolean }[] {
  const keys = ['url_env', 'secret_env', 'token_env', 'password_env'] as const;
  return keys.flatMap((key) => {
    const variable = (channel as unknown as Record<string, unknown>)[key];
    return typeof variable === 'string' ? [{ key: key.replace(/_env$/, ''), variable, set: Boolean(env[variable]) }] : [];
  });
}

/** `sev config`: the settings in force and where each came from; channels with the variables their secrets are read from. */
export function configCommand(options: ConfigOptions): void {
  const { settings } = options;
  const config = settings.config;
  const channels = (config?.channels ?? []).map((channel) => ({
    name: channel.name,
    kind: channel.kind,
    secrets: secretsOf(channel, process.env),
  }));
  if (options.json) {
    const setting = (s: Setting | undefined) => (s ? { value: s.value, from: s.from } : null);
    write(
      JSON.stringify(
        {
          configFile: setting(settings.configFile),
          runbooks: setting(settings.runbooks),
          incidentDir: setting(settings.incidentDir),
          responder: setting(settings.responder),
          policy: setting(settings.policy),
          channels,
          audiences: config?.audiences ?? {},
          live: config?.live ?? null,
        },
        null,
        2,
      ),
    );
    return;
  }
  const c = paint();
  const line = (name: string, s: Setting | undefined, none: string) =>
    `${c.bold(name.padEnd(13))}${s ? `${printable(s.value)}  ${c.dim(`(${printable(s.from)})`)}` : c.dim(none)}`;
  const out = [
    line('config file', settings.configFile, 'none found (every setting has its default)'),
    line('runbooks', settings.runbooks, ''),
    line('incident dir', settings.incidentDir, ''),
    line('responder', settings.responder, 'your login name, unless --as'),
    line('policy', settings.policy, ''),
  ];
  if (channels.length) {
    out.push('', c.bold('channels'));
    for (const ch of channels) {
      const secrets = ch.secrets.map((s) => `${s.key} from $${s.variable} ${s.set ? c.green('(set)') : c.red('(not set)')}`).join(', ');
      out.push(`  ${printable(ch.name).padEnd(18)}${ch.kind.padEnd(12)}${secrets}`);
    }
  }
  const audiences = Object.entries(config?.audiences ?? {});
  if (audiences.length) {
    out.push('', c.bold('audiences'));
    for (const [audience, names] of audiences) out.push(`  ${printable(audience).padEnd(18)}→ ${names.map(printable).join(', ')}`);
  }
  if (config?.live) {
    const posted =
      [config.live.milestones && 'milestones', config.live.severity && 'severity changes'].filter(Boolean).join(' and ') || 'nothing';
    out.push('', `${c.bold('live'.padEnd(13))}${posted} posted to ${printable(config.live.channel)} as they happen`);
  }
  write(out.join('\n'));
}
