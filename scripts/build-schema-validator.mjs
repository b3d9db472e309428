// Compiles runbooks/runbook.schema.json into a standalone validator module at build time,
// so `sev validate` never pays Ajv's schema compilation at start-up.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schema = JSON.parse(readFileSync(join(root, 'runbooks/runbook.schema.json'), 'utf8'));

// Replace every local $ref with the definition itself (the schema has no recursion), so that each
// error's schemaPath is absolute and leads back to the exact schema node, e.g. its allowed keys.
function inline(node) {
  if (Array.isArray(node)) return node.map(inline);
  if (node === null || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref') Object.assign(out, inline(schema.definitions[value.replace('#/definitions/', '')]));
    else if (key !== 'definitions') out[key] = inline(value);
  }
  return out;
}
const flat = inline(schema);

const ajv = new Ajv.default({ allErrors: true, strict: true, strictTypes: false, code: { source: true, esm: true, lines: false } });
const validate = ajv.compile(flat);
const out = join(root, 'dist/runbook/schema-validator.js');
mkdirSync(dirname(out), { recursive: true });
// Ajv's ESM output still calls require() for its small runtime helpers.
const code = standaloneCode.default(ajv, validate);
writeFileSync(
  out,
  `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n${code}\nexport const schema = ${JSON.stringify(flat)};\n`,
);
