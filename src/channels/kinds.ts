import { dingtalk } from './dingtalk.js';
import { emailSender } from './email.js';
import { feishu } from './feishu.js';
import { httpSender, type HttpKind, type RequestContext } from './http-kind.js';
import { mattermost } from './mattermost.js';
import type { Sender } from './outcome.js';
import type { SecretNeed } from './secrets.js';
import { slack } from './slack.js';
import { statuspage } from './statuspage.js';
import type { ChannelDef, ChannelKind, Message } from './types.js';
import { webhook } from './webhook.js';
import { wecom } from './wecom.js';

export interface SendContext extends RequestContext {
  fetch: typeof fetch;
  timeoutMs: number;
}

/** For one channel: which secrets it reads, and how it sends once they are read. */
export interface Kind<D extends ChannelDef> {
  needs(def: D): SecretNeed[];
  sender(def: D, message: Message, secrets: Record<string, string>, context: SendContext): Sender;
}

type KindTable = { [K in ChannelKind]: Kind<Extract<ChannelDef, { kind: K }>> };

export const KINDS: KindTable = {
  slack: overHttp(slack),
  mattermost: overHttp(mattermost),
  feishu: overHttp(feishu),
  dingtalk: overHttp(dingtalk),
  wecom: overHttp(wecom),
  webhook: overHttp(webhook),
  statuspage: {
    needs: (def) => [{ field: 'token_env', variable: def.token_env }],
    sender: httpKindSender(statuspage),
  },
  email: {
    needs: (def) => (def.password_env ? [{ field: 'password_env', variable: def.password_env }] : []),
    sender: (def, message, secrets, context) => emailSender(def, message, secrets, context.idempotencyKey, context.timeoutMs),
  },
};

/** A chat webhook: its URL is a secret, and so is its signing secret when one is named. */
function overHttp<D extends ChannelDef & { url_env: string; secret_env?: string }>(kind: HttpKind<D>): Kind<D> {
  return {
    needs: (def) => [
      { field: 'url_env', variable: def.url_env, url: true },
      ...(def.secret_env ? [{ field: 'secret_env', variable: def.secret_env }] : []),
    ],
    sender: httpKindSender(kind),
  };
}

function httpKindSender<D extends ChannelDef>(kind: HttpKind<D>): Kind<D>['sender'] {
  return (def, message, secrets, context) =>
    httpSender(
      () => kind.request(def, message, secrets, context),
      (answer) => kind.judge(answer, context),
      kind.idempotent(context),
      context.fetch,
      context.timeoutMs,
      kind.delivered(def, secrets),
    );
}
