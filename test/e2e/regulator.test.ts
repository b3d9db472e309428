import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, aStringContaining, anObjectContaining, sev, tempDir, warnSkipped } from '../helpers.js';
import { HAS_TMUX, NEEDS_TMUX, Tmux } from '../tmux.js';

/** The regulator step through the real CLI: answers files, a team's own rules, sev validate, a terminal. */

const FIXTURES = join(ROOT, 'test/fixtures/regulator');
const DRILL = join(FIXTURES, 'drill.yaml');

interface Event {
  type: string;
  data: Record<string, unknown>;
}

function events(incidents: string): Event[] {
  const files = readdirSync(incidents).filter((f) => f.endsWith('.jsonl'));
  expect(files).toHaveLength(1);
  return readFileSync(join(incidents, files[0]!), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Event);
}
const logFile = (incidents: string) =>
  join(
    incidents,
    readdirSync(incidents).find((f) => f.endsWith('.jsonl'))!,
  );
const regulator = (list: Event[]) => list.filter((e) => e.type.startsWith('regulator.'));
/** A UTC time some minutes ago, as a person types it. */
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString().slice(0, 16).replace('T', ' ') + 'Z';
const NOTHING_ELSE =
  'interruption: 0m, transactions_affected: 0, customers_exposed: 0, personal_data: no, eu_entity: no, eu_residents: no, ' +
  'dora_major: no, clients_financial_interests: no, card_data: no';

function workspace(answers: string) {
  const dir = tempDir({ 'answers.yaml': answers });
  return { dir, answers: join(dir, 'answers.yaml'), incidents: join(dir, 'incidents') };
}

