import type { ChalkInstance } from 'chalk';
import stringWidth from 'string-width';
import { lintRulesFile, rulesFile } from '../regulator/rules-file.js';
import type { RegulatorRules } from '../regulator/rules.js';
import { langChoice, loadRunbook } from '../runbook/catalog.js';
import { shownCommand } from '../runbook/command-text.js';
import { END, type Action, type CheckDef, type Runbook, type Step } from '../runbook/model.js';
import { paint, write } from '../ui/output.js';
import { firstLineOf } from '../text/cut.js';
import { fitWidth, padWidth } from '../text/width.js';

export interface ShowOptions {
  runbooks: string;
  json?: boolean;
  lang?: string;
}

export async function showCommand(ref: string, options: ShowOptions): Promise<void> {
  const { runbook } = await loadRunbook(ref, options.runbooks, langChoice(options.lang));
  if (options.json) {
    write(JSON.stringify(runbook, (key, value: unknown) => (key === 'path' ? undefined : value), 2));
    return;
  }
  const regulators = runbook.steps.some((s) => s.regulator) ? lintRulesFile(rulesFile(runbook.file, options.runbooks)) : undefined;
  write(
    outline(
      runbook,
      paint(),
      regulators
        ? { file: regulators.file, rules: regulators.rules, errors: regulators.diagnostics.filter((d) => d.severity === 'error').length }
        : undefined,
    ),
  );
}

/** The regulators file a runbook's regulator steps use, as `sev show` found it. */
export interface RegulatorsShown {
  file: string;
  rules?: RegulatorRules;
  errors: number;
}

/** Keeps the later lines of a multi-line command under its first one. */
const indented = (text: string, prefix: string) => text.replace(/\n/g, `\n${prefix}`);
const target = (id: string) => (id === END ? 'the end' : id);

function action(a: Action): string {
  if (a.kind === 'goto') return `go to ${target(a.target)}`;
  return { ask: 'ask the responder', stop: 'stop the run', continue: 'continue' }[a.kind];
}

function outlineLine(text: string, width = 100): string {
  const line = firstLineOf(text);
  const fitted = fitWidth(line, width);
  return fitted === line && text.trim().includes('\n') ? `${line} …` : fitted;
}

function describeCheck(check: CheckDef): string {
  const parts = [`timeout ${check.timeout}`];
  if (check.retries) parts.push(`${check.retries} retr${check.retries === 1 ? 'y' : 'ies'} every ${check.interval}`);
  if (check.nagios) parts.push('Nagios exit status');
  else parts.push(`expects exit ${check.expect.exit.join(' or ')}`);
  if (check.expect.stdout) parts.push(`stdout /${check.expect.stdout}/`);
  if (check.expect.stdoutNot) parts.push(`stdout not /${check.expect.stdoutNot}/`);
  if (check.expect.stderr) parts.push(`stderr /${check.expect.stderr}/`);
  if (check.failure === 'warning') parts.push('failure is a warning');
  return parts.join(', ');
}

function stepDetail(step: Step, runbook: Runbook, c: ChalkInstance, regulators?: RegulatorsShown): string[] {
  const lines: string[] = [];
  if (step.instructions) lines.push(c.dim(outlineLine(step.instructions)));
  if (step.confirm) {
    lines.push(`${c.cyan('?')} ${step.confirm.question}`);
    lines.push(`  if no: ${action(step.confirm.onNo)}`);
  }
  if (step.choice) {
    lines.push(`${c.cyan('?')} ${step.choice.question}`);
    for (const option of step.choice.options) {
      const effects = [option.severity ? `set ${option.severity}` : '', option.goto ? `go to ${target(option.goto)}` : ''].filter(Boolean);
      lines.push(`  • ${option.label}${effects.length ? c.dim(` → ${effects.join(', ')}`) : ''}`);
    }
  }
  if (step.input) lines.push(`${c.cyan('?')} ${step.input.prompt} ${c.dim(`→ ${step.input.name}${step.input.secret ? ' (secret)' : ''}`)}`);
  if (step.checks) {
    lines.push(`runs checks: ${step.checks.join(', ')}`);
    lines.push(`  on failure: ${action(step.onFail)}`);
  }
  if (step.wait) {
    lines.push(`waits until ${step.wait.check} passes (every ${step.wait.interval}, up to ${step.wait.timeout})`);
    lines.push(`  on timeout: ${action(step.wait.onTimeout)}`);
  }
  if (step.command) {
    const flags = [
      step.command.changesState ? 'changes state' : 'read-only',
      step.command.confirm ? 'confirmed first' : c.yellow('not confirmed'),
      `timeout ${step.command.timeout}`,
    ];
    lines.push(`${c.bold('$')} ${indented(shownCommand(step.command.run), '  ')}`);
    lines.push(c.dim(`  ${flags.join(', ')}; on failure: ${action(step.onFail)}`));
  }
  if (step.announce) {
    const to = [step.announce.audience, step.announce.channel].filter(Boolean).join(' via ');
    lines.push(`announces to ${to}: ${c.italic(outlineLine(step.announce.subject ?? step.announce.message, 80))}`);
  }
  if (step.regulator) {
    const rules = regulators?.rules;
    lines.push(
      `assesses regulator notifications (${regulators?.file ?? 'regulators.yaml'}` +
        `${regulators?.errors ? c.red(`, ${regulators.errors} errors: sev validate it`) : ''})`,
    );
    if (rules) lines.push(c.dim(`  ${rules.notifications.map((n) => n.id).join(', ')}`));
    const fed = Object.entries(step.regulator.facts);
    if (fed.length) lines.push(c.dim(`  facts from inputs: ${fed.map(([fact, input]) => `${fact} ← ${input}`).join(', ')}`));
    lines.push(c.dim('  then asks, for each that applies, whether it was filed'));
  }
  if (step.next) lines.push(`then: go to ${target(step.next)}`);
  else if (step.index === runbook.steps.length - 1 && !step.choice) lines.push(c.dim('then: the end'));
  return lines;
}

