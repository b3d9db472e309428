import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { aStringMatching, ROOT, sev, tempDir } from './helpers.js';

const RUNBOOKS = join(ROOT, 'runbooks');
const INCIDENT = ['server-failure', 'network', 'software-bug', 'data-error', 'security', 'third-party', 'disaster-recovery'] as const;
const ALL = [...INCIDENT, 'customer-care'] as const;
/** The shipped Simplified Chinese translations, by the id of the runbook each translates: every runbook has one. */
const ZH_CN = ALL;

interface Option {
  label: string;
  value?: string;
  goto?: string;
  severity?: string;
}
interface StepFile {
  id: string;
  title?: string;
  milestone?: string;
  next?: string;
  on_fail?: unknown;
  on_no?: unknown;
  choice?: { question: string; options: Option[] };
  announce?: { audience: string; channel?: string; subject?: string; message: string };
  command?: { run: string | string[] };
  checks?: string[];
  wait?: { check: string };
  input?: { name: string };
  confirm?: unknown;
  instructions?: string;
}
interface RunbookFile {
  id: string;
  class: string;
  version?: string;
  lang?: string;
  inputs?: Record<string, { default?: string; pattern?: string; choices?: string[]; secret?: boolean }>;
  checks: Record<string, { run: string | string[]; env?: unknown; expect?: unknown; nagios?: boolean; timeout?: string; retries?: number }>;
  steps: StepFile[];
}

const file = (name: string) => join(RUNBOOKS, name);
const read = (name: string) => parse(readFileSync(file(name), 'utf8')) as RunbookFile;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Everything but the texts a translation may carry, and the language. */
const TEXT_KEYS = new Set([
  'title',
  'summary',
  'prompt',
  'description',
  'instructions',
  'question',
  'label',
  'subject',
  'channel',
  'message',
  'lang',
  'translation',
]);
const withoutTexts = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(withoutTexts)
    : value && typeof value === 'object'
      ? Object.fromEntries(
          Object.entries(value)
            .filter(([k]) => !TEXT_KEYS.has(k))
            .map(([k, v]) => [k, withoutTexts(v)]),
        )
      : value;

