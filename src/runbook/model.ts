import { buildClocks, type ClockDef } from '../clocks/model.js';
import type { Path } from './source.js';
import type { TranslationRef } from './translation.js';

/**
 * The typed runbook. It is built leniently from whatever the YAML held: a field of the wrong type
 * is left out (the schema reports it), so rules always see a well-formed shape.
 * Every node keeps the path it came from, which the source turns back into a line and column.
 */
export type Severity = 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4';
export const SEVERITIES: readonly Severity[] = ['SEV1', 'SEV2', 'SEV3', 'SEV4'];
const MILESTONES = ['impact-started', 'detected', 'acknowledged', 'mitigated', 'resolved'] as const;
export type Milestone = (typeof MILESTONES)[number];
export const END = 'end';

export type Action = { kind: 'ask' | 'stop' | 'continue'; path: Path } | { kind: 'goto'; target: string; path: Path };

export interface InputDef {
  name: string;
  prompt: string;
  description?: string;
  default?: string;
  pattern?: string;
  choices?: string[];
  secret: boolean;
  required: boolean;
  /** `labels.<name>` or `annotations.<name>`: the value comes from the alert a run starts from, when it has one. */
  fromAlert?: string;
  path: Path;
  /** Set when the input is asked by a step rather than at the start. */
  stepId?: string;
  /** The answer is a time (it dates the step's milestone): typed as people do (09:30, 20m ago, now), kept as UTC. */
  time?: boolean;
}

export interface Expect {
  exit: number[];
  stdout?: string;
  stderr?: string;
  stdoutNot?: string;
}

export interface Command {
  run: string | string[];
  env: Record<string, string>;
  timeout: string;
  expect: Expect;
  path: Path;
}

export interface CheckDef extends Command {
  name: string;
  description?: string;
  retries: number;
  interval: string;
  nagios: boolean;
  failure: 'warning' | 'critical';
}

export interface ChoiceOption {
  label: string;
  value: string;
  goto?: string;
  severity?: Severity;
  path: Path;
}

type StepKind = 'instructions' | 'confirm' | 'choice' | 'input' | 'checks' | 'wait' | 'command' | 'announce' | 'regulator';
export const ACTION_KINDS: readonly StepKind[] = ['confirm', 'choice', 'input', 'checks', 'wait', 'command', 'announce', 'regulator'];

export interface Step {
  id: string;
  index: number;
  kind: StepKind;
  title?: string;
  instructions?: string;
  milestone?: Milestone;
  next?: string;
  confirm?: { question: string; onNo: Action };
  choice?: { question: string; options: ChoiceOption[] };
  input?: InputDef;
  checks?: string[];
  wait?: { check: string; timeout: string; interval: string; onTimeout: Action };
  command?: Command & { changesState: boolean; confirm: boolean };
  announce?: { audience: string; channel?: string; subject?: string; message: string };
  /** Which regulators must be notified: `facts` maps a fact of the regulators file to the input that answers it. */
  regulator?: { facts: Record<string, string> };
  onFail: Action;
  path: Path;
}

