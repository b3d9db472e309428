import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLog } from '../../src/incident/read.js';
import { replay } from '../../src/incident/replay.js';
import { ROOT, SEV, seededRandom, tempDir, testSeed, type Run } from '../helpers.js';

const DRILL = join(ROOT, 'test/fixtures/run/drill.yaml');
// The kill times are random: SEV_TEST_SEED=<seed> gives every run the same fractions of the walk again.
const { seed: SEED } = testSeed('test/e2e/crash.test.ts');
const ENV: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', CI: 'true' };
// Set, even empty, it makes Node warn on stderr that NO_COLOR is ignored.
delete ENV.FORCE_COLOR;

/** Starts the real CLI without waiting for it. */
function start(args: string[], stdio: 'pipe' | 'ignore' = 'pipe'): ChildProcess {
  return spawn(process.execPath, [SEV, ...args], { cwd: ROOT, env: ENV, stdio: ['ignore', stdio, stdio] });
}

/** Resolves once the process has ended and been reaped (its pid no longer answers kill -0). */
function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Runs the real CLI to its end, asynchronously, so several can run at once. */
async function sevAsync(args: string[], timeoutMs = 60_000): Promise<Run> {
  const child = start(args);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const { code } = await exited(child);
  await closed;
  clearTimeout(timer);
  return { code, stdout, stderr };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The answers that walk the drill to its end. */
function answersFor(marker: string, extra = ''): string {
  return [
    'inputs:',
    '  token: s3cret-token',
    'steps:',
    `  where: ${JSON.stringify(marker)}`,
    '  confirm-outage: continue',
    '  declare: Some users',
    '  tell-users: yes',
    // Killed while the restart ran, the resume is told what to do about it: wait for it, then run it again.
    '  restart: { answer: yes, running: wait, rerun: yes }',
    '  wrap-up: yes',
    extra,
  ].join('\n');
}

/** A fresh case: its own marker (saying "bad"), answers file and incident directory. */
function drillCase(extraAnswers = '') {
  const dir = tempDir({ marker: 'bad\n' });
  const marker = join(dir, 'marker');
  const answers = join(dir, 'answers.yaml');
  writeFileSync(answers, answersFor(marker, extraAnswers));
  const incidents = join(dir, 'incidents');
  mkdirSync(incidents);
  return { dir, marker, answers, incidents };
}

function logsIn(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => n.endsWith('.jsonl'))
        .map((n) => join(dir, n))
    : [];
}

interface Line {
  raw: string;
  event?: { seq: number; id: string; time: string; type: string; actor: string; incident: string; data: Record<string, unknown> };
}

