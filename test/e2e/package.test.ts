import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 110_000, env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: String(r.stdout), stderr: String(r.stderr), error: r.error };
}

/** The checkout's tracked files in a directory of their own, so packing (which builds) leaves ROOT/dist alone. */
function copyOfCheckout(): string {
  const dir = tempDir();
  const files = run('git', ['ls-files', '-z'], ROOT).stdout.split('\0').filter(Boolean);
  for (const file of files) cpSync(join(ROOT, file), join(dir, file), { recursive: true });
  return dir;
}

const hasPreCommit = run('pre-commit', ['--version'], ROOT).code === 0;

describe('the package as users install it', () => {
  it('npm pack, then a global install of the tarball into a clean prefix: no warning, and sev works', () => {
    const checkout = copyOfCheckout();
    symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'));
    const out = tempDir();
    const pack = run('npm', ['pack', '--pack-destination', out], checkout);
    expect(pack.code, pack.stderr).toBe(0);
    expect(pack.stdout.trim()).toBe(`sevkit-${VERSION}.tgz`);
    expect(readFileSync(join(checkout, 'package.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'package.json'), 'utf8'));

    const prefix = tempDir();
    const install = run(
      'npm',
      ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', join(out, `sevkit-${VERSION}.tgz`)],
      out,
    );
    expect(install.code, install.stderr).toBe(0);
    expect(install.stderr).not.toMatch(/npm warn/);

    const sev = join(prefix, 'bin', 'sev');
    expect(run(sev, ['--version'], out).stdout.trim()).toBe(VERSION);
    const validate = run(sev, ['validate', join(ROOT, 'runbooks', 'server-failure.yaml')], out);
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
    const show = run(sev, ['show', 'server-failure'], out);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/server-failure v\d/);
  }, 120_000);

  it.skipIf(!hasPreCommit)(
    'the pre-commit hook (skipped without the pre-commit tool: apt-get install pre-commit) installs from a commit and fails only for the bad runbook',
    () => {
      const hookRepo = copyOfCheckout();
      const git = (cwd: string, ...args: string[]) =>
        run('git', ['-c', 'user.name=sevkit', '-c', 'user.email=sevkit@example.invalid', ...args], cwd);
      git(hookRepo, 'init', '-q');
      git(hookRepo, 'add', '-A');
      expect(git(hookRepo, 'commit', '-qm', 'hook').code).toBe(0);
      const rev = git(hookRepo, 'rev-parse', 'HEAD').stdout.trim();

      const team = tempDir({
        'runbooks/good.yaml': readFileSync(join(ROOT, 'test/fixtures/minimal.yaml'), 'utf8').replace(/^# yaml-language-server.*\n/, ''),
        'runbooks/bad.yaml':
          'format: sevkit/v1\nid: bad\ntitle: Bad\nclass: server-failure\nseverity: SEV3\nsteps:\n  - id: x\n    nxt: y\n',
        '.github/workflows/ci.yml': 'name: ci\non: [push]\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n',
        '.pre-commit-config.yaml': `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: sev-validate\n`,
      });
      git(team, 'init', '-q');
      git(team, 'add', '-A');
      const home = join(tempDir(), 'pre-commit');
      mkdirSync(home);
      const r = run('pre-commit', ['run', '--all-files'], team, { PRE_COMMIT_HOME: home });
      const output = r.stdout + r.stderr;
      expect(r.code, output).toBe(1);
      expect(output).toMatch(/runbooks\/bad\.yaml:8:5: error: unknown key "nxt"/);
      expect(output).toMatch(/2 files checked/);
      expect(output).not.toMatch(/good\.yaml:|ci\.yml/);
    },
    120_000,
  );
});
