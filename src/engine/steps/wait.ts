import type { CheckResultData } from '../../incident/events.js';
import { durationMs } from '../../runbook/duration.js';
import { DEFAULTS } from '../../runbook/model.js';
import { isFailing } from '../checks.js';
import { checkDefs } from './check-defs.js';
import { done, type StepRun } from './context.js';

/** Runs a check every interval until it passes or the time is up; running out is a failure of the step. */
export const wait: StepRun = async (step, ctx) => {
  const wait = step.wait!;
  const [def] = checkDefs(step, ctx, [wait.check]);
  const limitMs = durationMs(wait.timeout, DEFAULTS.waitTimeout);
  const intervalMs = durationMs(wait.interval, DEFAULTS.waitInterval);
  for (;;) {
    const started = ctx.runner.now().getTime();
    let attempts = 0;
    let last: CheckResultData;
    for (;;) {
      attempts++;
      last = await ctx.runner.check(def!, ctx.checkRun(), 0);
      const remaining = limitMs - (ctx.runner.now().getTime() - started);
      ctx.responder.waiting(def!.name, attempts, last.status, Math.max(0, remaining));
      const passed = !isFailing(last.status);
      // A Nagios check that says CRITICAL knows the answer: waiting longer will not change it.
      if (passed || (def!.nagios && last.status === 'CRITICAL') || remaining < intervalMs) break;
      await ctx.runner.sleep(intervalMs, ctx.signals.any);
    }
    ctx.emit('check.result', { ...last, attempts, step: step.id });
    const passed = !isFailing(last.status);
    ctx.emit('wait.finished', {
      step: step.id,
      check: def!.name,
      passed,
      attempts,
      durationMs: ctx.runner.now().getTime() - started,
      status: last.status,
    });
    if (passed) return done(ctx);
    const end = await ctx.onFailure(wait.onTimeout, {
      what: 'wait',
      summary: `${def!.name} did not pass within ${wait.timeout}: ${last.status} (${last.reason})`,
    });
    if (end !== 'retry') return end;
  }
};
