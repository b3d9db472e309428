import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, UserError } from '../errors.js';
import { readTextFileBytes } from '../files/read-file.js';
import { lintPolicyBytes, type Policy } from './policy.js';

/** The policy that ships with sev, next to the shipped runbooks. */
const SHIPPED_POLICY = fileURLToPath(new URL('../../runbooks/policy.yaml', import.meta.url));
const POLICY_FILE_NAME = 'policy.yaml';

/**
 * The team policy: `<runbooks>/policy.yaml`, else the shipped one. A team's file replaces the shipped one
 * whole, as its regulators.yaml does: a cadence half from each file would be nobody's.
 */
export function policyFile(runbooksDir?: string): string {
  const team = runbooksDir ? join(resolve(runbooksDir), POLICY_FILE_NAME) : undefined;
  return team && existsSync(team) ? team : SHIPPED_POLICY;
}

/** Loads the policy; one with problems is refused with the first of them at file:line:col. */
export function loadPolicy(file: string): Policy {
  const { policy, diagnostics } = lintPolicyBytes(file, readTextFileBytes(file, 'policy file'));
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0];
  if (first || !policy) {
    const where = first ? `${first.file}:${first.line}:${first.col}: ${first.message}` : `${file}: not a policy file`;
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    throw new UserError(`${where}${more}`, EXIT.usage, `Fix the policy file first: sev validate ${file}`);
  }
  return policy;
}
