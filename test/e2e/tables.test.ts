import stringWidth from 'string-width';
import { afterAll, describe, expect, it } from 'vitest';
import { sev, tempDir } from '../helpers.js';
import { HAS_TMUX, NEEDS_TMUX, Tmux } from '../tmux.js';

const SHIPPED = [
  'customer-care',
  'data-error',
  'disaster-recovery',
  'network',
  'security',
  'server-failure',
  'software-bug',
  'third-party',
];

/** The lines of the table in a command's output: its borders and rows. */
const tableLines = (text: string) => text.split('\n').filter((l) => /^[┌│├└]/.test(l));

/** Checks a table fits `columns`, has one rule (under its header) and its column separators aligned on every line. */
function expectFitted(text: string, columns: number): string[] {
  const lines = tableLines(text);
  expect(lines.length).toBeGreaterThan(3);
  for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(columns);
  expect(new Set(lines.map((l) => stringWidth(l))).size).toBe(1);
  expect(lines.filter((l) => l.startsWith('├'))).toHaveLength(1);
  expect(lines[2]!.startsWith('├')).toBe(true);
  const separators = (l: string) =>
    [...l].reduce<number[]>((acc, ch, i, all) => ('│┬┼┴├┤┌┐└┘'.includes(ch) ? [...acc, stringWidth(all.slice(0, i).join(''))] : acc), []);
  for (const line of lines.slice(1)) expect(separators(line)).toEqual(separators(lines[0]!));
  return lines;
}

const TEAM = (title: string) => `format: sevkit/v1
id: team-ledger
title: ${title}
class: data-error
severity: SEV2
lang: zh-CN
checks:
  noisy:
    run: ['sh', '-c', 'echo "${'长的输出 '.repeat(20)}"; exit 1']
steps:
  - id: look
    checks: [noisy]
  - id: fin
    confirm: ok?
    milestone: resolved
`;
const CJK_TITLE = `余额、账本或金额出错：${'对账差异与重复扣款'.repeat(4)}`;

describe('tables fit the terminal', () => {
  const dir = tempDir({ 'team/team-ledger.yaml': TEAM(CJK_TITLE) });

  it('sev list at 80 columns: within 80, no rule between rows, titles cut with …, ids whole', () => {
    const r = sev(['--runbooks', 'team', 'list'], { cwd: dir, env: { COLUMNS: '80' } });
    expect(r.code).toBe(0);
    const lines = expectFitted(r.stdout, 80);
    for (const id of [...SHIPPED, 'team-ledger (zh-CN)']) expect(lines.some((l) => l.startsWith(`│ ${id} `))).toBe(true);
    expect(r.stdout).toMatch(/│ After an inc[^│]*… │/);
    // A Chinese title is cut by display width, never in the middle of a character.
    expect(lines.find((l) => l.includes('team-ledger'))).toMatch(/│ 余额、账本[^│]*…\s*│/);
  });

  it('sev list at 140 columns shows more of each title, still without rules between rows', () => {
    const r = sev(['--runbooks', 'team', 'list'], { cwd: dir, env: { COLUMNS: '140' } });
    const lines = expectFitted(r.stdout, 140);
    expect(stringWidth(lines[0]!)).toBeGreaterThan(100);
    expect(r.stdout).toContain('After an incident - complaints, explanation');
  });

  it('sev list into a pipe without COLUMNS keeps every title whole', () => {
    const r = sev(['--runbooks', 'team', 'list'], { cwd: dir, env: { COLUMNS: undefined } });
    expectFitted(r.stdout, 400);
    expect(r.stdout).toContain('After an incident - complaints, explanation, compensation, follow-up');
    expect(r.stdout).toContain(CJK_TITLE);
  });

  it.each([80, 140])('sev check at %i columns: the output column is cut to fit, the status kept', (columns) => {
    const r = sev(['--runbooks', 'team', 'check', 'team-ledger'], { cwd: dir, env: { COLUMNS: String(columns) } });
    expect(r.code).toBe(1);
    const lines = expectFitted(r.stdout, columns);
    expect(lines.find((l) => l.startsWith('│ noisy'))).toMatch(/│ CRITICAL │ .* │ 长的输出[^│]*…\s*│$/);
  });
});

describe.skipIf(!HAS_TMUX)(`tables at a real terminal${NEEDS_TMUX}`, () => {
  const tmux = new Tmux();
  afterAll(() => tmux.kill());

  it.each([80, 140])('sev list in a %i-column terminal fits it', async (columns) => {
    const pane = tmux.start(`list-${columns}`, tempDir(), ['list'], { columns });
    expect(await pane.exitCode()).toBe(0);
    expectFitted(pane.screen(), columns);
  });
});
