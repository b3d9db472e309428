import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, sev, tempDir } from '../helpers.js';

/** Translations through the real CLI: validate, list, show, run, resume. */

const RUNBOOK = `format: sevkit/v1
id: restart-api
title: Restart the API
version: "1.0.0"
class: server-failure
severity: SEV3
inputs:
  service:
    prompt: Which service?
    default: wallet-api
steps:
  - id: restart
    title: Restart the service
    instructions: Restart {{ service }} on every host.
    command:
      run: echo "restarting $SEV_SERVICE" > restarted.txt
    milestone: mitigated
  - id: done
    title: Check it answers
    confirm: Does it answer again?
    milestone: resolved
`;

// Line 10 is "  restart:", line 11 its title, line 13 "  done:".
const ZH = `format: sevkit-translation/v1
translates: restart-api
lang: zh-CN
runbook_version: "1.0.0"
title: 重启 API
inputs:
  service:
    prompt: 哪个服务？
steps:
  restart:
    title: 重启服务
    instructions: 在每台主机上重启 {{ service }}。
  done:
    title: 确认已恢复应答
    confirm: 服务是否恢复应答？（是/否）
`;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** No SEV_LANG from the environment the tests run in, unless a test sets one. */
const ENV = { CI: 'true', SEV_LANG: '' };

interface Event {
  type: string;
  data: Record<string, unknown>;
}

function events(dir: string): Event[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  expect(files).toHaveLength(1);
  return readFileSync(join(dir, files[0]!), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Event);
}

const team = (files: Record<string, string> = {}) =>
  tempDir({ 'runbooks/restart.yaml': RUNBOOK, 'runbooks/restart.zh-CN.yaml': ZH, ...files });
const findingLines = (stdout: string) => stdout.split('\n').filter((l) => /:\d+:\d+: (error|warning): /.test(l));

describe('sev validate of translations', () => {
  it('passes a complete translation of the current version, with --strict', () => {
    const dir = team();
    const r = sev(['validate', '--strict', 'runbooks'], { cwd: dir, env: ENV });
    expect(r.stdout).toContain('2 files checked, no problems');
    expect(r.code).toBe(0);
  });

  it('reports a stray key as an error and a missing text as a warning, at their file:line:col', () => {
    const zh = ZH.replace('  restart:\n', '  restrat:\n').replace('    title: 确认已恢复应答\n', '');
    const dir = team({ 'runbooks/restart.zh-CN.yaml': zh });
    const file = join('runbooks', 'restart.zh-CN.yaml');
    const r = sev(['validate', 'runbooks'], { cwd: dir, env: ENV });
    expect(findingLines(r.stdout)).toEqual([
      `${file}:9:1: warning: no zh-CN text for steps.restart.title: the runbook's own text is shown [missing-translation]`,
      `${file}:9:1: warning: no zh-CN text for steps.restart.instructions: the runbook's own text is shown [missing-translation]`,
      `${file}:10:3: error: restart-api has no step "restrat": remove "restrat" or correct it [stray-translation-key]`,
      `${file}:13:3: warning: no zh-CN text for steps.done.title: the runbook's own text is shown [missing-translation]`,
    ]);
    expect(r.stdout).toContain('  10 |   restrat:\n     |   ^^^^^^^');
    expect(r.stdout).toContain('2 files checked: 1 error, 3 warnings');
    expect(r.code).toBe(1);
  });

  it('passes missing texts without --strict, and fails them with it', () => {
    const dir = team({ 'runbooks/restart.zh-CN.yaml': ZH.replace('    title: 确认已恢复应答\n', '') });
    expect(sev(['validate', 'runbooks'], { cwd: dir, env: ENV }).code).toBe(0);
    const strict = sev(['validate', '--strict', 'runbooks'], { cwd: dir, env: ENV });
    expect(findingLines(strict.stdout)).toEqual([
      `runbooks/restart.zh-CN.yaml:13:3: warning: no zh-CN text for steps.done.title: the runbook's own text is shown [missing-translation]`,
    ]);
    expect(strict.code).toBe(1);
  });

  it('refuses a translation that sneaks in a command, at the key, and sev run refuses it before anything runs', () => {
    const zh = ZH.replace(
      '    instructions: 在每台主机上重启 {{ service }}。\n',
      '    instructions: 在每台主机上重启 {{ service }}。\n    command:\n      run: touch pwned.txt\n',
    );
    const dir = team({ 'runbooks/restart.zh-CN.yaml': zh });
    const r = sev(['validate', 'runbooks'], { cwd: dir, env: ENV });
    expect(findingLines(r.stdout)).toEqual([
      'runbooks/restart.zh-CN.yaml:13:5: error: unknown key "command" (allowed: title, instructions, confirm, choice, input, announce) [unknown-key]',
    ]);
    expect(r.code).toBe(1);
    const run = sev(['run', 'runbooks/restart.zh-CN.yaml', '--yes', '--incident-dir', 'inc'], { cwd: dir, env: ENV });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('runbooks/restart.zh-CN.yaml:13:5: error: unknown key "command"');
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(join(dir, 'pwned.txt'))).toBe(false);
    expect(existsSync(join(dir, 'restarted.txt'))).toBe(false);
    expect(existsSync(join(dir, 'inc'))).toBe(false);
  });

  it('reports a translation whose runbook is nowhere, and a template naming no input of the runbook', () => {
    const dir = tempDir({
      'runbooks/orphan.de.yaml': ZH.replace('translates: restart-api', 'translates: restart-db'),
      'runbooks/restart.yaml': RUNBOOK,
      'runbooks/restart.zh-CN.yaml': ZH.replace('{{ service }}', '{{ servcie }}'),
    });
    const r = sev(['validate', 'runbooks'], { cwd: dir, env: ENV });
    expect(findingLines(r.stdout)).toEqual([
      'runbooks/orphan.de.yaml:2:13: error: no runbook has the id "restart-db": ' +
        'a translation needs the runbook it translates (in its own directory, --runbooks or the shipped ones) [translation-without-runbook]',
      'runbooks/restart.zh-CN.yaml:12:19: error: {{ servcie }} is not an input or a fact of the incident: did you mean {{ service }}? [undefined-input]',
    ]);
    expect(r.code).toBe(1);
  });

  it('keeps reporting two runbooks with one id, whatever their lang', () => {
    const dir = team({ 'runbooks/restart-copy.yaml': RUNBOOK.replace('severity: SEV3', 'severity: SEV3\nlang: de') });
    const r = sev(['validate', 'runbooks'], { cwd: dir, env: ENV });
    expect(findingLines(r.stdout)).toEqual([
      'runbooks/restart.yaml:2:5: error: runbook id "restart-api" is also used by runbooks/restart-copy.yaml: ids must be unique [duplicate-runbook-id]',
    ]);
    expect(r.code).toBe(1);
  });
});

