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

/** The commands as `sev --help` lists them. */
function commands(): string[] {
  const help = sev(['--help']).stdout;
  const section = help.slice(help.indexOf('Commands:'));
  return [...section.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!).filter((name) => name !== 'help');
}

describe('help', () => {
  const names = commands();

  it('lists every command', () => {
    expect(names).toEqual(
      expect.arrayContaining(['validate', 'list', 'show', 'run', 'resume', 'status', 'note', 'check', 'timeline', 'postmortem', 'triage']),
    );
  });

  it.each(names)('sev %s --help ends with examples of that command and its exit codes, and shows the global options', (name) => {
    const r = sev([name, '--help']);
    expect(r.code).toBe(0);
    const help = r.stdout;
    expect(help).toMatch(/^Global Options:\n(.*\n)*? {2}--incident-dir <dir>/m);
    const examples = help.slice(help.indexOf('\nExamples:\n'), help.indexOf('\nExit codes:\n'));
    const lines = examples.split('\n').filter((l) => l.startsWith('  $ '));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(3);
    for (const line of lines) expect(line).toMatch(new RegExp(`^ {2}\\$ sev ${name}\\b`));
    const codes = help.slice(help.indexOf('\nExit codes:\n')).trim().split('\n').slice(1);
    expect(codes[0]).toMatch(/^ {2}0 +success$/);
    expect(codes.some((l) => /^ {2}2 +usage error/.test(l))).toBe(true);
    expect(help.trimEnd().endsWith(codes.at(-1)!)).toBe(true);
  });

  it('exit 1 and 130 are listed where the command can end with them', () => {
    expect(sev(['validate', '--help']).stdout).toMatch(/^ {2}1 +a runbook has errors/m);
    expect(sev(['run', '--help']).stdout).toMatch(/^ {2}130 +interrupted/m);
    expect(sev(['list', '--help']).stdout).not.toMatch(/^ {2}1 /m);
  });
});
