import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, sev } from '../helpers.js';

const PAGE = join(ROOT, 'dist/man/sev.1');
/** A page as a terminal shows it: the overstrikes of bold and underlined text (c BACKSPACE c) undone. */
const plain = (page: string) => page.replace(new RegExp(`.${String.fromCharCode(8)}`, 'g'), '');
const has = (program: string) => spawnSync(program, ['--version'], { stdio: 'ignore' }).status === 0;

/** The commands as `sev --help` lists them. */
function commands(): string[] {
  const help = sev(['--help']).stdout;
  return [...help.slice(help.indexOf('Commands:')).matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!).filter((name) => name !== 'help');
}

describe('man page', () => {
  const roff = readFileSync(PAGE, 'utf8');

  it('is the file package.json installs', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { man: string[]; files: string[] };
    expect(pkg.man.map((f) => join(ROOT, f))).toEqual([PAGE]);
    expect(pkg.files).toContain('dist');
    expect(existsSync(PAGE)).toBe(true);
  });

  it('is roff with the sections of a man page, and every command with its options, examples and exit codes', () => {
    expect(roff).toMatch(/^\.TH SEV 1 /);
    for (const name of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'GLOBAL OPTIONS', 'COMMANDS', 'EXIT STATUS', 'ENVIRONMENT'])
      expect(roff).toContain(`\n.SH ${name}\n`);
    const names = commands();
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(roff).toMatch(new RegExp(`^\\.SS sev ${name}\\b`, 'm'));
    expect(roff).toContain('.B \\-\\-incident\\-dir <dir>');
    expect(roff).toContain('$ sev check server\\-failure \\-\\-set service=api');
    // No line of text may start with a dot or quote that roff would read as a request.
    for (const line of roff.split('\n')) if (/^[.']/.test(line)) expect(line).toMatch(/^\.(TH|SH|SS|TP|PP|B|I|nf|fi) ?/);
  });

  it.skipIf(!has('groff'))('renders without a warning (groff -ww), every command on the page', () => {
    const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', PAGE], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const page = plain(r.stdout);
    for (const name of commands()) expect(page).toMatch(new RegExp(`^ {3}sev ${name}\\b`, 'm'));
  });

  it.skipIf(!has('man'))('man -l shows it', () => {
    const r = spawnSync('man', ['-l', PAGE], { encoding: 'utf8', env: { ...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '100' } });
    expect(r.status).toBe(0);
    expect(plain(r.stdout)).toMatch(/^NAME\n {7}sev\s+\S\s+Incident\s+response/m);
  });
});