describe('running a translation', () => {
  it("run --dry-run of the translation shows the Chinese texts and the English file's command, and the log records both files", () => {
    const dir = team();
    const r = sev(['run', 'runbooks/restart.zh-CN.yaml', '--dry-run', '--yes', '--incident-dir', 'inc'], { cwd: dir, env: ENV });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Step 1/2 · restart — 重启服务');
    expect(r.stderr).toContain('在每台主机上重启 wallet-api。');
    expect(r.stderr).toContain('  $ echo "restarting $SEV_SERVICE" > restarted.txt');
    // Shown once, as the command that would run.
    expect(r.stderr.split('echo "restarting $SEV_SERVICE" > restarted.txt')).toHaveLength(2);
    expect(r.stderr).toContain('dry run: not run');
    expect(r.stderr).toContain('Step 2/2 · done — 确认已恢复应答');
    expect(existsSync(join(dir, 'restarted.txt'))).toBe(false);
    const [started] = events(join(dir, 'inc'));
    expect(started).toMatchObject({
      type: 'incident.started',
      data: {
        runbook: {
          id: 'restart-api',
          title: '重启 API',
          version: '1.0.0',
          hash: sha256(RUNBOOK),
          file: join(dir, 'runbooks/restart.yaml'),
          lang: 'zh-CN',
          translation: { lang: 'zh-CN', hash: sha256(ZH), file: join(dir, 'runbooks/restart.zh-CN.yaml') },
        },
      },
    });
  });

  it("--lang runs the runbook's own command with the translation's texts; $SEV_LANG picks it too", () => {
    const dir = team();
    const r = sev(['run', 'restart-api', '--lang', 'zh-CN', '--yes', '--incident-dir', 'inc'], { cwd: dir, env: ENV });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('重启服务');
    expect(readFileSync(join(dir, 'restarted.txt'), 'utf8')).toBe('restarting wallet-api\n');
    const log = events(join(dir, 'inc'));
    expect(log.find((e) => e.type === 'step.started' && e.data.step === 'restart')!.data.title).toBe('重启服务');
    expect(log.find((e) => e.type === 'command.started')!.data.command).toBe('echo "restarting $SEV_SERVICE" > restarted.txt');

    const shown = sev(['show', 'restart-api'], { cwd: dir, env: { ...ENV, SEV_LANG: 'zh-CN' } });
    expect(shown.stdout.split('\n')[0]).toBe('重启 API (restart-api v1.0.0)');
    expect(shown.stdout).toContain('? 服务是否恢复应答？（是/否）');
  });

  it('a --lang without a translation is a usage error; a $SEV_LANG without one shows the runbook as it is', () => {
    const dir = team();
    const r = sev(['show', 'restart-api', '--lang', 'fr'], { cwd: dir, env: ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sev: --lang fr: no fr translation of restart-api \(it is translated into zh-CN\)$/m);
    const env = sev(['show', 'restart-api'], { cwd: dir, env: { ...ENV, SEV_LANG: 'fr' } });
    expect(env.code, env.stderr).toBe(0);
    expect(env.stdout.split('\n')[0]).toBe('Restart the API (restart-api v1.0.0)');
    expect(sev(['show', 'restart-api', '--lang', 'en'], { cwd: dir, env: ENV }).stdout.split('\n')[0]).toBe(
      'Restart the API (restart-api v1.0.0)',
    );
  });

  it('resume shows the same translation, and refuses without --force when the translation changed', () => {
    const dir = team({ 'pause.yaml': 'steps: { restart: yes, done: { pause: yes } }\n', 'rest.yaml': 'steps: { done: yes }\n' });
    const first = sev(['run', 'restart-api', '--lang', 'zh-CN', '--answers', 'pause.yaml', '--incident-dir', 'inc'], {
      cwd: dir,
      env: ENV,
    });
    expect(first.code, first.stderr).toBe(0);
    expect(events(join(dir, 'inc')).at(-1)).toMatchObject({ type: 'incident.paused', data: { step: 'done' } });

    const file = join(dir, 'runbooks/restart.zh-CN.yaml');
    writeFileSync(file, ZH.replace('确认已恢复应答', '确认服务已恢复'));
    const refused = sev(['resume', '--answers', 'rest.yaml', '--incident-dir', 'inc'], { cwd: dir, env: ENV });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`the translation ${file} has changed since incident`);

    writeFileSync(file, ZH);
    const resumed = sev(['resume', '--answers', 'rest.yaml', '--incident-dir', 'inc'], { cwd: dir, env: ENV });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('Step 2/2 · done — 确认已恢复应答');
    expect(events(join(dir, 'inc')).at(-1)).toMatchObject({ type: 'incident.closed', data: { outcome: 'completed' } });
  });
});

