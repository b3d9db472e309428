import type { CheckResultData } from '../../incident/events.js';
import { isFailing } from '../checks.js';
import { checkDefs } from './check-defs.js';
import { done, type StepRun } from './context.js';

/** Runs the step's checks together; any that fails is a failure of the step. */
export const checks: StepRun = async (step, ctx) => {
  const defs = checkDefs(step, ctx, step.checks ?? []);
  for (;;) {
    const progress = ctx.responder.checksStarted(defs.map((d) => d.name));
    let results: CheckResultData[];
    try {
      results = await ctx.runner.checks(defs, ctx.checkRun(), (r) => progress.done(r));
    } finally {
      progress.stop();
    }
    for (const result of results) ctx.emit('check.result', { ...result, step: step.id });
    ctx.responder.checksFinished(results);
    const failed = results.filter((r) => isFailing(r.status));
    if (failed.length === 0) return done(ctx);
    const summary = failed.map((r) => `${r.check} ${r.status} (${r.reason})`).join('; ');
    const end = await ctx.onFailure(step.onFail, { what: 'checks', summary });
    if (end !== 'retry') return end;
  }
};
