// Compiles each JSON Schema of runbooks/ (runbook.schema.json, translation.schema.json,
// regulators.schema.json, triage.schema.json, policy.schema.json, answers.schema.json, config.schema.json) into two standalone
// validator modules at build time, so that `sev validate` never pays Ajv's schema compilation at start-up
// (the runbook's and the translation's in dist/runbook/, the translation's with the prefix translation-; the
// regulator rules' in dist/regulator/ with the prefix rules-; the triage matrix's in dist/triage/ with the
// prefix matrix-; the team policy's in dist/clocks/ with the prefix policy-; an answers file's in
// dist/engine/ with the prefix answers-; the team config's in dist/config/ with the prefix config-):
//   dist/runbook/schema-check.js      a yes/no check that stops at the first violation, with the $refs
//                                     as Ajv lays them out (small functions the JIT optimises soon):
//                                     what every file goes through;
//   dist/runbook/schema-validator.cjs every error, with the schema's $refs inlined so that each error's
//                                     schemaPath leads to its exact node; loaded (by schema-check's
//                                     fullValidator) only for a file that fails.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// Replace every local $ref with the definition itself (the schemas have no recursion).
function inline(node, schema) {
  if (Array.isArray(node)) return node.map((n) => inline(n, schema));
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref') Object.assign(out, inline(schema.definitions[value.replace('#/definitions/', '')], schema));
    else if (key !== 'definitions') out[key] = inline(value, schema);
  }
  return out;
}

const EDITOR_KEYWORDS = ['errorMessage', 'patternErrorMessage'];

function compile(source, options) {
  const ajv = new Ajv.default({ strict: true, strictTypes: false, ...options, code: { source: true, lines: false, ...options.code } });
  // Messages for editors (yaml-language-server reads them); they validate nothing.
  ajv.addVocabulary(EDITOR_KEYWORDS);
  return standaloneCode.default(ajv, ajv.compile(source));
}

/**
 * Ajv counts a string's length in code points, with a loop over every character, even for the only
 * length the schema asks, minLength 1. A string has at least one code point exactly when it has at
 * least one code unit, so `ucs2length(s) < 1` becomes `s.length < 1`. Any other use is left alone.
 */
function cheapNonEmpty(code) {
  const name = /const (func\d+) = require\("ajv\/dist\/runtime\/ucs2length"\)\.default;/.exec(code)?.[1];
  if (!name) return code;
  const uses = code.split(`${name}(`).length - 1;
  const nonEmpty = new RegExp(`${name}\\((\\w+)\\) < 1\\b`, 'g');
  const matches = code.match(nonEmpty)?.length ?? 0;
  return uses === matches ? code.replace(nonEmpty, '$1.length < 1') : code;
}

function build(schemaFile, outDir, prefix = '') {
  const schema = JSON.parse(readFileSync(join(root, 'runbooks', schemaFile), 'utf8'));
  const dir = join(root, 'dist', outDir);
  mkdirSync(dir, { recursive: true });
  const check = cheapNonEmpty(compile(schema, { allErrors: false, code: { esm: true } })).replace(
    'export const validate =',
    'export const isValid =',
  );
  // Ajv's ESM output still calls require() for its small runtime helpers.
  const loader = [
    'let full;',
    '/** The validator that lists every error, loaded on first use. */',
    'export function fullValidator() {',
    `  return (full ??= require('./${prefix}schema-validator.cjs'));`,
    '}\n',
  ].join('\n');
  writeFileSync(
    join(dir, `${prefix}schema-check.js`),
    `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n${check}\n${loader}`,
  );

  const flat = inline(schema, schema);
  const full = compile(flat, { allErrors: true, code: { esm: false } });
  writeFileSync(join(dir, `${prefix}schema-validator.cjs`), `${full}\nmodule.exports.schema = ${JSON.stringify(flat)};\n`);
}

build('runbook.schema.json', 'runbook');
build('translation.schema.json', 'runbook', 'translation-');
build('regulators.schema.json', 'regulator', 'rules-');
build('triage.schema.json', 'triage', 'matrix-');
build('policy.schema.json', 'clocks', 'policy-');
build('answers.schema.json', 'engine', 'answers-');
build('config.schema.json', 'config', 'config-');
