import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_RULES } from '../src/runbook/rules/index.js';
import { ROOT, parseJson } from './helpers.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it('documents every rule with its severity', () => {
    const missing = ALL_RULES.filter((r) => !readme.includes(`| \`${r.id}\` | ${r.severity} |`)).map((r) => r.id);
    expect(missing).toEqual([]);
  });

  it('documents no rule that does not exist', () => {
    const documented = [...readme.matchAll(/^\| `([a-z-]+)` \| (?:error|warning) \|/gm)].map((m) => m[1]);
    const known = new Set(ALL_RULES.map((r) => r.id));
    expect(documented.filter((id) => !known.has(id!))).toEqual([]);
    expect(documented.length).toBe(ALL_RULES.length);
  });

  it('documents every top-level key and step key of the schema', () => {
    type Properties = { properties: Record<string, unknown> };
    const schema = parseJson<Properties & { definitions: { step: Properties; check: Properties } }>(
      readFileSync(join(ROOT, 'runbooks/runbook.schema.json'), 'utf8'),
    );
    const keys = [
      ...Object.keys(schema.properties),
      ...Object.keys(schema.definitions.step.properties),
      ...Object.keys(schema.definitions.check.properties),
    ];
    expect(keys.filter((k) => !readme.includes(`\`${k}\``))).toEqual([]);
  });
});
