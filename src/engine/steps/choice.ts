import { done, type StepRun } from './context.js';

/** One option of several; an option may go to a step of its own and change the severity. */
export const choice: StepRun = async (step, ctx) => {
  const options = step.choice!.options.map((o) => ({ ...o, label: ctx.text(o.label) }));
  const reply = await ctx.settle(() => ctx.responder.choose(ctx.view, ctx.text(step.choice!.question), options));
  if (reply.kind !== 'answer') return reply;
  ctx.emit('step.answered', { step: step.id, answer: reply.value.label });
  if (reply.value.severity) ctx.changeSeverity(reply.value.severity, `${step.id}: ${reply.value.label}`);
  return done(ctx, reply.value.goto ?? ctx.fallThrough);
};
