import { describe, expect, it } from 'vitest';
import { sev, tempDir } from '../helpers.js';

describe("commander's own errors", () => {
  it.each([
    [['--bogus'], "sev: error: unknown option '--bogus'"],
    [['list', '--bogus'], "sev: error: unknown option '--bogus'"],
    [['show'], "sev: error: missing required argument 'runbook'"],
    [['validate', '--format', 'xml'], "sev: error: option '-f, --format <format>' argument 'xml' is invalid."],
    [['nope'], "sev: error: unknown command 'nope'"],
  ])('sev %j: "sev: error: …" as every other error, exit 2, nothing on stdout', (args, first) => {
    const r = sev(args, { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toContain(first);
    expect(r.stderr.split('\n')[0]).toMatch(/^sev: error: /);
    expect(r.stderr).toContain('(run sev --help for usage)');
  });
});
