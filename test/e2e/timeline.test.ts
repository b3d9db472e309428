import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT, parseJson, sev, tempDir, warnSkipped } from '../helpers.js';

const LOGS = 'test/fixtures/logs/incident';
const INCIDENT = '20261126T235210Z-server-failure-k3f9';
const FILES = ['alice', 'bob', 'dave'].map((r) => `${LOGS}/${INCIDENT}.${r}.jsonl`);
const GOLDEN = join(ROOT, 'test/golden');

/**
 * Compares with the golden file. UPDATE_GOLDEN=1 writes it (review the diff before committing); without it a
 * missing golden file fails the test, so a deleted one is never re-created from the code under test.
 */
function golden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
  } else if (!existsSync(file)) {
    throw new Error(
      `golden file ${file} is missing: run UPDATE_GOLDEN=1 npx vitest run test/e2e/timeline.test.ts to write it, and review it before committing`,
    );
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

const run = (args: string[]) => sev(args, { cwd: ROOT });

/** The JSON timeline, as far as these tests read it. */
interface TimelineJson {
  events: { id: string; time: string; source: { file: string; line: number }; copies?: { file: string; line: number }[] }[];
  metrics: { metrics: { ms: number | null }[] };
}
const timeline = (text: string) => parseJson<TimelineJson>(text);

/**
 * The little of the DOM the drawn page is read through. It is only ever used inside page.evaluate, in the
 * browser: the tests are type-checked without the DOM library, as the sources run on Node.
 */
interface PageElement {
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { width: number };
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
};
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('sev timeline: golden files of each format', () => {
  for (const format of ['text', 'md', 'json', 'csv', 'html'] as const) {
    it(`--format ${format}`, () => {
      const r = run(['timeline', ...FILES, '--format', format]);
      expect(r.code).toBe(0);
      golden(`timeline.${format === 'text' ? 'txt' : format}`, r.stdout);
      // Damaged input is reported on stderr, not fatal.
      expect(r.stderr).toMatch(/dave\.jsonl:6: the last line is incomplete/);
      expect(r.stderr).toMatch(/bob\.jsonl:1: clock disagrees .* behind by at least 1m 20s/);
    });
  }

  it('postmortem', () => {
    const r = run(['postmortem', ...FILES]);
    expect(r.code).toBe(0);
    golden('postmortem.md', r.stdout);
  });

  it('a log with clock events: every round in the metrics, the clock events in the timeline', () => {
    const log = 'test/fixtures/logs/clocks/20261202T161916Z-clocked-larm.root.jsonl';
    const timeline = run(['timeline', log]);
    expect(timeline.code).toBe(0);
    golden('timeline-clocks.txt', timeline.stdout);
    expect(timeline.stdout).toContain('Updates on time  0/1');
    const postmortem = run(['postmortem', log]);
    expect(postmortem.code).toBe(0);
    golden('postmortem-clocks.md', postmortem.stdout);
    expect(postmortem.stdout).toContain('| Updates on time | 0/1 |');
  });

  it('--tz shows another zone, with dates when the timeline crosses midnight there', () => {
    const r = run(['timeline', ...FILES, '--tz', 'Asia/Tokyo']);
    expect(r.code).toBe(0);
    golden('timeline-tokyo.txt', r.stdout);
    expect(r.stdout).toContain('times in Asia/Tokyo');
    expect(r.stdout).toMatch(/^ {2}2026-11-27\n {4}08:50:50\.000 {2}bob/m);
  });
});

describe('sev timeline: input', () => {
  it('takes an incident id (every log of it in the incident directory), the same as the files', () => {
    const byId = run(['timeline', 'k3f9', '--incident-dir', LOGS, '--format', 'json']);
    const byFiles = run(['timeline', ...FILES, '--format', 'json']);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toBe(byFiles.stdout);
    const doc = timeline(byId.stdout);
    expect(doc.events).toHaveLength(32);
    expect(doc.events[0]?.source).toEqual({ file: FILES[1], line: 1 });
  });

  it('is deterministic whatever the order of the events within a millisecond across logs (log order, then seq)', () => {
    const doc = timeline(run(['timeline', ...FILES, '--format', 'json']).stdout);
    const at = doc.events.filter((e) => e.time === '2026-11-26T23:54:00.000Z').map((e) => e.id);
    expect(at).toEqual(['b-05', 'd-01']);
    const times = doc.events.map((e) => Date.parse(e.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('shows an event present in two files once, with its copy', () => {
    const doc = timeline(run(['timeline', ...FILES, '--format', 'json']).stdout);
    const copies = doc.events.filter((e) => e.id === 'b-10');
    expect(copies).toHaveLength(1);
    expect(copies[0]?.copies).toEqual([{ file: FILES[2], line: 5 }]);
  });

  it('writes to --out and says where', () => {
    const dir = tempDir();
    const out = join(dir, 'timeline.html');
    const r = run(['timeline', ...FILES, '--format', 'html', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`written to ${out}`);
    expect(readFileSync(out, 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('merges the logs of a real run and a note from another terminal', () => {
    const dir = tempDir({ marker: 'bad' });
    const incidents = join(dir, 'incidents');
    writeFileSync(
      join(dir, 'answers.yaml'),
      [
        'inputs: { token: tok-SECRET-42 }',
        'steps:',
        `  where: ${join(dir, 'marker')}`,
        '  confirm-outage: continue',
        '  declare: Some users',
        '  tell-users: yes',
        '  restart: yes',
        '  wrap-up: yes',
        '',
      ].join('\n'),
    );
    const env = { CI: 'true' };
    const started = sev(
      ['run', join(ROOT, 'test/fixtures/run/drill.yaml'), '--answers', 'answers.yaml', '--as', 'alice', '--incident-dir', incidents],
      { cwd: dir, env },
    );
    expect(started.code).toBe(0);
    const id = readdirSync(incidents)[0]!.split('.')[0]!;
    expect(
      sev(['note', id, 'TODO', 'page', 'the', 'ledger', 'team', 'sooner', '--as', 'bob', '--incident-dir', incidents], { cwd: dir, env })
        .code,
    ).toBe(0);
    const r = sev(['postmortem', id, '--incident-dir', incidents], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`# Postmortem: Wallet API drill — ${id}`);
    expect(r.stdout).toMatch(/\| 1 \| page the ledger team sooner \| \| \| bob, /);
    expect(r.stdout).toMatch(/\| Time to acknowledge \| (\d+ms|[\d.]+s|\d+m \d+s) \|/);
    expect(r.stdout).toContain('no impact-started milestone');
    expect(r.stdout).not.toContain('tok-SECRET-42');
    const json = timeline(sev(['timeline', id, '--incident-dir', incidents, '--format', 'json'], { cwd: dir, env }).stdout);
    expect(json.metrics.metrics.map((m) => m.ms === null)).toEqual([false, false, false, false]);
  });
});

describe('sev timeline and sev postmortem: a milestone recorded more than once', () => {
  const INC = '20261201T100000Z-drill-ms01';
  const at = (minutes: number, seconds = 0) => new Date(Date.UTC(2026, 11, 1, 10, minutes, seconds)).toISOString();
  const runbook = { id: 'drill', title: 'Wallet API drill', version: '1.0.0', hash: '0'.repeat(64), file: 'drill.yaml' };
  const line = (actor: string, seq: number, time: string, type: string, data: object) =>
    JSON.stringify({ v: 1, id: `${actor}-${seq}`, seq, time, incident: INC, actor, type, data });
  const milestone = (actor: string, seq: number, time: string, name: string) =>
    line(actor, seq, time, 'milestone', { milestone: name, step: 'work' });

  /** Alice records acknowledged twice in her own log; Bob records detected, mitigated and resolved again, later, in his. */
  function logs() {
    const dir = tempDir({
      [`${INC}.alice.jsonl`]: [
        line('alice', 1, at(0), 'incident.started', {
          runbook,
          severity: 'SEV2',
          responder: 'alice',
          dryRun: false,
          host: 'h1',
          sevVersion: '0.1.0',
        }),
        milestone('alice', 2, at(0, 10), 'impact-started'),
        milestone('alice', 3, at(1), 'detected'),
        milestone('alice', 4, at(3), 'acknowledged'),
        milestone('alice', 5, at(5), 'acknowledged'),
        milestone('alice', 6, at(10), 'mitigated'),
        milestone('alice', 7, at(20), 'resolved'),
        line('alice', 8, at(21), 'incident.closed', { outcome: 'completed', step: 'work' }),
        '',
      ].join('\n'),
      [`${INC}.bob.jsonl`]: [
        line('bob', 1, at(0, 30), 'incident.joined', { runbook, severity: 'SEV2', responder: 'bob', host: 'h2', sevVersion: '0.1.0' }),
        milestone('bob', 2, at(2), 'detected'),
        milestone('bob', 3, at(15), 'mitigated'),
        milestone('bob', 4, at(30), 'resolved'),
        '',
      ].join('\n'),
    });
    // Bob's log comes first on the command line: the first in time counts, not the first file.
    return [join(dir, `${INC}.bob.jsonl`), join(dir, `${INC}.alice.jsonl`)];
  }
  const minutes = (m: number, s = 0) => (m * 60 + s) * 1000;

  it('counts the first time in the metrics of sev timeline --format json, and says the others do not count', () => {
    const r = sev(['timeline', ...logs(), '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const { metrics } = JSON.parse(r.stdout) as {
      metrics: {
        metrics: { key: string; ms: number | null; to?: { time: string; actor: string } }[];
        milestones: Record<string, { time: string }>;
        severity: { totals: { severity: string; ms: number }[] };
        notes: string[];
      };
    };
    const byKey = Object.fromEntries(metrics.metrics.map((m) => [m.key, m]));
    expect(byKey['time-to-detect']).toMatchObject({ ms: minutes(1) - minutes(0, 10), to: { time: at(1), actor: 'alice' } });
    expect(byKey['time-to-acknowledge']).toMatchObject({ ms: minutes(3) - minutes(1), to: { time: at(3), actor: 'alice' } });
    expect(byKey['time-to-mitigate']).toMatchObject({ ms: minutes(10) - minutes(0, 10), to: { time: at(10) } });
    expect(byKey['time-to-resolve']).toMatchObject({ ms: minutes(20) - minutes(0, 10), to: { time: at(20) } });
    expect(Object.fromEntries(Object.entries(metrics.milestones).map(([name, p]) => [name, p.time]))).toEqual({
      'impact-started': at(0, 10),
      detected: at(1),
      acknowledged: at(3),
      mitigated: at(10),
      resolved: at(20),
    });
    // The time at a severity runs to the first resolution too.
    expect(metrics.severity.totals).toEqual([{ severity: 'SEV2', ms: minutes(20) }]);
    expect(metrics.notes.filter((n) => /recorded more than once; the first .* counts/.test(n))).toHaveLength(4);
  });

  it('counts the first time in the postmortem', () => {
    const r = sev(['postmortem', ...logs()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\| Time to detect \| 50s \| .* \| detected 2026-12-01 10:01:00\.000Z \(alice, /m);
    expect(r.stdout).toMatch(/^\| Time to acknowledge \| 2m 00s \| .* \| acknowledged 2026-12-01 10:03:00\.000Z \(alice, /m);
    expect(r.stdout).toMatch(/^\| Time to mitigate \| 9m 50s \| .* \| mitigated 2026-12-01 10:10:00\.000Z \(alice, /m);
    expect(r.stdout).toMatch(/^\| Time to resolve \| 19m 50s \| .* \| resolved 2026-12-01 10:20:00\.000Z \(alice, /m);
    expect(r.stdout).toContain('mitigated 9m 50s and resolved 19m 50s after impact started');
    expect(r.stdout).toMatch(/^\| Time at SEV2 \| 20m 00s \|/m);
  });
});

describe('sev timeline: bad input is one line and exit 2, never a stack trace', () => {
  const cases: [string, string[], RegExp][] = [
    ['a missing file', ['timeline', 'nope/missing.jsonl'], /^sev: nope\/missing\.jsonl: no such incident log\n/],
    ['an unknown incident', ['timeline', 'zzzz', '--incident-dir', LOGS], /^sev: no incident "zzzz" in /],
    [
      'logs of different incidents',
      ['timeline', FILES[0]!, 'test/fixtures/logs/bad/other-incident.jsonl'],
      /^sev: the logs are of 2 different incidents: .*\nGive the logs of one incident, or --force/,
    ],
    [
      'an empty log',
      ['timeline', 'test/fixtures/logs/bad/empty.jsonl'],
      /^sev: test\/fixtures\/logs\/bad\/empty\.jsonl: is empty: it holds no events\n/,
    ],
    ['an unknown zone', ['timeline', FILES[0]!, '--tz', 'Mars/Olympus'], /^sev: --tz Mars\/Olympus: not a time zone this system knows\n/],
    ['an unknown format', ['timeline', FILES[0]!, '--format', 'pdf'], /argument 'pdf' is invalid/],
    ['no log at all', ['timeline'], /missing required argument/],
    ['a postmortem of a missing file', ['postmortem', 'nope.jsonl'], /^sev: nope\.jsonl: no such incident log\n/],
    [
      'an --out in a missing directory',
      ['timeline', FILES[0]!, '--out', 'no/such/dir/t.txt'],
      /^sev: --out no\/such\/dir\/t\.txt: no such directory\n/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const r = run(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      noStack(r.stderr);
    });
  }

  it('merges logs of different incidents with --force, and says so', () => {
    const r = run(['timeline', FILES[0]!, 'test/fixtures/logs/bad/other-incident.jsonl', '--force']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Merged with --force: 20261126T235210Z-server-failure-k3f9, 20261120T100000Z-server-failure-zz99');
  });
});

// The HTML page in a real browser: Debian's chromium (installed by .ci/run), driven by playwright-core.
const CHROMIUM = '/usr/bin/chromium';
// In CI a missing browser fails the test instead of skipping it.
const NO_CHROMIUM = !existsSync(CHROMIUM) && !process.env.CI;
if (NO_CHROMIUM) warnSkipped('test/e2e/timeline.test.ts', `chromium (${CHROMIUM})`, 'the HTML timeline in a real browser');
describe.skipIf(NO_CHROMIUM)(
  `sev timeline --format html in headless Chromium${NO_CHROMIUM ? ` (skipped: chromium not installed at ${CHROMIUM})` : ''}`,
  () => {
    it('draws one mark per event, the impact window, milestones and severity bands, shows details on click, logs no error', async () => {
      const dir = tempDir();
      const out = join(dir, 'timeline.html');
      expect(run(['timeline', ...FILES, '--format', 'html', '--out', out]).code).toBe(0);
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        const requests: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('request', (r) => requests.push(r.url()));
        await page.goto(pathToFileURL(out).href);
        const drawn = await page.evaluate(() => ({
          events: document.querySelectorAll('#chart circle.ev').length,
          declared: document.querySelector('#chart')!.getAttribute('data-events'),
          failures: document.querySelectorAll('#chart circle.ev.failure').length,
          lanes: document.querySelectorAll('#chart .lane-label').length,
          milestones: [...document.querySelectorAll('#chart .ms-mark')].map((g) => g.getAttribute('data-milestone')),
          bands: [...document.querySelectorAll('#chart .sev-band')].map((b) => b.getAttribute('data-severity')),
          impact: document.querySelector('#impact')?.getBoundingClientRect().width ?? 0,
          rows: document.querySelectorAll('#events tbody tr').length,
        }));
        expect(drawn.events).toBe(32);
        expect(drawn.declared).toBe('32');
        expect(drawn.rows).toBe(32);
        // The CRITICAL check, the failed step and the failed command.
        expect(drawn.failures).toBe(3);
        expect(drawn.lanes).toBe(4);
        expect(drawn.milestones).toEqual(['impact-started', 'detected', 'acknowledged', 'mitigated', 'resolved']);
        expect(drawn.bands).toEqual(['SEV3', 'SEV2', 'SEV3']);
        expect(drawn.impact).toBeGreaterThan(100);
        await page.click('#chart circle.ev.failure >> nth=2');
        const details = await page.textContent('#details');
        expect(details).toContain('command FAILED: exit 1');
        expect(details).toContain('"stderr": "Error from server (NotFound)');
        expect(errors).toEqual([]);
        expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  },
);

describe('sev timeline: output', () => {
  it('ends quietly (exit 0) when the reader goes away, as with | head', () => {
    const r = spawnSync(
      'sh',
      ['-c', `node ${JSON.stringify(join(ROOT, 'bin/sev.js'))} timeline ${FILES.join(' ')} --format html | head -1`],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    expect(r.stdout).toBe('<!doctype html>\n');
    expect(r.stderr).not.toMatch(/internal error|EPIPE/);
  });

  it('never overwrites a log it reads', () => {
    const before = readFileSync(FILES[0]!, 'utf8');
    const r = run(['timeline', ...FILES, '--out', FILES[0]!]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is one of the incident logs being read; it would be overwritten/);
    expect(readFileSync(FILES[0]!, 'utf8')).toBe(before);
  });

  it('never writes through a link to a log, and replaces an output file only when the new one is complete', () => {
    const dir = tempDir();
    const log = join(dir, 'incident.jsonl');
    copyFileSync(join(ROOT, FILES[0]!), log);
    const before = readFileSync(log, 'utf8');
    symlinkSync(log, join(dir, 'soft.txt'));
    linkSync(log, join(dir, 'hard.txt'));
    for (const name of ['soft.txt', 'hard.txt']) {
      const r = sev(['timeline', log, '--out', join(dir, name)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is one of the incident logs being read/);
    }
    expect(readFileSync(log, 'utf8')).toBe(before);
    // A draft written earlier is replaced whole, and no partial file is left beside it.
    writeFileSync(join(dir, 'pm.md'), 'edited draft');
    expect(sev(['postmortem', log, '--out', join(dir, 'pm.md')]).code).toBe(0);
    expect(readFileSync(join(dir, 'pm.md'), 'utf8')).toMatch(/^# Postmortem/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
