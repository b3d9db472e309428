import { announce as send } from '../announce.js';
import { done, type StepRun } from './context.js';

/** A message for an audience: delivered through its channels, or shown and sent by the responder (or not). */
export const announce: StepRun = async (step, ctx) => {
  const a = step.announce!;
  const end = await send(ctx, {
    step: step.id,
    audience: a.audience,
    ...(a.channel ? { channel: ctx.text(a.channel) } : {}),
    ...(a.subject ? { subject: ctx.text(a.subject) } : {}),
    message: ctx.text(a.message),
  });
  return end.kind === 'done' ? done(ctx) : end;
};
