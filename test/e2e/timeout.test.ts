import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEV, tempDir, waitFor } from '../helpers.js';

/** A check that outlives its timeout is ended with every process it started, even when it ignores SIGTERM. */

/**
 * Whether a process is still there: process.kill(pid, 0) answers, and it is not a zombie (a killed orphan
 * may linger as one where nothing reaps orphans, PID 1 in some containers: that is not running).
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return 'gone';
  }
}

describe('a timed-out check that ignores SIGTERM', () => {
  it('is killed with its whole process group shortly after its timeout', async () => {
    const dir = tempDir({
      'stuck.yaml': `format: sevkit/v1
id: stuck
title: Stuck
class: server-failure
severity: SEV3
inputs:
  pids: { prompt: Where the check writes its pids }
checks:
  stuck:
    run: 'trap "" TERM; sleep 30 & echo "$$ $!" > "$SEV_PIDS.tmp"; mv "$SEV_PIDS.tmp" "$SEV_PIDS"; sleep 30'
    timeout: 1s
steps:
  - id: look
    checks: [stuck]
    on_fail: continue
`,
    });
    const pidFile = join(dir, 'pids');
    const incidents = join(dir, 'incidents');
    const child = spawn(process.execPath, [SEV, 'run', 'stuck.yaml', '--yes', '--set', `pids=${pidFile}`, '--incident-dir', incidents], {
      cwd: dir,
      env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let ended: { code: number | null } | undefined;
    child.once('close', (code) => (ended = { code }));
    let pids: number[] = [];
    try {
      await waitFor(`the check to write its pids to ${pidFile}`, () => existsSync(pidFile), { timeoutMs: 15_000 });
      pids = readFileSync(pidFile, 'utf8').trim().split(' ').map(Number);
      expect(pids).toHaveLength(2);
      // The shell and its child sleep: both ignore SIGTERM. The timeout (1 s) sends SIGTERM, SIGKILL follows 0.5 s
      // later; look for up to 3 s more before saying which are still there.
      const deadline = Date.now() + 1000 + 500 + 3000;
      while (pids.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(
        pids.filter(alive).map((pid) => `${pid} (${commandLine(pid)})`),
        'processes of the timed-out check still running 3.5 s after its SIGTERM',
      ).toEqual([]);
      const { code } = await waitFor('sev run to end after the check was killed', () => ended, { timeoutMs: 10_000 });
      expect(code, stderr).toBe(0);
    } finally {
      // Whatever is left of the check's group (it leads it) and of sev.
      if (pids[0]) {
        try {
          process.kill(-pids[0], 'SIGKILL');
        } catch {
          // gone
        }
      }
      child.kill('SIGKILL');
    }
    const log = readdirSync(incidents).filter((f) => f.endsWith('.jsonl'));
    const events = readFileSync(join(incidents, log[0]!), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
    expect(
      events.filter((e) => e.type === 'check.result').map((e) => [e.data.check, e.data.status, e.data.timedOut, e.data.reason]),
    ).toEqual([['stuck', 'UNKNOWN', true, 'timed out after 1s']]);
  });
});
