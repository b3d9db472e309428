import type { Diagnostic } from '../runbook/diagnostic.js';
import { CLOCK_WORDS } from '../runbook/model.js';
import { checkSchema, type CompiledSchema } from '../runbook/schema.js';
import { parseRunbookBytes, type RunbookSource } from '../runbook/source.js';
import { buildClocks, type ClockDef } from './model.js';
import { fullValidator, isValid } from './policy-schema-check.js';

/** The `format:` value that marks the team policy file (and not a runbook) in a runbooks directory. */
const POLICY_FORMAT = 'sevkit-policy/v1';
const POLICY_SCHEMA: CompiledSchema = { isValid, fullValidator };
const FORMAT_LINE = /^format:\s*["']?sevkit-policy\/v1["']?\s*(#.*)?$/m;

/** What every runbook of a team shares: its clocks (update cadence, regulator deadlines, complaint limits). */
export interface Policy {
  file: string;
  version?: string;
  clocks: ClockDef[];
}

export interface PolicyLint {
  file: string;
  source?: RunbookSource;
  policy?: Policy;
  diagnostics: Diagnostic[];
}

/** Cheap sniff on the first bytes: is this file a policy file? */
export function isPolicyBytes(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 4096);
  if (Buffer.from(head.buffer, head.byteOffset, head.byteLength).indexOf(POLICY_FORMAT) < 0) return false;
  return FORMAT_LINE.test(new TextDecoder('utf-8').decode(head));
}

/** Parses and checks a policy file: YAML, its JSON Schema, then duplicate clock ids, each at file:line:col. */
export function lintPolicyBytes(file: string, bytes: Uint8Array): PolicyLint {
  const { source, diagnostics } = parseRunbookBytes(file, bytes);
  const result: PolicyLint = { file, source, diagnostics: [...diagnostics] };
  if (!source || source.value === undefined || diagnostics.some((d) => d.severity === 'error')) return result;
  for (const problem of checkSchema(source.value, POLICY_SCHEMA)) {
    result.diagnostics.push({ file, ...source.locate(problem.path, problem.part), rule: problem.rule, severity: 'error', message: problem.message });
  }
  const value = source.value as Record<string, unknown>;
  const clocks = buildClocks(value.clocks, ['clocks'], CLOCK_WORDS);
  const seen = new Map<string, number>();
  for (const clock of clocks) {
    const earlier = seen.get(clock.id);
    if (earlier !== undefined) {
      result.diagnostics.push({ file, ...source.locate([...clock.path, 'id'], 'value'), rule: 'duplicate-clock-id', severity: 'error', message: `clock id "${clock.id}" is already used by clock ${earlier + 1}` });
    } else seen.set(clock.id, Number(clock.path[1]));
  }
  result.policy = { file, ...(typeof value.version === 'string' ? { version: value.version } : {}), clocks };
  return result;
}
