import { announce as send } from '../announcement.js';
import { done, type StepRun } from './context.js';

/** A message for an audience, shown, then sent by the responder (or not); a sent one is logged. */
export const announce: StepRun = async (step, ctx) => {
  const a = step.announce!;
  const announcement = { audience: a.audience, channel: a.channel && ctx.text(a.channel), subject: a.subject && ctx.text(a.subject), message: ctx.text(a.message) };
  ctx.responder.showAnnouncement(announcement);
  const reply = ctx.yes ? ({ kind: 'answer', value: true } as const) : await ctx.settle(() => ctx.responder.announce(ctx.view, announcement));
  if (reply.kind !== 'answer') return reply;
  if (reply.value) {
    send((type, data) => ctx.emit(type, data), step.id, announcement);
    return done(ctx);
  }
  ctx.emit('step.answered', { step: step.id, answer: 'not sent' });
  return done(ctx);
};
