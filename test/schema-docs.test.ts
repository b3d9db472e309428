import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

type Node = Record<string, unknown>;

const SCHEMAS = ['runbook', 'translation', 'regulators', 'triage', 'policy', 'answers', 'config'];

function schema(name: string): Node {
  return JSON.parse(readFileSync(join(ROOT, 'runbooks', `${name}.schema.json`), 'utf8')) as Node;
}

/** Every property an editor can offer, by its path in the schema, with what it says about itself. */
function properties(node: unknown, path: string, out: [string, Node][] = []): [string, Node][] {
  if (Array.isArray(node)) node.forEach((n, k) => properties(n, `${path}/${k}`, out));
  if (node === null || typeof node !== 'object') return out;
  for (const [key, value] of Object.entries(node as Node)) {
    // An if only selects a branch: nothing in it is offered or shown.
    if (key === 'if' || key === 'dependencies') continue;
    if (key === 'properties') {
      for (const [name, property] of Object.entries(value as Node)) {
        if (typeof property === 'object') out.push([`${path}/properties/${name}`, property as Node]);
      }
    }
    properties(value, `${path}/${key}`, out);
  }
  return out;
}

describe('the schemas editors read', () => {
  it.each(SCHEMAS)('%s: every property has a description of its own', (name) => {
    const undescribed = properties(schema(name), '#')
      .filter(([, property]) => typeof property.description !== 'string' || property.description === '')
      .map(([path]) => path);
    expect(undescribed).toEqual([]);
  });

  it.each(SCHEMAS)('%s: its $id is an absolute URI', (name) => {
    expect(String(schema(name).$id)).toMatch(new RegExp(`^https://sevkit\\.dev/schema/${name}\\.schema\\.json$`));
  });

  it.each(SCHEMAS)('%s: every pattern says, for editors, what a value must look like', (name) => {
    const vague: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (node === null || typeof node !== 'object') return;
      const n = node as Node;
      if (typeof n.pattern === 'string' && typeof n.patternErrorMessage !== 'string') vague.push(`${path}: ${n.pattern}`);
      for (const [key, value] of Object.entries(n)) walk(value, `${path}/${key}`);
    };
    walk(schema(name), '#');
    expect(vague).toEqual([]);
  });

  it('a duration has the form parseDuration reads', () => {
    const pattern = new RegExp(String((schema('runbook').definitions as Record<string, Node>).duration!.pattern));
    for (const good of ['500ms', '30s', '5m', '1h', '1m30s', '1.5s']) expect(pattern.test(good), good).toBe(true);
    for (const bad of ['10 seconds', '5', 'm', '1d', '']) expect(pattern.test(bad), bad).toBe(false);
  });
});
