import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../src/errors.js';
import type { EventData, EventType, IncidentEvent, RunbookRef } from '../src/incident/events.js';
import { LogWriter } from '../src/incident/log.js';
import { withFileLock } from '../src/incident/lock.js';
import { processStart } from '../src/incident/owner.js';
import { readLog } from '../src/incident/read.js';
import { replay, resumePoint } from '../src/incident/replay.js';
import { findIncident, logPath } from '../src/incident/store.js';
import { parseJson, tempDir } from './helpers.js';

/** Called after every readFileSync, with the path and what it read: lets a test act between two steps of the lock. */
const fsHook = vi.hoisted(() => ({ afterRead: undefined as ((path: string, content: unknown) => void) | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const readFileSync = ((...args: Parameters<typeof fs.readFileSync>) => {
    const content = fs.readFileSync(...args);
    fsHook.afterRead?.(String(args[0]), content);
    return content;
  }) as typeof fs.readFileSync;
  return { ...fs, readFileSync, default: { ...fs, readFileSync } };
});
afterEach(() => {
  fsHook.afterRead = undefined;
});

const RFC3339_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const RUNBOOK: RunbookRef = {
  id: 'drill',
  title: 'Wallet API drill',
  version: '1.0.0',
  hash: 'a'.repeat(64),
  file: '/runbooks/drill.yaml',
};

const started = (responder = 'alice'): EventData['incident.started'] => ({
  runbook: RUNBOOK,
  severity: 'SEV3',
  responder,
  dryRun: false,
  host: 'test-host',
  sevVersion: '0.0.0',
});

/** A new log in a fresh directory, with its writer. */
function newLog(incident = '20261126T223105Z-drill-k3f9', actor = 'alice') {
  const dir = tempDir();
  const file = logPath(dir, incident, actor);
  const writer = LogWriter.create(file, incident, actor);
  return { dir, file, writer, incident };
}

/** The lines of a file, the last one kept only when the file does not end with a newline. */
function lines(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const all = text.split('\n');
  if (text.endsWith('\n')) all.pop();
  return all;
}

/** The pid of a process that has just ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  expect(r.status).toBe(0);
  return r.pid;
}

describe('LogWriter', () => {
  it('assigns seq 1..N and unique ids, RFC 3339 UTC millisecond times, one JSON object per line', () => {
    const { file, writer, incident } = newLog();
    const written: IncidentEvent[] = [writer.append('incident.started', started())];
    for (let i = 1; i <= 20; i++) written.push(writer.append('note', { text: `note ${i}`, action: i % 2 === 0 }));
    written.push(writer.append('incident.closed', { outcome: 'completed', step: 'wrap-up' }));
    writer.close();

    expect(written.map((e) => e.seq)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    const text = readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const raw = lines(file);
    expect(raw).toHaveLength(22);
    const parsed = raw.map((line) => JSON.parse(line) as IncidentEvent);
    for (const [i, event] of parsed.entries()) {
      // One object per line, exactly as append returned it.
      expect(typeof event).toBe('object');
      expect(event).toEqual(written[i]);
      expect(event).toMatchObject({ v: 1, seq: i + 1, incident, actor: 'alice' });
      expect(event.time).toMatch(RFC3339_UTC_MS);
      expect(new Date(event.time).toISOString()).toBe(event.time);
      expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(new Set(parsed.map((e) => e.id)).size).toBe(parsed.length);
    // Times never go backwards.
    const times = parsed.map((e) => Date.parse(e.time));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const read = readLog(file);
    expect(read.problems).toEqual([]);
    expect(read.events.map((e) => e.line)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
  });

  it('takes the time from its clock and the actor per event', () => {
    const dir = tempDir();
    const file = join(dir, 'x.jsonl');
    const writer = LogWriter.create(file, 'x', 'alice', () => new Date(Date.UTC(2026, 10, 26, 22, 31, 5, 7)));
    const a = writer.append('note', { text: 'hi', action: false });
    const b = writer.append('note', { text: 'from bob', action: false }, 'bob');
    writer.close();
    expect(a.time).toBe('2026-11-26T22:31:05.007Z');
    expect(a.actor).toBe('alice');
    expect(b.actor).toBe('bob');
  });

  it('creates no log until its first event is on disk, so a crash before it leaves no empty incident', () => {
    const dir = tempDir();
    const file = join(dir, 'x.alice.jsonl');
    const writer = LogWriter.create(file, 'x', 'alice');
    // Killed here, the run would leave nothing that looks like an incident.
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir).filter((n) => n.endsWith('.jsonl'))).toEqual([]);
    const first = writer.append('incident.started', started());
    expect(readdirSync(dir)).toEqual(['x.alice.jsonl']);
    expect(lines(file).map((l) => parseJson(l))).toEqual([first]);
    expect(writer.append('note', { text: 'second', action: false }).seq).toBe(2);
    // A writer opened now appends to the same file.
    const other = LogWriter.open(file, 'x', 'bob');
    expect(other.append('note', { text: 'third', action: false }).seq).toBe(3);
    other.close();
    expect(writer.append('note', { text: 'fourth', action: false }).seq).toBe(4);
    writer.close();
    expect(readLog(file).events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(readdirSync(dir)).toEqual(['x.alice.jsonl']);

    // Created and closed without an event: nothing is left.
    const unused = LogWriter.create(join(dir, 'y.alice.jsonl'), 'y', 'alice');
    unused.close();
    expect(readdirSync(dir)).toEqual(['x.alice.jsonl']);
  });

  it('never overwrites a log that appeared between create and the first event', () => {
    const dir = tempDir();
    const file = join(dir, 'x.alice.jsonl');
    const a = LogWriter.create(file, 'x', 'alice');
    const b = LogWriter.create(file, 'x', 'alice');
    const first = a.append('incident.started', started());
    expect(() => b.append('incident.started', started('bob'))).toThrow(/already exists/);
    a.close();
    b.close();
    expect(lines(file).map((l) => parseJson(l))).toEqual([first]);
    expect(readdirSync(dir)).toEqual(['x.alice.jsonl']);
  });

  it('refuses to create over an existing log and to open a missing one', () => {
    const { dir, file, writer } = newLog();
    writer.append('incident.started', started());
    writer.close();
    expect(() => LogWriter.create(file, 'x', 'alice')).toThrow(/already exists/);
    expect(readdirSync(dir)).toEqual([basename(file)]);
    expect(() => LogWriter.open(join(dir, 'missing.jsonl'), 'x', 'alice')).toThrow(UserError);
    expect(() => LogWriter.open(join(dir, 'missing.jsonl'), 'x', 'alice')).toThrow(/no such file/);
    expect(existsSync(join(dir, 'missing.jsonl'))).toBe(false);
  });

  it('reports a torn last line, cuts it off at the next append and goes on from the last whole event', () => {
    const { file, writer, incident } = newLog();
    writer.append('incident.started', started());
    writer.append('note', { text: 'one', action: false });
    const third = writer.append('note', { text: 'two', action: false });
    writer.close();
    // A crash in the middle of a write: half of a fourth event, no newline.
    const whole = JSON.stringify({ ...third, seq: 4, id: 'torn', data: { text: 'lost', action: false } });
    const fragment = whole.slice(0, Math.floor(whole.length / 2));
    appendFileSync(file, fragment);

    const torn = readLog(file);
    expect(torn.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(torn.problems).toEqual([expect.objectContaining({ line: 4, kind: 'torn-line' })]);

    const next = LogWriter.open(file, incident, 'alice');
    const fourth = next.append('note', { text: 'after the crash', action: false });
    const fifth = next.append('note', { text: 'and another', action: false });
    next.close();
    expect(fourth.seq).toBe(4);
    expect(fifth.seq).toBe(5);

    // The fragment was never written as far as anyone was told: it is gone, and every line is whole.
    const raw = lines(file);
    expect(raw).toHaveLength(5);
    expect(raw).not.toContain(fragment);
    expect(JSON.parse(raw[3]!)).toEqual(fourth);
    expect(JSON.parse(raw[4]!)).toEqual(fifth);

    const after = readLog(file);
    expect(after.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(after.events.map((e) => e.line)).toEqual([1, 2, 3, 4, 5]);
    expect(after.problems).toEqual([]);
  });

  it('cuts off a torn line even when the fragment is all the file holds', () => {
    const dir = tempDir();
    const file = join(dir, 'x.jsonl');
    writeFileSync(file, '{"v":1,"id":"ab","se');
    expect(readLog(file).problems).toEqual([expect.objectContaining({ line: 1, kind: 'torn-line' })]);
    const writer = LogWriter.open(file, 'x', 'alice');
    expect(writer.append('incident.started', started()).seq).toBe(1);
    writer.close();
    const read = readLog(file);
    expect(read.events.map((e) => [e.seq, e.line])).toEqual([[1, 1]]);
    expect(read.problems).toEqual([]);
  });

  it('finds the last sequence number behind a tail longer than its read chunk', () => {
    const { file, writer, incident } = newLog();
    writer.append('incident.started', started());
    const big = 'x'.repeat(100 * 1024);
    writer.append('note', { text: big, action: false });
    writer.close();
    appendFileSync(file, `{"v":1,"id":"torn","seq":3,"data":{"text":"${'y'.repeat(70 * 1024)}`);
    const next = LogWriter.open(file, incident, 'alice');
    expect(next.append('note', { text: 'after', action: false }).seq).toBe(3);
    next.close();
    expect(readLog(file).events.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('keeps an event of an unknown type and reports the type once', () => {
    const { file, writer } = newLog();
    writer.append('incident.started', started());
    const unknown = writer.append('pager.escalated' as EventType, { to: 'bob' } as never);
    writer.append('pager.escalated' as EventType, { to: 'carol' } as never);
    writer.append('note', { text: 'still readable', action: false });
    writer.close();

    const read = readLog(file);
    expect(read.events.map((e) => e.type)).toEqual(['incident.started', 'pager.escalated', 'pager.escalated', 'note']);
    expect(read.events[1]).toMatchObject({ id: unknown.id, seq: 2, data: { to: 'bob' } });
    expect(read.problems).toEqual([expect.objectContaining({ line: 2, kind: 'unknown-type' })]);
    expect(read.problems[0]!.message).toContain('pager.escalated');
    // The fold passes over what it does not know.
    const state = replay(read.events);
    expect(state.events).toBe(4);
    expect(state.status).toBe('open');
  });

  it('reads an empty file as no events and no problems, and starts it at seq 1', () => {
    const dir = tempDir({ 'empty.jsonl': '' });
    const file = join(dir, 'empty.jsonl');
    expect(readLog(file)).toEqual({ file, events: [], problems: [] });
    const blank = join(tempDir({ 'blank.jsonl': '\n\n' }), 'blank.jsonl');
    expect(readLog(blank)).toMatchObject({ events: [], problems: [] });
    const writer = LogWriter.open(file, 'x', 'alice');
    expect(writer.append('incident.started', started()).seq).toBe(1);
    writer.close();
    expect(lines(file)).toHaveLength(1);
    expect(readFileSync(file, 'utf8').startsWith('{')).toBe(true);
  });

  it('reports damaged lines in the middle and events of a newer log version', () => {
    const good = (seq: number, extra: object = {}) =>
      JSON.stringify({
        v: 1,
        id: `id-${seq}`,
        seq,
        time: '2026-11-26T22:31:05.000Z',
        incident: 'x',
        actor: 'a',
        type: 'note',
        data: { text: 't', action: false },
        ...extra,
      });
    const text = [good(1), 'not json', '{"v":1}', good(2, { v: 9 }), ''].join('\n');
    const read = readLog(join(tempDir({ 'x.jsonl': text }), 'x.jsonl'));
    expect(read.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(read.problems.map((p) => [p.line, p.kind])).toEqual([
      [2, 'damaged-line'],
      [3, 'damaged-line'],
      [4, 'newer-version'],
    ]);
  });

  it('keeps seq contiguous with two writers on the same file taking turns', () => {
    const { file, writer, incident } = newLog();
    writer.append('incident.started', started());
    writer.close();
    const a = LogWriter.open(file, incident, 'alice');
    const b = LogWriter.open(file, incident, 'bob');
    const seqs: number[] = [];
    for (let i = 0; i < 30; i++) {
      // Alternate, and sometimes let one writer go twice in a row.
      const w = i % 3 === 2 ? a : i % 2 === 0 ? a : b;
      seqs.push(w.append('note', { text: `n${i}`, action: false }).seq);
    }
    a.close();
    b.close();
    expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i + 2));
    const read = readLog(file);
    expect(read.problems).toEqual([]);
    expect(read.events.map((e) => e.seq)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    expect(read.events.slice(1).map((e) => (e.data as { text: string }).text)).toEqual(Array.from({ length: 30 }, (_, i) => `n${i}`));
    expect(new Set(read.events.map((e) => e.id)).size).toBe(31);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});

describe('withFileLock', () => {
  it('breaks a stale lock holding the pid of a dead process', () => {
    const { file, writer } = newLog();
    writer.append('incident.started', started());
    const pid = deadPid();
    writeFileSync(`${file}.lock`, String(pid));
    // Were the lock not broken, append would wait out the lock's limit and throw.
    const event = writer.append('note', { text: 'after a crash that left its lock', action: false });
    writer.close();
    expect(event.seq).toBe(2);
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(readLog(file).events).toHaveLength(2);
  });

  it('does not break a lock another writer took after breaking the same stale one', () => {
    // Two writers find the same stale lock. The other one breaks it and takes the lock just after this
    // one has read the dead pid, and holds it for a while: this one must wait, not delete the live lock.
    const dir = tempDir();
    const path = join(dir, 'x.jsonl');
    const lock = `${path}.lock`;
    writeFileSync(lock, String(deadPid()));
    let other: 'waiting' | 'holding' | 'released' = 'waiting';
    let releaseAt = 0;
    fsHook.afterRead = (file, content) => {
      if (file !== lock) return;
      if (other === 'waiting' && String(content) !== String(process.pid)) {
        other = 'holding';
        releaseAt = Date.now() + 100;
        unlinkSync(lock);
        writeFileSync(lock, String(process.pid), { flag: 'wx' });
      } else if (other === 'holding' && Date.now() >= releaseAt) {
        // The other writer is done and removes its lock (the read below comes back here: state first).
        other = 'released';
        if (readFileSync(lock, 'utf8') === String(process.pid)) unlinkSync(lock);
      }
    };
    const seen = withFileLock(path, () => other);
    expect(seen).toBe('released');
    expect(existsSync(lock)).toBe(false);
  });

  it('gets past a stale lock whose breaker was killed while breaking it', () => {
    const dir = tempDir();
    const path = join(dir, 'x.jsonl');
    writeFileSync(`${path}.lock`, String(deadPid()));
    writeFileSync(`${path}.lock.break`, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock.break`, old, old);
    expect(withFileLock(path, () => 'in')).toBe('in');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('breaks an old lock file that never got its pid written', () => {
    const dir = tempDir({ 'x.jsonl.lock': '' });
    const lock = join(dir, 'x.jsonl.lock');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    expect(withFileLock(join(dir, 'x.jsonl'), () => readFileSync(lock, 'utf8'))).toBe(
      `${hostname()} ${process.pid} ${processStart(process.pid) ?? ''}`,
    );
    expect(existsSync(lock)).toBe(false);
  });

  it('holds the lock with its host, pid and start time while it runs, and releases it when the function throws', () => {
    const dir = tempDir();
    const path = join(dir, 'x.jsonl');
    expect(() =>
      withFileLock(path, () => {
        expect(readFileSync(`${path}.lock`, 'utf8')).toBe(`${hostname()} ${process.pid} ${processStart(process.pid) ?? ''}`);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(existsSync(`${path}.lock`)).toBe(false);
  });
});

describe('replay', () => {
  let seq = 0;
  /** The next event of the hand-made log: event n is written at 22:0n. */
  const ev = <T extends EventType>(type: T, data: EventData[T]): IncidentEvent<T, EventData[T]> => ({
    v: 1,
    id: `e${++seq}`,
    seq,
    time: `2026-11-26T22:${String(seq).padStart(2, '0')}:00.000Z`,
    incident: '20261126T223105Z-drill-k3f9',
    actor: 'alice',
    type,
    data,
  });

  it('folds a hand-made log into status, step, inputs, milestones and severity', () => {
    seq = 0;
    const events = [
      ev('incident.started', started()),
      ev('input.set', { name: 'service', value: 'wallet-api' }),
      ev('input.set', { name: 'token', secret: true }),
      ev('step.started', { step: 'where', index: 0, kind: 'input' }),
      ev('input.set', { name: 'marker', value: '/tmp/m', step: 'where' }),
      ev('milestone', { milestone: 'detected', step: 'where' }),
      ev('step.completed', { step: 'where', result: 'done', next: 'declare' }),
      ev('step.started', { step: 'declare', index: 2, kind: 'choice' }),
      ev('step.answered', { step: 'declare', answer: 'Some users' }),
      ev('severity.changed', { from: 'SEV3', to: 'SEV2', step: 'declare' }),
      ev('milestone', { milestone: 'acknowledged', step: 'declare' }),
      ev('step.completed', { step: 'declare', result: 'done', next: 'restart' }),
      ev('step.started', { step: 'restart', index: 4, kind: 'command' }),
    ];
    const midway = replay(events);
    expect(midway).toMatchObject({
      incident: '20261126T223105Z-drill-k3f9',
      runbook: RUNBOOK,
      responder: 'alice',
      severity: 'SEV2',
      dryRun: false,
      started: '2026-11-26T22:01:00.000Z',
      lastTime: '2026-11-26T22:13:00.000Z',
      status: 'open',
      step: 'restart',
      stepInProgress: true,
      inputs: { service: 'wallet-api', marker: '/tmp/m' },
      events: 13,
    });
    expect(midway.inputs).not.toHaveProperty('token');
    expect([...midway.secrets]).toEqual(['token']);
    expect([...midway.milestones.keys()]).toEqual(['detected', 'acknowledged']);
    expect(midway.milestones.get('detected')).toEqual({ time: '2026-11-26T22:06:00.000Z', step: 'where' });
    expect(resumePoint(midway, 'where')).toBe('restart');

    // Paused by a signal in the middle of the step, resumed, the step run again and the rest walked.
    const rest = [
      ev('incident.paused', { step: 'restart', reason: 'signal' }),
      ev('incident.joined', {
        runbook: { ...RUNBOOK, hash: 'b'.repeat(64) },
        severity: 'SEV1',
        responder: 'bob',
        host: 'h',
        sevVersion: '0.0.0',
      }),
    ];
    const paused = replay([...events, ...rest]);
    expect(paused).toMatchObject({
      status: 'paused',
      pauseReason: 'signal',
      step: 'restart',
      stepInProgress: true,
      severity: 'SEV2',
      responder: 'alice',
    });
    expect(paused.runbook!.hash).toBe('a'.repeat(64));

    const end = [
      ev('incident.resumed', { step: 'restart', runbookChanged: false }),
      ev('step.started', { step: 'restart', index: 4, kind: 'command' }),
      ev('milestone', { milestone: 'mitigated', step: 'restart' }),
      ev('step.completed', { step: 'restart', result: 'done', next: 'wrap-up' }),
      ev('step.started', { step: 'wrap-up', index: 6, kind: 'confirm' }),
      ev('input.set', { name: 'service', value: 'wallet-db' }),
      // A milestone reached again keeps its first time.
      ev('milestone', { milestone: 'detected', step: 'wrap-up' }),
      ev('severity.changed', { from: 'SEV2', to: 'SEV4' }),
      ev('step.skipped', { step: 'wrap-up', reason: 'not needed', next: 'end' }),
      ev('incident.closed', { outcome: 'completed', step: 'wrap-up' }),
    ];
    const resumed = replay([...events, ...rest, ...end.slice(0, 1)]);
    expect(resumed.status).toBe('open');
    expect(resumed.pauseReason).toBeUndefined();

    const closed = replay([...events, ...rest, ...end]);
    expect(closed).toMatchObject({
      status: 'closed',
      outcome: 'completed',
      step: 'end',
      stepInProgress: false,
      severity: 'SEV4',
      inputs: { service: 'wallet-db', marker: '/tmp/m' },
      events: events.length + rest.length + end.length,
    });
    expect([...closed.milestones.keys()]).toEqual(['detected', 'acknowledged', 'mitigated']);
    expect(closed.milestones.get('detected')!.step).toBe('where');
    expect(closed.visits).toEqual(
      new Map([
        ['where', 1],
        ['declare', 1],
        ['restart', 2],
        ['wrap-up', 1],
      ]),
    );
    expect(resumePoint(closed, 'where')).toBe('end');
  });

  it('starts before the first step, and a stopped incident is closed with that outcome', () => {
    seq = 0;
    const fresh = replay([ev('incident.started', { ...started(), dryRun: true })]);
    expect(fresh).toMatchObject({ status: 'open', stepInProgress: false, dryRun: true, severity: 'SEV3' });
    expect(fresh.step).toBeUndefined();
    expect(resumePoint(fresh, 'where')).toBe('where');
    expect(resumePoint(fresh, undefined)).toBe('end');
    expect(replay([]).status).toBe('open');

    const stopped = replay([
      ev('incident.started', started()),
      ev('step.started', { step: 'restart', index: 4, kind: 'command' }),
      ev('step.completed', { step: 'restart', result: 'failed', next: 'end' }),
      ev('incident.closed', { outcome: 'stopped', step: 'restart' }),
    ]);
    expect(stopped).toMatchObject({ status: 'closed', outcome: 'stopped', step: 'end', stepInProgress: false });
  });
});

