import { describe, expect, it } from 'vitest';
import { ROOT, sev } from '../helpers.js';
import { join } from 'node:path';

describe('sev', () => {
  it('prints its version', () => {
    const r = sev(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('validates a clean runbook with exit 0', () => {
    const r = sev(['validate', join(ROOT, 'test/fixtures/minimal.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('no problems');
    expect(r.code).toBe(0);
  });
});
