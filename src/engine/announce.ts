import type { Message } from '../channels/types.js';
import type { DeliveryKind } from '../incident/events.js';
import type { UnfinishedDelivery } from '../incident/replay.js';
import { Interrupted } from './errors.js';
import type { AnnouncementView } from './responder.js';
import type { Settled, StepContext } from './steps/context.js';

/** What announcing needs of a walk: a step's context has it all, and so does a prompt's. */
export type AnnounceDeps = Pick<
  StepContext,
  'state' | 'runbook' | 'responder' | 'view' | 'yes' | 'emit' | 'settle' | 'announcer' | 'signals'
>;

/** An announcement as the responder sees it, and the step it belongs to (none: sent from any prompt). */
export interface Announcement extends AnnouncementView {
  step?: string;
  /** The clock this announcement is the update for: the event says so, and meets it. */
  clock?: string;
  /** Sending it is decided already (an answers file's `clocks: {id: send}`): no question before it goes. */
  decided?: boolean;
}

export type AnnounceEnd = { kind: 'done' } | Exclude<Settled<never>, { kind: 'answer' }>;

/**
 * The one way an announcement goes out. An audience with channels in the team config: shown, confirmed
 * like a command (not with --yes), and delivered to each channel, every attempt logged before it is sent;
 * a channel that fails is the responder's to retry, copy by hand or leave. An audience without channels:
 * shown, and the responder says whether they sent it by hand. A dry run shows and never sends.
 */
export async function announce(deps: AnnounceDeps, a: Announcement): Promise<AnnounceEnd> {
  const channels = deps.announcer.channelsFor(a.audience);
  if (channels.length === 0) return byHand(deps, a);
  const view = { ...a, channel: [a.channel, channels.join(', ')].filter(Boolean).join(' · ') };
  deps.responder.showAnnouncement(view);

  const toSend: { channel: string; key: string; decided: boolean }[] = [];
  const reached: string[] = [];
  // Reached in this call: when every channel had it before, an earlier run logged the announcement too.
  let newlyReached = false;
  for (const channel of channels) {
    if (a.step !== undefined && deps.state.stepDeliveries.has(channel)) {
      deps.responder.info(`already delivered to ${channel} by an earlier run: not sending it again`);
      reached.push(channel);
      continue;
    }
    const unfinished = unfinishedFor(deps, a, channel);
    if (!unfinished) {
      toSend.push({ channel, key: deliveryKey(deps, a.step, channel), decided: false });
      continue;
    }
    const reply = await deps.settle(() =>
      deps.responder.unfinishedDelivery(deps.view, { channel, audience: a.audience, startedAt: unfinished.time }),
    );
    if (reply.kind !== 'answer') return reply;
    deps.emit('delivery.unfinished', {
      ...stepOf(a),
      channel,
      audience: a.audience,
      key: unfinished.key,
      startedAt: unfinished.time,
      decision: reply.value,
    });
    if (reply.value === 'resend') toSend.push({ channel, key: unfinished.key, decided: true });
    if (reply.value === 'sent') {
      reached.push(channel);
      newlyReached = true;
    }
  }

  const asked = toSend.filter((d) => !d.decided);
  if (asked.length > 0 && !deps.yes && !a.decided) {
    const reply = await deps.settle(() =>
      deps.responder.confirmDelivery(
        deps.view,
        view,
        asked.map((d) => d.channel),
      ),
    );
    if (reply.kind !== 'answer') return reply;
    if (!reply.value) {
      answered(deps, a, 'not sent');
      toSend.splice(0, toSend.length, ...toSend.filter((d) => d.decided));
    }
  }
  if (deps.state.dryRun) {
    if (toSend.length > 0) {
      deps.responder.info(`dry run: not sending to ${toSend.map((d) => d.channel).join(', ')}`);
      answered(deps, a, 'dry run: not delivered');
    }
    return { kind: 'done' };
  }
  for (const delivery of toSend) {
    const end = await deliverAsked(deps, a, delivery.channel, delivery.key);
    if (typeof end !== 'string') return end;
    if (end === 'delivered') {
      reached.push(delivery.channel);
      newlyReached = true;
    }
  }
  if (newlyReached)
    deps.emit('announcement', {
      step: a.step ?? deps.view.step.id,
      ...definedOnly({ audience: a.audience, channel: reached.join(', '), subject: a.subject, message: a.message, clock: a.clock }),
    });
  return { kind: 'done' };
}

/**
 * Posts a milestone or a severity change to the live feed's channel, without asking (the team asked for it
 * in its config); a failure is reported and logged, and the walk goes on.
 */
export async function postLive(
  deps: Pick<AnnounceDeps, 'state' | 'runbook' | 'responder' | 'emit' | 'announcer' | 'signals'>,
  kind: Exclude<DeliveryKind, 'announcement'>,
  what: string,
  text: string,
): Promise<void> {
  const live = deps.announcer.live();
  if (!live || deps.state.dryRun || (kind === 'milestone' ? !live.milestones : !live.severity)) return;
  const key = `${deps.state.incident}/live/${what}/${live.channel}`;
  const message = messageOf(deps, { audience: 'live', message: text }, kind, kind === 'milestone' ? what : undefined);
  const result = await send(deps, { audience: 'live' }, live.channel, key, message, kind);
  if (!result.ok) deps.responder.info(`live feed: ${result.detail}`);
}

/**
 * A live post an earlier run started and did not see end: it is not posted again (it may have been), and
 * the log says so. Asking would stop the walk for a message the team reads in passing.
 */
