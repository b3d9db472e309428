import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEV, readEvents, tempDir, waitFor } from '../helpers.js';

/** A scripted run prints a command's output while the command runs, masked and sanitised; the log keeps the capture. */

const RUNBOOK = `format: sevkit/v1
id: slow
title: Slow command
class: server-failure
severity: SEV3
inputs:
  go: { prompt: The file that lets the command finish }
  token: { prompt: API token, secret: true }
steps:
  - id: migrate
    command:
      run: 'echo "first line"; echo "using $SEV_TOKEN"; printf "\\033]0;retitled\\007 title\\n"; echo "oops" >&2;
        while [ ! -e "$SEV_GO" ]; do sleep 0.05; done; echo "second line"'
      timeout: 20s
`;

describe('sev run --yes with a long command', () => {
  it('prints each line as it comes, secrets masked and escapes made visible, and logs the capped capture as before', async () => {
    const dir = tempDir({ 'slow.yaml': RUNBOOK });
    const go = join(dir, 'go');
    const incidents = join(dir, 'incidents');
    const token = 'tok-streamed-7f3a';
    const child = spawn(
      process.execPath,
      [SEV, 'run', 'slow.yaml', '--yes', '--set', `go=${go}`, '--set', `token=${token}`, '--incident-dir', incidents],
      {
        cwd: dir,
        env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: undefined },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let ended: { code: number | null } | undefined;
    child.once('close', (code) => (ended = { code }));
    try {
      await waitFor('the first lines while the command still runs', () => stderr.includes('│ oops'), { timeoutMs: 15_000 });
      expect(ended, 'sev is still running: the command waits for the go file').toBeUndefined();
      expect(stderr).toContain('  │ first line\n');
      expect(stderr).toContain('  │ using ••••••\n');
      expect(stderr).toContain('  │ \\x1b]0;retitled\\x07 title\n');
      expect(stderr).toContain('  │ oops\n');
      expect(stderr).not.toContain('│ second line');
      expect(stderr).not.toContain(token);
      expect(stderr).not.toContain('\x1b');
      writeFileSync(go, '');
      const { code } = await waitFor('sev run to end', () => ended, { timeoutMs: 15_000 });
      expect(code, stderr).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    expect(stderr).toContain('  │ second line\n');
    // Shown once: not again under the result.
    expect(stderr.split('│ first line').length - 1).toBe(1);
    const log = readdirSync(incidents).find((f) => f.endsWith('.jsonl'))!;
    const finished = readEvents(join(incidents, log)).find((e) => e.type === 'command.finished')!;
    expect(finished.data.stdout).toBe('first line\nusing ••••••\n\x1b]0;retitled\x07 title\nsecond line\n');
    expect(finished.data.stderr).toBe('oops\n');
  });
});
