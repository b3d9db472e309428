import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SEV, tempDir } from './helpers.js';

/** The interactive `sev triage` in a real pseudo-terminal (tmux, installed by .ci/run): questions, verdict, the offer to start. */
const HAS_TMUX = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
const sh = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const MATRIX = `format: sevkit-triage/v1
questions:
  - id: functions
    prompt: Which functions are down?
    multiple: true
    options:
      - { value: payment, label: Payments }
      - { value: login, label: Login }
  - id: money
    prompt: May money be wrong?
    options:
      - { value: 'no', label: 'No' }
      - { value: 'yes', label: 'Yes' }
classes:
  - { class: drill, runbook: drill, because: it is a drill }
severities:
  - { severity: SEV1, if: { money: 'yes', functions: payment }, because: money wrong in payments }
  - { severity: SEV3, because: nothing worse }
`;
const DRILL = `format: sevkit/v1
id: drill
title: Drill
class: drill
severity: SEV3
steps:
  - id: look
    instructions: Look around.
    confirm: Seen?
    milestone: resolved
`;

class Session {
  readonly socket = `sev-triage-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly env: NodeJS.ProcessEnv = { ...process.env, SHELL: '/bin/sh', TMUX: '', TMUX_PANE: '' };
  private socketPath?: string;

  tmux(args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  start(cwd: string, args: string[]): void {
    const sev = [process.execPath, SEV, ...args].map(sh).join(' ');
    this.tmux(['new-session', '-d', '-s', 'triage', '-x', '120', '-y', '50', `cd ${sh(cwd)} && env -u CI -u FORCE_COLOR NO_COLOR=1 ${sev}; echo EXIT=$?; sleep 600`]);
    this.socketPath = this.tmux(['display-message', '-p', '#{socket_path}']).trim();
  }

  screen(): string {
    return this.tmux(['capture-pane', '-p', '-J', '-S', '-', '-t', 'triage']).replace(/[ \t]+$/gm, '').trimEnd();
  }

  keys(...keys: string[]): void {
    this.tmux(['send-keys', '-t', 'triage', ...keys]);
  }

  async waitFor(pattern: string | RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() <= deadline) {
      screen = this.screen();
      if (typeof pattern === 'string' ? screen.includes(pattern) : pattern.test(screen)) return screen;
      await sleep(100);
    }
    throw new Error(`no ${String(pattern)} on the screen within ${timeoutMs} ms. The screen:\n${screen}`);
  }

  kill(): void {
    try {
      this.tmux(['kill-server']);
    } catch {
      // already gone
    }
    if (this.socketPath) rmSync(this.socketPath, { force: true });
  }
}

describe.skipIf(!HAS_TMUX)('interactive sev triage in a terminal (tmux)', () => {
  const sessions: Session[] = [];
  afterEach(() => sessions.splice(0).forEach((s) => s.kill()));

  it('asks each question, shows the verdict, and starts the runbook at the derived severity when accepted', async () => {
    const dir = tempDir({ 'runbooks/triage.yaml': MATRIX, 'runbooks/drill.yaml': DRILL });
    const s = new Session();
    sessions.push(s);
    s.start(dir, ['triage', '--incident-dir', 'inc', '--as', 'ana']);
    await s.waitFor('Which functions are down?');
    s.keys('Space'); // Payments
    s.keys('Enter');
    await s.waitFor('May money be wrong?');
    s.keys('Down', 'Enter'); // Yes
    let screen = await s.waitFor('Start drill now at SEV1?');
    expect(screen).toMatch(/^Severity\s+SEV1 — money wrong in payments$/m);
    expect(screen).toContain('Start it: sev run drill --severity SEV1');
    s.keys('Enter'); // yes, the default
    await s.waitFor('Seen?');
    s.keys('Enter');
    screen = await s.waitFor(/^EXIT=\d+$/m, 20_000);
    expect(screen).toMatch(/^EXIT=0$/m);
    const log = readdirSync(join(dir, 'inc')).find((f) => f.endsWith('.jsonl'))!;
    const first = JSON.parse(readFileSync(join(dir, 'inc', log), 'utf8').split('\n')[0]!) as { data: { severity: string; responder: string } };
    expect(first.data).toMatchObject({ severity: 'SEV1', responder: 'ana' });
  }, 60_000);
});
