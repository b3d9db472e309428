import { typedTime } from '../typed-time.js';
import { done, type StepRun } from './context.js';

/** An input asked at this step rather than at the start. */
export const input: StepRun = async (step, ctx) => {
  const value = await ctx.askInput({
    ...step.input!,
    prompt: ctx.text(step.input!.prompt),
    ...(step.milestone && !step.input!.secret ? { time: true } : {}),
  });
  if (typeof value !== 'string') return value;
  // An input that answers "when" (impact started at 03:12Z) dates the step's milestone.
  const at = step.milestone && !step.input!.secret ? typedTime(value, ctx.runner.now()) : undefined;
  return done(ctx, ctx.fallThrough, at);
};