describe('findIncident', () => {
  function incidents(ids: string[]) {
    const dir = tempDir();
    for (const id of ids) {
      const writer = LogWriter.create(logPath(dir, id, 'alice'), id, 'alice');
      writer.append('incident.started', started());
      writer.close();
    }
    return dir;
  }

  it('finds an incident by its full id, by a unique suffix and by the path of its log', () => {
    const ids = ['20261126T223105Z-drill-k3f9', '20261126T223105Z-drill-k3fa', '20261127T081500Z-network-zz01'];
    const dir = incidents(ids);
    // A second responder's log belongs to the same incident.
    const joined = LogWriter.create(logPath(dir, ids[0]!, 'bob'), ids[0]!, 'bob');
    joined.append('note', { text: 'bob here', action: false });
    joined.close();

    const full = findIncident(dir, ids[0]!);
    expect(full.id).toBe(ids[0]);
    expect(full.logs.map((l) => l.file).sort()).toEqual([logPath(dir, ids[0]!, 'alice'), logPath(dir, ids[0]!, 'bob')].sort());
    expect(findIncident(dir, 'k3fa').id).toBe(ids[1]);
    expect(findIncident(dir, 'zz01').id).toBe(ids[2]);
    expect(findIncident(dir, 'network').id).toBe(ids[2]);
    const byPath = findIncident(dir, logPath(dir, ids[1]!, 'alice'));
    expect(byPath.id).toBe(ids[1]);
    expect(byPath.logs).toHaveLength(1);
  });

  it('refuses a part of an id that several incidents share, and one that none has', () => {
    const dir = incidents(['20261126T223105Z-drill-k3f9', '20261126T223105Z-drill-k3fa']);
    expect(() => findIncident(dir, 'k3f')).toThrow(UserError);
    expect(() => findIncident(dir, 'k3f')).toThrow(/"k3f" matches 2 incidents: 20261126T223105Z-drill-k3f9, 20261126T223105Z-drill-k3fa/);
    expect(() => findIncident(dir, 'drill')).toThrow(/matches 2 incidents/);
    expect(() => findIncident(dir, 'nope')).toThrow(/no incident "nope"/);
    expect(() => findIncident(join(dir, 'absent'), 'k3f9')).toThrow(/no incident "k3f9"/);
  });
});

