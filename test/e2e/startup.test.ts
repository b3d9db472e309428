import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, sev, tempDir } from '../helpers.js';

/** The modules a command loads, traced through a resolve hook. */
function loadedModules(args: string[]): string[] {
  const trace = join(tempDir(), 'modules.txt');
  const r = sev(args, { env: { SEV_TRACE_FILE: trace, NODE_OPTIONS: `--import=${join(ROOT, 'test/fixtures/trace-imports.mjs')}` } });
  expect(r.stderr).not.toMatch(/internal error/);
  return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
}

const HEAVY = /node_modules\/(@inquirer|inquirer|ora|execa|cli-table3)\//;

describe('start-up', () => {
  for (const args of [['--help'], ['--version'], ['validate', join(ROOT, 'test/fixtures/minimal.yaml')]]) {
    it(`sev ${args[0]} loads no prompt, spinner, process or table library`, () => {
      const modules = loadedModules(args);
      expect(modules.some((m) => m.includes('/dist/cli.js'))).toBe(true);
      expect(modules.filter((m) => HEAVY.test(m))).toEqual([]);
    });
  }

  it('sev --help loads no command module', () => {
    expect(loadedModules(['--help']).filter((m) => m.includes('/dist/commands/'))).toEqual([]);
  });
});
