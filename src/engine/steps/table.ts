import type { Step } from '../../runbook/model.js';
import { announce } from './announce.js';
import { checks } from './checks.js';
import { choice } from './choice.js';
import { command } from './command.js';
import { confirm } from './confirm.js';
import type { StepRun } from './context.js';
import { input } from './input.js';
import { instructions } from './instructions.js';
import { regulator } from './regulator.js';
import { wait } from './wait.js';

/** Every step kind and what runs it: a kind the model gains and this table lacks does not compile. */
export const STEPS: { readonly [K in Step['kind']]: StepRun } = {
  instructions,
  confirm,
  choice,
  input,
  checks,
  wait,
  command,
  announce,
  regulator,
};
