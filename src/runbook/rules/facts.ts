import { allInputs, successors, type InputDef, type Runbook, type Step } from '../model.js';
import type { Path } from '../source.js';
import { scanTemplate, type TemplateScan } from '../template.js';

export interface TemplatedText {
  text: string;
  path: Path;
  scan: TemplateScan;
}

interface CommandText {
  /** The command as one string (an argv list joined by spaces). */
  text: string;
  /** The SEV_* variables it uses. */
  env: readonly string[];
  /** Where its run value sits: the check's or the step's path, and the keys below it. */
  owner: Path;
  tail: readonly string[];
}

/**
 * What several rules read of one runbook, gathered in one pass before any of them runs. Rules stay
 * small loops over these lists: the linter checks thousands of runbooks, and small functions reach
 * optimised code sooner than ones that each rebuild the same facts.
 */
export interface RuleFacts {
  /** Every input: those asked at the start, then those asked by steps. */
  inputs: readonly InputDef[];
  /** Their names. */
  inputNames: ReadonlySet<string>;
  /** Each step id and its step (the last one, when an id is used twice). */
  byId: ReadonlyMap<string, Step>;
  /** Where the step of each id (as in `byId`) can go next; END stands for the end of the run. */
  nextById: ReadonlyMap<string, readonly string[]>;
  /** The texts that hold a {{ template }} (most hold none), with their references. */
  texts: readonly TemplatedText[];
  /** Every command a runbook can run. */
  commands: readonly CommandText[];
}

const ENV_REF = /\$\{?(SEV_[A-Z0-9_]+)\}?/g;
const CHECK_RUN = ['run'] as const;
const STEP_RUN = ['command', 'run'] as const;

export const commandPath = (command: CommandText): Path => [...command.owner, ...command.tail];

function commandText(run: string | string[], owner: Path, tail: readonly string[]): CommandText {
  const text = typeof run === 'string' ? run : run.join(' ');
  const env: string[] = [];
  if (text.includes('SEV_')) {
    ENV_REF.lastIndex = 0;
    for (let m = ENV_REF.exec(text); m; m = ENV_REF.exec(text)) env.push(m[1]!);
  }
  return { text, env, owner, tail };
}

/** Adds a text when it holds a template; its path is built only then. */
function addText(out: TemplatedText[], text: string | undefined, base: Path, a: string, b?: string, c?: string): void {
  if (text === undefined || !text.includes('{{')) return;
  const path = c !== undefined ? [...base, a, b!, c] : b !== undefined ? [...base, a, b] : [...base, a];
  out.push({ text, path, scan: scanTemplate(text) });
}

// Indexed loops throughout: most of these runs happen before the engine has optimised this code, and
// an interpreted for-of costs an iterator and a call per element.
export function gatherFacts(runbook: Runbook): RuleFacts {
  const { steps, checks } = runbook;
  const inputs = allInputs(runbook);
  const inputNames = new Set<string>();
  for (let i = 0; i < inputs.length; i++) inputNames.add(inputs[i]!.name);
  const byId = new Map<string, Step>();
  for (let i = 0; i < steps.length; i++) byId.set(steps[i]!.id, steps[i]!);
  const texts: TemplatedText[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]!;
    addText(texts, input.prompt, input.path, 'prompt');
    addText(texts, input.description, input.path, 'description');
  }
  const commands: CommandText[] = [];
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i]!;
    for (const name in check.env) addText(texts, check.env[name], check.path, 'env', name);
    commands.push(commandText(check.run, check.path, CHECK_RUN));
  }
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    addText(texts, step.title, step.path, 'title');
    addText(texts, step.instructions, step.path, 'instructions');
    // When confirm is a plain question, locating 'question' falls back to the confirm value itself.
    if (step.confirm) addText(texts, step.confirm.question, step.path, 'confirm', 'question');
    if (step.choice) {
      addText(texts, step.choice.question, step.path, 'choice', 'question');
      const options = step.choice.options;
      for (let k = 0; k < options.length; k++) addText(texts, options[k]!.label, options[k]!.path, 'label');
    }
    if (step.command) {
      for (const name in step.command.env) addText(texts, step.command.env[name], step.path, 'command', 'env', name);
      commands.push(commandText(step.command.run, step.path, STEP_RUN));
    }
    if (step.announce) {
      addText(texts, step.announce.channel, step.path, 'announce', 'channel');
      addText(texts, step.announce.subject, step.path, 'announce', 'subject');
      addText(texts, step.announce.message, step.path, 'announce', 'message');
    }
  }
  const nextById = new Map<string, readonly string[]>();
  byId.forEach((step, id) => nextById.set(id, successors(runbook, step)));
  return { inputs, inputNames, byId, nextById, texts, commands };
}