/** Every line of a log, parsed with plain JSON.parse; a line that does not parse has no event. */
function linesOf(file: string): { lines: Line[]; endsWhole: boolean } {
  const text = readFileSync(file, 'utf8');
  const raw = text.split('\n');
  const endsWhole = text.endsWith('\n') || text === '';
  if (endsWhole) raw.pop();
  return {
    endsWhole,
    lines: raw.map((r) => {
      try {
        return { raw: r, event: JSON.parse(r) as Line['event'] };
      } catch {
        return { raw: r };
      }
    }),
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('concurrent writers', () => {
  it('keeps every line whole and seq contiguous with 10 note writers and a resumed walk writing at once, past a stale lock', async () => {
    const c = drillCase();
    // The run pauses at its first step: an incident that is open with a walker to come back.
    const pausing = join(c.dir, 'pause.yaml');
    writeFileSync(pausing, ['inputs:', '  token: s3cret-token', 'steps:', '  where: { pause: yes }'].join('\n'));
    const run = await sevAsync(['run', DRILL, '--answers', pausing, '--as', 'lead', '--incident-dir', c.incidents]);
    expect(run.stderr).toContain('Paused at step where');
    expect(run.code).toBe(0);
    const [file] = logsIn(c.incidents);
    expect(logsIn(c.incidents)).toHaveLength(1);
    const incident = linesOf(file!).lines[0]!.event!.incident;
    const before = linesOf(file!).lines.length;

    // As if the run had been killed while it held the lock: every writer below finds the stale lock at once.
    const dead = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' }).pid;
    writeFileSync(`${file}.lock`, String(dead));

    const WRITERS = 10;
    const NOTES = 5;
    const writer = async (w: number): Promise<Run[]> => {
      const runs: Run[] = [];
      for (let n = 1; n <= NOTES; n++) {
        // By a unique part of the id, as a responder in another terminal would type it.
        runs.push(await sevAsync(['note', incident.slice(-4), `note ${n} from w${w}`, '--as', `w${w}`, '--incident-dir', c.incidents]));
      }
      return runs;
    };
    const [resumed, ...notes] = await Promise.all([
      sevAsync(['resume', '--as', 'lead', '--answers', c.answers, '--incident-dir', c.incidents]),
      ...range(1, WRITERS).map(writer),
    ]);

    expect(resumed.stderr).not.toMatch(/Error|another sev process/);
    expect(resumed.code).toBe(0);
    const reported: number[] = [];
    for (const run of notes.flat()) {
      expect(run.stdout).toBe('');
      expect(run.code).toBe(0);
      const m = /^Note added to (\S+) \((.+), event (\d+)\)\.\n$/.exec(run.stderr);
      expect(m, run.stderr).not.toBeNull();
      expect(m![1]).toBe(incident);
      expect(m![2]).toBe(file);
      reported.push(Number(m![3]));
    }

    // Still one file: every writer appended to the walker's log.
    expect(readdirSync(c.incidents)).toEqual([basename(file!)]);
    const { lines, endsWhole } = linesOf(file!);
    expect(endsWhole).toBe(true);
    for (const line of lines) expect(line.event, line.raw).toBeDefined();
    const events = lines.map((l) => l.event!);
    expect(events.map((e) => e.seq)).toEqual(range(1, events.length));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events.every((e) => e.incident === incident)).toBe(true);

    const noteTexts = events.filter((e) => e.type === 'note').map((e) => `${e.actor}: ${String(e.data.text)}`);
    const expected = range(1, WRITERS).flatMap((w) => range(1, NOTES).map((n) => `w${w}: note ${n} from w${w}`));
    expect(noteTexts.sort()).toEqual(expected.sort());
    // The seq each note command reported is the one in the file, and no two got the same.
    expect(new Set(reported).size).toBe(WRITERS * NOTES);
    for (const seq of reported) expect(events[seq - 1]!.type).toBe('note');
    // Each writer's own notes are in the order it wrote them.
    for (const w of range(1, WRITERS)) {
      const mine = events.filter((e) => e.type === 'note' && e.actor === `w${w}`).map((e) => String(e.data.text));
      expect(mine).toEqual(range(1, NOTES).map((n) => `note ${n} from w${w}`));
    }

    // The walk went on to the end around the notes, and the reader agrees with all of it.
    expect(events.length).toBeGreaterThan(before + WRITERS * NOTES);
    // Notes may come after the walk's end: the log is still open to them.
    expect(events.filter((e) => e.type === 'incident.closed')).toEqual([
      expect.objectContaining({ actor: 'lead', data: { outcome: 'completed', step: 'wrap-up' } }),
    ]);
    const read = readLog(file!);
    expect(read.problems).toEqual([]);
    expect(replay(read.events)).toMatchObject({ status: 'closed', outcome: 'completed', severity: 'SEV2' });
  }, 120_000);
});

describe('SIGKILL at any moment', () => {
  const RUNS = 50;
  const CONCURRENCY = 3;

  type Outcome = 'before-log' | 'mid-run' | 'after-completion';
  interface Case {
    n: number;
    mode: 'blind' | 'anchored';
    /** When the kill was sent, in ms after the spawn; undefined when the run ended first. */
    killedAt?: number;
    outcome: Outcome;
    /** Whole events in the log when the kill landed, and the type of the last one. */
    events: number;
    last?: string;
    staleLock: boolean;
    torn: boolean;
    /** A created log's hidden file left by a kill before its first event was written. */
    leftover: boolean;
  }

  /** Full runs, as many at once as the chaos runs, to know how long start-up and the walk take now. */
  async function calibrate() {
    const one = async () => {
      const c = drillCase();
      const t0 = Date.now();
      const r = await sevAsync(['run', DRILL, '--answers', c.answers, '--as', 'chaos', '--incident-dir', c.incidents]);
      const total = Date.now() - t0;
      expect(r.stderr).not.toContain('Error');
      expect(r.code).toBe(0);
      const events = linesOf(logsIn(c.incidents)[0]!).lines.map((l) => l.event!);
      expect(events.at(-1)).toMatchObject({ type: 'incident.closed', data: { outcome: 'completed' } });
      return { total, firstEvent: Date.parse(events[0]!.time) - t0, walk: Date.parse(events.at(-1)!.time) - Date.parse(events[0]!.time) };
    };
    const runs = await Promise.all(Array.from({ length: CONCURRENCY }, one));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    return {
      total: median(runs.map((r) => r.total)),
      firstEvent: median(runs.map((r) => r.firstEvent)),
      walk: Math.max(40, median(runs.map((r) => r.walk))),
    };
  }

  async function chaosCase(n: number, timing: { total: number; firstEvent: number; walk: number }): Promise<Case> {
    const c = drillCase();
    // Most kills are timed from the moment the log appears, spread over the walk and a little past it;
    // every sixth is blind, timed from the spawn between 50 ms and a full run, and mostly lands in start-up.
    const mode: Case['mode'] = n % 6 === 0 ? 'blind' : 'anchored';
    // Each run has its own numbers from the seed, whatever order the concurrent runs take them in.
    const random = seededRandom((SEED + Math.imul(n, 0x9e3779b9)) >>> 0);
    const t0 = Date.now();
    const child = start(['run', DRILL, '--answers', c.answers, '--as', 'chaos', '--incident-dir', c.incidents], 'ignore');
    const done = exited(child);
    let ended = false;
    void done.then(() => (ended = true));
    let killedAt: number | undefined;
    const kill = () => {
      if (ended) return;
      killedAt = Date.now() - t0;
      child.kill('SIGKILL');
    };
    if (mode === 'blind') {
      await Promise.race([sleep(50 + random() * (timing.total - 50)), done]);
      kill();
    } else {
      while (!ended && logsIn(c.incidents).length === 0) await Promise.race([sleep(1), done]);
      await Promise.race([sleep(random() * timing.walk * 1.3), done]);
      kill();
    }
    const exit = await done;
    if (killedAt !== undefined && exit.signal !== 'SIGKILL') killedAt = undefined;
    if (killedAt === undefined) expect(exit.code, `run ${n} ended by itself`).toBe(0);

    const logs = logsIn(c.incidents);
    expect(logs.length).toBeLessThanOrEqual(1);
    const leftover = readdirSync(c.incidents).some((name) => name.endsWith('.tmp'));
    const resume = ['resume', '--as', 'chaos', '--incident-dir', c.incidents, '--answers', c.answers];
    if (logs.length === 0) {
      // Killed in start-up, or before the first event was written: there is nothing to resume.
      const r = await sevAsync(resume);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('no open or paused incident');
      return { n, mode, killedAt, outcome: 'before-log', events: 0, staleLock: false, torn: false, leftover };
    }
    const file = logs[0]!;
    const staleLock = existsSync(`${file}.lock`);

    // Every line parses, except perhaps a torn last one.
    const { lines, endsWhole } = linesOf(file);
    lines.forEach((line, i) => {
      if (i < lines.length - 1 || endsWhole) expect(line.event, `run ${n}, line ${i + 1}: ${line.raw}`).toBeDefined();
    });
    const torn = !endsWhole;
    const whole = lines.filter((l) => l.event).map((l) => l.event!);
    expect(whole.map((e) => e.seq)).toEqual(range(1, whole.length));
    const read = readLog(file);
    expect(read.problems.every((p) => p.kind === 'torn-line')).toBe(true);
    const state = replay(read.events);
    const base = { n, mode, killedAt, events: whole.length, last: whole.at(-1)?.type, staleLock, torn, leftover };
    // A log appears only with its first event in it: never one that cannot say which runbook it follows.
    expect(whole[0], `run ${n}: a log without its first event`).toMatchObject({ seq: 1, type: 'incident.started' });
    expect(leftover).toBe(false);
    if (state.status === 'closed') {
      // Killed after the walk had finished: the incident is closed, there is nothing to resume.
      expect(state.outcome).toBe('completed');
      const any = await sevAsync(resume);
      expect(any.code).toBe(2);
      expect(any.stderr).toContain('no open or paused incident');
      const named = await sevAsync(['resume', state.incident, ...resume.slice(1)]);
      expect(named.code).toBe(2);
      expect(named.stderr).toMatch(/incident \S+ is closed \(completed at .*\); there is nothing to resume/);
      return { ...base, outcome: 'after-completion' };
    }

    // Killed in the middle: resume walks it to the end in the same file, going on from the last whole event.
    const r = await sevAsync(resume);
    expect(r.code, `run ${n} resume after ${whole.length} events (${whole.at(-1)?.type}):\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('walked to the end');
    // The same file, and no lock left (a stale one from the kill was broken).
    expect(readdirSync(c.incidents)).toEqual([basename(file)]);
    const after = linesOf(file);
    expect(after.endsWhole).toBe(true);
    const events = after.lines.filter((l) => l.event).map((l) => l.event!);
    // Only a line torn by the kill may not parse, and it is no longer the last one.
    expect(after.lines.length - events.length).toBe(torn ? 1 : 0);
    expect(events.map((e) => e.seq)).toEqual(range(1, events.length));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events.slice(0, whole.length)).toEqual(whole);
    expect(events[whole.length]).toMatchObject({ type: 'incident.resumed', actor: 'chaos' });
    expect(events.filter((e) => e.type === 'incident.started')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: 'incident.closed', data: { outcome: 'completed' } });
    const final = replay(readLog(file).events);
    expect(final).toMatchObject({
      status: 'closed',
      outcome: 'completed',
      severity: 'SEV2',
      inputs: { service: 'wallet-api', marker: c.marker },
    });
    expect([...final.milestones.keys()]).toEqual(['detected', 'acknowledged', 'mitigated', 'resolved']);
    // The secret was asked again and never written.
    expect(readFileSync(file, 'utf8')).not.toContain('s3cret-token');
    expect(readFileSync(c.marker, 'utf8').trim()).toBe('ok');
    return { ...base, outcome: 'mid-run' };
  }

  it(`resumes ${RUNS} runs killed with SIGKILL at random moments`, async () => {
    const timing = await calibrate();
    const cases: Case[] = [];
    let next = 1;
    const worker = async () => {
      while (next <= RUNS) cases.push(await chaosCase(next++, timing));
    };
    const t0 = Date.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsed = Date.now() - t0;

    const count = (o: Outcome) => cases.filter((c) => c.outcome === o).length;
    const histogram = new Map<string, number>();
    for (const c of cases.filter((x) => x.outcome === 'mid-run')) histogram.set(c.last!, (histogram.get(c.last!) ?? 0) + 1);
    const killTimes = cases.flatMap((c) => (c.killedAt === undefined ? [] : [c.killedAt])).sort((a, b) => a - b);
    console.log(
      [
        `calibration: full run ${timing.total} ms, first event at ${timing.firstEvent} ms, walk ${timing.walk} ms`,
        `${RUNS} runs in ${elapsed} ms: before log ${count('before-log')} ` +
          `(${cases.filter((c) => c.leftover).length} left a hidden unfinished log), ` +
          `mid-run ${count('mid-run')}, after completion ${count('after-completion')}`,
        `blind kills: ${cases
          .filter((c) => c.mode === 'blind')
          .map((c) => `${c.killedAt === undefined ? 'too late' : `${c.killedAt} ms`} → ${c.outcome}`)
          .join(', ')}`,
        `whole events in the log at a mid-run kill: ${cases
          .filter((c) => c.outcome === 'mid-run')
          .map((c) => c.events)
          .sort((a, b) => a - b)
          .join(' ')}`,
        `kill times (ms after spawn): min ${killTimes[0]}, median ${killTimes[Math.floor(killTimes.length / 2)]}, max ${killTimes.at(-1)}`,
        `stale locks broken: ${cases.filter((c) => c.staleLock).length}, torn lines: ${cases.filter((c) => c.torn).length}`,
        `last event before a mid-run kill: ${[...histogram]
          .sort((a, b) => b[1] - a[1])
          .map(([t, k]) => `${t} ${k}`)
          .join(', ')}`,
      ].join('\n'),
    );

    expect(cases).toHaveLength(RUNS);
    expect(count('before-log')).toBeLessThan(RUNS / 2);
    expect(count('mid-run')).toBeGreaterThan(25);
    // The kills are spread over the walk, not bunched at one moment of it.
    expect(new Set(cases.filter((x) => x.outcome === 'mid-run').map((x) => x.events)).size).toBeGreaterThanOrEqual(5);
  }, 180_000);
});
