import { UserError } from '../../errors.js';
import type { CheckDef, Step } from '../../runbook/model.js';
import type { StepContext } from './context.js';

/** The runbook's definitions of the checks a step runs. */
export function checkDefs(step: Step, ctx: StepContext, names: string[]): CheckDef[] {
  return names.map((name) => {
    const def = ctx.runbook.checks.find((c) => c.name === name);
    if (!def) throw new UserError(`step "${step.id}" runs check "${name}", which the runbook does not define`);
    return def;
  });
}