export interface Runbook {
  file: string;
  hash: string;
  id: string;
  title: string;
  version?: string;
  class: string;
  severity: Severity;
  owner?: string;
  summary?: string;
  lang?: string;
  /** Set when the texts are those of a translation (the commands are still the runbook's own). */
  translation?: TranslationRef;
  tags: string[];
  links: { title: string; url: string }[];
  inputs: InputDef[];
  checks: CheckDef[];
  /** The runbook's own clocks; the team policy's are merged in where the incident runs (mergeClocks). */
  clocks: ClockDef[];
  steps: Step[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const scalar = (v: unknown): string | undefined =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const entries = (v: unknown): [string, unknown][] => (isObj(v) ? Object.entries(v) : []);
const strings = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === 'string');

/** Defaults of checks, commands and waits: the one place they are set. */
export const DEFAULTS = { timeout: '30s', interval: '5s', retries: 0, waitInterval: '15s', waitTimeout: '5m' } as const;

function action(v: unknown, path: Path): Action {
  if (v === 'stop' || v === 'continue' || v === 'ask') return { kind: v, path };
  if (isObj(v) && typeof v.goto === 'string') return { kind: 'goto', target: v.goto, path: [...path, 'goto'] };
  return { kind: 'ask', path };
}

function expect(v: unknown): Expect {
  const e = isObj(v) ? v : {};
  const exit = typeof e.exit === 'number' ? [e.exit] : list(e.exit).filter((x): x is number => typeof x === 'number');
  return { exit: exit.length ? exit : [0], stdout: str(e.stdout), stderr: str(e.stderr), stdoutNot: str(e.stdout_not) };
}

function run(v: unknown): string | string[] {
  if (typeof v === 'string') return v;
  return strings(v);
}

function env(v: unknown): Record<string, string> {
  return Object.fromEntries(entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function input(name: string, v: Obj, path: Path, stepId?: string): InputDef {
  const choices = list(v.choices)
    .map(scalar)
    .filter((x): x is string => x !== undefined);
  return {
    name,
    prompt: str(v.prompt) ?? name,
    description: str(v.description),
    default: scalar(v.default),
    pattern: str(v.pattern),
    choices: Array.isArray(v.choices) ? choices : undefined,
    secret: bool(v.secret, false),
    required: bool(v.required, true),
    ...(typeof v.from_alert === 'string' ? { fromAlert: v.from_alert } : {}),
    path,
    stepId,
  };
}

function check(name: string, v: Obj, path: Path): CheckDef {
  return {
    name,
    description: str(v.description),
    run: run(v.run),
    env: env(v.env),
    timeout: str(v.timeout) ?? DEFAULTS.timeout,
    retries: typeof v.retries === 'number' ? v.retries : DEFAULTS.retries,
    interval: str(v.interval) ?? DEFAULTS.interval,
    expect: expect(v.expect),
    nagios: bool(v.nagios, false),
    failure: v.failure === 'warning' ? 'warning' : 'critical',
    path,
  };
}

/** The step's action, read key by key (as fast as it gets on objects of many shapes). */
function stepKind(v: Obj): StepKind {
  if (v.confirm !== undefined) return 'confirm';
  if (v.choice !== undefined) return 'choice';
  if (v.input !== undefined) return 'input';
  if (v.checks !== undefined) return 'checks';
  if (v.wait !== undefined) return 'wait';
  if (v.command !== undefined) return 'command';
  if (v.announce !== undefined) return 'announce';
  if (v.regulator !== undefined) return 'regulator';
  return 'instructions';
}

function step(v: Obj, index: number): Step {
  const path: Path = ['steps', index];
  const id = str(v.id) ?? `#${index + 1}`;
  const kind = stepKind(v);
  // Every step has every field, set or undefined, so that all steps share one shape: the rules read
  // thousands of them, and property reads on objects of one shape are much faster.
  const s: Step = {
    id,
    index,
    kind,
    title: str(v.title),
    instructions: str(v.instructions),
    milestone: MILESTONE_SET.has(v.milestone as Milestone) ? (v.milestone as Milestone) : undefined,
    next: str(v.next),
    onFail: action(v.on_fail, ['steps', index, 'on_fail']),
    path,
    confirm: undefined,
    choice: undefined,
    input: undefined,
    checks: undefined,
    wait: undefined,
    command: undefined,
    announce: undefined,
    regulator: undefined,
  };
  if (typeof v.confirm === 'string') s.confirm = { question: v.confirm, onNo: { kind: 'ask', path: [...path, 'confirm'] } };
  else if (isObj(v.confirm)) {
    s.confirm = { question: str(v.confirm.question) ?? '', onNo: action(v.confirm.on_no, [...path, 'confirm', 'on_no']) };
  }
  if (isObj(v.choice)) {
    const options: ChoiceOption[] = [];
    list(v.choice.options).forEach((o, i) => {
      if (!isObj(o)) return;
      options.push({
        label: str(o.label) ?? '',
        value: scalar(o.value) ?? str(o.label) ?? '',
        goto: str(o.goto),
        severity: SEVERITY_SET.has(o.severity as Severity) ? (o.severity as Severity) : undefined,
        path: ['steps', index, 'choice', 'options', i],
      });
    });
    s.choice = { question: str(v.choice.question) ?? '', options };
  }
  if (isObj(v.input) && typeof v.input.name === 'string') s.input = input(v.input.name, v.input, [...path, 'input'], id);
  if (Array.isArray(v.checks)) s.checks = strings(v.checks);
  if (isObj(v.wait)) {
    s.wait = {
      check: str(v.wait.check) ?? '',
      timeout: str(v.wait.timeout) ?? '',
      interval: str(v.wait.interval) ?? DEFAULTS.waitInterval,
      onTimeout: action(v.wait.on_timeout, [...path, 'wait', 'on_timeout']),
    };
  }
  if (isObj(v.command)) {
    const c = v.command;
    s.command = {
      run: run(c.run),
      env: env(c.env),
      timeout: str(c.timeout) ?? DEFAULTS.timeout,
      expect: expect(c.expect),
      changesState: bool(c.changes_state, true),
      confirm: bool(c.confirm, true),
      path: [...path, 'command'],
    };
  }
  if (isObj(v.announce)) {
    s.announce = {
      audience: str(v.announce.audience) ?? 'users',
      channel: str(v.announce.channel),
      subject: str(v.announce.subject),
      message: str(v.announce.message) ?? '',
    };
  }
  if (isObj(v.regulator) || v.regulator === null) s.regulator = { facts: env(isObj(v.regulator) ? v.regulator.facts : undefined) };
  return s;
}

const SEVERITY_SET = new Set<Severity>(SEVERITIES);
const MILESTONE_SET = new Set<Milestone>(MILESTONES);

/** `source.hash` is read only when someone asks for the runbook's hash: validating never does. */
export function buildRunbook(value: unknown, source: { readonly file: string; readonly hash: string }): Runbook {
  const v = isObj(value) ? value : {};
  const links: Runbook['links'] = [];
  const rawLinks = list(v.links);
  for (let n = 0; n < rawLinks.length; n++) {
    const l = rawLinks[n];
    if (isObj(l)) links.push({ title: str(l.title) ?? '', url: str(l.url) ?? '' });
  }
  const inputs: InputDef[] = [];
  if (isObj(v.inputs)) for (const name in v.inputs) if (isObj(v.inputs[name])) inputs.push(input(name, v.inputs[name], ['inputs', name]));
  const checks: CheckDef[] = [];
  if (isObj(v.checks)) for (const name in v.checks) if (isObj(v.checks[name])) checks.push(check(name, v.checks[name], ['checks', name]));
  const steps: Step[] = [];
  const rawSteps = list(v.steps);
  for (let i = 0; i < rawSteps.length; i++) {
    const s = rawSteps[i];
    if (isObj(s)) steps.push(step(s, i));
  }
  return {
    file: source.file,
    get hash() {
      return source.hash;
    },
    id: str(v.id) ?? '',
    title: str(v.title) ?? '',
    version: scalar(v.version),
    class: str(v.class) ?? '',
    severity: SEVERITY_SET.has(v.severity as Severity) ? (v.severity as Severity) : 'SEV3',
    owner: str(v.owner),
    summary: str(v.summary),
    lang: str(v.lang),
    tags: strings(v.tags),
    links,
    inputs,
    checks,
    clocks: v.clocks === undefined ? [] : buildClocks(v.clocks, ['clocks'], CLOCK_WORDS),
    steps,
  };
}

/** What a clock may name: the runbook's severities and milestones. */
export const CLOCK_WORDS = { severities: SEVERITY_SET as ReadonlySet<string>, milestones: MILESTONE_SET as ReadonlySet<string> };

/** Every input a runbook defines: those asked at the start and those asked by steps. */
export function allInputs(runbook: Runbook): InputDef[] {
  const inputs = [...runbook.inputs];
  for (let n = 0; n < runbook.steps.length; n++) if (runbook.steps[n]!.input) inputs.push(runbook.steps[n]!.input!);
  return inputs;
}

/** Where a step can go next; END stands for the end of the run (including a stop). */
export function successors(runbook: Runbook, step: Step): string[] {
  const following = runbook.steps[step.index + 1]?.id ?? END;
  const fallThrough = step.next ?? following;
  const out: string[] = [];
  if (step.choice) {
    const options = step.choice.options;
    for (let n = 0; n < options.length; n++) addOnce(out, options[n]!.goto ?? fallThrough);
  } else {
    out.push(fallThrough);
  }
  if (step.confirm) addAction(out, step.confirm.onNo, fallThrough);
  if (step.checks || step.command) addAction(out, step.onFail, fallThrough);
  if (step.wait) addAction(out, step.wait.onTimeout, fallThrough);
  return out;
}

function addOnce(out: string[], id: string): void {
  if (!out.includes(id)) out.push(id);
}

function addAction(out: string[], action: Action, fallThrough: string): void {
  if (action.kind === 'goto') addOnce(out, action.target);
  else if (action.kind === 'continue') addOnce(out, fallThrough);
  else {
    // stop ends the run; ask lets the responder continue or stop.
    addOnce(out, END);
    if (action.kind === 'ask') addOnce(out, fallThrough);
  }
}
