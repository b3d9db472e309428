import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LoggedEvent, parseJson, sev, tempDir } from '../helpers.js';

/**
 * A real, small, full file system: a tmpfs mounted for the test (root only). Where it cannot be mounted the
 * tests that need it say so and are skipped.
 */
function mountTmpfs(dir: string, size: string): boolean {
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' }).status === 0;
}
const probe = tempDir();
const CAN_MOUNT = mountTmpfs(probe, '64k') && spawnSync('umount', [probe]).status === 0;
if (!CAN_MOUNT) console.warn('storage.test.ts: skipping the full-disk and read-only tests: cannot mount a tmpfs here (needs root)');
const mounted: string[] = [];
afterAll(() => {
  for (const dir of mounted) spawnSync('umount', ['-l', dir]);
});

function smallDisk(size: string): string {
  const dir = tempDir();
  if (!mountTmpfs(dir, size)) throw new Error(`mount tmpfs on ${dir} failed`);
  mounted.push(dir);
  return dir;
}

const RUNBOOK = [
  'format: sevkit/v1',
  'id: storage',
  'title: Storage',
  'class: data-error',
  'severity: SEV3',
  'inputs:',
  '  dir:',
  '    prompt: Incident directory',
  'steps:',
  '  - id: look',
  '    instructions: Look.',
  '  - id: big',
  '    command:',
  // Its output makes the command.finished event larger than what is left on the disk.
  `      run: 'head -c 40000 /dev/zero | tr "\\0" x'`,
  '      changes_state: false',
  '  - id: move',
  '    command:',
  '      run: \'eval "$SEV_ACTION"\'',
  '      changes_state: false',
  '  - id: done',
  '    instructions: Done.',
  '    milestone: resolved',
].join('\n');

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').slice(0, -1);
}

const events = (file: string) => lines(file).map((l) => parseJson<LoggedEvent>(l));

function logIn(dir: string): string {
  const name = readdirSync(dir).find((n) => n.endsWith('.jsonl'));
  if (!name) throw new Error(`no log in ${dir}: ${readdirSync(dir).join(', ')}`);
  return join(dir, name);
}

