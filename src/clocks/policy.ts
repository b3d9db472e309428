import type { Diagnostic } from '../runbook/diagnostic.js';
import { CLOCK_WORDS } from '../runbook/model.js';
import { finishFindings, readDocument, reporter, type YamlDocument } from '../lint/document.js';
import type { CompiledSchema } from '../runbook/schema.js';
import type { RunbookSource } from '../runbook/source.js';
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

/** Reads a policy file through the shared pipeline, then builds its clocks: duplicate ids are findings by path. */
export function checkPolicyBytes(file: string, bytes: Uint8Array): { document: YamlDocument; policy?: Policy } {
  const document = readDocument(file, bytes, POLICY_SCHEMA);
  if (!document.value || document.diagnostics.some((d) => d.severity === 'error')) return { document };
  const value = document.value;
  const clocks = buildClocks(value.clocks, ['clocks'], CLOCK_WORDS);
  const report = reporter(document, 'duplicate-clock-id');
  const seen = new Map<string, number>();
  for (const clock of clocks) {
    const earlier = seen.get(clock.id);
    if (earlier !== undefined) report([...clock.path, 'id'], `clock id "${clock.id}" is already used by clock ${earlier + 1}`);
    else seen.set(clock.id, Number(clock.path[1]));
  }
  return { document, policy: { file, ...(typeof value.version === 'string' ? { version: value.version } : {}), clocks } };
}

/** Checks a policy file given as bytes, each finding at file:line:col. */
export function lintPolicyBytes(file: string, bytes: Uint8Array): PolicyLint {
  const { document, policy } = checkPolicyBytes(file, bytes);
  return { file, source: document.source, diagnostics: finishFindings(document), ...(policy ? { policy } : {}) };
}
