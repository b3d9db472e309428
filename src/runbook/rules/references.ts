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

/** Several rules read the texts of one runbook: they are gathered and scanned once. */
const cache = new WeakMap<Runbook, Text[]>();

/** Every text of a runbook that holds a {{ template }}, with where it sits and its references. */
export function texts(runbook: Runbook): Text[] {
  const cached = cache.get(runbook);
  if (cached) return cached;
  const out: Text[] = [];
  // Texts without "{{" have nothing for these rules to look at; most texts are such, so their paths
  // are never built.
  const add = (text: string | undefined, base: Path, ...tail: (string | number)[]) => {
    if (text?.includes('{{')) out.push({ text, path: [...base, ...tail], scan: scanTemplate(text) });
  };
  for (const input of allInputs(runbook)) {
    add(input.prompt, input.path, 'prompt');
    add(input.description, input.path, 'description');
  }
  for (const check of runbook.checks) {
    for (const name in check.env) add(check.env[name], check.path, 'env', name);
  }
  for (const step of runbook.steps) {
    add(step.title, step.path, 'title');
    add(step.instructions, step.path, 'instructions');
    // When confirm is a plain question, locating 'question' falls back to the confirm value itself.
    if (step.confirm) add(step.confirm.question, step.path, 'confirm', 'question');
    if (step.choice) {
      add(step.choice.question, step.path, 'choice', 'question');
      for (const option of step.choice.options) add(option.label, option.path, 'label');
    }
    if (step.command) for (const name in step.command.env) add(step.command.env[name], step.path, 'command', 'env', name);
    if (step.announce) {
      add(step.announce.channel, step.path, 'announce', 'channel');
      add(step.announce.subject, step.path, 'announce', 'subject');
      add(step.announce.message, step.path, 'announce', 'message');
    }
  }
  cache.set(runbook, out);
  return out;
}

interface CommandText {
  text: string;
  path: Path;
}
const commandCache = new WeakMap<Runbook, CommandText[]>();

/** Every command a runbook can run, as one string (an argv list joined by spaces), with where it sits. */
export function commands(runbook: Runbook): CommandText[] {
  let out = commandCache.get(runbook);
  if (out) return out;
  out = [];
  const text = (run: string | string[]) => (typeof run === 'string' ? run : run.join(' '));
  for (const c of runbook.checks) out.push({ text: text(c.run), path: [...c.path, 'run'] });
  for (const s of runbook.steps) if (s.command) out.push({ text: text(s.command.run), path: [...s.path, 'command', 'run'] });
  commandCache.set(runbook, out);
  return out;
}

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
    const names = new Set<string>([...allInputs(runbook).map((i) => i.name), ...FACTS]);
    for (const { path, scan } of texts(runbook)) {
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
    for (const { text, path } of commands(runbook)) {
      const ref = scanTemplate(text).refs[0];
      if (!ref) continue;
      const hint = ref.name.includes('.') ? 'use the SEV_INCIDENT_* environment variables' : `use "$${inputEnvName(ref.name)}"`;
      report(path, `commands are never templated, so {{ ${ref.name} }} would not be replaced: ${hint}`);
    }
  },
};

const ENV_REF = /\$\{?(SEV_[A-Z0-9_]+)\}?/g;

export const undefinedEnv: Rule = {
  id: 'undefined-env',
  severity: 'warning',
  description: 'A command uses $SEV_NAME but no input is called name.',
  check({ runbook, report }) {
    const known = new Set<string>([...allInputs(runbook).map((i) => inputEnvName(i.name)), ...INCIDENT_ENV]);
    for (const { text, path } of commands(runbook)) {
      for (const [, name] of text.matchAll(ENV_REF)) {
        if (known.has(name!)) continue;
        const suggestion = closest(name!, known);
        report(path, `$${name} is not set by sev: no input is named ${name!.slice(4).toLowerCase()}${suggestion ? ` (did you mean $${suggestion}?)` : ''}`);
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
    for (const { text } of commands(runbook)) for (const [, name] of text.matchAll(ENV_REF)) used.add(name!);
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