describe('the regulator step, scripted', () => {
  it('takes a fact from an input, asks the rest, and records a filing late by an hour and a half, which the timeline and postmortem show', () => {
    const w = workspace(`inputs: { leaked_records: "6000" }
steps:
  aware: ${ago(180)}
  declare: done
  notify:
    facts: { ${NOTHING_ELSE} }
    filed:
      pboc-incident: { at: ${ago(60)}, by: head of compliance, reference: PBOC-118 }
  fixed: done
`);
    const r = sev(['run', DRILL, '--answers', w.answers, '--incident-dir', w.incidents], { cwd: w.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/the team must check them against the current\s+texts/);
    expect(r.stderr).toMatch(
      /1 notification to file:\n {2}● Network security incident report of a payment institution — People's Bank of China/,
    );
    expect(r.stderr).toMatch(
      new RegExp(
        /because records_leaked 6,000 is at least 5,000\n/.source +
          / {6}initial {6}due \d{4}-\d\d-\d\d \d\d:\d\dZ \(overdue by 2h3[01]m\) · 30m from awareness\n/.source +
          / {6}intermediate {1}due \d{4}-\d\d-\d\d \d\d:\d\dZ \(overdue by 1h(1m)?\) · 2h from awareness/.source,
      ),
    );
    expect(r.stderr).toMatch(/○ Personal data breach notification \(GDPR Article 33\) — .*: personal_data is no, not yes/);
    const list = events(w.incidents);
    const [assessed, filed, ...rest] = regulator(list);
    // The incident report (事发报告) is not filed yet: it stays pending.
    expect(rest).toEqual([
      expect.objectContaining({
        type: 'regulator.pending',
        data: anObjectContaining({ notification: 'pboc-incident', deadline: 'intermediate' }),
      }),
    ]);
    expect(assessed!.data.facts).toMatchObject({
      records_leaked: { value: '6,000', source: 'input leaked_records' },
      personal_data: { value: 'no', source: 'answer' },
    });
    const pboc = (assessed!.data.notifications as { id: string; applies: boolean; deadlines: { due: string }[] }[]).find(
      (n) => n.id === 'pboc-incident',
    )!;
    expect(pboc.applies).toBe(true);
    // The brief report due 30 minutes, the incident report 2 hours, after the awareness typed at the input step,
    // which dated the detected milestone.
    const aware = list.find((e) => e.type === 'milestone' && e.data.milestone === 'detected')!.data.at as string;
    expect(pboc.deadlines.map((d) => Date.parse(d.due) - Date.parse(aware))).toEqual([1_800_000, 7_200_000]);
    expect(filed).toMatchObject({
      type: 'regulator.filed',
      data: { notification: 'pboc-incident', deadline: 'initial', by: 'head of compliance', reference: 'PBOC-118', lateMs: 5_400_000 },
    });

    const timeline = sev(['timeline', logFile(w.incidents)]);
    expect(timeline.stdout).toMatch(
      /regulator notification filed: pboc-incident initial at \S+ by head of compliance \(reference PBOC-118\), 1h 30m 00s late/,
    );
    const postmortem = sev(['postmortem', logFile(w.incidents)]);
    expect(postmortem.code).toBe(0);
    expect(postmortem.stdout).toContain('## Regulator notifications');
    expect(postmortem.stdout).toMatch(
      new RegExp(
        /\| Network security incident report of a payment institution \(`pboc-incident`\) \| .* \| initial \| [^|]+ \| [^|]+ /.source +
          /\| head of compliance \| PBOC-118 \| \*\*late by 1h 30m 00s\*\* \| \[1\]:\d+ \|/.source,
      ),
    );
    expect(postmortem.stdout).toMatch(
      /- Personal data breach notification \(GDPR Article 33\) \(`gdpr-breach`, .*\): personal_data is no, not yes/,
    );
  });

  it('a fact the answers leave out pauses the incident with exit 2 and says which', () => {
    const w = workspace(`steps:
  aware: ${ago(10)}
  declare: done
  notify: { facts: { interruption: 0m } }
`);
    const r = sev(['run', DRILL, '--answers', w.answers, '--incident-dir', w.incidents], { cwd: w.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        /^sev: no answer for step "notify" \(facts: transactions_affected, customers_exposed, personal_data, eu_entity, eu_residents, /
          .source + /dora_major, clients_financial_interests, card_data\) in .*answers\.yaml, and no terminal to ask$/.source,
        'm',
      ),
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(events(w.incidents).at(-1)).toMatchObject({ type: 'incident.paused', data: { step: 'notify', reason: 'missing-answer' } });
  });

  it('a filing time still to come is refused', () => {
    const w = workspace(`inputs: { leaked_records: "6000" }
steps:
  aware: ${ago(10)}
  declare: done
  notify:
    facts: { ${NOTHING_ELSE} }
    filed: { pboc-incident: { at: ${ago(-120)} } }
`);
    const r = sev(['run', DRILL, '--answers', w.answers, '--incident-dir', w.incidents], { cwd: w.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sev: step "notify": filed pboc-incident: \S+ is still to come: record a filing once it is made$/m);
    expect(regulator(events(w.incidents)).map((e) => e.type)).toEqual(['regulator.assessed']);
  });

  it('a dry run shows the assessment and records no filing', () => {
    const w = workspace(`inputs: { leaked_records: "6000" }
steps:
  aware: ${ago(10)}
  declare: done
  notify: { facts: { ${NOTHING_ELSE} }, filed: { pboc-incident: yes } }
  fixed: done
`);
    const r = sev(['run', DRILL, '--dry-run', '--answers', w.answers, '--incident-dir', w.incidents], { cwd: w.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('dry run: no filing is asked or recorded');
    expect(regulator(events(w.incidents)).map((e) => e.type)).toEqual(['regulator.assessed']);
  });

  it("a team's regulators.yaml in --runbooks DIR replaces the shipped rules", () => {
    const w = workspace(`inputs: { leaked_records: "3" }
steps:
  aware: ${ago(30)}
  declare: done
  notify: { filed: { acme-dpa: { by: dpo, reference: ACME-1 } } }
  fixed: done
`);
    const runbooks = tempDir();
    copyFileSync(join(FIXTURES, 'team-regulators.yaml'), join(runbooks, 'regulators.yaml'));
    const r = sev(['run', DRILL, '--runbooks', runbooks, '--answers', w.answers, '--incident-dir', w.incidents], { cwd: w.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("Acme's own rules, checked by legal on 2026-11-01.");
    const [assessed, filed] = regulator(events(w.incidents));
    expect(assessed!.data.rules).toMatchObject({ file: join(runbooks, 'regulators.yaml'), version: 'team-7' });
    expect((assessed!.data.notifications as { id: string }[]).map((n) => n.id)).toEqual(['acme-dpa']);
    expect(filed!.data).toMatchObject({ notification: 'acme-dpa', by: 'dpo', reference: 'ACME-1', lateMs: 0 });
    // The rules file is not a runbook: sev list leaves it out, sev validate checks it.
    const list = sev(['list', '--runbooks', runbooks, '--json']);
    expect(list.stdout).not.toContain('regulators.yaml');
    expect(sev(['validate', runbooks]).code).toBe(0);
  });

  it('a run in Chinese asks the facts and names the notifications in Chinese; the conditions and the log stay the same', () => {
    const w = workspace(`inputs: { leaked_records: "6000" }
steps:
  aware: ${ago(20)}
  declare: done
  notify: { facts: { ${NOTHING_ELSE} } }
  fixed: done
`);
    copyFileSync(DRILL, join(w.dir, 'drill.yaml'));
    writeFileSync(
      join(w.dir, 'drill.zh-CN.yaml'),
      'format: sevkit-translation/v1\ntranslates: regulator-drill\nlang: zh-CN\ntitle: 监管报送演练\n',
    );
    const r = sev(['run', join(w.dir, 'drill.yaml'), '--lang', 'zh-CN', '--answers', w.answers, '--incident-dir', w.incidents], {
      cwd: w.dir,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('? 支付业务中断了多长时间？（时长，如 2h30m；未中断填 0m） → 0m');
    expect(r.stderr).toMatch(/1 notification to file:\n {2}● 支付机构网络安全事件报告 — 中国人民银行（或机构注册地的人民银行分支机构）/);
    expect(r.stderr).toContain('不构成法律意见');
    const [assessed] = regulator(events(w.incidents));
    const pboc = (assessed!.data.notifications as { id: string; applies: boolean; reason: string; files: string }[]).find(
      (n) => n.id === 'pboc-incident',
    )!;
    expect(pboc).toMatchObject({
      applies: true,
      files: '合规负责人（机构在人民银行登记的报告联系人）',
      reason: aStringContaining('records_leaked 6,000 is at least 5,000'),
    });
    // The same incident in English: the same verdicts, the rules' own texts.
    const en = workspace(readFileSync(w.answers, 'utf8'));
    const e = sev(['run', DRILL, '--answers', en.answers, '--incident-dir', en.incidents], { cwd: en.dir });
    expect(e.code, e.stderr).toBe(0);
    const english = regulator(events(en.incidents))[0]!.data.notifications as { id: string; applies: boolean; title: string }[];
    expect(english.map((n) => [n.id, n.applies])).toEqual((assessed!.data.notifications as typeof english).map((n) => [n.id, n.applies]));
    expect(english[0]!.title).toBe('Network security incident report of a payment institution');
  });
});

describe('sev validate on regulator rules and steps', () => {
  it('reports a bad deadline, an unknown fact and a test that does not fit its fact at file:line:col', () => {
    const text = readFileSync(join(FIXTURES, 'team-regulators.yaml'), 'utf8')
      .replace('within: 2h', 'within: 2 hours')
      .replace(
        '{ fact: records_leaked, at_least: 1 }',
        '{ fact: records_leakd, at_least: 1 }\n        - { fact: records_leaked, is: "yes" }',
      );
    const dir = tempDir({ 'regulators.yaml': text });
    const file = join(dir, 'regulators.yaml');
    const r = sev(['validate', file]);
    expect(r.code).toBe(1);
    const findings = r.stdout.split('\n').filter((l) => l.startsWith(file));
    expect(findings).toEqual([
      `${file}:14:19: error: no fact is named "records_leakd": did you mean "records_leaked"? (facts: records_leaked) [regulator-unknown-fact]`,
      `${file}:15:39: error: "is" tests a yes-no fact; "records_leaked" is a number: use over or at_least [regulator-condition]`,
      `${file}:17:34: error: "2 hours" is not a deadline: ` +
        'write immediately, or minutes (m), hours (h), days (d) and months (mo), such as 4h, 72h, 5d or 1mo [schema]',
    ]);
  });

  it('reports a translation of the rules that names no fact or notification, and one that leaves texts out', () => {
    const text = `${readFileSync(join(FIXTURES, 'team-regulators.yaml'), 'utf8').trimEnd()}
translations:
  zh-CN:
    facts:
      records_leakd: { prompt: 泄露了多少条记录？ }
    notifications:
      acme-dpa: { title: 向数据保护机构报告 }
`;
    const dir = tempDir({ 'regulators.yaml': text });
    const file = join(dir, 'regulators.yaml');
    const lines = text.split('\n');
    const line = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    const r = sev(['validate', '--strict', file]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter((l) => l.startsWith(file))).toEqual([
      `${file}:${line('zh-CN:')}:3: warning: zh-CN: no text for notice, facts.records_leaked.prompt: the English is shown [regulator-missing-translation]`,
      `${file}:${line('records_leakd')}:7: error: zh-CN: no fact is named "records_leakd": did you mean "records_leaked"? [regulator-stray-translation]`,
    ]);
  });

  it('reports a regulator step that feeds an unknown fact or from an unknown input', () => {
    const text = readFileSync(DRILL, 'utf8').replace(
      '        records_leaked: leaked_records',
      '        records_leakd: leaked_records\n        card_data: card_input',
    );
    const dir = tempDir({ 'drill.yaml': text });
    const file = join(dir, 'drill.yaml');
    const r = sev(['validate', file]);
    expect(r.code).toBe(1);
    const findings = r.stdout.split('\n').filter((l) => l.startsWith(file));
    expect(findings[0]).toBe(
      `${file}:24:9: error: ${join(ROOT, 'runbooks/regulators.yaml')} declares no fact "records_leakd": did you mean "records_leaked"? ` +
        '(facts: interruption, transactions_affected, records_leaked, customers_exposed, personal_data, eu_entity, eu_residents, ' +
        'dora_major, clients_financial_interests, card_data) [regulator-facts]',
    );
    expect(findings[1]).toBe(
      `${file}:25:20: error: fact "card_data" is fed by input "card_input", which the runbook does not define [regulator-facts]`,
    );
  });

  it('a broken regulators file is refused before an incident starts, and flagged on the runbooks that use it', () => {
    const runbooks = tempDir({
      'regulators.yaml': readFileSync(join(FIXTURES, 'team-regulators.yaml'), 'utf8').replace('within: 2h', 'within: soon'),
    });
    const incidents = join(runbooks, 'incidents');
    const r = sev(['run', DRILL, '--runbooks', runbooks, '--yes', '--incident-dir', incidents]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`^sev: ${join(runbooks, 'regulators.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:16:34: "soon" is not a deadline`, 'm'),
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(incidents)).toBe(false);
    // Beside the runbook, the same file makes the runbook's regulator step a finding.
    copyFileSync(DRILL, join(runbooks, 'drill.yaml'));
    const v = sev(['validate', join(runbooks, 'drill.yaml')]);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain(
      `${join(runbooks, 'drill.yaml')}:22:5: error: the regulators file ${join(runbooks, 'regulators.yaml')} has 1 error: sev run would stop at this step`,
    );
  });

  it('sev show says what the step assesses', () => {
    const r = sev(['show', DRILL]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        /3\. notify — Notify the regulators \[regulator\]\n/.source +
          /\s+assesses regulator notifications \(.*runbooks\/regulators\.yaml\)\n/.source +
          /\s+pboc-incident, cac-incident, dora-major-ict, dora-clients, gdpr-breach, card-schemes\n/.source +
          /\s+facts from inputs: records_leaked ← leaked_records/.source,
      ),
    );
  });
});

if (!HAS_TMUX) warnSkipped('test/e2e/regulator.test.ts', 'tmux', 'the interactive regulator step in a real terminal');
describe.skipIf(!HAS_TMUX)(`the regulator step at a terminal (tmux)${NEEDS_TMUX}`, () => {
  const servers: Tmux[] = [];
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/cli.js'))) throw new Error('dist/ is missing: run npm run build first');
  });
  afterEach(() => {
    for (const s of servers.splice(0)) s.kill();
  });

  it('asks the facts, shows the verdict, and records a filing typed at the prompts', async () => {
    const dir = tempDir();
    const incidents = join(dir, 'incidents');
    const runbooks = tempDir();
    copyFileSync(join(FIXTURES, 'team-regulators.yaml'), join(runbooks, 'regulators.yaml'));
    // Without the input feeding it, the team's one fact is asked at the step.
    const drill = join(dir, 'drill.yaml');
    writeFileSync(
      drill,
      readFileSync(DRILL, 'utf8')
        .replace('    regulator:\n      facts:\n        records_leaked: leaked_records\n', '    regulator: {}\n')
        .replace(/inputs:\n(.|\n)*?steps:/, 'steps:'),
    );
    const tmux = new Tmux();
    servers.push(tmux);
    const run = tmux.start('sev-regulator', dir, ['run', drill, '--runbooks', runbooks, '--as', 'carol', '--incident-dir', incidents]);
    await run.waitFor(/^\? When did we become aware/m);
    run.type(ago(30));
    run.keys('Enter');
    await run.waitFor(/^❯ Done$/m);
    run.keys('Enter');
    await run.waitFor(/^\? Records leaked\?/m);
    run.type('12');
    run.keys('Enter');
    const screen = await run.waitFor(/^\? Acme breach notice \(Acme data protection authority\): initial report filed\?.*\n❯ Filed$/m);
    expect(screen).toMatch(
      new RegExp(
        /1 notification to file:\n {2}● Acme breach notice — Acme data protection authority\n/.source +
          / {6}because records_leaked 12 is at least 1\n {6}initial {6}due \S+ \S+ \(1h\d+m left\) · 2h from awareness/.source,
      ),
    );
    run.keys('Enter');
    await run.waitFor(/^\? Filed at \(09:30, 20m ago, now, or a UTC time\):/m);
    run.keys('Enter'); // now, the default
    await run.waitFor(/^\? Filed by: \(carol\)/m);
    run.keys('Enter');
    await run.waitFor(/^\? The regulator's reference/m);
    run.type('ACME-42');
    run.keys('Enter');
    await run.waitFor(/^Step 4\/4 · fixed/m);
    run.keys('Enter');
    expect(await run.exitCode()).toBe(0);
    const [assessed, filed] = regulator(events(incidents));
    expect(assessed!.data.facts).toEqual({ records_leaked: { value: '12', source: 'answer' } });
    expect(filed!.data).toMatchObject({ notification: 'acme-dpa', deadline: 'initial', by: 'carol', reference: 'ACME-42', lateMs: 0 });
  }, 60_000);
});
