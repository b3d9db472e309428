import { allInputs, type Runbook } from '../model.js';
import type { Path } from '../source.js';
import { closest } from '../suggest.js';
import { FACTS, INCIDENT_ENV, inputEnvName, scanTemplate, type TemplateScan } from '../template.js';
import { compileWhole } from '../regex.js';
import type { Rule } from './rule.js';

interface Text {
  text: string;
  path: Path;
  scan: TemplateScan;
}

/** Adds a text to `out` when it holds a template; its path is built only then. */
function addText(out: Text[], text: string | undefined, base: Path, a: string, b?: string, c?: string): void {
  if (text === undefined || !text.includes('{{')) return;
  const path = c !== undefined ? [...base, a, b!, c] : b !== undefined ? [...base, a, b] : [...base, a];
  out.push({ text, path, scan: scanTemplate(text) });
}

/**
 * Several rules read the texts and commands of one runbook: they are gathered once. Rules check one
 * runbook after the other, so only the last one's are kept.
 */
let lastTexts: { runbook: Runbook; texts: Text[] } | undefined;
let lastCommands: { runbook: Runbook; commands: CommandText[] } | undefined;

/** Every text of a runbook that holds a {{ template }} (most hold none), with where it sits and its references. */
export function texts(runbook: Runbook): Text[] {
  if (lastTexts?.runbook === runbook) return lastTexts.texts;
  const out: Text[] = [];
  for (const input of allInputs(runbook)) {
    addText(out, input.prompt, input.path, 'prompt');
    addText(out, input.description, input.path, 'description');
  }
  for (const check of runbook.checks) {
    for (const name in check.env) addText(out, check.env[name], check.path, 'env', name);
  }
  for (const step of runbook.steps) {
    addText(out, step.title, step.path, 'title');
    addText(out, step.instructions, step.path, 'instructions');
    // When confirm is a plain question, locating 'question' falls back to the confirm value itself.
    if (step.confirm) addText(out, step.confirm.question, step.path, 'confirm', 'question');
    if (step.choice) {
      addText(out, step.choice.question, step.path, 'choice', 'question');
      for (const option of step.choice.options) addText(out, option.label, option.path, 'label');
    }
    if (step.command) for (const name in step.command.env) addText(out, step.command.env[name], step.path, 'command', 'env', name);
    if (step.announce) {
      addText(out, step.announce.channel, step.path, 'announce', 'channel');
      addText(out, step.announce.subject, step.path, 'announce', 'subject');
      addText(out, step.announce.message, step.path, 'announce', 'message');
    }
  }
  lastTexts = { runbook, texts: out };
  return out;
}

interface CommandText {
  /** The command as one string (an argv list joined by spaces). */
  text: string;
  /** The SEV_* variables it uses. */
  env: string[];
  /** Where its run value sits: the check's or the step's path, and the keys below it. */
  owner: Path;
  tail: readonly string[];
}

const ENV_REF = /\$\{?(SEV_[A-Z0-9_]+)\}?/g;
const CHECK_RUN = ['run'] as const;
const STEP_RUN = ['command', 'run'] as const;

function commandText(run: string | string[], owner: Path, tail: readonly string[]): CommandText {
  const text = typeof run === 'string' ? run : run.join(' ');
  const env: string[] = [];
  if (text.includes('SEV_')) for (const m of text.matchAll(ENV_REF)) env.push(m[1]!);
  return { text, env, owner, tail };
}

/** Every command a runbook can run, with where it sits and the variables it uses. */
export function commands(runbook: Runbook): CommandText[] {
  if (lastCommands?.runbook === runbook) return lastCommands.commands;
  const out: CommandText[] = [];
  for (const c of runbook.checks) out.push(commandText(c.run, c.path, CHECK_RUN));
  for (const s of runbook.steps) if (s.command) out.push(commandText(s.command.run, s.path, STEP_RUN));
  lastCommands = { runbook, commands: out };
  return out;
}

const pathOf = (command: CommandText): Path => [...command.owner, ...command.tail];

export const undefinedCheck: Rule = {
  id: 'undefined-check',
  severity: 'error',
  description: 'A step runs or waits for a check that the checks section does not define.',
  check({ runbook, report }) {
    const names = new Set(runbook.checks.map((c) => c.name));
    const missing = (name: string, path: Path) => {
      const suggestion = closest(name, names);
      report(path, `no check is named "${name}"${suggestion ? `: did you mean "${suggestion}"?` : names.size ? '' : ' (the runbook defines no checks)'}`);
    };
    for (const step of runbook.steps) {
      if (step.checks) {
        for (let i = 0; i < step.checks.length; i++) if (!names.has(step.checks[i]!)) missing(step.checks[i]!, [...step.path, 'checks', i]);
      }
      if (step.wait && !names.has(step.wait.check)) missing(step.wait.check, [...step.path, 'wait', 'check']);
    }
  },
};