describe('the wallet runbooks', () => {
  it('every one ships, with the schema line first, its id as file name and class, and passes validate --strict', () => {
    const names = readdirSync(RUNBOOKS).filter((f) => f.endsWith('.yaml'));
    for (const id of ALL) {
      expect(names).toContain(`${id}.yaml`);
      expect(readFileSync(file(`${id}.yaml`), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./runbook.schema.json');
      expect(read(`${id}.yaml`)).toMatchObject({ id, class: id });
    }
    const r = sev(['validate', RUNBOOKS, '--strict', '--format', 'json']);
    const report = JSON.parse(r.stdout) as { files: string[]; diagnostics: unknown[] };
    expect(report.diagnostics).toEqual([]);
    expect(r.code).toBe(0);
    expect(report.files.map((f) => f.split('/').at(-1)).sort()).toEqual(
      [...ALL.map((id) => `${id}.yaml`), ...ZH_CN.map((id) => `${id}.zh-CN.yaml`), 'policy.yaml', 'regulators.yaml', 'triage.yaml'].sort(),
    );
  });

  it.each(INCIDENT)(
    '%s covers the whole arc: milestones in order, users told early with safety advice, hand-off to customer care',
    (id) => {
      const rb = read(`${id}.yaml`);
      // A milestone may be recorded by one step of each branch (disaster-recovery mitigates by a failover or by the
      // primary brought back; third-party's payment channel and vendor waits): the first step of each keeps the order.
      expect([...new Set(rb.steps.map((s) => s.milestone).filter(Boolean))]).toEqual([
        'impact-started',
        'detected',
        'acknowledged',
        'mitigated',
        'resolved',
      ]);
      const toUsers = rb.steps.filter((s) => s.announce?.audience === 'users');
      expect(toUsers.length, 'first message, update or resolution').toBeGreaterThanOrEqual(2);
      const first = toUsers[0]!.announce!.message;
      // Reassurance that holds before the reconciliation: every payment is being checked, or the money is not lost.
      // Losing a site may lose the last payments: disaster-recovery says what happens to them instead of a promise.
      if (id === 'disaster-recovery') {
        expect(first).toMatch(
          /may show as pending or be missing for a while;\s+we are checking\s+each\s+one and will correct it and tell you/,
        );
        expect(first).not.toMatch(/will not lose|recorded by our partner banks/i);
      } else expect(first).toMatch(/money is safe|not lost|will not lose|restore it|checking every\s+(payment|request)/i);
      expect(first).toMatch(/another payment method|card|what (users|you) must do|tell us/i);
      expect(first).toMatch(/never ask you for your verification code/i);
      const declare = rb.steps.find((s) => s.id === 'declare')!;
      expect(declare.choice!.options.filter((o) => o.severity).map((o) => o.severity)).toEqual(['SEV1', 'SEV2', 'SEV3']);
      const handoff = rb.steps.find((s) => s.id === 'handoff')!;
      expect(handoff.announce?.message).toMatch(/customer care/i);
      expect(rb.steps.at(-1)!.instructions).toMatch(/sev postmortem \{\{ incident\.id \}\}/);
      // Checks use real tools, and default to the local machine.
      const runs = Object.values(rb.checks)
        .map((c) => String(c.run))
        .join('\n');
      expect(runs).toMatch(/\b(curl|psql|getent|ping|pgrep|df)\b/);
      for (const [name, input] of Object.entries(rb.inputs ?? {})) {
        if (input.default && /^(https?|postgres(ql)?):\/\//.test(input.default))
          expect(input.default, name).toMatch(/\/\/([^/@]+@)?127\.0\.0\.1[:/]/);
      }
    },
  );

  it.each(['server-failure', 'network', 'software-bug', 'third-party', 'security', 'customer-care', 'disaster-recovery'])(
    '%s uses sudo only as sudo -n: commands have no terminal to ask a password on',
    (id) => {
      const text = readFileSync(file(`${id}.yaml`), 'utf8');
      const plain = text.split('\n').filter((line) => /\bsudo\b(?! -n\b)/.test(line) && !/^\s*#/.test(line));
      expect(plain).toEqual([]);
    },
  );

  it.each(['server-failure', 'third-party', 'customer-care', 'disaster-recovery'])(
    '%s tells users nothing that may not hold: no "was not taken", no settled-for-all before it is verified',
    (id) => {
      const rb = read(`${id}.yaml`);
      for (const step of rb.steps.filter((s) => s.announce)) {
        const message = step.announce!.message;
        expect(message, step.id).not.toMatch(/(has not been|was not) taken/i);
        expect(message, step.id).not.toMatch(/every (payment|request)[^.]*(has|have) (been )?(completed|corrected|returned)/i);
        expect(message, step.id).not.toMatch(/has been corrected|we have sent you|we now detect/i);
      }
      if (id === 'customer-care') {
        // The follow-up says the balance is correct: it goes out only after the responder confirms it is.
        const ids = rb.steps.map((s) => s.id);
        expect(ids.indexOf('money-verified')).toBeGreaterThan(-1);
        expect(ids.indexOf('money-verified')).toBeLessThan(ids.indexOf('follow-up'));
        expect(rb.steps.find((s) => s.id === 'improvements')!.announce!.message).toContain('{{ changes_made }}');
      }
    },
  );

  it('customer-care: intake with time limits, an explanation, compensation recorded with who decided, follow-up, improvements', () => {
    const rb = read('customer-care.yaml');
    const text = JSON.stringify(rb);
    expect(text).toMatch(/within 15 minutes/);
    const intake = rb.steps.find((s) => s.id === 'open-intake')!.instructions!;
    expect(intake).toMatch(/15 business days; 35 only in\s+exceptional cases/);
    // The PBoC rule for complaints in mainland China, beside the EU and UK ones, and the texts to check.
    expect(intake).toMatch(/中国人民银行金融消费者权益保护实施办法/);
    expect(intake).toMatch(/a decision within 15 days\s+of receiving the complaint; a complex case may be extended, to at most 60 days/);
    expect(intake).toMatch(/check the current texts with compliance/);
    expect(rb.steps.some((s) => s.input?.name === 'decided_by')).toBe(true);
    expect(String(rb.steps.find((s) => s.id === 'record-compensation')!.command!.run)).toContain('$SEV_DECIDED_BY');
    // Compensation is posted to the ledger, within the limit by the care lead and above it by the approver's role.
    const ids = rb.steps.map((s) => s.id);
    expect(ids.indexOf('charged-twice-claims')).toBeLessThan(ids.indexOf('propose-compensation'));
    expect(ids.slice(ids.indexOf('propose-compensation'), ids.indexOf('money-verified'))).toEqual([
      'propose-compensation',
      'post-within-limit',
      'review-above-limit',
      'approval-needed',
      'approve-compensation',
      'post-approved',
      'all-posted',
    ]);
    expect(String(rb.steps.find((s) => s.id === 'post-approved')!.command!.run)).toMatch(/^psql "\$SEV_APPROVER_DB_URL"/);
    expect(rb.steps.filter((s) => s.announce?.audience === 'users').map((s) => s.id)).toEqual([
      'explain',
      'follow-up-message',
      'improvements',
    ]);
  });

  it('sev list shows every runbook once, data-error and disaster-recovery with their Chinese translations among their languages', () => {
    const r = sev(['list', '--json'], { cwd: tempDir() });
    const rows = JSON.parse(r.stdout) as { id: string; lang: string; languages: string[]; errors: number; origin: string }[];
    for (const id of ALL)
      expect(rows.filter((x) => x.id === id)).toEqual([expect.objectContaining({ lang: '', errors: 0, origin: 'shipped' })]);
    const TRANSLATED: readonly string[] = ZH_CN;
    for (const id of TRANSLATED) expect(rows.find((x) => x.id === id)!.languages, id).toEqual(['zh-CN']);
    expect(rows.filter((x) => !TRANSLATED.includes(x.id)).every((x) => x.languages.length === 0)).toBe(true);
  });

  // The translation is shown over the runbook it translates: the steps are the English file's.
  it.each([...ALL.map((id) => [`${id}.yaml`, `${id}.yaml`]), ...ZH_CN.map((id) => [`${id}.zh-CN.yaml`, `${id}.yaml`])])(
    'sev show %s prints every step, numbered in order',
    (name, steps) => {
      const r = sev(['show', file(name)], { cwd: tempDir() });
      expect(r.code, r.stderr).toBe(0);
      const missing = read(steps)
        .steps.map((step, i) => ({ step: step.id, n: i + 1 }))
        .filter(({ step, n }) => !new RegExp(`^\\s*${n}\\. ${escape(step)}(?: |$)`, 'm').test(r.stdout));
      expect(missing).toEqual([]);
    },
  );
});

describe.each(ZH_CN)('%s in Simplified Chinese', (id) => {
  const zh = parse(readFileSync(file(`${id}.zh-CN.yaml`), 'utf8')) as Record<string, unknown>;
  /** The runbook as sev loads it (sev show --json), by id in a language or by path. */
  const shown = (args: string[]) => {
    const r = sev(['show', '--json', ...args], { cwd: tempDir() });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as RunbookJson;
  };
  interface RunbookJson {
    title: string;
    inputs: { name: string; prompt: string; description?: string }[];
    checks: { name: string; description?: string }[];
    steps: {
      id: string;
      title?: string;
      instructions?: string;
      confirm?: { question: string };
      choice?: { question: string; options: { label: string }[] };
      input?: { prompt: string };
      announce?: { audience?: string; subject?: string; channel?: string; message: string };
    }[];
    [key: string]: unknown;
  }
  const en = shown([id]);
  const byPath = shown([file(`${id}.zh-CN.yaml`)]);

  it(`is a translation of ${id}: texts only, for the version of the runbook it was written for`, () => {
    expect(zh).toMatchObject({
      format: 'sevkit-translation/v1',
      translates: id,
      lang: 'zh-CN',
      runbook_version: read(`${id}.yaml`).version,
    });
    expect(
      Object.keys(zh).filter(
        (k) => !['format', 'translates', 'lang', 'runbook_version', 'title', 'summary', 'inputs', 'checks', 'steps'].includes(k),
      ),
    ).toEqual([]);
  });

  it(`runs the very steps, checks, commands and jumps of ${id}.yaml, by path and with --lang`, () => {
    expect(withoutTexts(byPath)).toEqual(withoutTexts(en));
    expect(shown([id, '--lang', 'zh-CN'])).toEqual(byPath);
    expect(byPath.translation).toMatchObject({ lang: 'zh-CN', file: aStringMatching(new RegExp(`/${escape(id)}\\.zh-CN\\.yaml$`)) });
  });

  it('is translated: every title, question, label, prompt and announcement is Chinese, with no status page, PIN or freeze', () => {
    const han = /\p{Script=Han}/u;
    expect(byPath.title).toMatch(han);
    for (const input of byPath.inputs) expect(input.prompt, input.name).toMatch(han);
    for (const check of byPath.checks) expect(check.description, check.name).toMatch(han);
    for (const step of byPath.steps) {
      expect(step.title, step.id).toMatch(han);
      if (step.confirm) expect(step.confirm.question, step.id).toMatch(/（是\/否）$/);
      if (step.choice) expect(step.choice.question, step.id).toMatch(han);
      step.choice?.options.forEach((o) => expect(o.label).toMatch(han));
      if (step.input) expect(step.input.prompt, step.id).toMatch(han);
      if (step.announce)
        for (const text of [step.announce.subject, step.announce.channel, step.announce.message]) expect(text, step.id).toMatch(han);
    }
    const all = JSON.stringify(byPath.steps);
    // 冻结 is right only for security's freeze of accounts (its own block below checks where it is used).
    expect(all).not.toMatch(id === 'security' ? /状态页|PIN/ : /状态页|PIN|冻结/);
    // Every incident runbook asks when the impact started; customer-care follows an incident and does not.
    if ((INCIDENT as readonly string[]).includes(id))
      expect(byPath.steps.find((s) => s.id === 'impact-start')!.instructions).toContain('请回答 “unknown”');
    if (id === 'data-error') expect(all).toMatch(/止付/);
    for (const step of byPath.steps.filter((s) => s.announce?.audience === 'users'))
      expect(step.announce!.message, step.id).toMatch(/短信验证码、支付密码或登录密码/);
  });

  it('uses the very {{ templates }} of each English text, by the same names', () => {
    const templates = (text?: string) => [...new Set([...(text ?? '').matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]))].sort();
    const texts = (rb: RunbookJson) =>
      rb.steps.map((s) => ({
        id: s.id,
        texts: [
          s.title,
          s.instructions,
          s.confirm?.question,
          s.choice?.question,
          ...(s.choice?.options.map((o) => o.label) ?? []),
          s.input?.prompt,
          s.announce?.subject,
          s.announce?.channel,
          s.announce?.message,
        ].map(templates),
      }));
    expect(texts(byPath)).toEqual(texts(en));
  });
});

// security: 冻结 is the security freeze of accounts (the admin API's /accounts/freeze), so only there is it right.
describe.each([{ id: 'security', freeze: true }])('$id in Simplified Chinese', ({ id, freeze }) => {
  const zh = parse(readFileSync(file(`${id}.zh-CN.yaml`), 'utf8')) as Record<string, unknown>;
  const shown = (args: string[]) => {
    const r = sev(['show', '--json', ...args], { cwd: tempDir() });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as {
      title: string;
      summary?: string;
      inputs: { name: string; prompt: string; description?: string }[];
      checks: { name: string; description?: string }[];
      steps: {
        id: string;
        title?: string;
        instructions?: string;
        confirm?: { question: string };
        choice?: { question: string; options: { label: string }[] };
        input?: { prompt: string };
        announce?: { audience?: string; subject?: string; channel?: string; message: string };
      }[];
      [key: string]: unknown;
    };
  };
  const byPath = shown([file(`${id}.zh-CN.yaml`)]);

  it("is a texts-only translation for the version of the runbook, and runs the runbook's own steps", () => {
    expect(zh).toMatchObject({
      format: 'sevkit-translation/v1',
      translates: id,
      lang: 'zh-CN',
      runbook_version: read(`${id}.yaml`).version,
    });
    expect(
      Object.keys(zh).filter(
        (k) => !['format', 'translates', 'lang', 'runbook_version', 'title', 'summary', 'inputs', 'checks', 'steps'].includes(k),
      ),
    ).toEqual([]);
    expect(withoutTexts(byPath)).toEqual(withoutTexts(shown([id])));
    expect(shown([id, '--lang', 'zh-CN'])).toEqual(byPath);
  });

  it('is translated: every text is Chinese, users are told through Chinese channels and never asked for a code or password', () => {
    const han = /\p{Script=Han}/u;
    expect(byPath.title).toMatch(han);
    expect(byPath.summary).toMatch(han);
    for (const input of byPath.inputs) {
      expect(input.prompt, input.name).toMatch(han);
      if (input.description) expect(input.description, input.name).toMatch(han);
    }
    for (const check of byPath.checks) expect(check.description, check.name).toMatch(han);
    for (const step of byPath.steps) {
      expect(step.title, step.id).toMatch(han);
      if (step.instructions) expect(step.instructions, step.id).toMatch(han);
      if (step.confirm) expect(step.confirm.question, step.id).toMatch(/（是\/否）$/);
      if (step.choice) expect(step.choice.question, step.id).toMatch(han);
      step.choice?.options.forEach((o) => expect(o.label, step.id).toMatch(han));
      if (step.input) expect(step.input.prompt, step.id).toMatch(han);
      if (step.announce)
        for (const text of [step.announce.subject, step.announce.channel, step.announce.message]) expect(text, step.id).toMatch(han);
    }
    const all = JSON.stringify(byPath.steps);
    expect(all).not.toMatch(/状态页|PIN|status page/i);
    if (!freeze) expect(all).not.toMatch(/冻结/);
    const toUsers = byPath.steps.filter((s) => s.announce?.audience === 'users');
    expect(toUsers.length).toBeGreaterThanOrEqual(2);
    for (const s of toUsers) {
      expect(s.announce!.message, s.id).toMatch(/短信验证码、支付密码或登录密码/);
      expect(s.announce!.channel, s.id).toMatch(/App 公告|公众号|短信|站内信/);
    }
  });
});

describe('CJK text in tables, outlines and the incident log', () => {
  const rows = (table: string) => table.split('\n').filter((l) => /^[│┌├└]/.test(l));

  it('sev list keeps its columns aligned with Chinese titles', () => {
    const team = readFileSync(file('data-error.yaml'), 'utf8')
      .replace('id: data-error', 'id: team-data-error')
      .replace(/^title: .*$/m, 'title: 余额、账本或金额出错')
      .replace(/^summary:/m, 'lang: zh-CN\nsummary:');
    const r = sev(['--runbooks', 'team', 'list'], { cwd: tempDir({ 'team/team-data-error.yaml': team }) });
    const lines = rows(r.stdout);
    expect(lines.some((l) => l.includes('余额、账本或金额出错'))).toBe(true);
    expect(new Set(lines.map((l) => stringWidth(l))).size).toBe(1);
    // every column separator of the Chinese row sits where it sits in the header
    const header = lines.find((l) => l.includes(' id '))!;
    const zhRow = lines.find((l) => l.includes('余额'))!;
    const columns = (l: string) =>
      [...l].reduce<number[]>((acc, ch, i, all) => (ch === '│' ? [...acc, stringWidth(all.slice(0, i).join(''))] : acc), []);
    expect(columns(zhRow)).toEqual(columns(header));
  });

  it('sev show prints the Chinese outline intact', () => {
    const r = sev(['show', file('data-error.zh-CN.yaml')], { cwd: tempDir() });
    expect(r.stdout).toContain('资金差错处理：账实不符、重复扣款或金额错误 (data-error v1.0.0)');
    expect(r.stdout).toContain('确认资金数字有误');
    expect(r.stdout).not.toContain('\uFFFD');
  });

  it('check tables size CJK output by display width, and the log keeps every character', () => {
    const dir = tempDir({
      'cjk.yaml': `format: sevkit/v1
id: cjk-drill
title: 中文演练
lang: zh-CN
class: data-error
severity: SEV3
checks:
  balance:
    description: 余额检查
    run: echo "余额与账本一致：0 个钱包不符"
steps:
  - id: check
    title: 检查余额
    checks: [balance]
    milestone: detected
  - id: tell
    title: 通知用户
    announce:
      audience: users
      channel: 状态页
      subject: 您的资金是安全的
      message: 我们绝不会向您索取验证码。
    milestone: resolved
`,
      'answers.yaml': 'steps: { tell: { answer: yes, note: "已发布 ✅" } }\n',
    });
    const check = sev(['check', join(dir, 'cjk.yaml')], { cwd: dir });
    expect(check.code, check.stderr).toBe(0);
    const lines = rows(check.stdout);
    expect(lines.some((l) => l.includes('余额与账本一致：0 个钱包不符'))).toBe(true);
    expect(new Set(lines.map((l) => stringWidth(l))).size).toBe(1);

    const run = sev(['run', join(dir, 'cjk.yaml'), '--answers', join(dir, 'answers.yaml'), '--incident-dir', join(dir, 'inc')], {
      cwd: dir,
      env: { CI: 'true' },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Step 2/2 · tell — 通知用户');
    expect(run.stderr).toContain('我们绝不会向您索取验证码。');
    const log = readdirSync(join(dir, 'inc')).find((f) => f.endsWith('.jsonl'))!;
    const events = readFileSync(join(dir, 'inc', log), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
    expect(events[0]!.data.runbook).toMatchObject({ title: '中文演练' });
    expect(events.find((e) => e.type === 'announcement')!.data).toMatchObject({
      channel: '状态页',
      subject: '您的资金是安全的',
      message: '我们绝不会向您索取验证码。',
    });
    expect(events.find((e) => e.type === 'note')!.data.text).toBe('已发布 ✅');
    expect(events.find((e) => e.type === 'check.result')!.data.stdout).toBe('余额与账本一致：0 个钱包不符\n');
    const status = sev(['status', '--incident-dir', join(dir, 'inc')], { cwd: dir });
    expect(new Set(rows(status.stdout).map((l) => stringWidth(l))).size).toBe(1);
  });
});
