import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sev, tempDir } from '../helpers.js';

// Logs damaged in ways no writer of sev produces, but a disk, a hand edit or another tool can: every reader
// reports the line as damaged, skips it and goes on. Never exit 3, never a stack trace.

const INCIDENT = '20261126T235210Z-server-failure-dm01';
const FILE = `${INCIDENT}.alice.jsonl`;

const event = (seq: number, type: string, data: object, extra: object = {}) =>
  JSON.stringify({
    v: 1,
    id: `e-${seq}`,
    seq,
    time: `2026-11-26T23:52:${String(10 + seq).padStart(2, '0')}.000Z`,
    incident: INCIDENT,
    actor: 'alice',
    type,
    data,
    ...extra,
  });

const START = event(1, 'incident.started', {
  runbook: { id: 'server-failure', title: 'Server failure', version: '1.0.0', hash: 'ab'.repeat(32), file: 'runbooks/server-failure.yaml' },
  severity: 'SEV2',
  responder: 'alice',
  host: 'wallet-ops-1',
  dryRun: false,
  sevVersion: '0.1.0',
});

/** A log whose second line is the damaged one, between two good events. */
function logWith(damaged: string): string {
  return tempDir({ [FILE]: `${START}\n${damaged}\n${event(3, 'note', { text: 'still read after the damage' })}\n` });
}

const deep = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const rawEvent = (seq: number, type: string, dataJson: string) =>
  `{"v":1,"id":"e-${seq}","seq":${seq},"time":"2026-11-26T23:52:${10 + seq}.000Z",` +
  `"incident":"${INCIDENT}","actor":"alice","type":"${type}","data":${dataJson}}`;

const DAMAGED: Record<string, { line: () => string; says: RegExp }> = {
  'an event of an unknown type nested 100,000 deep': {
    line: () => rawEvent(2, 'future.thing', deep(100_000)),
    says: /nested deeper than 32/,
  },
  'a note with a field nested 100,000 deep': {
    line: () => rawEvent(2, 'note', `{"text":"x","more":${deep(100_000)}}`),
    says: /nested deeper than 32/,
  },
  'a time beyond what a date can print (+275760-09-13T00:00:00.001Z)': {
    line: () => event(2, 'note', { text: 'x' }, { time: '+275760-09-13T00:00:00.001Z' }),
    says: /not an RFC 3339 time/,
  },
  'the last time a date can hold (+275760-09-13T00:00:00Z)': {
    line: () => event(2, 'note', { text: 'x' }, { time: '+275760-09-13T00:00:00Z' }),
    says: /not an RFC 3339 time/,
  },
  'a time with no zone (local time of some machine)': {
    line: () => event(2, 'note', { text: 'x' }, { time: '2026-11-26T23:52:12' }),
    says: /not an RFC 3339 time/,
  },
  'a day that does not exist (February 30)': {
    line: () => event(2, 'note', { text: 'x' }, { time: '2026-02-30T00:00:00Z' }),
    says: /not an RFC 3339 time/,
  },
  'a milestone dated beyond what a date can print': {
    line: () => event(2, 'milestone', { milestone: 'detected', at: '+275760-09-13T00:00:00Z' }),
    says: /data\.at is not an RFC 3339 time/,
  },
  'a line of 50 MB': { line: () => event(2, 'note', { text: 'x'.repeat(50 * 1024 * 1024) }), says: /longer than 1 MiB/ },
};

const noCrash = (r: { code: number | null; stderr: string }) => {
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
};

describe('damaged lines are reported and skipped by every reader', () => {
  for (const [what, { line, says }] of Object.entries(DAMAGED)) {
    describe(what, () => {
      const dir = logWith(line());
      const file = join(dir, FILE);

      for (const format of ['text', 'md', 'json', 'csv', 'html']) {
        it(`sev timeline --format ${format}, by id and by file`, () => {
          for (const ref of [INCIDENT, file]) {
            const r = sev(['timeline', ref, '--format', format, '--incident-dir', dir, '--tz', format === 'md' ? 'Europe/Paris' : 'UTC']);
            noCrash(r);
            expect(r.code).toBe(0);
            expect(r.stderr).toMatch(new RegExp(`${FILE}:2: .*${says.source}`));
            expect(r.stdout).toContain('still read after the damage');
          }
        });
      }

      it('sev postmortem', () => {
        const r = sev(['postmortem', INCIDENT, '--incident-dir', dir]);
        noCrash(r);
        expect(r.code).toBe(0);
        expect(r.stderr).toMatch(new RegExp(`${FILE}:2: .*${says.source}`));
        expect(r.stdout).toContain('still read after the damage');
      });

      it('sev status', () => {
        const r = sev(['status', '--json', '--incident-dir', dir]);
        noCrash(r);
        expect(r.code).toBe(0);
        expect(r.stderr).toMatch(new RegExp(`${FILE}:2: .*${says.source}`));
        expect(JSON.parse(r.stdout)).toMatchObject([{ id: INCIDENT, started: '2026-11-26T23:52:11.000Z', status: 'open' }]);
      });

      it('sev resume', () => {
        // The runbook file named in the log is not there: resume goes as far as looking it up, after reading the log.
        const r = sev(['resume', INCIDENT, '--yes', '--incident-dir', dir, '--runbooks', dir]);
        noCrash(r);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(new RegExp(`${FILE}:2: .*${says.source}`));
        expect(r.stderr).toMatch(/sev: .*server-failure/);
      });
    });
  }
});

describe('a damaged line does not change what the rest of the log says', () => {
  it('the timeline of a log with a 50 MB line is the timeline of the log without it, plus the warning', () => {
    const dir = logWith(DAMAGED['a line of 50 MB']!.line());
    const clean = tempDir({ [FILE]: `${START}\n${event(3, 'note', { text: 'still read after the damage' })}\n` });
    const a = sev(['timeline', FILE, '--format', 'csv'], { cwd: dir });
    const b = sev(['timeline', FILE, '--format', 'csv'], { cwd: clean });
    // The same rows; only the line number of the last event differs (3 there, 2 here).
    expect(a.stdout).toBe(b.stdout.replace(`${FILE},2,3,e-3`, `${FILE},3,3,e-3`));
    expect(a.stdout).toContain(`${FILE},3,3,e-3`);
    expect(readFileSync(join(dir, FILE)).length).toBeGreaterThan(50 * 1024 * 1024);
  });

  it('a torn last line longer than the limit is damaged, and the events before it are read', () => {
    const dir = tempDir({ [FILE]: `${START}\n${event(2, 'note', { text: 'kept' })}\n{"v":1,"text":"${'y'.repeat(2 * 1024 * 1024)}` });
    writeFileSync(join(dir, 'other.txt'), 'not a log\n');
    const r = sev(['timeline', INCIDENT, '--incident-dir', dir]);
    noCrash(r);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/:3: .*longer than 1 MiB/);
    expect(r.stdout).toContain('note: kept');
  });
});
