import { deliver } from '../channels/deliver.js';
import type { TeamConfig } from '../config/config.js';
import type { Announcer } from '../engine/announcer.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The real announcer: the team config's audiences and channels, delivered through src/channels. */
export function configAnnouncer(config: TeamConfig | undefined, env: Env = process.env): Announcer {
  return {
    channelsFor: (audience) => config?.audiences[audience] ?? [],
    live: () => config?.live,
    deliver: (name, message, options) => {
      const channel = config?.channels.find((c) => c.name === name);
      if (!channel) return Promise.resolve({ ok: false, attempts: [], detail: `no channel "${name}" in the team config` });
      return deliver(channel, message, { ...options, env });
    },
  };
}
