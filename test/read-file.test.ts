import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, readTextFile, readTextFileBytes } from '../src/files/read-file.js';
import { ROOT, sev, tempDir } from './helpers.js';

const DRILL = join(ROOT, 'test/fixtures/run/drill.yaml');

/** A directory with every kind of path a person might pass by mistake. */
function paths() {
  const dir = tempDir({ 'ok.yaml': 'inputs: {}\n', 'nul.yaml': 'a: \u0000\n', 'big.yaml': `# ${'x'.repeat(3_000_000)}\n` });
  writeFileSync(join(dir, 'latin1.yaml'), Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]));
  writeFileSync(join(dir, 'bom.yaml'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a: 1\n')]));
  writeFileSync(join(dir, 'limit.yaml'), `#${'x'.repeat(MAX_FILE_BYTES - 2)}\n`);
  mkdirSync(join(dir, 'folder'));
  execFileSync('mkfifo', [join(dir, 'pipe.yaml')]);
  return { dir, at: (name: string) => join(dir, name) };
}

describe('the reader of answers files and triage matrices', () => {
  it('reads UTF-8 text, without its byte order mark, up to the limit', () => {
    const p = paths();
    expect(readTextFile(p.at('ok.yaml'), 'answers file')).toBe('inputs: {}\n');
    expect(readTextFile(p.at('bom.yaml'), 'answers file')).toBe('a: 1\n');
    expect(readTextFileBytes(p.at('limit.yaml'), 'answers file')).toHaveLength(MAX_FILE_BYTES);
  });

  it('refuses with one line naming the file: what it is, and never waits or reads without end', () => {
    const p = paths();
    const refused = (file: string) => () => readTextFile(file, 'answers file');
    expect(refused(p.at('pipe.yaml'))).toThrow(`${p.at('pipe.yaml')}: not a regular file (a FIFO)`);
    expect(refused('/dev/zero')).toThrow('/dev/zero: not a regular file (a character device)');
    expect(refused(p.at('folder'))).toThrow(`${p.at('folder')}: is a directory`);
    expect(refused(p.at('big.yaml'))).toThrow(`${p.at('big.yaml')}: larger than 2 MiB (the limit for an answers file)`);
    expect(refused(p.at('none.yaml'))).toThrow(`${p.at('none.yaml')}: no such answers file`);
    expect(refused(p.at('nul.yaml'))).toThrow(`${p.at('nul.yaml')}: binary file (contains a NUL byte): an answers file is UTF-8 text`);
    expect(refused(p.at('latin1.yaml'))).toThrow(`${p.at('latin1.yaml')}: not valid UTF-8: save it as UTF-8`);
    expect(() => readTextFileBytes(p.at('none.yaml'), 'triage matrix file')).toThrow(`${p.at('none.yaml')}: no such triage matrix file`);
  });
});

describe('sev run --answers, sev triage --answers and sev triage --matrix refuse what is not a text file', () => {
  const p = paths();
  const CASES: [string, string, RegExp][] = [
    ['/dev/zero', '/dev/zero', /^sev: \/dev\/zero: not a regular file \(a character device\)$/m],
    ['a FIFO', p.at('pipe.yaml'), /: not a regular file \(a FIFO\)$/m],
    ['a directory', p.at('folder'), /folder: is a directory$/m],
    ['a 3 MB file', p.at('big.yaml'), /big\.yaml: larger than 2 MiB \(the limit for an? (answers|triage matrix) file\)$/m],
    ['a missing file', p.at('none.yaml'), /none\.yaml: no such (answers|triage matrix) file$/m],
    ['a binary file', p.at('nul.yaml'), /nul\.yaml: binary file \(contains a NUL byte\)/m],
  ];
  const COMMANDS: [string, (file: string) => string[]][] = [
    ['sev run --answers', (file) => ['run', DRILL, '--yes', '--answers', file, '--incident-dir', join(p.dir, 'incidents')]],
    ['sev triage --answers', (file) => ['triage', '--answers', file]],
    ['sev triage --matrix', (file) => ['triage', '--matrix', file]],
  ];
  for (const [command, args] of COMMANDS) {
    it.each(CASES)(`${command}: %s is a one-line usage error, exit 2`, (_, file, message) => {
      // A FIFO nobody writes to would block a reader for ever: the spawn's timeout would end it with no exit code.
      const r = sev(args(file), { cwd: p.dir, env: { CI: 'true' }, timeout: 15_000 });
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
      expect(r.stdout).toBe('');
    });
  }

  it('a run refused for its answers file starts no incident', () => {
    const r = sev(['run', DRILL, '--yes', '--answers', '/dev/zero', '--incident-dir', join(p.dir, 'none')], {
      cwd: p.dir,
      env: { CI: 'true' },
    });
    expect(r.code).toBe(2);
    expect(() => execFileSync('ls', [join(p.dir, 'none')], { stdio: 'pipe' })).toThrow();
  });

  it('leaves a writer waiting on a FIFO answers file waiting', () => {
    const dir = tempDir();
    const fifo = join(dir, 'answers.yaml');
    execFileSync('mkfifo', [fifo]);
    // A writer blocks in open() until someone opens the FIFO for reading.
    const writer = spawn('sh', ['-c', `echo 'inputs: {}' > '${fifo}'`]);
    try {
      const r = sev(['run', DRILL, '--yes', '--answers', fifo, '--incident-dir', join(dir, 'incidents')], {
        env: { CI: 'true' },
        timeout: 15_000,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('not a regular file (a FIFO)');
      expect(writer.exitCode).toBeNull();
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('still reads a good answers file, with a byte order mark', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'triage.yaml'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('nothing: true\n')]));
    const r = sev(['triage', '--answers', join(dir, 'triage.yaml')], { env: { CI: 'true' } });
    // The answers file was read: what it says is checked against the matrix's questions.
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/triage\.yaml:1:1: unknown question "nothing"/);
  });
});
