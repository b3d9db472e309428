import { spawn, spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { ROOT, SEV, sev, tempDir, warnSkipped, type Run } from './helpers.js';

const require = createRequire(import.meta.url);

/**
 * A character class of the given ranges of control characters, written as escapes at run time: a pattern
 * literal spelling control characters reads as a mistake, and here they are the point.
 */
function controlClass(ranges: [number, number][], flags?: string): RegExp {
  const hex = (n: number) => `\\x${n.toString(16).padStart(2, '0')}`;
  return new RegExp(`[${ranges.map(([from, to]) => `${hex(from)}-${hex(to)}`).join('')}]`, flags);
}
const FORMATS = ['text', 'json', 'github', 'sarif', 'junit', 'codequality'] as const;
const CLEAN = readFileSync(join(ROOT, 'test/fixtures/minimal.yaml'), 'utf8');

// Errors and warnings, with wide characters (CJK, an emoji) before and inside the flagged ranges.
const BROKEN = `format: sevkit/v1
id: broken
title: Broken runbook
class: server-failure
severity: SEV3
steps:
  - { id: start, instructions: 手順を確認する 🚑, next: nowhere }
  - id: detour
    instructions: 再起動してください
    next: 終わり
  - id: orphan
    instructions: Nobody gets here.
    next: nowhere
  - id: done
    confirm: Resolved?
    milestone: resolved
`;

// Warnings only: passes, except under --strict.
const WARN_ONLY = `format: sevkit/v1
id: warn-only
title: Warnings only
class: server-failure
severity: SEV3
inputs:
  spare:
    prompt: Never used
steps:
  - id: resolved
    confirm: Is it fixed?
    milestone: resolved
`;

// Messages that quote text with %, CR, LF, comma, colon, control characters and XML specials,
// and a finding whose range spans two lines.
const TRICKY = `format: sevkit/v1
id: tricky
title: Tricky
class: server-failure
severity: SEV3
steps:
  - id: first
    instructions: x
    next: "a%b\\r\\nc,d:e\\x01\\x1b[31m<&>'\\"z"
  - id: second
    instructions: y
    next: "multi
      line"
  - id: fin
    confirm: ok?
    milestone: resolved
`;
const TRICKY_NAME = 'odd,name:&<1>.yaml';

interface JsonDiagnostic {
  file: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  rule: string;
  severity: 'error' | 'warning';
  message: string;
}
interface JsonReport {
  version: number;
  files: string[];
  errors: number;
  warnings: number;
  failures: number;
  diagnostics: JsonDiagnostic[];
}

/** A directory with the fixtures, run from there with relative paths, as CI does from a checkout. */
function workspace(
  files: Record<string, string> = {
    'broken.yaml': BROKEN,
    'clean.yaml': CLEAN,
    'warn.yaml': WARN_ONLY,
    [TRICKY_NAME]: TRICKY,
    'empty.yaml': '',
  },
) {
  return realpathSync(tempDir(files));
}

/** The fixtures, shared by the tests that only read them. */
const WS = workspace();

/** Paths are reported relative to $GITHUB_WORKSPACE when it is set: unset unless a test sets it. */
const HERMETIC: NodeJS.ProcessEnv = { GITHUB_WORKSPACE: undefined };

function run(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return sev(['validate', ...args], { cwd, env: { ...HERMETIC, ...env } });
}

/** As run(), without blocking, so that independent runs overlap. */
function runAsync(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SEV, 'validate', ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', FORCE_COLOR: '', ...HERMETIC, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const jsonRuns = new Map<string, JsonReport>();
/** The findings as the JSON format gives them: what the other formats are compared with. */
function json(cwd: string, files: string[], extra: string[] = []): JsonReport {
  const key = JSON.stringify([cwd, files, extra]);
  if (!jsonRuns.has(key)) jsonRuns.set(key, JSON.parse(run(cwd, [...files, '--format', 'json', ...extra]).stdout) as JsonReport);
  return structuredClone(jsonRuns.get(key)!);
}

/** Display columns of a string on a terminal: East Asian wide characters and emoji take two. */
function displayWidth(s: string): number {
  let width = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const wide =
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0x1f300 && cp <= 0x1f64f) ||
      (cp >= 0x1f680 && cp <= 0x1f6ff) ||
      (cp >= 0x1f900 && cp <= 0x1f9ff) ||
      (cp >= 0x20000 && cp <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

/** Where `needle` sits in a fixture: 1-based line and column, the column counting UTF-16 code units. */
function positionOf(text: string, lineContains: string, needle: string): { line: number; col: number } {
  const lines = text.split('\n');
  const index = lines.findIndex((l) => l.includes(lineContains));
  expect(index).toBeGreaterThanOrEqual(0);
  return { line: index + 1, col: lines[index]!.indexOf(needle, lines[index]!.indexOf(lineContains)) + 1 };
}

describe('every format', () => {
  it.each(FORMATS)('%s: exit 0 when clean, 1 on findings, 2 for a missing path; results on stdout only', async (format) => {
    const [clean, broken, missing, missingToo] = await Promise.all([
      runAsync(WS, ['clean.yaml', '--format', format]),
      runAsync(WS, ['broken.yaml', 'clean.yaml', '--format', format]),
      runAsync(WS, ['missing.yaml', '--format', format]),
      runAsync(WS, ['clean.yaml', 'missing.yaml', '--format', format]),
    ]);
    expect(clean.stderr).toBe('');
    expect(clean.stdout).not.toBe('');
    expect(clean.code).toBe(0);

    expect(broken.stderr).toBe('');
    expect(broken.stdout).not.toBe('');
    expect(broken.code).toBe(1);

    for (const r of [missing, missingToo]) {
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('missing.yaml');
      expect(r.code).toBe(2);
    }
  });

  it.each(FORMATS)('%s: warnings pass, and fail under --strict', async (format) => {
    const [normal, strict] = await Promise.all([
      runAsync(WS, ['warn.yaml', '--format', format]),
      runAsync(WS, ['warn.yaml', '--format', format, '--strict']),
    ]);
    expect(normal.stderr).toBe('');
    expect(normal.code).toBe(0);
    expect(strict.stderr).toBe('');
    expect(strict.code).toBe(1);
  });

  it.each(FORMATS)('%s: no colour when not at a terminal, or with NO_COLOR, even if FORCE_COLOR is set', async (format) => {
    // Unset, not empty: force-color.org has FORCE_COLOR= (empty) mean "not set", but not every tool agrees.
    const unset = { NO_COLOR: undefined, FORCE_COLOR: undefined, CI: undefined };
    const [plain, noColor, forced] = await Promise.all([
      runAsync(WS, ['broken.yaml', '--format', format], unset),
      runAsync(WS, ['broken.yaml', '--format', format], { ...unset, NO_COLOR: '1', FORCE_COLOR: '1' }),
      runAsync(WS, ['broken.yaml', '--format', format], { ...unset, FORCE_COLOR: '1' }),
    ]);
    expect(plain.stdout).not.toContain('\u001b');
    expect(noColor.stdout).not.toContain('\u001b');
    // Only the text format is for people; the others are read by machines and never carry colour.
    if (format === 'text') expect(forced.stdout).toContain('\u001b[');
    else expect(forced.stdout).not.toContain('\u001b');
  });
});

describe('json', () => {
  it('has one stable shape: version, files, counts, then every finding with all eight fields', () => {
    const dir = WS;
    // An empty file gives a finding with a position but no range: it has the same fields all the same.
    const report = json(dir, ['broken.yaml', 'clean.yaml', 'warn.yaml', 'empty.yaml']);
    expect(Object.keys(report)).toEqual(['version', 'files', 'errors', 'warnings', 'failures', 'diagnostics']);
    expect(report.version).toBe(1);
    expect(report.files).toEqual(['broken.yaml', 'clean.yaml', 'warn.yaml', 'empty.yaml']);
    expect(report.diagnostics.some((d) => d.file === 'empty.yaml')).toBe(true);
    expect(report.diagnostics.length).toBeGreaterThan(0);
    for (const d of report.diagnostics) {
      expect(Object.keys(d)).toEqual(['file', 'line', 'col', 'endLine', 'endCol', 'rule', 'severity', 'message']);
      for (const key of ['line', 'col', 'endLine', 'endCol'] as const) expect(Number.isInteger(d[key]) && d[key] >= 1).toBe(true);
      expect(['error', 'warning']).toContain(d.severity);
      expect(d.rule).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(report.files).toContain(d.file);
    }
    const errors = report.diagnostics.filter((d) => d.severity === 'error').length;
    expect(report.errors).toBe(errors);
    expect(report.warnings).toBe(report.diagnostics.length - errors);
    expect(report.failures).toBe(errors);
    expect(report.diagnostics.some((d) => d.file === 'clean.yaml')).toBe(false);
  });

  it('counts every finding as a failure under --strict', () => {
    const report = json(WS, ['broken.yaml', 'warn.yaml'], ['--strict']);
    expect(report.warnings).toBeGreaterThan(0);
    expect(report.failures).toBe(report.diagnostics.length);
  });

  it('points at the exact text, in UTF-16 columns, after wide characters', () => {
    const report = json(WS, ['broken.yaml']);
    const at = positionOf(BROKEN, '{ id: start', 'nowhere');
    const finding = report.diagnostics.find((d) => d.rule === 'unknown-step' && d.line === at.line);
    expect(finding).toMatchObject({ line: at.line, col: at.col, endLine: at.line, endCol: at.col + 'nowhere'.length });
  });

  it('keeps every character of a message', () => {
    const report = json(WS, [TRICKY_NAME]);
    expect(report.diagnostics.map((d) => d.message)).toContain('no step has the id "a%b\r\nc,d:e\u0001\u001b[31m<&>\'"z"');
  });
});

describe('text', () => {
  const HEADER = /^(.+):(\d+):(\d+): (error|warning): (.*) \[([a-z-]+)\]$/;

  it('prints file:line:col: severity: message [rule] for exactly the findings JSON lists', () => {
    const dir = WS;
    const out = run(dir, ['broken.yaml', 'warn.yaml']).stdout;
    const headers = out.split('\n').flatMap((l) => {
      const m = HEADER.exec(l);
      return m ? [{ file: m[1], line: Number(m[2]), col: Number(m[3]), severity: m[4], message: m[5], rule: m[6] }] : [];
    });
    const expected = json(dir, ['broken.yaml', 'warn.yaml']).diagnostics.map(({ file, line, col, severity, message, rule }) => ({
      file,
      line,
      col,
      severity,
      message,
      rule,
    }));
    expect(headers).toEqual(expected);
    const { errors, warnings } = json(dir, ['broken.yaml', 'warn.yaml']);
    expect(out.trimEnd().endsWith(`2 files checked: ${errors} errors, ${warnings} warnings`)).toBe(true);
  });

  it('puts the caret under the exact column, counting the display width of CJK text and emoji', () => {
    const dir = WS;
    const lines = run(dir, ['broken.yaml']).stdout.split('\n');
    const at = positionOf(BROKEN, '{ id: start', 'nowhere');
    const header = lines.findIndex((l) => l.startsWith(`broken.yaml:${at.line}:${at.col}: error:`));
    expect(header).toBeGreaterThanOrEqual(0);
    const excerpt = lines[header + 1]!;
    const caret = lines[header + 2]!;
    const source = BROKEN.split('\n')[at.line - 1]!;
    expect(excerpt.endsWith(source)).toBe(true);
    // On screen, the first caret stands under the first letter of "nowhere"...
    expect(displayWidth(caret.slice(0, caret.indexOf('^')))).toBe(displayWidth(excerpt.slice(0, excerpt.indexOf('nowhere'))));
    // ...which is not where it would be if each character were counted as one column.
    expect(caret.indexOf('^')).not.toBe(excerpt.indexOf('nowhere'));
    expect(caret.trim()).toMatch(/^\|\s+\^{7}$/);
  });

  it('underlines wide characters with two carets each', () => {
    const lines = run(WS, ['broken.yaml']).stdout.split('\n');
    const at = positionOf(BROKEN, 'next: 終わり', '終わり');
    const header = lines.findIndex((l) => l.startsWith(`broken.yaml:${at.line}:${at.col}:`));
    const excerpt = lines[header + 1]!;
    const caret = lines[header + 2]!;
    expect(displayWidth(caret.slice(0, caret.indexOf('^')))).toBe(displayWidth(excerpt.slice(0, excerpt.indexOf('終わり'))));
    expect(caret.split('^').length - 1).toBe(displayWidth('終わり'));
  });

  it('never prints control characters from a runbook to the terminal', () => {
    const out = run(WS, [TRICKY_NAME]).stdout;
    expect(out).not.toMatch(
      controlClass([
        [0x00, 0x08],
        [0x0b, 0x1f],
        [0x7f, 0x7f],
      ]),
    );
    expect(out).toContain('no step has the id "a%b\\x0d\\x0ac,d:e\\x01\\x1b[31m<&>\'"z"');
  });

  it('--quiet hides passing warnings but not warnings that fail under --strict', () => {
    const dir = WS;
    const quiet = run(dir, ['warn.yaml', '--quiet']);
    expect(quiet.stdout.trim()).toBe('');
    expect(quiet.code).toBe(0);
    const strict = run(dir, ['warn.yaml', '--quiet', '--strict']);
    expect(strict.stdout).toMatch(/^warn\.yaml:\d+:\d+: warning: .* \[unused-input\]$/m);
    expect(strict.code).toBe(1);
  });
});

interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

/** Parses a workflow command line the way the Actions runner does, undoing the escaping. */
function parseWorkflowCommand(line: string): WorkflowCommand | undefined {
  const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/s.exec(line);
  if (!m) return undefined;
  const unescape = (s: string, property: boolean) =>
    s.replace(
      property ? /%(25|0D|0A|3A|2C)/g : /%(25|0D|0A)/g,
      (_, code: string) => ({ '25': '%', '0D': '\r', '0A': '\n', '3A': ':', '2C': ',' })[code]!,
    );
  const properties: Record<string, string> = {};
  for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    properties[pair.slice(0, eq)] = unescape(pair.slice(eq + 1), true);
  }
  return { command: m[1]!, properties, message: unescape(m[3]!, false) };
}

describe('github', () => {
  it('writes one escaped workflow command per finding that decodes back to the finding', () => {
    const dir = WS;
    const files = ['broken.yaml', TRICKY_NAME];
    const r = run(dir, [...files, '--format', 'github']);
    const lines = r.stdout.trimEnd().split('\n');
    const commands = lines.filter((l) => l.startsWith('::'));
    const expected = json(dir, files).diagnostics;
    expect(commands).toHaveLength(expected.length);
    // The summary is a plain log line, never a command.
    expect(lines.filter((l) => !l.startsWith('::'))).toEqual([
      expect.stringMatching(/^sev validate: 2 files, \d+ errors?, \d+ warnings?$/),
    ]);

    commands.forEach((line, i) => {
      const d = expected[i]!;
      const parsed = parseWorkflowCommand(line)!;
      expect(parsed.command).toBe(d.severity);
      expect(parsed.message).toBe(d.message);
      expect(parsed.properties.file).toBe(d.file);
      expect(parsed.properties.line).toBe(String(d.line));
      expect(parsed.properties.endLine).toBe(String(d.endLine));
      expect(parsed.properties.title).toContain(d.rule);
      if (d.endLine === d.line) {
        expect(parsed.properties.col).toBe(String(d.col));
        // endColumn is the last column of the range, as in @actions/core.
        expect(parsed.properties.endColumn).toBe(String(d.endCol - 1));
      } else {
        // The runner drops columns of a range over several lines, so none are sent.
        expect(parsed.properties).not.toHaveProperty('col');
        expect(parsed.properties).not.toHaveProperty('endColumn');
      }
    });
    expect(expected.some((d) => d.endLine > d.line)).toBe(true);
  });

  it('escapes %, CR and LF in the message, and also : and , in properties', () => {
    const out = run(WS, [TRICKY_NAME, '--format', 'github']).stdout;
    const at = positionOf(TRICKY, 'next: "a%b', '"a%b');
    expect(out).toContain(`::error file=odd%2Cname%3A&<1>.yaml,line=${at.line},col=${at.col},`);
    expect(out).toContain('::no step has the id "a%25b%0D%0Ac,d:e');
    // Every command is one physical line: no CR, and LF only between commands.
    expect(out).not.toContain('\r');
    for (const line of out.trimEnd().split('\n')) expect(line).toMatch(/^(::(error|warning) |sev validate: )/);
  });

  it('is chosen when GITHUB_ACTIONS=true and no --format is given', () => {
    const dir = WS;
    const explicit = run(dir, ['broken.yaml', '--format', 'github']);
    const auto = run(dir, ['broken.yaml'], { GITHUB_ACTIONS: 'true' });
    expect(auto.stdout).toBe(explicit.stdout);
    expect(auto.stdout).toMatch(/^::error /);
    expect(auto.code).toBe(1);
    expect(run(dir, ['broken.yaml', '--format', 'text'], { GITHUB_ACTIONS: 'true' }).stdout).toMatch(/^broken\.yaml:\d+:\d+: error: /m);
    expect(run(dir, ['broken.yaml']).stdout).toMatch(/^broken\.yaml:\d+:\d+: error: /m);
  });

  it('keeps warnings as ::warning unless --strict', () => {
    const dir = WS;
    const normal = run(dir, ['warn.yaml', '--format', 'github']).stdout;
    expect(normal).toMatch(/^::warning file=warn\.yaml,/m);
    expect(normal).not.toMatch(/^::error/m);
    const strict = run(dir, ['warn.yaml', '--format', 'github', '--strict']).stdout;
    expect(strict).toMatch(/^::error file=warn\.yaml,/m);
    expect(strict).not.toMatch(/^::warning/m);
  });

  it('names files relative to the checkout ($GITHUB_WORKSPACE)', () => {
    const root = realpathSync(tempDir({ 'runbooks/team/broken.yaml': BROKEN }));
    const fromSubdir = run(join(root, 'runbooks'), ['team/broken.yaml', '--format', 'github'], { GITHUB_WORKSPACE: root }).stdout;
    expect(fromSubdir).toMatch(/^::error file=runbooks\/team\/broken\.yaml,/m);
    const absolute = run(root, [join(root, 'runbooks/team/broken.yaml'), '--format', 'github'], { GITHUB_WORKSPACE: root }).stdout;
    expect(absolute).toMatch(/^::error file=runbooks\/team\/broken\.yaml,/m);
  });
});

/** The SARIF 2.1.0 schema and validator that Microsoft's SARIF SDK ships for this platform. */
function sarifTool(): { schema: string; binary?: string } {
  for (const platform of [process.platform, 'linux', 'darwin', 'win32']) {
    let dir: string;
    try {
      dir = join(require.resolve(`@microsoft/sarif-multitool-${platform}/package.json`), '..');
    } catch {
      continue;
    }
    const binary = platform === process.platform ? (require(`@microsoft/sarif-multitool-${platform}`) as string) : undefined;
    return { schema: join(dir, 'sarif-2.1.0.json'), binary: binary && existsSync(binary) ? binary : undefined };
  }
  throw new Error('@microsoft/sarif-multitool is not installed: run npm install');
}

interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; rules: { id: string; help?: { text: string } }[] } };
    originalUriBaseIds?: Record<string, { uri: string }>;
    columnKind: string;
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: {
        physicalLocation: {
          artifactLocation: { uri: string; uriBaseId?: string };
          region: { startLine: number; startColumn?: number; endLine?: number; endColumn?: number };
        };
      }[];
      partialFingerprints?: Record<string, string>;
    }[];
  }[];
}

