import { done, type StepRun } from './context.js';

/** Read, then acknowledged. */
export const instructions: StepRun = async (step, ctx) => {
  const reply = await ctx.settle(() => ctx.responder.acknowledge(ctx.view));
  if (reply.kind !== 'answer') return reply;
  ctx.emit('step.answered', { step: step.id, answer: 'done' });
  return done(ctx);
};
