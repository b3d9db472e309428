import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, parseJson, sev, tempDir } from '../helpers.js';

// What a command reads. How much memory and time that takes is measured by the `memory` and `note`
// benchmarks (npm run bench), not here.

const LOGS = join(ROOT, 'test/fixtures/logs/incident');
const INCIDENT = '20261126T235210Z-server-failure-k3f9';
const OTHER = '20261125T101010Z-network-zz99';

/** The fixture incident's logs, and beside them a FIFO named as another incident's log: opening it would hang or fail. */
function crowded(): string {
  const dir = tempDir(
    Object.fromEntries(['alice', 'bob', 'dave'].map((r) => [`${INCIDENT}.${r}.jsonl`, readFileSync(join(LOGS, `${INCIDENT}.${r}.jsonl`))])),
  );
  execFileSync('mkfifo', [join(dir, `${OTHER}.bob.jsonl`)]);
  return dir;
}

describe('commands given an incident id read only that incident’s logs, chosen by file name', () => {
  it('sev timeline and sev postmortem', () => {
    const dir = crowded();
    const byId = sev(['timeline', 'k3f9', '--incident-dir', dir, '--format', 'json']);
    expect(byId.stderr).not.toMatch(/zz99/);
    expect(byId.code).toBe(0);
    expect(parseJson<{ events: unknown[] }>(byId.stdout).events).toHaveLength(32);
    const pm = sev(['postmortem', 'k3f9', '--incident-dir', dir]);
    expect(pm.code).toBe(0);
    expect(pm.stdout).toContain('# Postmortem');
  });

  it('sev note', () => {
    const dir = crowded();
    const r = sev(['note', 'k3f9', 'only this incident', '--as', 'bob', '--incident-dir', dir]);
    expect(r.stderr).not.toMatch(/zz99|sev:/);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, `${INCIDENT}.bob.jsonl`), 'utf8')).toContain('"text":"only this incident"');
  });

  it('a log whose name does not say its incident is found by its first line', () => {
    const dir = tempDir({ 'copy-from-laptop.jsonl': readFileSync(join(LOGS, `${INCIDENT}.alice.jsonl`)) });
    const r = sev(['timeline', 'k3f9', '--incident-dir', dir, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(parseJson<{ incident: string }>(r.stdout).incident).toBe(INCIDENT);
  });
});

describe('an HTML timeline beyond what a page draws', () => {
  it('says so on stderr and on the page, and still has every event counted', () => {
    const lines: string[] = [];
    for (let seq = 1; seq <= 5001; seq++) {
      lines.push(
        JSON.stringify({
          v: 1,
          id: `e${seq}`,
          seq,
          time: new Date(Date.UTC(2026, 10, 26) + seq * 100).toISOString(),
          incident: INCIDENT,
          actor: 'ana',
          type: 'step.started',
          data: { step: `s${seq}`, index: seq, kind: 'checks' },
        }),
      );
    }
    const dir = tempDir({ 'l.jsonl': `${lines.join('\n')}\n` });
    const r = sev(['timeline', join(dir, 'l.jsonl'), '--format', 'html']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^note: 5001 events are more than the page draws one by one \(5000\)/m);
    expect(r.stdout).toContain('id="summarised"');
    expect(r.stdout).toContain('data-events="5001" data-drawn="0"');
  });
});
