import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJson, readEvents, sev, tempDir } from '../helpers.js';

// `sev note` appends only to an incident log: a file whose first line is an incident's first event.

const INCIDENT = '20261126T235210Z-server-failure-nt01';
const start = (type: 'incident.started' | 'incident.joined', responder: string, incident = INCIDENT) =>
  JSON.stringify({
    v: 1,
    id: `${responder}-1`,
    seq: 1,
    time: '2026-11-26T23:52:10.000Z',
    incident,
    actor: responder,
    type,
    data: {
      runbook: {
        id: 'server-failure',
        title: 'Server failure',
        version: '1.0.0',
        hash: 'ab'.repeat(32),
        file: 'runbooks/server-failure.yaml',
      },
      severity: 'SEV2',
      responder,
      host: 'h',
      sevVersion: '0.1.0',
      ...(type === 'incident.started' ? { dryRun: false } : {}),
    },
  });

/** Runs sev note on `file` and checks it refused in one line, exit 2, leaving the file byte for byte as it was. */
function refuses(dir: string, file: string, ref: string, says: RegExp): void {
  const before = readFileSync(file);
  const r = sev(['note', ref, 'a note', '--as', 'alice', '--incident-dir', dir]);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(says);
  expect(lines[0]).toMatch(/nothing was written/);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(readFileSync(file).equals(before)).toBe(true);
}

describe('sev note writes only to incident logs', () => {
  it('refuses an arbitrary text file, by path', () => {
    const dir = tempDir({ 'notes.txt': 'shopping list\nmilk\n' });
    refuses(dir, join(dir, 'notes.txt'), join(dir, 'notes.txt'), /notes\.txt is not an incident log: its first line is not an event/);
  });

  it('refuses a .jsonl file of other JSON, and an empty one', () => {
    const dir = tempDir({ 'data.jsonl': '{"a":1}\n{"b":2}\n', 'empty.jsonl': '' });
    refuses(dir, join(dir, 'data.jsonl'), join(dir, 'data.jsonl'), /data\.jsonl is not an incident log: its first line is not an event/);
    refuses(dir, join(dir, 'empty.jsonl'), join(dir, 'empty.jsonl'), /empty\.jsonl is not an incident log: it is empty/);
  });

  it('refuses a log whose first event is not incident.started or incident.joined', () => {
    const note = JSON.stringify({
      v: 1,
      id: 'n',
      seq: 1,
      time: '2026-11-26T23:52:10.000Z',
      incident: INCIDENT,
      actor: 'a',
      type: 'note',
      data: { text: 'x' },
    });
    const dir = tempDir({ [`${INCIDENT}.alice.jsonl`]: `${note}\n` });
    refuses(dir, join(dir, `${INCIDENT}.alice.jsonl`), INCIDENT, /its first event is note, not incident\.started or incident\.joined/);
  });

  it('refuses a first event without the fields of an incident start (no runbook)', () => {
    const bad = parseJson<{ data: { runbook?: unknown } }>(start('incident.started', 'alice'));
    delete bad.data.runbook;
    const dir = tempDir({ [`${INCIDENT}.alice.jsonl`]: `${JSON.stringify(bad)}\n` });
    refuses(
      dir,
      join(dir, `${INCIDENT}.alice.jsonl`),
      INCIDENT,
      /its first line is not an event \(this incident\.started event is malformed \(data\.runbook is not an object\)/,
    );
  });

  it('refuses a file named after the incident whose first event is of another incident', () => {
    const dir = tempDir({ [`${INCIDENT}.alice.jsonl`]: `${start('incident.started', 'alice', '20261126T000000Z-network-zz99')}\n` });
    refuses(dir, join(dir, `${INCIDENT}.alice.jsonl`), INCIDENT, /its first event is of incident 20261126T000000Z-network-zz99/);
  });

  it("appends to the responder's own log, else to the log that started the incident, and leaves the others alone", () => {
    const dir = tempDir({
      [`${INCIDENT}.alice.jsonl`]: `${start('incident.started', 'alice')}\n`,
      [`${INCIDENT}.bob.jsonl`]: `${start('incident.joined', 'bob')}\n`,
      'stray.txt': 'not a log\n',
    });
    const bob = sev(['note', 'nt01', 'from bob', '--as', 'bob', '--incident-dir', dir]);
    expect(bob.code).toBe(0);
    expect(bob.stdout).toBe('');
    expect(bob.stderr).toMatch(/^Note added to 20261126T235210Z-server-failure-nt01 \(.*bob\.jsonl, event 2\)\.\n/);
    const carol = sev(['note', 'nt01', 'from carol', '--as', 'carol', '--action', '--incident-dir', dir]);
    expect(carol.code).toBe(0);
    expect(carol.stderr).toMatch(/^Action item added to .*alice\.jsonl, event 2\)/);
    const last = (name: string) => readEvents(join(dir, name)).at(-1);
    expect(last(`${INCIDENT}.bob.jsonl`)).toMatchObject({ seq: 2, actor: 'bob', type: 'note', data: { text: 'from bob', action: false } });
    expect(last(`${INCIDENT}.alice.jsonl`)).toMatchObject({
      seq: 2,
      actor: 'carol',
      type: 'note',
      data: { text: 'from carol', action: true },
    });
    expect(readFileSync(join(dir, 'stray.txt'), 'utf8')).toBe('not a log\n');
  });

  it('refuses a note longer than 64 KiB, writing nothing', () => {
    const dir = tempDir({ [`${INCIDENT}.alice.jsonl`]: `${start('incident.started', 'alice')}\n` });
    const file = join(dir, `${INCIDENT}.alice.jsonl`);
    const before = readFileSync(file);
    const r = sev(['note', INCIDENT, 'x'.repeat(70_000), '--incident-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sev: the note is longer than 64 KiB/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});