export const undefinedInput: Rule = {
  id: 'undefined-input',
  severity: 'error',
  description: 'A {{ template }} names an input or fact that does not exist.',
  check({ runbook, report }) {
    const templated = texts(runbook);
    if (templated.length === 0) return;
    const names = new Set<string>([...allInputs(runbook).map((i) => i.name), ...FACTS]);
    for (const { path, scan } of templated) {
      for (const ref of scan.refs) {
        if (names.has(ref.name)) continue;
        const suggestion = closest(ref.name, names);
        report(path, `{{ ${ref.name} }} is not an input or a fact of the incident${suggestion ? `: did you mean {{ ${suggestion} }}?` : ''}`);
      }
    }
  },
};

export const templateSyntax: Rule = {
  id: 'template-syntax',
  severity: 'error',
  description: 'A {{ template }} is malformed or unclosed.',
  check({ runbook, report }) {
    for (const { path, scan } of texts(runbook)) {
      for (const error of scan.errors) report(path, error.message);
    }
  },
};

export const templateInCommand: Rule = {
  id: 'template-in-command',
  severity: 'error',
  description: 'A command contains {{ }}: inputs reach commands only as environment variables.',
  check({ runbook, report }) {
    for (const command of commands(runbook)) {
      const ref = scanTemplate(command.text).refs[0];
      if (!ref) continue;
      const hint = ref.name.includes('.') ? 'use the SEV_INCIDENT_* environment variables' : `use "$${inputEnvName(ref.name)}"`;
      report(pathOf(command), `commands are never templated, so {{ ${ref.name} }} would not be replaced: ${hint}`);
    }
  },
};

export const undefinedEnv: Rule = {
  id: 'undefined-env',
  severity: 'warning',
  description: 'A command uses $SEV_NAME but no input is called name.',
  check({ runbook, report }) {
    const list = commands(runbook);
    if (list.every((c) => c.env.length === 0)) return;
    const known = new Set<string>([...allInputs(runbook).map((i) => inputEnvName(i.name)), ...INCIDENT_ENV]);
    for (const command of list) {
      for (const name of command.env) {
        if (known.has(name)) continue;
        const suggestion = closest(name, known);
        report(pathOf(command), `$${name} is not set by sev: no input is named ${name.slice(4).toLowerCase()}${suggestion ? ` (did you mean $${suggestion}?)` : ''}`);
      }
    }
  },
};

export const unusedInput: Rule = {
  id: 'unused-input',
  severity: 'warning',
  description: 'An input is asked but no text or command uses it.',
  check({ runbook, report }) {
    const used = new Set<string>();
    for (const { scan } of texts(runbook)) for (const ref of scan.refs) used.add(ref.name);
    for (const command of commands(runbook)) for (const name of command.env) used.add(name);
    for (const input of allInputs(runbook)) {
      if (used.has(input.name) || used.has(inputEnvName(input.name))) continue;
      // Answers given at a step are recorded in the log, which is a use in itself.
      if (input.stepId) continue;
      report(input.path, `input "${input.name}" is asked but never used: reference it as {{ ${input.name} }} or $${inputEnvName(input.name)}`, { part: 'key' });
    }
  },
};

export const secretInText: Rule = {
  id: 'secret-in-text',
  severity: 'warning',
  description: 'A secret input is shown in a text; sev masks it, so the text shows ***** instead.',
  check({ runbook, report }) {
    const secrets = new Set(allInputs(runbook).filter((i) => i.secret).map((i) => i.name));
    if (!secrets.size) return;
    for (const { path, scan } of texts(runbook)) {
      if (path.includes('env')) continue;
      for (const ref of scan.refs) {
        if (secrets.has(ref.name)) report(path, `secret input "${ref.name}" is shown in a text: it will be masked; pass it to commands as $${inputEnvName(ref.name)} instead`);
      }
    }
  },
};

export const invalidDefault: Rule = {
  id: 'invalid-default',
  severity: 'error',
  description: "An input's default does not match its own pattern or choices.",
  check({ runbook, report }) {
    for (const input of allInputs(runbook)) {
      if (input.default === undefined) continue;
      if (input.choices && !input.choices.includes(input.default)) {
        report([...input.path, 'default'], `default "${input.default}" is not one of the choices: ${input.choices.join(', ')}`);
      }
      if (input.pattern === undefined) continue;
      const pattern = compileWhole(input.pattern);
      if (pattern && !pattern.test(input.default)) report([...input.path, 'default'], `default "${input.default}" does not match the input's pattern ${input.pattern}`);
    }
  },
};

export const reservedInputName: Rule = {
  id: 'reserved-input-name',
  severity: 'error',
  description: 'An input would be exported under the name of a fact sev sets itself (SEV_SEVERITY, SEV_STEP…), or two inputs share a name.',
  check({ runbook, report }) {
    const reserved = new Set<string>(INCIDENT_ENV);
    const seen = new Set<string>();
    for (const input of allInputs(runbook)) {
      const env = inputEnvName(input.name);
      if (reserved.has(env)) report(input.path, `input name "${input.name}" is reserved: sev sets $${env} itself; choose another name`, { part: 'key' });
      else if (seen.has(input.name)) report(input.stepId ? [...input.path, 'name'] : input.path, `input "${input.name}" is defined twice: a later answer would overwrite the first`, { part: 'key' });
      seen.add(input.name);
    }
  },
};
