import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, sev, tempDir } from './helpers.js';

const RUNBOOKS = join(ROOT, 'runbooks');
const INCIDENT = ['server-failure', 'network', 'software-bug', 'data-error', 'security', 'third-party'] as const;
const ALL = [...INCIDENT, 'customer-care'] as const;

interface Option { label: string; value?: string; goto?: string; severity?: string }
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
  lang?: string;
  inputs?: Record<string, { default?: string; pattern?: string; choices?: string[]; secret?: boolean }>;
  checks: Record<string, { run: string | string[]; env?: unknown; expect?: unknown; nagios?: boolean; timeout?: string; retries?: number }>;
  steps: StepFile[];
}

const file = (name: string) => join(RUNBOOKS, name);
const read = (name: string) => parse(readFileSync(file(name), 'utf8')) as RunbookFile;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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
    expect(report.files.map((f) => f.split('/').at(-1)).sort()).toEqual([...ALL.map((id) => `${id}.yaml`), 'data-error.zh-CN.yaml', 'triage.yaml'].sort());
  });

  it.each(INCIDENT)('%s covers the whole arc: milestones in order, users told early with safety advice, hand-off to customer care', (id) => {
    const rb = read(`${id}.yaml`);
    // A milestone may close more than one branch (third-party's payment channel and vendor waits): each once, in order.
    expect([...new Set(rb.steps.map((s) => s.milestone).filter(Boolean))]).toEqual(['impact-started', 'detected', 'acknowledged', 'mitigated', 'resolved']);
    const toUsers = rb.steps.filter((s) => s.announce?.audience === 'users');
    expect(toUsers.length, 'first message, update or resolution').toBeGreaterThanOrEqual(2);
    const first = toUsers[0]!.announce!.message;
    // Reassurance that holds before the reconciliation: every payment is being checked, or the money is not lost.
    expect(first).toMatch(/money is safe|not lost|will not lose|restore it|checking every\s+(payment|request)/i);
    expect(first).toMatch(/another payment method|card|what (users|you) must do|tell us/i);
    expect(first).toMatch(/never ask you for your verification code/i);
    const declare = rb.steps.find((s) => s.id === 'declare')!;
    expect(declare.choice!.options.filter((o) => o.severity).map((o) => o.severity)).toEqual(['SEV1', 'SEV2', 'SEV3']);
    const handoff = rb.steps.find((s) => s.id === 'handoff')!;
    expect(handoff.announce?.message).toMatch(/customer care/i);
    expect(rb.steps.at(-1)!.instructions).toMatch(/sev postmortem \{\{ incident\.id \}\}/);
    // Checks use real tools, and default to the local machine.
    const runs = Object.values(rb.checks).map((c) => String(c.run)).join('\n');
    expect(runs).toMatch(/\b(curl|psql|getent|ping|pgrep|df)\b/);
    for (const [name, input] of Object.entries(rb.inputs ?? {})) {
      if (input.default && /^(https?|postgres(ql)?):\/\//.test(input.default)) expect(input.default, name).toMatch(/\/\/([^/@]+@)?127\.0\.0\.1[:/]/);
    }
  });

  it.each(['server-failure', 'network', 'software-bug', 'third-party', 'security', 'customer-care'])('%s uses sudo only as sudo -n: commands have no terminal to ask a password on', (id) => {
    const text = readFileSync(file(`${id}.yaml`), 'utf8');
    const plain = text.split('\n').filter((line) => /\bsudo\b(?! -n\b)/.test(line) && !/^\s*#/.test(line));
    expect(plain).toEqual([]);
  });

  it.each(['server-failure', 'third-party', 'customer-care'])('%s tells users nothing that may not hold: no "was not taken", no settled-for-all before it is verified', (id) => {
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
  });

  it('customer-care: intake with time limits, an explanation, compensation recorded with who decided, follow-up, improvements', () => {
    const rb = read('customer-care.yaml');
    const text = JSON.stringify(rb);
    expect(text).toMatch(/within 15 minutes/);
    expect(text).toMatch(/15 working days/);
    expect(rb.steps.some((s) => s.input?.name === 'decided_by')).toBe(true);
    expect(String(rb.steps.find((s) => s.id === 'record-compensation')!.command!.run)).toContain('$SEV_DECIDED_BY');
    expect(rb.steps.filter((s) => s.announce?.audience === 'users').map((s) => s.id)).toEqual(['explain', 'follow-up-message', 'improvements']);
  });

  it('sev list shows every runbook once, the Chinese data-error beside the English one', () => {
    const r = sev(['list', '--json'], { cwd: tempDir() });
    const rows = JSON.parse(r.stdout) as { id: string; lang: string; errors: number; origin: string }[];
    for (const id of ALL) expect(rows.filter((x) => x.id === id && !x.lang)).toEqual([expect.objectContaining({ errors: 0, origin: 'shipped' })]);
    expect(rows.filter((x) => x.id === 'data-error' && x.lang === 'zh-CN')).toHaveLength(1);
  });

  it.each([...ALL.map((id) => `${id}.yaml`), 'data-error.zh-CN.yaml'])('sev show %s prints every step, numbered in order', (name) => {
    const r = sev(['show', file(name)], { cwd: tempDir() });
    expect(r.code, r.stderr).toBe(0);
    const missing = read(name)
      .steps.map((step, i) => ({ step: step.id, n: i + 1 }))
      .filter(({ step, n }) => !new RegExp(`^\\s*${n}\\. ${escape(step)}(?: |$)`, 'm').test(r.stdout));
    expect(missing).toEqual([]);
  });
});

