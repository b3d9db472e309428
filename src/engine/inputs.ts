import { UserError } from '../errors.js';
import type { InputDef } from '../runbook/model.js';
import { compileWhole } from '../runbook/regex.js';

/** Why a value is not acceptable for an input, or undefined when it is. */
export function inputProblem(def: InputDef, value: string): string | undefined {
  if (value === '') return def.required ? 'an answer is required' : undefined;
  if (def.choices && !def.choices.includes(value)) return `must be one of: ${def.choices.join(', ')}`;
  if (def.pattern) {
    const whole = compileWhole(def.pattern);
    if (whole && !whole.test(value)) return `must match the pattern ${def.pattern}`;
  }
  return undefined;
}

/** Parses `--set NAME=VALUE` options. */
export function parseSets(sets: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of sets) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UserError(`--set ${item}: expected NAME=VALUE`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}