describe('events of a known type with malformed data', () => {
  it('are reported as damaged and left out, so no reader trips over them', () => {
    const base = { v: 1, seq: 1, time: '2026-11-26T03:00:00.000Z', incident: 'I', actor: 'a' };
    const lines = [
      { ...base, id: '1', type: 'severity.changed', data: { from: 'SEV3', to: { level: 1 } } },
      { ...base, id: '2', seq: 2, type: 'announcement', data: { audience: 5, message: null } },
      { ...base, id: '3', seq: 3, type: 'incident.started', data: { runbook: 'r', severity: 'SEV2', responder: 'a' } },
      { ...base, id: '4', seq: 4, type: 'note', data: { text: 'fine', action: false } },
    ];
    const read = readLog(join(tempDir({ 'l.jsonl': lines.map((l) => `${JSON.stringify(l)}\n`).join('') }), 'l.jsonl'));
    expect(read.events.map((e) => e.id)).toEqual(['4']);
    expect(read.problems.map((p) => [p.line, p.kind, p.message])).toEqual([
      [1, 'damaged-line', 'this severity.changed event is malformed (data.to is not a string); it is ignored'],
      [2, 'damaged-line', 'this announcement event is malformed (data.audience is not a string); it is ignored'],
      [3, 'damaged-line', 'this incident.started event is malformed (data.runbook is not an object); it is ignored'],
    ]);
  });

  it('an incident directory that is a file is a usage error, not a crash', () => {
    const dir = tempDir({ afile: 'x' });
    const r = spawnSync(
      process.execPath,
      [join(import.meta.dirname, '..', 'bin', 'sev.js'), 'status', '--incident-dir', join(dir, 'afile')],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^sev: incident directory .*afile is a file, not a directory$/m);
  });
});
