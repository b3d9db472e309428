import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, readEvents, sev, tempDir } from '../helpers.js';

const ONCE = join(ROOT, 'test/fixtures/run/once.yaml');

describe('a log written before sev recorded process groups', () => {
  it('resumes: its unfinished command is asked about as one whose result is unknown', () => {
    const dir = tempDir({ 'answers.yaml': 'steps:\n  before: done\n  post: { pause: yes }\n' });
    const incidents = join(dir, 'incidents');
    const ledger = join(dir, 'ledger');
    expect(sev(['run', ONCE, '--answers', join(dir, 'answers.yaml'), '--set', `ledger=${ledger}`, '--incident-dir', incidents]).code).toBe(
      0,
    );
    const file = join(
      incidents,
      readdirSync(incidents).find((n) => n.endsWith('.jsonl'))!,
    );
    // As an older sev left it when killed during the command: started, no group, no end.
    const events = readEvents(file);
    const paused = events.pop()!;
    events.push({
      ...paused,
      id: 'old-start',
      type: 'command.started',
      data: { step: 'post', command: 'echo posted', confirmedBy: 'responder' },
    });
    writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');

    writeFileSync(join(dir, 'answers.yaml'), 'steps:\n  before: done\n  post: { rerun: done }\n  verify: done\n');
    const r = sev(['resume', '--answers', join(dir, 'answers.yaml'), '--incident-dir', incidents]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stderr).toMatch(/sev stopped before it ended\. Result unknown: check its effect/);
    expect(r.code).toBe(0);
    const after = readEvents(file);
    expect(after.filter((e) => e.type === 'command.unfinished').map((e) => [e.data.state, e.data.decision])).toEqual([['gone', 'done']]);
  });
});

describe('a program that cannot be found', () => {
  it('still logs who confirmed the command before its failure', () => {
    const dir = tempDir({
      'rb.yaml': [
        'format: sevkit/v1',
        'id: missing',
        'title: Missing program',
        'class: server-failure',
        'severity: SEV3',
        'steps:',
        '  - id: run',
        '    command: { run: [definitely-not-a-program-sev, a] }',
        '    on_fail: continue',
        '    milestone: resolved',
      ].join('\n'),
    });
    const incidents = join(dir, 'incidents');
    expect(sev(['run', join(dir, 'rb.yaml'), '--yes', '--incident-dir', incidents]).code).toBe(0);
    const file = join(
      incidents,
      readdirSync(incidents).find((n) => n.endsWith('.jsonl'))!,
    );
    const events = readEvents(file);
    const types = events.map((e) => e.type);
    expect(types.slice(types.indexOf('command.started'), types.indexOf('command.started') + 2)).toEqual([
      'command.started',
      'command.finished',
    ]);
    expect(events.find((e) => e.type === 'command.started')?.data.confirmedBy).toBe('yes-flag');
    expect(events.find((e) => e.type === 'command.finished')?.data.error).toMatch(/command not found/);
  });
});