describe('data-error in Simplified Chinese', () => {
  const en = read('data-error.yaml');
  const zh = read('data-error.zh-CN.yaml');
  const shape = (rb: RunbookFile) => ({
    inputs: Object.fromEntries(Object.entries(rb.inputs ?? {}).map(([k, v]) => [k, { default: v.default, pattern: v.pattern, choices: v.choices, secret: v.secret }])),
    checks: Object.fromEntries(Object.entries(rb.checks).map(([k, v]) => [k, { ...v, description: undefined }])),
    steps: rb.steps.map((s) => ({
      id: s.id,
      milestone: s.milestone,
      next: s.next,
      on_fail: s.on_fail,
      command: s.command,
      checks: s.checks,
      wait: s.wait,
      input: s.input?.name,
      confirm: typeof s.confirm === 'object' ? { ...(s.confirm as object), question: undefined } : s.confirm === undefined ? undefined : 'question',
      choice: s.choice?.options.map((o) => ({ value: o.value, goto: o.goto, severity: o.severity })),
      announce: s.announce?.audience,
    })),
  });

  it('has the same id, lang zh-CN, and exactly the same steps, checks, commands and jumps', () => {
    expect(zh.id).toBe('data-error');
    expect(zh.lang).toBe('zh-CN');
    expect(shape(zh)).toEqual(shape(en));
  });

  it('is translated: every title, question, label and announcement is Chinese text', () => {
    const han = /\p{Script=Han}/u;
    for (const step of zh.steps) {
      expect(step.title, step.id).toMatch(han);
      step.choice?.options.forEach((o) => expect(o.label).toMatch(han));
      if (step.announce) expect(step.announce.message).toMatch(han);
    }
  });
});

describe('CJK text in tables, outlines and the incident log', () => {
  const rows = (table: string) => table.split('\n').filter((l) => /^[│┌├└]/.test(l));

  it('sev list keeps its columns aligned with Chinese titles', () => {
    const r = sev(['list'], { cwd: tempDir() });
    const lines = rows(r.stdout);
    expect(lines.some((l) => l.includes('余额、账本或金额出错'))).toBe(true);
    expect(new Set(lines.map((l) => stringWidth(l))).size).toBe(1);
    // every column separator of the Chinese row sits where it sits in the header
    const header = lines.find((l) => l.includes(' id '))!;
    const zhRow = lines.find((l) => l.includes('余额'))!;
    const columns = (l: string) => [...l].reduce<number[]>((acc, ch, i, all) => (ch === '│' ? [...acc, stringWidth(all.slice(0, i).join(''))] : acc), []);
    expect(columns(zhRow)).toEqual(columns(header));
  });

  it('sev show prints the Chinese outline intact', () => {
    const r = sev(['show', file('data-error.zh-CN.yaml')], { cwd: tempDir() });
    expect(r.stdout).toContain('余额、账本或金额出错 (data-error v1.0.0)');
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

    const run = sev(['run', join(dir, 'cjk.yaml'), '--answers', join(dir, 'answers.yaml'), '--incident-dir', join(dir, 'inc')], { cwd: dir, env: { CI: 'true' } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Step 2/2 · tell — 通知用户');
    expect(run.stderr).toContain('我们绝不会向您索取验证码。');
    const log = readdirSync(join(dir, 'inc')).find((f) => f.endsWith('.jsonl'))!;
    const events = readFileSync(join(dir, 'inc', log), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
    expect(events[0]!.data.runbook).toMatchObject({ title: '中文演练' });
    expect(events.find((e) => e.type === 'announcement')!.data).toMatchObject({ channel: '状态页', subject: '您的资金是安全的', message: '我们绝不会向您索取验证码。' });
    expect(events.find((e) => e.type === 'note')!.data.text).toBe('已发布 ✅');
    expect(events.find((e) => e.type === 'check.result')!.data.stdout).toBe('余额与账本一致：0 个钱包不符\n');
    const status = sev(['status', '--incident-dir', join(dir, 'inc')], { cwd: dir });
    expect(new Set(rows(status.stdout).map((l) => stringWidth(l))).size).toBe(1);
  });
});