export function leaveUnfinishedLivePosts(deps: Pick<AnnounceDeps, 'state' | 'responder' | 'emit'>): void {
  for (const u of [...deps.state.unfinishedDeliveries.values()]) {
    if (u.kind === 'announcement') continue;
    deps.responder.info(`the live post to ${u.channel} started at ${u.time} by an earlier run may have been sent: not posting it again`);
    deps.emit('delivery.unfinished', { channel: u.channel, audience: u.audience, key: u.key, startedAt: u.time, decision: 'skip' });
  }
}

/** Sends to one channel until it is delivered, copied by hand, or left; what the responder chose. */
async function deliverAsked(
  deps: AnnounceDeps,
  a: Announcement,
  channel: string,
  key: string,
): Promise<'delivered' | 'left' | AnnounceEnd> {
  const message = messageOf(deps, a, 'announcement');
  for (;;) {
    const result = await send(deps, a, channel, key, message, 'announcement');
    if (result.ok) {
      deps.responder.info(`✔ ${channel}: ${result.detail}`);
      return 'delivered';
    }
    const reply = await deps.settle(() => deps.responder.deliveryFailed(deps.view, channel, result.detail));
    if (reply.kind !== 'answer') return reply;
    answered(deps, a, `delivery to ${channel}: ${reply.value}`);
    if (reply.value === 'retry') continue;
    if (reply.value === 'copy') {
      deps.responder.copyText(a.subject ? `${a.subject}\n\n${a.message}` : a.message);
      return 'delivered';
    }
    return 'left';
  }
}

/** One delivery, each attempt in the log before it is sent and the result after; interrupted, the end stays open for a resume to ask. */
async function send(
  deps: Pick<AnnounceDeps, 'emit' | 'announcer' | 'signals' | 'state'>,
  a: { step?: string; audience: string },
  channel: string,
  key: string,
  message: Message,
  kind: DeliveryKind,
) {
  const previous = deps.state.channelMessages.get(channel);
  const result = await deps.announcer.deliver(channel, message, {
    idempotencyKey: key,
    ...(previous ? { previous: { messageId: previous } } : {}),
    // Ctrl-C, a hang-up or a termination stops a delivery under way.
    ...(deps.signals.stop ? { signal: deps.signals.stop } : {}),
    onAttempt: ({ n }) => {
      deps.emit('delivery.started', { ...stepOf(a), channel, audience: a.audience, key, attempt: n, kind });
    },
  });
  if (deps.signals.stop?.aborted && !result.ok) throw new Interrupted();
  const last = result.attempts.at(-1);
  deps.emit('delivery.finished', {
    ...stepOf(a),
    channel,
    audience: a.audience,
    key,
    ok: result.ok,
    ...(last?.status !== undefined ? { status: last.status } : {}),
    ...(result.messageId ? { messageId: result.messageId } : {}),
    attempts: result.attempts.length,
    detail: result.detail,
    ...(result.maybeDelivered ? { maybeDelivered: true } : {}),
  });
  return result;
}

/** Today's way, for an audience no channel reaches: the responder sends it and says so. */
async function byHand(deps: AnnounceDeps, a: Announcement): Promise<AnnounceEnd> {
  deps.responder.showAnnouncement(a);
  const reply =
    deps.yes || a.decided ? ({ kind: 'answer', value: true } as const) : await deps.settle(() => deps.responder.announce(deps.view, a));
  if (reply.kind !== 'answer') return reply;
  if (reply.value)
    deps.emit('announcement', {
      step: a.step ?? deps.view.step.id,
      ...definedOnly({ audience: a.audience, channel: a.channel, subject: a.subject, message: a.message, clock: a.clock }),
    });
  else answered(deps, a, 'not sent');
  return { kind: 'done' };
}

/**
 * The same for every attempt and for a send again after a crash (the resumed step has not completed, so
 * its round is unchanged); a step walked again after completing announces afresh. An update sent from a
 * prompt, outside any step, takes the first round its channel has not settled yet.
 */
function deliveryKey(deps: Pick<AnnounceDeps, 'state'>, step: string | undefined, channel: string): string {
  const key = (where: string, round: number) => `${deps.state.incident}/${where}/${round}/${channel}`;
  if (step !== undefined) return key(step, (deps.state.stepRounds.get(step) ?? 0) + 1);
  let round = 1;
  while (deps.state.settledDeliveryKeys.has(key('update', round))) round++;
  return key('update', round);
}

function unfinishedFor(deps: AnnounceDeps, a: Announcement, channel: string): UnfinishedDelivery | undefined {
  for (const u of deps.state.unfinishedDeliveries.values())
    if (u.kind === 'announcement' && u.step === a.step && u.channel === channel) return u;
  return undefined;
}

function messageOf(
  deps: Pick<AnnounceDeps, 'state' | 'runbook'>,
  a: { audience: string; subject?: string; message: string },
  kind: DeliveryKind,
  milestone?: string,
): Message {
  return {
    incident: deps.state.incident,
    runbook: deps.runbook.id,
    severity: deps.state.severity ?? deps.runbook.severity,
    audience: a.audience,
    ...(a.subject ? { subject: a.subject } : {}),
    text: a.message,
    kind,
    ...(milestone ? { milestone: milestone as Message['milestone'] } : {}),
  };
}

function answered(deps: Pick<AnnounceDeps, 'emit'>, a: Announcement, answer: string): void {
  if (a.step !== undefined) deps.emit('step.answered', { step: a.step, answer });
}

const stepOf = (a: { step?: string }) => (a.step === undefined ? {} : { step: a.step });

function definedOnly<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as T;
}
