import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, anInstanceOf, tempDir, testSeed, warnSkipped, type LoggedEvent } from '../helpers.js';
import { HAS_TMUX, NEEDS_TMUX, Tmux } from '../tmux.js';

/** The real interactive `sev run` and `sev resume`, in a real pseudo-terminal (tmux). */

const RUNBOOK = join(ROOT, 'test/fixtures/run/drill.yaml');
const COMMAND = 'echo restarting "$SEV_SERVICE" && echo ok > "$SEV_MARKER"';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const { random } = testSeed('test/e2e/interactive.test.ts');
/** Hex digits from the file's seeded random numbers. */
const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');

type Event = LoggedEvent;

function readLog(file: string): Event[] {
  const text = readFileSync(file, 'utf8');
  expect(text.endsWith('\n'), 'the log ends with a whole line').toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line, i) => {
      try {
        return JSON.parse(line) as Event;
      } catch {
        throw new Error(`${file}: line ${i + 1} is not JSON: ${line}`);
      }
    });
}

const ofType = (events: Event[], type: string) => events.filter((e) => e.type === type);

if (!HAS_TMUX) warnSkipped('test/e2e/interactive.test.ts', 'tmux', 'the interactive sev run and sev resume in a real terminal');
describe.skipIf(!HAS_TMUX)(`interactive sev run in a terminal (tmux)${NEEDS_TMUX}`, () => {
  const servers: Tmux[] = [];
  const server = () => {
    const s = new Tmux();
    servers.push(s);
    return s;
  };

  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/cli.js'))) throw new Error('dist/ is missing: run npm run build first');
  });

  afterEach(() => {
    for (const s of servers.splice(0)) s.kill();
  });

  it('walks the drill with keys, pauses on Ctrl-C, and sev resume finishes it where it stopped', async () => {
    const dir = tempDir({ marker: 'bad\n' });
    const marker = join(dir, 'marker');
    const incidents = join(dir, 'incidents');
    const secret = `tok-${hex(12)}`;
    const note = 'dashboards red since 10:02';
    const tmux = server();

    // ── sev run ──────────────────────────────────────────────────────────
    const run = tmux.start('sev-run', dir, ['run', RUNBOOK, '--as', 'bob', '--incident-dir', incidents]);
    let screen = await run.waitFor(/^\? Service name .*\(wallet-api\)$/m);
    const id = /^Incident (\S+) · Wallet API drill · SEV3 · bob$/m.exec(screen)?.[1];
    expect(id, screen).toBeTruthy();
    const logFile = join(incidents, `${id}.bob.jsonl`);
    expect(screen).toContain(`Log: ${logFile}`);

    // Enter takes the default; the secret is typed at a password prompt and shown masked.
    run.keys('Enter');
    await run.waitFor(/^✔ Service name .* wallet-api\n\? API token/m);
    run.type(secret);
    await run.waitFor(new RegExp(`^\\? API token •{${secret.length}}$`, 'm'));
    run.keys('Enter');
    await run.waitFor(new RegExp(`^✔ API token •+\\n+Step 1/7 · where\\n.*\\n\\? Path of the marker file`, 'm'));
    // A text command that cannot be done is refused in place, not taken as the answer.
    run.type('/sev sev9');
    run.keys('Enter');
    await run.waitFor(/^> \/sev takes one of SEV1, SEV2, SEV3, SEV4$/m);
    run.keys('C-u');
    run.type(marker);
    run.keys('Enter');

    // confirm-outage fails (the marker says "bad") and goes on; declare asks how many users.
    screen = await run.waitFor(/^Step 3\/7 · declare\n.*\n\? How many users are affected\?\n❯ Most users$/m);
    expect(screen).toMatch(/│ healthy\s+│ CRITICAL/);

    // A note through the menu: down past the options and the separator to "Add a note".
    run.keys('Down', 'Down', 'Down');
    await run.waitFor(/^❯ Add a note$/m);
    run.keys('Enter');
    await run.waitFor(/^✔ How many users are affected\? Add a note\n\? Note:/m);
    run.type(note);
    run.keys('Enter');
    // The same question comes back; an arrow key picks "Some users", which sets SEV2.
    await run.waitFor(new RegExp(`^✔ Note: ${escape(note)}\\n\\? How many users are affected\\?\\n❯ Most users$`, 'm'));
    run.keys('Down');
    await run.waitFor(/^❯ Some users$/m);
    run.keys('Enter');
    screen = await run.waitFor(/^Step 4\/7 · tell-users\n.*\n(.|\n)*❯ Sent$/m);
    expect(screen).toMatch(/^✔ How many users are affected\? Some users\n+Step 4\/7 · tell-users\nSEV2 · \d+:\d\d elapsed · /m);
    expect(screen).toMatch(/^Announcement to users via status page\n.*Your money is safe\.\n\? Copy and send it, then confirm:/m);
    let events = readLog(logFile);
    expect(ofType(events, 'note').map((e) => e.data)).toEqual([{ text: note, action: false, step: 'declare' }]);
    expect(ofType(events, 'severity.changed').map((e) => e.data)).toMatchObject([{ from: 'SEV3', to: 'SEV2', step: 'declare' }]);
    run.keys('Enter');

    // The command is shown in full, and nothing has run yet while sev asks.
    screen = await run.waitFor(/^Step 5\/7 · restart\n(.|\n)*^\? Run it\?\n❯ Run it$/m);
    expect(screen).toMatch(/^Step 5\/7 · restart\nSEV2 · /m);
    expect(screen).toContain(`This command will run:\n  $ ${COMMAND}\n? Run it?`);
    expect(ofType(readLog(logFile), 'command.started')).toEqual([]);
    expect(readFileSync(marker, 'utf8')).toBe('bad\n');

    // Ctrl-C at the prompt pauses the incident.
    run.keys('C-c');
    expect(await run.exitCode()).toBe(130);
    screen = run.screen();
    expect(screen).toContain('Paused at step restart.');
    expect(screen).toContain(`To continue: sev resume ${id}`);
    events = readLog(logFile);
    expect(events.at(-1)).toMatchObject({ type: 'incident.paused', data: { step: 'restart', reason: 'interrupted' } });
    expect(readFileSync(marker, 'utf8')).toBe('bad\n');
    const runScreen = screen;

    // ── sev resume ───────────────────────────────────────────────────────
    const resume = tmux.start('sev-resume', dir, ['resume', id!, '--as', 'bob', '--incident-dir', incidents]);
    screen = await resume.waitFor(/^\? API token/m);
    expect(screen).toContain(`Resuming incident ${id} at step restart · SEV2 · bob`);
    expect(screen).toContain('they are asked again: token');
    resume.type(secret);
    await resume.waitFor(new RegExp(`^\\? API token •{${secret.length}}$`, 'm'));
    resume.keys('Enter');
    screen = await resume.waitFor(/^\? Run it\?\n❯ Run it$/m);
    // It goes on at the step it stopped at: the first step shown is restart, with its command.
    expect(screen.match(/^Step \d\/7 · \S+/gm)).toEqual(['Step 5/7 · restart']);
    expect(screen).toMatch(/^Step 5\/7 · restart\nSEV2 · /m);
    expect(screen).toContain(`This command will run:\n  $ ${COMMAND}\n? Run it?`);
    resume.keys('Enter');

    screen = await resume.waitFor(/^Step 7\/7 · wrap-up\n.*\n\? Have you handed over to customer care\?\n❯ Yes$/m);
    expect(screen).toMatch(/^✔ done \(exit 0, .*\)\n {2}│ restarting wallet-api$/m);
    expect(screen).toMatch(/^Step 6\/7 · verify\n(.|\n)*waiting for healthy: attempt 1 OK/m);
    expect(readFileSync(marker, 'utf8')).toBe('ok\n');
    resume.keys('Enter');
    expect(await resume.exitCode()).toBe(0);
    const resumeScreen = resume.screen();
    expect(resumeScreen).toContain(`✔ Incident ${id} walked to the end.`);

    // ── the log ──────────────────────────────────────────────────────────
    events = readLog(logFile);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    for (const e of events) expect(e).toMatchObject({ v: 1, incident: id, actor: 'bob' });
    expect(events[0]!.type).toBe('incident.started');
    expect(events.at(-1)).toMatchObject({ type: 'incident.closed', data: { outcome: 'completed' } });
    expect(ofType(events, 'incident.closed')).toHaveLength(1);
    const resumed = events.findIndex((e) => e.type === 'incident.resumed');
    expect(events[resumed]).toMatchObject({ data: { step: 'restart' } });
    expect(events[resumed - 1]).toMatchObject({ type: 'incident.paused', data: { reason: 'interrupted' } });
    expect(events.slice(resumed).find((e) => e.type === 'step.started')).toMatchObject({ data: { step: 'restart' } });

    const inputs = ofType(events, 'input.set').map((e) => e.data);
    expect(inputs).toContainEqual({ name: 'service', value: 'wallet-api' });
    expect(inputs).toContainEqual({ name: 'marker', value: marker, step: 'where' });
    expect(inputs.filter((d) => d.name === 'token')).toEqual([
      { name: 'token', secret: true },
      { name: 'token', secret: true },
    ]);
    expect(ofType(events, 'step.answered').map((e) => e.data)).toContainEqual({ step: 'declare', answer: 'Some users' });
    expect(ofType(events, 'announcement')).toHaveLength(1);
    const started = ofType(events, 'command.started');
    expect(started.map((e) => e.data)).toEqual([
      {
        step: 'restart',
        command: COMMAND,
        confirmedBy: 'responder',
        changesState: true,
        host: hostname(),
        pgid: anInstanceOf(Number),
        processStart: anInstanceOf(String),
      },
    ]);
    expect(started[0]!.seq).toBeGreaterThan(events[resumed]!.seq);
    expect(ofType(events, 'command.finished')).toMatchObject([{ data: { ok: true, exit: 0 } }]);

    const milestones = ofType(events, 'milestone').map((e) => e.data.milestone);
    expect(milestones.sort()).toEqual(['acknowledged', 'detected', 'mitigated', 'resolved']);

    // The secret is on no screen and in no file of the incident.
    expect(runScreen).not.toContain(secret);
    expect(resumeScreen).not.toContain(secret);
    for (const file of readdirSync(incidents)) expect(readFileSync(join(incidents, file), 'utf8')).not.toContain(secret);
  }, 120_000);
});