function sarif(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): SarifLog {
  const r = run(cwd, [...args, '--format', 'sarif'], env);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as SarifLog;
}

/** Resolves a result's location back to a file path, through the run's uriBaseId table. */
function resolveLocation(log: SarifLog, location: { uri: string; uriBaseId?: string }): string {
  const base = location.uriBaseId ? log.runs[0]!.originalUriBaseIds![location.uriBaseId]!.uri : undefined;
  return fileURLToPath(new URL(location.uri, base));
}

describe('sarif', () => {
  it('validates against the official SARIF 2.1.0 JSON schema', () => {
    const addFormats = addFormatsModule.default;
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(sarifTool().schema, 'utf8')));
    // A working directory with a space and a non-ASCII letter puts both into the root URI.
    const dir = realpathSync(
      tempDir({
        'wörk dir/broken.yaml': BROKEN,
        'wörk dir/clean.yaml': CLEAN,
        'wörk dir/empty.yaml': '',
        [`wörk dir/${TRICKY_NAME}`]: TRICKY,
      }),
    );
    const log = sarif(join(dir, 'wörk dir'), ['broken.yaml', 'clean.yaml', 'empty.yaml', TRICKY_NAME]);
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(log.runs[0]!.results.length).toBeGreaterThan(0);
    // The check has teeth: a log with a line 0 is refused.
    const broken = structuredClone(log);
    broken.runs[0]!.results[0]!.locations[0]!.physicalLocation.region.startLine = 0;
    expect(validate(broken)).toBe(false);
  });

  const tool = sarifTool();
  if (!tool.binary)
    warnSkipped(
      'test/formats.test.ts',
      `the SARIF SDK validator (@microsoft/sarif-multitool-${process.platform})`,
      'the SARIF SDK validation',
    );
  it.runIf(tool.binary)(
    'passes the SARIF SDK validator, with the rules of GitHub code scanning ingestion' +
      (tool.binary ? '' : ` (skipped: @microsoft/sarif-multitool-${process.platform} has no program for this platform)`),
    () => {
      const binary = tool.binary!;
      try {
        accessSync(binary, constants.X_OK);
      } catch {
        chmodSync(binary, 0o755);
      }
      const dir = workspace();
      const problems = (file: string) => {
        const out = join(dir, `${file}.validation.sarif`);
        const r = spawnSync(
          binary,
          ['validate', file, '--rule-kind', 'Sarif;Gh;Ghas', '--level', 'Error;Warning', '-o', out, '--log', 'ForceOverwrite', '--quiet'],
          {
            cwd: dir,
            encoding: 'utf8',
            timeout: 120_000,
          },
        );
        expect(r.error).toBeUndefined();
        const validation = JSON.parse(readFileSync(out, 'utf8')) as {
          runs: {
            tool: { driver: { rules?: { id: string; defaultConfiguration?: { level?: string } }[] } };
            results?: { ruleId: string; level?: string; message: { text?: string; arguments?: string[] } }[];
          }[];
        };
        const rules = validation.runs[0]!.tool.driver.rules ?? [];
        return (validation.runs[0]!.results ?? []).map((res) => ({
          rule: res.ruleId,
          level: res.level ?? rules.find((rule) => rule.id === res.ruleId)?.defaultConfiguration?.level ?? 'warning',
          where: res.message.arguments?.[0],
        }));
      };

      writeFileSync(join(dir, 'out.sarif'), run(dir, ['broken.yaml', 'clean.yaml', 'empty.yaml', TRICKY_NAME, '--format', 'sarif']).stdout);
      const found = problems('out.sarif');
      expect(found.filter((p) => p.level === 'error')).toEqual([]);
      expect(found.filter((p) => p.rule.startsWith('GH'))).toEqual([]);

      // The check has teeth: a result without message text is refused, as GitHub refuses it.
      const log = JSON.parse(readFileSync(join(dir, 'out.sarif'), 'utf8')) as SarifLog;
      delete (log.runs[0]!.results[0]!.message as { text?: string }).text;
      writeFileSync(join(dir, 'bad.sarif'), JSON.stringify(log));
      expect(problems('bad.sarif').filter((p) => p.level === 'error').length).toBeGreaterThan(0);
    },
  );

  it('has what GitHub code scanning requires, and matches the findings', () => {
    const dir = WS;
    const files = ['broken.yaml', 'clean.yaml', 'warn.yaml', 'empty.yaml', TRICKY_NAME];
    const log = sarif(dir, files);
    const expected = json(dir, files).diagnostics;
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const run0 = log.runs[0]!;
    expect(run0.tool.driver.name).toBe('sevkit');
    const ids = run0.tool.driver.rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of run0.tool.driver.rules) expect(rule.help?.text).toBeTruthy();
    expect(run0.results).toHaveLength(expected.length);
    run0.results.forEach((result, i) => {
      const d = expected[i]!;
      expect(result.ruleId).toBe(d.rule);
      expect(run0.tool.driver.rules[result.ruleIndex]!.id).toBe(result.ruleId);
      expect(result.level).toBe(d.severity);
      expect(result.message.text).toBe(d.message);
      expect(result.locations).toHaveLength(1);
      const { artifactLocation, region } = result.locations[0]!.physicalLocation;
      // Relative to the repository root: no scheme, no leading slash, no way up.
      expect(artifactLocation.uri).not.toMatch(/^[a-z][a-z0-9+.-]*:|^\/|(^|\/)\.\.(\/|$)/i);
      expect(resolveLocation(log, artifactLocation)).toBe(join(dir, d.file));
      expect(region.startLine).toBe(d.line);
      expect(region.startColumn).toBe(d.col);
      expect(result.partialFingerprints?.primaryLocationLineHash).toMatch(/^[0-9a-f]+:\d+$/);
    });
    // A file name with a comma, a colon and XML specials survives as a URI.
    expect(run0.results.some((r) => r.locations[0]!.physicalLocation.artifactLocation.uri === encodeURIComponent(TRICKY_NAME))).toBe(true);
  });

  it('counts columns in UTF-16 code units, as it declares', () => {
    const log = sarif(WS, ['broken.yaml']);
    expect(log.runs[0]!.columnKind).toBe('utf16CodeUnits');
    const lines = BROKEN.split('\n');
    const flagged = log.runs[0]!.results.map((r) => {
      const { startLine, startColumn, endColumn } = r.locations[0]!.physicalLocation.region;
      return lines[startLine - 1]!.slice(startColumn! - 1, endColumn! - 1);
    });
    // "nowhere" on the line with the emoji (a surrogate pair) and CJK text, and the CJK step id.
    expect(flagged).toContain('nowhere');
    expect(flagged).toContain('終わり');
  });

  it('makes paths relative to $GITHUB_WORKSPACE, and absolute file: URIs for files outside it', () => {
    const root = realpathSync(tempDir({ 'runbooks/team a/broken.yaml': BROKEN }));
    const file = join(root, 'runbooks/team a/broken.yaml');
    const inside = sarif(join(root, 'runbooks'), ['team a/broken.yaml'], { GITHUB_WORKSPACE: root });
    const location = inside.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation;
    expect(location).toEqual({ uri: 'runbooks/team%20a/broken.yaml', uriBaseId: '%SRCROOT%' });
    expect(resolveLocation(inside, location)).toBe(file);

    const elsewhere = realpathSync(tempDir());
    const outside = sarif(elsewhere, [file]);
    const absolute = outside.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation;
    expect(absolute.uriBaseId).toBeUndefined();
    expect(absolute.uri).toMatch(/^file:\/\//);
    expect(fileURLToPath(absolute.uri)).toBe(file);
  });

  it('reports warnings as errors under --strict', () => {
    const dir = WS;
    expect(sarif(dir, ['warn.yaml']).runs[0]!.results.map((r) => r.level)).toEqual(['warning']);
    expect(sarif(dir, ['warn.yaml', '--strict']).runs[0]!.results.map((r) => r.level)).toEqual(['error']);
  });

  it('fingerprints follow the flagged line, not its number, and tell identical lines apart', () => {
    const twice = BROKEN.replace(
      '  - id: done\n',
      '  - id: again\n    instructions: Nobody gets here either.\n    next: nowhere\n  - id: done\n',
    );
    const fingerprints = (text: string) => {
      const log = sarif(workspace({ 'r.yaml': text }), ['r.yaml']);
      return log.runs[0]!.results.map((r) => ({
        key: `${r.ruleId} ${r.message.text}`,
        line: r.locations[0]!.physicalLocation.region.startLine,
        fingerprint: r.partialFingerprints!.primaryLocationLineHash!,
      }));
    };
    const before = fingerprints(twice);
    const all = before.map((f) => f.fingerprint);
    expect(new Set(all).size).toBe(all.length);
    expect(before.filter((f) => f.key === 'unknown-step no step has the id "nowhere"')).toHaveLength(3);

    // Lines added above move every finding down but keep every fingerprint.
    const moved = fingerprints(twice.replace('steps:\n', '# the steps\n# in order\nsteps:\n'));
    expect(moved.map((f) => f.line)).toEqual(before.map((f) => f.line + 2));
    expect(moved.map((f) => f.fingerprint)).toEqual(all);

    // Editing the flagged line itself gives that finding a new fingerprint, and only that one.
    const edited = fingerprints(twice.replace('next: 終わり', 'next: 終わり # to do'));
    const changed = edited.filter((f, i) => f.fingerprint !== before[i]!.fingerprint).map((f) => f.key);
    expect(changed.sort()).toEqual([
      'schema "終わり" must be kebab-case: lowercase letters and digits joined by single dashes',
      'unknown-step no step has the id "終わり"',
    ]);
  });
});

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Parses XML with a strict, well-formedness-checking parser; throws at the first error. */
function parseXml(xml: string): XmlElement {
  const parser = new SaxesParser();
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack = [root];
  let error: Error | undefined;
  parser.on('error', (e) => {
    error ??= e;
  });
  parser.on('opentag', (tag) => {
    const element: XmlElement = { name: tag.name, attributes: { ...(tag.attributes as Record<string, string>) }, children: [], text: '' };
    stack.at(-1)!.children.push(element);
    stack.push(element);
  });
  parser.on('text', (text) => {
    stack.at(-1)!.text += text;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.write(xml).close();
  if (error) throw error;
  expect(root.children).toHaveLength(1);
  return root.children[0]!;
}

const childrenNamed = (e: XmlElement, name: string) => e.children.filter((c) => c.name === name);
/** What XML 1.0 can carry of a string: the characters it cannot become U+FFFD. */
const asXml = (s: string) =>
  s.replace(
    controlClass(
      [
        [0x00, 0x08],
        [0x0b, 0x0c],
        [0x0e, 0x1f],
      ],
      'g',
    ),
    '\uFFFD',
  );

describe('junit', () => {
  it('is well-formed XML: one suite per file, one case per finding, a passing case for a clean file, counts right', () => {
    const dir = WS;
    const files = ['broken.yaml', 'clean.yaml', 'warn.yaml', 'empty.yaml', TRICKY_NAME];
    const xml = run(dir, [...files, '--format', 'junit']).stdout;
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    const root = parseXml(xml);
    const report = json(dir, files);
    expect(root.name).toBe('testsuites');
    const suites = childrenNamed(root, 'testsuite');
    expect(suites.map((s) => s.attributes.name)).toEqual(files);

    let tests = 0;
    let failures = 0;
    for (const suite of suites) {
      const findings = report.diagnostics.filter((d) => d.file === suite.attributes.name);
      const cases = childrenNamed(suite, 'testcase');
      const failed = cases.filter((c) => childrenNamed(c, 'failure').length > 0);
      expect(cases).toHaveLength(Math.max(1, findings.length));
      expect(failed).toHaveLength(findings.filter((d) => d.severity === 'error').length);
      expect(suite.attributes.tests).toBe(String(cases.length));
      expect(suite.attributes.failures).toBe(String(failed.length));
      expect(new Set(cases.map((c) => c.attributes.name)).size).toBe(cases.length);
      if (findings.length === 0) expect(cases[0]!.children).toEqual([]);
      for (const c of cases) expect(c.attributes.classname).toBe(suite.attributes.name);
      tests += cases.length;
      failures += failed.length;
    }
    expect(root.attributes.tests).toBe(String(tests));
    expect(root.attributes.failures).toBe(String(failures));
    expect(failures).toBe(report.errors);
  });

  it('escapes everything, control characters included, so messages read back intact', () => {
    const dir = WS;
    const xml = run(dir, [TRICKY_NAME, '--format', 'junit']).stdout;
    const suite = childrenNamed(parseXml(xml), 'testsuite')[0]!;
    expect(suite.attributes.name).toBe(TRICKY_NAME);
    const messages = childrenNamed(suite, 'testcase').flatMap((c) =>
      childrenNamed(c, 'failure').map((f) => ({ attr: f.attributes.message, text: f.text })),
    );
    const expected = json(dir, [TRICKY_NAME]).diagnostics.filter((d) => d.severity === 'error');
    expect(messages).toHaveLength(expected.length);
    messages.forEach((m, i) => {
      expect(m.attr).toBe(asXml(expected[i]!.message));
      expect(m.text).toContain(asXml(expected[i]!.message));
    });
    // The CR and LF of the quoted id survive, in the attribute too.
    expect(messages.some((m) => m.attr!.includes('a%b\r\nc,d:e'))).toBe(true);
  });

  it('makes warnings failures only under --strict', () => {
    const dir = WS;
    const normal = childrenNamed(childrenNamed(parseXml(run(dir, ['warn.yaml', '--format', 'junit']).stdout), 'testsuite')[0]!, 'testcase');
    expect(normal).toHaveLength(1);
    expect(childrenNamed(normal[0]!, 'failure')).toEqual([]);
    expect(childrenNamed(normal[0]!, 'system-out')[0]!.text).toMatch(/warning: .* \[unused-input\]/);

    const root = parseXml(run(dir, ['warn.yaml', '--format', 'junit', '--strict']).stdout);
    const strict = childrenNamed(childrenNamed(root, 'testsuite')[0]!, 'testcase');
    expect(childrenNamed(strict[0]!, 'failure')).toHaveLength(1);
    expect(root.attributes.failures).toBe('1');
  });
});

interface CodeQualityIssue {
  type: string;
  check_name: string;
  description: string;
  severity: string;
  fingerprint: string;
  location: { path: string; lines: { begin: number; end: number } };
}

describe('codequality', () => {
  const issuesOf = (r: Run) => JSON.parse(r.stdout) as CodeQualityIssue[];

  it('is a JSON array of CodeClimate issues with every field GitLab reads, one per finding, at its file and line', () => {
    const files = ['broken.yaml', 'clean.yaml', 'warn.yaml', 'empty.yaml', TRICKY_NAME];
    const issues = issuesOf(run(WS, [...files, '--format', 'codequality']));
    const report = json(WS, files);
    expect(issues).toHaveLength(report.diagnostics.length);
    issues.forEach((issue, i) => {
      const d = report.diagnostics[i]!;
      expect(Object.keys(issue).sort()).toEqual(['categories', 'check_name', 'description', 'fingerprint', 'location', 'severity', 'type']);
      expect(issue).toMatchObject({
        type: 'issue',
        check_name: `sev/${d.rule}`,
        description: d.message,
        location: { path: d.file, lines: { begin: d.line } },
      });
      expect(issue.severity).toBe(d.severity === 'error' ? 'major' : 'minor');
      expect(['info', 'minor', 'major', 'critical', 'blocker']).toContain(issue.severity);
      expect(issue.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(issue.location.lines.end).toBeGreaterThanOrEqual(issue.location.lines.begin);
    });
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(issues.length);
    expect(run(WS, ['clean.yaml', '--format', 'codequality']).stdout.trim()).toBe('[]');
  });

  it('keeps each fingerprint when an edit above moves the finding, and paths relative to $CI_PROJECT_DIR', () => {
    const dir = workspace({ 'runbooks/broken.yaml': BROKEN });
    const before = issuesOf(run(dir, ['runbooks/broken.yaml', '--format', 'codequality']));
    writeFileSync(join(dir, 'runbooks/broken.yaml'), `# moved down by a comment\n\n${BROKEN}`);
    const after = issuesOf(run(dir, ['runbooks/broken.yaml', '--format', 'codequality']));
    expect(after.map((i) => i.fingerprint)).toEqual(before.map((i) => i.fingerprint));
    expect(after.map((i) => i.location.lines.begin)).toEqual(before.map((i) => i.location.lines.begin + 2));
    const fromElsewhere = issuesOf(run(join(dir, 'runbooks'), ['broken.yaml', '--format', 'codequality'], { CI_PROJECT_DIR: dir }));
    expect(fromElsewhere.map((i) => i.location.path)).toEqual(after.map(() => 'runbooks/broken.yaml'));
    expect(fromElsewhere.map((i) => i.fingerprint)).toEqual(after.map((i) => i.fingerprint));
  });

  it('counts warnings as major under --strict', () => {
    const [normal, strict] = [
      run(WS, ['warn.yaml', '--format', 'codequality']),
      run(WS, ['warn.yaml', '--format', 'codequality', '--strict']),
    ];
    expect(issuesOf(normal).map((i) => i.severity)).toEqual(['minor']);
    expect(issuesOf(strict).map((i) => i.severity)).toEqual(['major']);
    expect(strict.code).toBe(1);
  });
});

describe('GitHub Actions job summary', () => {
  it('appends a Markdown summary to $GITHUB_STEP_SUMMARY beside the annotations: counts, then a row per finding', () => {
    const summary = join(tempDir({ 'summary.md': '## an earlier step\n' }), 'summary.md');
    const files = ['broken.yaml', 'warn.yaml', TRICKY_NAME];
    const r = run(WS, files, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error /m);
    const report = json(WS, files);
    const text = readFileSync(summary, 'utf8');
    expect(text.startsWith('## an earlier step\n## ❌ sev validate\n')).toBe(true);
    expect(text).toContain(`3 files checked: ${report.errors} errors, ${report.warnings} warning`);
    const rows = text.split('\n').filter((l) => /^\| (error|warning) \|/.test(l));
    expect(rows).toHaveLength(report.diagnostics.length);
    // Every row has its five cells: no message's pipe or newline breaks the table.
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(7);
    expect(rows[0]).toContain(
      `| \`broken.yaml\` | ${report.diagnostics[0]!.line}:${report.diagnostics[0]!.col} | ${report.diagnostics[0]!.rule} |`,
    );
  });

  it('says so when clean, and writes nothing without GITHUB_STEP_SUMMARY or in another format', () => {
    const summary = join(tempDir(), 'summary.md');
    expect(run(WS, ['clean.yaml'], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary }).code).toBe(0);
    expect(readFileSync(summary, 'utf8')).toMatch(/^## ✅ sev validate\n\n1 file checked: 0 errors, 0 warnings\.\n\n$/);
    const other = join(tempDir(), 'other.md');
    expect(run(WS, ['broken.yaml', '--format', 'json'], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: other }).code).toBe(1);
    expect(existsSync(other)).toBe(false);
    expect(run(WS, ['broken.yaml'], { GITHUB_ACTIONS: 'true' }).code).toBe(1);
  });
});
