#!/usr/bin/env node
// From `sev run server-failure` to step 1, at a real terminal (tmux, 80 columns): the keys a responder
// presses and the time it takes, accepting every default and changing two values. Run on demand:
//   node test/bench/inputs.mjs [--sev path/to/bin/sev.js] [--runs N]
// --sev measures another build of sev (an older one asks the inputs one by one); the plan for each
// screen is chosen by what the screen shows, so the same script drives both.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SEV } from './lib/paths.mjs';

const { values: args } = parseArgs({ options: { sev: { type: 'string', default: SEV }, runs: { type: 'string', default: '5' } } });
if (spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status !== 0) {
  process.stderr.write('bench: tmux is not installed\n');
  process.exit(2);
}

/** The two values changed: the failing app server, and the replica's name. */
const EDITS = { app_server: 'app2', replica_name: 'wallet-replica-2' };
const PROMPTS = { app_server: 'HAProxy server name of the failing app host', replica_name: 'Name of that replica in the read pool' };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const sh = (word) => `'${word.replace(/'/g, `'\\''`)}'`;

class Session {
  constructor(sev, dir) {
    this.socket = `sev-bench-inputs-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
    const argv = [process.execPath, sev, 'run', 'server-failure', '--as', 'ana', '--incident-dir', join(dir, 'incidents')];
    const command = `cd ${sh(dir)} && env -u CI NO_COLOR=1 ${argv.map(sh).join(' ')}; sleep 60`;
    this.started = performance.now();
    this.tmux(['new-session', '-d', '-s', 'run', '-x', '80', '-y', '50', command]);
    this.keys = 0;
  }
  tmux(a) {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...a], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }
  screen() {
    return this.tmux(['capture-pane', '-p', '-J', '-S', '-', '-t', 'run'])
      .replace(/[ \t]+$/gm, '')
      .trimEnd();
  }
  /** Types text (each character a key) and presses Enter. */
  answer(text) {
    if (text) this.tmux(['send-keys', '-t', 'run', '-l', text]);
    this.tmux(['send-keys', '-t', 'run', 'Enter']);
    this.keys += [...text].length + 1;
  }
  async until(test, what) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const screen = this.screen();
      const found = test(screen);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${what} within 20 s. The screen:\n${screen}`);
      await sleep(15);
    }
  }
  kill() {
    try {
      this.tmux(['kill-server']);
    } catch {
      // gone already
    }
  }
}

/** The prompt at the bottom of the screen, once it waits for an answer (after `answered` prompts were answered). */
function waiting(screen, answered) {
  const done = (screen.match(/^✔ /gm) ?? []).length;
  if (/^Step 1\//m.test(screen)) return { step1: true };
  // A long prompt is wrapped by the prompt library itself: it is the last line that starts with a mark, to the end.
  const lines = screen.split('\n');
  let at = lines.length - 1;
  while (at >= 0 && !/^[?✔] /.test(lines[at])) at--;
  if (at < 0 || !lines[at].startsWith('? ') || done < answered) return undefined;
  return { prompt: lines.slice(at).join(' '), screen, done };
}

/** One walk to step 1: every prompt answered by `plan`, which says what to type at it. */
async function walk(sev, plan) {
  const dir = mkdtempSync(join(tmpdir(), 'sev-bench-inputs-'));
  const s = new Session(sev, dir);
  let prompts = 0;
  let answered = 0;
  const state = { edits: { ...EDITS } };
  try {
    for (;;) {
      const at = await s.until((screen) => waiting(screen, answered), 'prompt');
      if (at.step1) break;
      prompts++;
      s.answer(plan(at.prompt, state, at.screen));
      answered = at.done + 1;
    }
    return { keys: s.keys, prompts, ms: performance.now() - s.started };
  } finally {
    s.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Enter at every prompt: the defaults, and no database password. */
const acceptAll = () => '';

/** The two values changed where they are asked: at the form by its number (12=app2), one by one at their own prompt. */
function changeTwo(prompt, state, screen) {
  if (prompt.includes('Enter accepts all')) {
    const next = Object.keys(state.edits)[0];
    if (!next) return '';
    const value = state.edits[next];
    delete state.edits[next];
    const number = new RegExp(`^\\s+(\\d+)\\*?\\s+${next} `, 'm').exec(screen)[1];
    return `${number}=${value}`;
  }
  for (const [name, text] of Object.entries(PROMPTS)) if (prompt.includes(text)) return EDITS[name];
  return '';
}

const runs = Number(args.runs);
const results = {};
for (const [name, plan] of Object.entries({ 'accept all defaults': acceptAll, 'change two values': changeTwo })) {
  const times = [];
  let last;
  for (let i = 0; i < runs; i++) {
    last = await walk(args.sev, plan);
    times.push(last.ms);
  }
  times.sort((a, b) => a - b);
  results[name] = { prompts: last.prompts, keys: last.keys, medianMs: Math.round(times[Math.floor(times.length / 2)]) };
}
process.stdout.write(`${JSON.stringify({ sev: args.sev, runs, results }, null, 2)}\n`);
