import type { Path } from '../source.js';
import { closest } from '../suggest.js';
import { FACTS, INCIDENT_ENV, inputEnvName, scanTemplate } from '../template.js';
import { compileWhole } from '../regex.js';
import { commandPath } from './facts.js';
import type { Rule } from './rule.js';

const FACT_NAMES = new Set<string>(FACTS);
const RESERVED_ENV = new Set<string>(INCIDENT_ENV);

export const undefinedCheck: Rule = {
  id: 'undefined-check',
  severity: 'error',
  description: 'A step runs or waits for a check that the checks section does not define.',
  check({ runbook, report }) {
    const names = new Set(runbook.checks.map((c) => c.name));
    const missing = (name: string, path: Path) => {
      const suggestion = closest(name, names);
      report(
        path,
        `no check is named "${name}"${suggestion ? `: did you mean "${suggestion}"?` : names.size ? '' : ' (the runbook defines no checks)'}`,
      );
    };
    for (let s = 0; s < runbook.steps.length; s++) {
      const step = runbook.steps[s]!;
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
  check({ facts, report }) {
    if (facts.texts.length === 0) return;
    const names = facts.inputNames;
    for (let t = 0; t < facts.texts.length; t++) {
      const { path, scan } = facts.texts[t]!;
      for (let r = 0; r < scan.refs.length; r++) {
        const ref = scan.refs[r]!;
        if (names.has(ref.name) || FACT_NAMES.has(ref.name)) continue;
        const suggestion = closest(ref.name, [...names, ...FACTS]);
        report(
          path,
          `{{ ${ref.name} }} is not an input or a fact of the incident${suggestion ? `: did you mean {{ ${suggestion} }}?` : ''}`,
        );
      }
    }
  },
};

export const templateSyntax: Rule = {
  id: 'template-syntax',
  severity: 'error',
  description: 'A {{ template }} is malformed or unclosed.',
  check({ facts, report }) {
    for (let t = 0; t < facts.texts.length; t++) {
      const { path, scan } = facts.texts[t]!;
      for (let e = 0; e < scan.errors.length; e++) report(path, scan.errors[e]!.message);
    }
  },
};

export const templateInCommand: Rule = {
  id: 'template-in-command',
  severity: 'error',
  description: 'A command contains {{ }}: inputs reach commands only as environment variables.',
  check({ facts, report }) {
    for (let c = 0; c < facts.commands.length; c++) {
      const command = facts.commands[c]!;
      const ref = scanTemplate(command.text).refs[0];
      if (!ref) continue;
      const hint = ref.name.includes('.') ? 'use the SEV_INCIDENT_* environment variables' : `use "$${inputEnvName(ref.name)}"`;
      report(commandPath(command), `commands are never templated, so {{ ${ref.name} }} would not be replaced: ${hint}`);
    }
  },
};

export const undefinedEnv: Rule = {
  id: 'undefined-env',
  severity: 'warning',
  description: 'A command uses $SEV_NAME but no input is called name.',
  check({ facts, report }) {
    if (facts.commands.every((c) => c.env.length === 0)) return;
    const known = new Set<string>([...facts.inputNames].map(inputEnvName).concat(INCIDENT_ENV));
    for (let c = 0; c < facts.commands.length; c++) {
      const command = facts.commands[c]!;
      for (let e = 0; e < command.env.length; e++) {
        const name = command.env[e]!;
        if (known.has(name)) continue;
        const suggestion = closest(name, known);
        report(
          commandPath(command),
          `$${name} is not set by sev: no input is named ${name.slice(4).toLowerCase()}${suggestion ? ` (did you mean $${suggestion}?)` : ''}`,
        );
      }
    }
  },
};

export const unusedInput: Rule = {
  id: 'unused-input',
  severity: 'warning',
  description: 'An input is asked but no text, command or regulator step uses it.',
  check({ runbook, facts, report }) {
    const used = new Set<string>();
    // An input that answers a regulator step's fact is used there.
    for (let n = 0; n < runbook.steps.length; n++) {
      const fed = runbook.steps[n]!.regulator?.facts;
      if (fed) for (const fact in fed) used.add(fed[fact]!);
    }
    for (let t = 0; t < facts.texts.length; t++) {
      const refs = facts.texts[t]!.scan.refs;
      for (let r = 0; r < refs.length; r++) used.add(refs[r]!.name);
    }
    for (let c = 0; c < facts.commands.length; c++) {
      const env = facts.commands[c]!.env;
      for (let e = 0; e < env.length; e++) used.add(env[e]!);
    }
    for (let i = 0; i < facts.inputs.length; i++) {
      const input = facts.inputs[i]!;
      if (used.has(input.name) || used.has(inputEnvName(input.name))) continue;
      // Answers given at a step are recorded in the log, which is a use in itself.
      if (input.stepId) continue;
      report(
        input.path,
        `input "${input.name}" is asked but never used: reference it as {{ ${input.name} }} or $${inputEnvName(input.name)}`,
        { part: 'key' },
      );
    }
  },
};

export const secretInText: Rule = {
  id: 'secret-in-text',
  severity: 'warning',
  description: 'A secret input is shown in a text; sev masks it, so the text shows ***** instead.',
  check({ facts, report }) {
    const secrets = new Set(facts.inputs.filter((i) => i.secret).map((i) => i.name));
    if (!secrets.size) return;
    for (let t = 0; t < facts.texts.length; t++) {
      const { path, scan } = facts.texts[t]!;
      if (path.includes('env')) continue;
      for (let r = 0; r < scan.refs.length; r++) {
        const ref = scan.refs[r]!;
        if (secrets.has(ref.name))
          report(
            path,
            `secret input "${ref.name}" is shown in a text: it will be masked; pass it to commands as $${inputEnvName(ref.name)} instead`,
          );
      }
    }
  },
};

export const secretFromAlert: Rule = {
  id: 'secret-from-alert',
  severity: 'error',
  description: 'A secret input takes its value from an alert; the alert is recorded in the log, so its value would be too.',
  check({ facts, report }) {
    for (let i = 0; i < facts.inputs.length; i++) {
      const input = facts.inputs[i]!;
      // The alert's labels and annotations go into the log whole (alert.received): a secret there is no secret.
      if (input.secret && input.fromAlert !== undefined)
        report(
          [...input.path, 'from_alert'],
          `secret input "${input.name}" cannot come from an alert: the alert's labels and annotations are written to the log; ask it instead`,
        );
    }
  },
};

export const invalidDefault: Rule = {
  id: 'invalid-default',
  severity: 'error',
  description: "An input's default does not match its own pattern or choices.",
  check({ facts, report }) {
    for (let i = 0; i < facts.inputs.length; i++) {
      const input = facts.inputs[i]!;
      if (input.default === undefined) continue;
      if (input.choices && !input.choices.includes(input.default)) {
        report([...input.path, 'default'], `default "${input.default}" is not one of the choices: ${input.choices.join(', ')}`);
      }
      if (input.pattern === undefined) continue;
      const pattern = compileWhole(input.pattern);
      if (pattern && !pattern.test(input.default))
        report([...input.path, 'default'], `default "${input.default}" does not match the input's pattern ${input.pattern}`);
    }
  },
};

export const reservedInputName: Rule = {
  id: 'reserved-input-name',
  severity: 'error',
  description: 'An input would be exported under the name of a fact sev sets itself (SEV_SEVERITY, SEV_STEP…), or two inputs share a name.',
  check({ facts, report }) {
    const seen = new Set<string>();
    for (let i = 0; i < facts.inputs.length; i++) {
      const input = facts.inputs[i]!;
      const env = inputEnvName(input.name);
      if (RESERVED_ENV.has(env))
        report(input.path, `input name "${input.name}" is reserved: sev sets $${env} itself; choose another name`, { part: 'key' });
      else if (seen.has(input.name))
        report(
          input.stepId ? [...input.path, 'name'] : input.path,
          `input "${input.name}" is defined twice: a later answer would overwrite the first`,
          { part: 'key' },
        );
      seen.add(input.name);
    }
  },
};