describe.skipIf(!CAN_MOUNT)('a full disk', () => {
  it('fails an append with one line and exit 2, leaves only whole lines, and the incident resumes once space is freed', () => {
    const disk = smallDisk('256k');
    const work = tempDir({ 'rb.yaml': RUNBOOK.replace('eval "$SEV_ACTION"', 'true') });
    const incidents = join(disk, 'incidents');
    mkdirSync(incidents);
    // Leave about 24 KB: enough for the first events, not for 40 KB of output.
    writeFileSync(join(disk, 'filler'), Buffer.alloc(256 * 1024 - 32 * 1024));
    const run = sev(['run', join(work, 'rb.yaml'), '--yes', '--incident-dir', incidents, '--set', `dir=${incidents}`]);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^sev: incident log \S+\.jsonl: no space left on the device$/m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const log = logIn(incidents);
    const text = readFileSync(log, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    for (const line of lines(log)) expect(() => parseJson(line)).not.toThrow();
    expect(events(log).map((e) => e.type)).toContain('command.started');
    expect(events(log).map((e) => e.type)).not.toContain('command.finished');

    const note = sev(['note', logIn(incidents), 'x'.repeat(30_000), '--incident-dir', incidents]);
    expect(note.code).toBe(2);
    expect(note.stderr).toMatch(/no space left on the device/);
    expect(readFileSync(log, 'utf8')).toBe(text);

    rmSync(join(disk, 'filler'));
    const resumed = sev(['resume', '--yes', '--incident-dir', incidents]);
    expect(resumed.stderr).toMatch(/only reads and did not finish: running it again/);
    expect(resumed.code).toBe(0);
    const types = events(log).map((e) => e.type);
    expect(types.filter((t) => t === 'incident.closed')).toHaveLength(1);
    expect(types).toContain('command.finished');
  });

  it('says the file system is read-only, not that the directory is missing', () => {
    const disk = smallDisk('64k');
    mkdirSync(join(disk, 'incidents'));
    expect(spawnSync('mount', ['-o', 'remount,ro', disk]).status).toBe(0);
    const work = tempDir({ 'rb.yaml': RUNBOOK });
    const run = sev(['run', join(work, 'rb.yaml'), '--yes', '--incident-dir', join(disk, 'incidents'), '--set', 'dir=x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/read-only/);
    expect(run.stderr).not.toMatch(/no such file/);
  });
});

describe('the log keeps its name', () => {
  for (const [what, action] of [
    ['deleted', 'rm -rf "$SEV_DIR"'],
    ['moved away', 'mv "$SEV_DIR" "$SEV_DIR.moved"'],
    ['deleted and made again', 'rm -rf "$SEV_DIR" && mkdir "$SEV_DIR"'],
  ] as const) {
    it(`writes the whole log back under its path when the incident directory is ${what} mid-run`, () => {
      const work = tempDir({ 'rb.yaml': RUNBOOK.replace('head -c 40000 /dev/zero | tr "\\0" x', 'true') });
      const incidents = join(work, 'incidents');
      const run = sev(['run', join(work, 'rb.yaml'), '--yes', '--incident-dir', incidents, '--set', `dir=${incidents}`], {
        env: { SEV_ACTION: action },
      });
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/was deleted or moved while the incident ran; it was written back from the open file/);
      const log = logIn(incidents);
      expect(run.stdout).toContain(`Log: ${log}`);
      const types = events(log).map((e) => e.type);
      expect(types[0]).toBe('incident.started');
      expect(types.at(-1)).toBe('incident.closed');
      const seqs = events(log).map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    });
  }

  it('names the real reason of a directory that cannot be made', () => {
    const work = tempDir({ 'rb.yaml': RUNBOOK, file: 'x' });
    const run = sev(['run', join(work, 'rb.yaml'), '--yes', '--incident-dir', join(work, 'file', 'incidents'), '--set', 'dir=x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^sev: cannot create the incident directory \S+: a part of the path is not a directory$/m);
  });
});

describe('leftovers of a killed start', () => {
  it('gives a complete hidden first event its name and removes stale locks; a dead claim is left for the next walker', () => {
    const incidents = tempDir();
    const id = '20261202T010203Z-storage-ab12';
    const event = {
      v: 1,
      id: 'e1',
      seq: 1,
      time: '2026-12-02T01:02:03.000Z',
      incident: id,
      actor: 'alice',
      type: 'incident.started',
      data: {
        runbook: { id: 'storage', title: 'Storage', hash: 'x', file: '/nowhere.yaml' },
        severity: 'SEV3',
        responder: 'alice',
        dryRun: false,
        host: 'h',
        sevVersion: '0',
      },
    };
    const pending = join(incidents, `.${id}.alice.jsonl.0badcafe.tmp`);
    writeFileSync(pending, `${JSON.stringify(event)}\n`);
    const torn = join(incidents, `.${id}-b.bob.jsonl.0badcafe.tmp`);
    writeFileSync(torn, '{"v":1,"id":"e1","se');
    const lock = join(incidents, `${id}.alice.jsonl.lock`);
    writeFileSync(lock, 'vm 999999999 x');
    const claim = join(incidents, `${id}.walker`);
    writeFileSync(
      claim,
      JSON.stringify({
        host: spawnSync('hostname', { encoding: 'utf8' }).stdout.trim(),
        pid: 999999999,
        responder: 'alice',
        since: '2026-12-02T01:02:03.000Z',
      }),
    );
    const old = new Date(Date.now() - 60_000);
    for (const f of [pending, torn, lock, claim]) utimesSync(f, old, old);

    const status = sev(['status', '--json', '--incident-dir', incidents]);
    expect(status.code).toBe(0);
    expect(parseJson<{ id: string }[]>(status.stdout).map((i) => i.id)).toEqual([id]);
    expect(readdirSync(incidents).sort()).toEqual([`${id}.alice.jsonl`, `${id}.walker`]);
  });
});

describe('output that goes away', () => {
  it('ends quietly with exit 141 when stdout is closed early, and says nothing on stderr', () => {
    const dir = tempDir();
    const id = '20261202T010203Z-big-ab12';
    const rows = [
      {
        v: 1,
        id: 'e0',
        seq: 1,
        time: '2026-12-02T01:02:03.000Z',
        incident: id,
        actor: 'alice',
        type: 'incident.started',
        data: {
          runbook: { id: 'big', title: 'Big', hash: 'x', file: 'x' },
          severity: 'SEV3',
          responder: 'alice',
          dryRun: false,
          host: 'h',
          sevVersion: '0',
        },
      },
    ];
    for (let i = 2; i < 20_000; i++)
      rows.push({ ...rows[0]!, id: `e${i}`, seq: i, type: 'note', data: { text: `note ${i}`, action: false } as never });
    writeFileSync(join(dir, `${id}.alice.jsonl`), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const r = spawnSync(
      'bash',
      ['-c', `"${process.execPath}" "$SEV" timeline "$LOG" | head -c 100 > /dev/null; echo "exit=\${PIPESTATUS[0]}" >&2`],
      {
        encoding: 'utf8',
        env: { ...process.env, SEV: join(import.meta.dirname, '../../bin/sev.js'), LOG: join(dir, `${id}.alice.jsonl`), NO_COLOR: '1' },
      },
    );
    expect(r.stderr.trim()).toBe('exit=141');
  });

  it('reports a stdout that cannot be written (/dev/full) in one line, exit 2', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "$SEV" list > /dev/full`], {
      encoding: 'utf8',
      env: { ...process.env, SEV: join(import.meta.dirname, '../../bin/sev.js') },
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('sev: cannot write the output: no space left on the device');
  });
});

describe('input problems are found before the incident exists', () => {
  it('refuses a --set value the input does not accept, and leaves no incident', () => {
    const work = tempDir({
      'rb.yaml': RUNBOOK.replace('    prompt: Incident directory', "    prompt: Incident directory\n    pattern: '/[a-z/]+'"),
    });
    const incidents = join(work, 'incidents');
    const run = sev(['run', join(work, 'rb.yaml'), '--yes', '--incident-dir', incidents, '--set', 'dir=not a path']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^sev: --set dir: must match the pattern/);
    expect(existsSync(incidents) ? readdirSync(incidents) : []).toEqual([]);
    const answers = join(work, 'answers.yaml');
    writeFileSync(answers, 'inputs:\n  dir: "also not"\n');
    const fromFile = sev(['run', join(work, 'rb.yaml'), '--answers', answers, '--incident-dir', incidents]);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toMatch(/answers\.yaml: input dir: must match the pattern/);
    expect(existsSync(incidents) ? readdirSync(incidents) : []).toEqual([]);
    const status = sev(['resume', '--incident-dir', incidents]);
    expect(status.stderr).toMatch(/no open or paused incident/);
  });
});
