import { createRequire } from 'node:module';
import { buildRunbook, type Runbook } from './model.js';
import { gatherFacts } from './rules/facts.js';
import { RULES, type RuleContext } from './rules/index.js';
import { checkSchema } from './schema.js';
import { MAX_RUNBOOK_BYTES, RunbookSource, startsWithBom } from './source.js';

/**
 * YAML features where the two parsers could differ, or where the positional one warns: anchors (an
 * alias needs one; an alias without one fails the quick parse) and their expansion limit, tags,
 * directives, flow collections over several lines (a bracket or brace left open at the end of a line),
 * a CR that ends no line (js-yaml breaks the line there, the positional parser does not).
 * Matching is rough on purpose: a false match only sends a file down the full path.
 */
const NEEDS_FULL_PARSE = /(?:^|[\s,[{])(?:&[^\s&>]|![^\s=])|^%|[[{][^\]}\n]*$|\r(?!\n)/m;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** js-yaml, loaded when the first file comes. */
let jsyaml: typeof import('js-yaml') | undefined;
const require = createRequire(import.meta.url);

/**
 * The quick path of the linter, for the common case of a runbook with no problem at all: a fast parse
 * (js-yaml with the core schema), the schema and every rule. It returns a
 * result only when all of them find nothing; anything else — a parse error, a finding, a YAML feature
 * above, a suppression comment (whose rule ids the full path checks) — returns undefined and the file
 * goes through the full path, which parses with source positions for the diagnostics. Positions of a
 * quick result are computed on first use.
 */
export function quickLint(file: string, bytes: Uint8Array): { source: RunbookSource; runbook: Runbook } | undefined {
  if (bytes.length > MAX_RUNBOOK_BYTES) return undefined;
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  if (text.includes('sev-disable-line')) return undefined;
  if (NEEDS_FULL_PARSE.test(text)) return undefined;
  jsyaml ??= require('js-yaml') as typeof import('js-yaml');
  let value: unknown;
  try {
    value = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA, filename: file });
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (checkSchema(value).length > 0) return undefined;
  const source = new RunbookSource(file, text, startsWithBom(bytes));
  source.value = value;
  source.lazy = true;
  const runbook = buildRunbook(value, source);
  let found = false;
  const context: RuleContext = {
    runbook,
    facts: gatherFacts(runbook),
    report() {
      found = true;
    },
  };
  for (let n = 0; n < RULES.length; n++) {
    RULES[n]!.check(context);
    if (found) return undefined;
  }
  return { source, runbook };
}
