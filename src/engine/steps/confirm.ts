import { done, type StepRun } from './context.js';

/** A yes or no question; a no is a failure, handled as the step's on-no action says. */
export const confirm: StepRun = async (step, ctx) => {
  const question = ctx.text(step.confirm!.question);
  for (;;) {
    const reply = ctx.yes ? ({ kind: 'answer', value: true } as const) : await ctx.settle(() => ctx.responder.confirm(ctx.view, question));
    if (reply.kind !== 'answer') return reply;
    ctx.emit('step.answered', { step: step.id, answer: reply.value ? 'yes' : 'no' });
    if (reply.value) return done(ctx);
    const end = await ctx.onFailure(step.confirm!.onNo, { what: 'confirm', summary: `answered no to: ${question}` });
    if (end !== 'retry') return end;
  }
};
