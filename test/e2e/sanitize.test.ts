import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvField, jsonSafe, mdText, oneLine, printable } from '../../src/report/sanitize.js';
import { parseJson, sev, tempDir } from '../helpers.js';

// What a log says reaches terminals and reports only through the one sanitiser: a responder name, a
// runbook title, an id, a note or a check's output can hold escape sequences, line breaks and bidi controls.

const EVIL = 'evil\nname\x1b]0;TITLE\x07';
const INCIDENT = '20261126T235210Z-server-failure-ev01';
/** ESC, BEL, other C0 controls but tab and line feed, DEL, C1, bidi controls, line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/;

let seq = 0;
const event = (type: string, data: object, actor = EVIL) =>
  JSON.stringify({
    v: 1,
    id: `id-${++seq}\u202e`,
    seq,
    time: `2026-11-26T23:52:${String(10 + seq).padStart(2, '0')}.000Z`,
    incident: INCIDENT,
    actor,
    type,
    data,
  });

function evilLog(): { dir: string; file: string } {
  seq = 0;
  const lines = [
    event('incident.started', {
      runbook: {
        id: 'server-failure\x1b[31m',
        title: 'Server | failure\n# not a heading\x9b31m',
        version: '1.0\u202e',
        hash: 'ab'.repeat(32),
        file: 'runbooks/server-failure.yaml',
      },
      severity: 'SEV2\x1b[2J',
      responder: EVIL,
      host: 'wallet\nops\x07',
      dryRun: false,
      sevVersion: '0.1.0',
    }),
    event('step.started', { step: 'check\x1b[1A', index: 0, kind: 'checks', title: 'Look\r\nat | it' }),
    event('check.result', {
      step: 'check',
      check: 'api\x1b]8;;http://x\x07',
      status: 'CRITICAL',
      reason: 'exit 1\n\x1b[2Kforged line',
      exit: 1,
      durationMs: 5,
      timedOut: false,
      attempts: 1,
      stdout: 'out\x1b[0m',
      stderr: '',
    }),
    event('note', { text: 'went wrong: the ledger\nTODO fake | cell\u2028\u202egnirts', action: false }),
    event('note', { text: 'check | the\nrefunds\x1b[5m', action: true }),
    event('milestone', { milestone: 'detected\x1b[31m', step: 'check' }),
    event('announcement', { step: 'check', audience: 'customers\x07', channel: 'status\npage', message: 'We are\x1b[8m on it | really' }),
    event('future.event\x1b]0;T\x07', { anything: 'x\ny\x1b' }),
  ];
  const dir = tempDir({ [`${INCIDENT}.evil.jsonl`]: `${lines.join('\n')}\n` });
  return { dir, file: join(dir, `${INCIDENT}.evil.jsonl`) };
}

const clean = (text: string) => {
  expect(text).not.toMatch(CONTROLS);
};

describe('the sanitiser', () => {
  it('makes controls visible and keeps a text on one line', () => {
    expect(printable('a\x1b[31mb\x07')).toBe('a\\x1b[31mb\\x07');
    expect(printable('x\u202ey\x9b')).toBe('x\\u202ey\\x9b');
    expect(oneLine('a\nb\r\n\tc\u2028d')).toBe('a b c d');
    expect(oneLine(EVIL)).toBe('evil name\\x1b]0;TITLE\\x07');
    expect(oneLine('x'.repeat(10), 5)).toBe('xxxx…');
    // Never half of a surrogate pair.
    expect(oneLine('ab😀cd', 4)).toBe('ab…');
  });

  it('escapes what would break a Markdown table', () => {
    expect(mdText('a | b\nc <script> \\')).toBe('a \\| b c &lt;script&gt; \\\\');
  });

  it('neutralises CSV cells a spreadsheet would take for a formula, as OWASP describes', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      const field = csvField(`${start}1+1`);
      expect(field.startsWith(`"'`), JSON.stringify(field)).toBe(true);
    }
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField(' =1+1')).toBe(`"'=1+1"`);
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('plain')).toBe('plain');
    expect(csvField(42)).toBe('42');
    expect(csvField('line\nbreak')).toBe('line break');
  });

  it('escapes in JSON what JSON.stringify leaves raw, and the JSON reads back the same', () => {
    const value = { s: 'a\x9bb\u202ec\u2028d\x7f' };
    const json = jsonSafe(JSON.stringify(value));
    clean(json);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('reports of a log full of escape sequences', () => {
  it('text timeline: every event is exactly one line, and no control reaches stdout or stderr', () => {
    const { file } = evilLog();
    const r = sev(['timeline', file]);
    expect(r.code).toBe(0);
    clean(r.stdout);
    clean(r.stderr);
    const timeline = r.stdout.slice(r.stdout.indexOf('Timeline (UTC)'));
    const rows = timeline.split('\n').filter((l) => /^ {4}\d\d:\d\d:\d\d\.\d{3} /.test(l));
    expect(rows).toHaveLength(8);
    // Nothing else in the timeline section but its title, the date line and the rows.
    expect(timeline.trimEnd().split('\n')).toHaveLength(2 + 8);
    expect(r.stdout).toContain('evil name\\x1b]0;TITLE\\x07');
    expect(r.stdout).toContain('note: went wrong: the ledger TODO fake | cell \\u202egnirts');
  });

  it('Markdown timeline: no control, and every table row has its columns (pipes escaped)', () => {
    const { file } = evilLog();
    const r = sev(['timeline', file, '--format', 'md']);
    expect(r.code).toBe(0);
    clean(r.stdout);
    const table = r.stdout.slice(r.stdout.indexOf('## Timeline'));
    const rows = table.split('\n').filter((l) => l.startsWith('| '));
    expect(rows).toHaveLength(2 + 8);
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length, row).toBe(6);
    expect(r.stdout).not.toMatch(/^# not a heading/m);
  });

  it('CSV: one line per event, no control, the values kept visible', () => {
    const { file } = evilLog();
    const r = sev(['timeline', file, '--format', 'csv']);
    expect(r.code).toBe(0);
    clean(r.stdout.replace(/\r\n/g, ''));
    expect(r.stdout.split('\r\n').filter(Boolean)).toHaveLength(1 + 8);
    expect(r.stdout).not.toMatch(/[^\r]\n/);
  });

  it('JSON and HTML: no raw control either, and the JSON still holds the values as logged', () => {
    const { file } = evilLog();
    const json = sev(['timeline', file, '--format', 'json']);
    expect(json.code).toBe(0);
    clean(json.stdout.replace(/\n/g, ''));
    const doc = parseJson<{ events: { actor: string; id: string }[] }>(json.stdout);
    expect(doc.events[0]?.actor).toBe(EVIL);
    expect(doc.events[0]?.id).toBe('id-1\u202e');
    const html = sev(['timeline', file, '--format', 'html']);
    expect(html.code).toBe(0);
    clean(html.stdout.replace(/\n/g, ''));
  });

  it('postmortem: no control, tables keep their columns, no forged heading', () => {
    const { file } = evilLog();
    const r = sev(['postmortem', file]);
    expect(r.code).toBe(0);
    clean(r.stdout);
    expect(r.stdout).not.toMatch(/^# not a heading/m);
    expect(r.stdout).not.toMatch(/^TODO fake/m);
    const actions = r.stdout.slice(r.stdout.indexOf('## Action items'), r.stdout.indexOf('## Root cause'));
    const rows = actions.split('\n').filter((l) => l.startsWith('| '));
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length, row).toBe(8);
    // The visible escape's backslash is escaped for Markdown: the rendered page shows \x1b[5m.
    expect(actions).toContain('check \\| the refunds\\\\x1b[5m');
  });

  it('status and note: no control in the table, the JSON or the confirmation', () => {
    const { dir } = evilLog();
    const table = sev(['status', '--incident-dir', dir]);
    expect(table.code).toBe(0);
    clean(table.stdout);
    clean(table.stderr);
    const json = sev(['status', '--json', '--incident-dir', dir]);
    clean(json.stdout.replace(/\n/g, ''));
    expect(parseJson<{ responders: string[] }[]>(json.stdout)[0]?.responders).toEqual([EVIL]);
    const note = sev(['note', INCIDENT, 'seen', '--as', EVIL, '--incident-dir', dir]);
    expect(note.code).toBe(0);
    clean(note.stdout);
    expect(note.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(readFileSync(join(dir, `${INCIDENT}.evil.jsonl`), 'utf8')).toContain('"text":"seen"');
  });

  it('an error message that quotes a log is sanitised too', () => {
    const { file } = evilLog();
    const other = tempDir({
      'x.jsonl':
        JSON.stringify({
          v: 1,
          id: 'o',
          seq: 1,
          time: '2026-11-26T23:52:10.000Z',
          incident: 'other\x1b]0;X\x07',
          actor: 'a',
          type: 'note',
          data: { text: 'x' },
        }) + '\n',
    });
    const r = sev(['timeline', file, join(other, 'x.jsonl')]);
    expect(r.code).toBe(2);
    clean(r.stderr);
    expect(r.stderr).toContain('other\\x1b]0;X\\x07');
  });
});
