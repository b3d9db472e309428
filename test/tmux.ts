import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { SEV } from './helpers.js';

/**
 * A real pseudo-terminal for the interactive tests: tmux draws the screen, send-keys types,
 * capture-pane reads what a person would see.
 */

export const HAS_TMUX = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
/** Appended to the name of a suite that needs tmux, so a skip says why. */
export const NEEDS_TMUX = HAS_TMUX ? '' : ' (skipped: tmux not installed)';
const WAIT_MS = 10_000;

/** A word quoted for /bin/sh. */
export const sh = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A tmux server of its own (`tmux -L <socket>`, no config file), so a user's server is never touched. */
export class Tmux {
  static count = 0;
  readonly socket = `sev-e2e-${process.pid}-${++Tmux.count}-${randomBytes(3).toString('hex')}`;
  // The server takes its shell from SHELL: /bin/sh, so `$?` means the same whatever the user's shell.
  private readonly env: NodeJS.ProcessEnv = { ...process.env, SHELL: '/bin/sh', TMUX: '', TMUX_PANE: '' };
  private socketPath?: string;

  tmux(args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], {
      encoding: 'utf8',
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /**
   * Runs `sev ARGS` in a new detached session of a fixed size (120 columns unless `columns` says). CI is
   * removed (sev never prompts in CI), colours are off unless `env` sets the colour variables, and the exit
   * code is printed after sev ends; `sleep` keeps the pane readable.
   */
  start(session: string, cwd: string, args: string[], options: { columns?: number; env?: Record<string, string> } = {}): Pane {
    const sev = [process.execPath, SEV, ...args].map(sh).join(' ');
    const env = Object.entries({ NO_COLOR: '1', ...options.env }).map(([name, value]) => sh(`${name}=${value}`));
    const command = `cd ${sh(cwd)} && env -u CI -u FORCE_COLOR -u NO_COLOR -u COLUMNS ${env.join(' ')} ${sev}; echo EXIT=$?; sleep 600`;
    this.tmux(['new-session', '-d', '-s', session, '-x', String(options.columns ?? 120), '-y', '50', command]);
    this.socketPath ??= this.tmux(['display-message', '-p', '#{socket_path}']).trim();
    return new Pane(this, session);
  }

  /** Ends the server and whatever still runs in it, and removes its socket file. */
  kill(): void {
    try {
      this.tmux(['kill-server']);
    } catch {
      // already gone
    }
    if (this.socketPath) rmSync(this.socketPath, { force: true });
  }
}

export class Pane {
  constructor(
    private readonly server: Tmux,
    private readonly target: string,
  ) {}

  /** The whole transcript (scrollback too), wrapped lines joined, trailing blanks dropped. */
  screen(): string {
    return this.server
      .tmux(['capture-pane', '-p', '-J', '-S', '-', '-t', this.target])
      .replace(/[ \t]+$/gm, '')
      .trimEnd();
  }

  /** The transcript as screen() gives it, with the escape sequences of colours and attributes kept. */
  screenWithEscapes(): string {
    return this.server.tmux(['capture-pane', '-p', '-e', '-J', '-S', '-', '-t', this.target]).trimEnd();
  }

  keys(...keys: string[]): void {
    this.server.tmux(['send-keys', '-t', this.target, ...keys]);
  }

  /** Types text literally (no key names). */
  type(text: string): void {
    this.server.tmux(['send-keys', '-t', this.target, '-l', text]);
  }

  /** Polls the screen until it shows the text or matches the pattern; fails with the last screen. */
  async waitFor(pattern: string | RegExp, timeoutMs = WAIT_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let screen: string;
    for (;;) {
      screen = this.screen();
      if (typeof pattern === 'string' ? screen.includes(pattern) : pattern.test(screen)) return screen;
      if (Date.now() > deadline) break;
      await sleep(100);
    }
    throw new Error(`no ${String(pattern)} on the screen of ${this.target} within ${timeoutMs} ms. The screen:\n${screen}`);
  }

  /** Waits for sev to end and returns its exit code. */
  async exitCode(): Promise<number> {
    return Number(/^EXIT=(\d+)$/m.exec(await this.waitFor(/^EXIT=\d+$/m))![1]);
  }
}