/** A readable outline of a runbook: what it asks, what it does, where each step can go. */
export function outline(runbook: Runbook, c: ChalkInstance, regulators?: RegulatorsShown): string {
  const out: string[] = [];
  out.push(`${c.bold(runbook.title)} ${c.dim(`(${runbook.id}${runbook.version ? ` v${runbook.version}` : ''})`)}`);
  const meta = [
    `class ${runbook.class}`,
    `default ${runbook.severity}`,
    runbook.owner ? `owner ${runbook.owner}` : '',
    runbook.lang ? `lang ${runbook.lang}` : '',
  ];
  out.push(c.dim(meta.filter(Boolean).join(' · ')));
  out.push(c.dim(runbook.translation ? `${runbook.file} · texts from ${runbook.translation.file}` : runbook.file));
  if (runbook.tags.length) out.push(c.dim(`tags: ${runbook.tags.join(', ')}`));
  if (runbook.summary) out.push('', runbook.summary.trim());
  if (runbook.links.length) {
    out.push('', c.bold('Links'));
    for (const link of runbook.links) out.push(`  ${link.title}: ${link.url}`);
  }
  if (runbook.inputs.length) {
    out.push('', c.bold('Inputs') + c.dim(' (asked at the start)'));
    const width = Math.max(...runbook.inputs.map((i) => stringWidth(i.name)));
    for (const input of runbook.inputs) {
      const extra = [
        input.secret ? 'secret' : input.default !== undefined ? `default ${input.default}` : '',
        input.choices ? `one of ${input.choices.join(', ')}` : '',
        input.pattern ? `pattern ${input.pattern}` : '',
        input.required ? '' : 'optional',
      ].filter(Boolean);
      out.push(`  ${padWidth(input.name, width)}  ${input.prompt}${extra.length ? c.dim(`  (${extra.join('; ')})`) : ''}`);
    }
  }
  out.push('', c.bold('Steps'));
  const numberWidth = String(runbook.steps.length).length;
  for (const step of runbook.steps) {
    const milestone = step.milestone ? ` ${c.magenta(`◆ ${step.milestone}`)}` : '';
    out.push(
      `  ${String(step.index + 1).padStart(numberWidth)}. ${c.bold(step.id)}${step.title ? ` — ${step.title}` : ''} ${c.dim(`[${step.kind}]`)}${milestone}`,
    );
    const prefix = `  ${' '.repeat(numberWidth + 2)}`;
    for (const line of stepDetail(step, runbook, c, regulators)) out.push(`${prefix}${indented(line, prefix)}`);
  }
  if (runbook.checks.length) {
    out.push('', c.bold('Checks'));
    for (const check of runbook.checks) {
      out.push(`  ${c.bold(check.name)}${check.description ? ` — ${check.description}` : ''}`);
      out.push(`    ${c.bold('$')} ${indented(shownCommand(check.run), '      ')}`);
      out.push(c.dim(`    ${describeCheck(check)}`));
    }
  }
  return out.join('\n');
}