describe('a team translating a shipped runbook', () => {
  const DE = `format: sevkit-translation/v1
translates: data-error
lang: de
runbook_version: "1.0.0"
title: Salden, Hauptbuch oder Beträge falsch
`;

  it("lists it among the shipped runbook's languages, shows it with --lang, and validates it against the shipped runbook", () => {
    const dir = tempDir({ 'team/data-error.de.yaml': DE });
    const list = sev(['--runbooks', 'team', 'list', '--json'], { cwd: dir, env: ENV });
    const rows = JSON.parse(list.stdout) as {
      id: string;
      origin: string;
      languages: string[];
      translations: { lang: string; file: string }[];
    }[];
    expect(rows.find((x) => x.id === 'data-error')).toMatchObject({ origin: 'shipped', languages: ['zh-CN', 'de'] });
    const shown = sev(['--runbooks', 'team', 'show', 'data-error', '--lang', 'de'], { cwd: dir, env: ENV });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout.split('\n')[0]).toBe('Salden, Hauptbuch oder Beträge falsch (data-error v1.0.0)');
    expect(shown.stdout).toContain(join(ROOT, 'runbooks/data-error.yaml'));

    const r = sev(['--runbooks', 'team', 'validate', 'team'], { cwd: dir, env: ENV });
    expect(r.code).toBe(0);
    const found = findingLines(r.stdout);
    expect(found.length).toBeGreaterThan(50);
    expect(found.every((l) => l.endsWith('[missing-translation]'))).toBe(true);
    expect(found[0]).toBe(
      "team/data-error.de.yaml:1:1: warning: no de text for summary: the runbook's own text is shown [missing-translation]",
    );
  });
});
