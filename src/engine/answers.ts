import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { UserError } from '../errors.js';
import { readTextFile } from '../files/read-file.js';
import { SEVERITIES, type Severity } from '../runbook/model.js';

/** One answer for one visit of a step. */
export interface StepAnswer {
  /** yes/no, a choice's label or value, an input's value, `done`, or an on-failure choice. */
  answer?: string;
  /** On a failure after the answer (a confirmation answered no, a failing command): retry, continue or stop. */
  onFail?: string;
  note?: string;
  skip?: string;
  pause?: boolean;
  /**
   * For a state-changing command an earlier run started and did not see end: `yes` runs it again, `done`
   * or `failed` records its result as the responder found it. A script never guesses this.
   */
  rerun?: string;
  /** For such a command still running: `wait` for it or `kill` it. */
  running?: string;
  /** A regulator step's facts: fact name → answer. */
  facts?: Record<string, string>;
  /** A regulator step's filings: notification id → one per deadline, in order. */
  filed?: Record<string, FiledAnswer[]>;
}

/** One deadline's filing as an answers file gives it; `at` defaults to now and `by` to the responder. */
type FiledAnswer = 'not yet' | { at?: string; by?: string; reference?: string };

/** An answers file: what a drill or an automation would have typed. */
export interface Answers {
  file: string;
  responder?: string;
  severity?: Severity;
  inputs: Record<string, string>;
  steps: Map<string, StepAnswer[]>;
  /** Clock id → `send`: whenever the clock falls due, its update is sent at the next question, whatever the step. */
  clocks: Record<string, 'send'>;
}

const TOP_KEYS = ['responder', 'severity', 'inputs', 'steps', 'clocks'];
const ANSWER_KEYS = ['answer', 'on_fail', 'note', 'skip', 'pause', 'rerun', 'running', 'facts', 'filed'];
const FILED_KEYS = ['at', 'by', 'reference'];

/**
 * Reads an answers file:
 *
 *   inputs: { health_url: http://127.0.0.1:8080/health }
 *   steps:
 *     declare: Most or all users      # a choice, by label or value
 *     restart: yes                    # a confirmation, a command, an announcement
 *     confirm-outage: continue        # checks that fail: retry, continue or stop
 *     verify: [retry, continue]       # one answer per visit
 *     purge: { skip: not needed }
 *   clocks:
 *     user-updates: send              # when it falls due, the update goes out at the next question
 */
export function loadAnswers(file: string): Answers {
  const text = readTextFile(file, 'answers file');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const fail = (node: Node | null | undefined, message: string): never => {
    const { line, col } = lineCounter.linePos(node?.range?.[0] ?? 0);
    throw new UserError(`${file}:${line}:${col}: ${message}`);
  };
  const firstError = doc.errors[0];
  if (firstError) {
    const { line, col } = lineCounter.linePos(firstError.pos[0]);
    throw new UserError(`${file}:${line}:${col}: ${firstError.message.split('\n')[0]}`);
  }
  const answers: Answers = { file, inputs: {}, steps: new Map(), clocks: {} };
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return answers;
  if (!isMap(doc.contents)) fail(doc.contents, 'an answers file is a mapping with inputs and steps');
  const scalarText = (node: unknown, what: string): string => {
    if (!isScalar(node) || node.value === null || typeof node.value === 'object') fail(node as Node, `${what} must be a single value`);
    const value = (node as { value: unknown }).value;
    return typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value);
  };
  for (const pair of (doc.contents as import('yaml').YAMLMap).items) {
    const key = String((pair.key as { value?: unknown })?.value);
    const value = pair.value as Node | null;
    if (!TOP_KEYS.includes(key)) fail(pair.key as Node, `unknown key "${key}" (expected ${TOP_KEYS.join(', ')})`);
    if (key === 'responder') answers.responder = scalarText(value, 'responder');
    if (key === 'severity') {
      const severity = scalarText(value, 'severity');
      if (!SEVERITIES.includes(severity as Severity)) fail(value, `severity must be one of ${SEVERITIES.join(', ')}`);
      answers.severity = severity as Severity;
    }
    if (key === 'inputs' && value !== null) {
      if (!isMap(value)) fail(value, 'inputs maps input names to values');
      for (const p of (value as import('yaml').YAMLMap).items) answers.inputs[String((p.key as { value?: unknown }).value)] = scalarText(p.value, 'an input value');
    }
    if (key === 'clocks' && value !== null) {
      if (!isMap(value)) fail(value, 'clocks maps clock ids to what to do when one falls due: { user-updates: send }');
      for (const p of (value as import('yaml').YAMLMap).items) {
        if (scalarText(p.value, 'a clock answer') !== 'send') fail(p.value as Node, 'a clock answer is send (the update is sent when the clock falls due)');
        answers.clocks[String((p.key as { value?: unknown }).value)] = 'send';
      }
    }
    if (key === 'steps' && value !== null) {
      if (!isMap(value)) fail(value, 'steps maps step ids to answers');
      for (const p of (value as import('yaml').YAMLMap).items) {
        const id = String((p.key as { value?: unknown }).value);
        const visits = isSeq(p.value) ? (p.value.items as Node[]) : [p.value as Node];
        answers.steps.set(
          id,
          visits.map((v) => stepAnswer(v)),
        );
      }
    }
  }
  return answers;

  function stepAnswer(node: Node): StepAnswer {
    if (!isMap(node)) return { answer: scalarText(node, 'an answer') };
    const out: StepAnswer = {};
    for (const p of node.items) {
      const key = String((p.key as { value?: unknown }).value);
      if (!ANSWER_KEYS.includes(key)) fail(p.key as Node, `unknown key "${key}" in a step answer (expected ${ANSWER_KEYS.join(', ')})`);
      if (key === 'answer') out.answer = scalarText(p.value, 'answer');
      if (key === 'on_fail') out.onFail = scalarText(p.value, 'on_fail');
      if (key === 'note') out.note = scalarText(p.value, 'note');
      if (key === 'skip') out.skip = scalarText(p.value, 'skip');
      if (key === 'pause') out.pause = scalarText(p.value, 'pause') === 'yes';
      if (key === 'rerun') {
        out.rerun = scalarText(p.value, 'rerun');
        if (!['yes', 'done', 'failed'].includes(out.rerun)) fail(p.value as Node, 'rerun must be yes, done or failed');
      }
      if (key === 'facts') {
        if (!isMap(p.value)) fail(p.value as Node, 'facts maps fact names to answers: { interruption: 2h30m, records_leaked: 0 }');
        out.facts = {};
        for (const f of (p.value as import('yaml').YAMLMap).items) out.facts[String((f.key as { value?: unknown }).value)] = scalarText(f.value, 'a fact');
      }
      if (key === 'filed') {
        if (!isMap(p.value)) fail(p.value as Node, 'filed maps notification ids to filings: { gdpr-breach: { at: 2026-11-26T04:10Z, by: dpo, reference: X-1 } }');
        out.filed = {};
        for (const f of (p.value as import('yaml').YAMLMap).items) {
          const items = isSeq(f.value) ? (f.value.items as Node[]) : [f.value as Node];
          out.filed[String((f.key as { value?: unknown }).value)] = items.map(filedAnswer);
        }
      }
      if (key === 'running') {
        out.running = scalarText(p.value, 'running');
        if (!['wait', 'kill'].includes(out.running)) fail(p.value as Node, 'running must be wait or kill');
      }
    }
    return out;
  }

  function filedAnswer(node: Node): FiledAnswer {
    if (!isMap(node)) {
      const text = scalarText(node, 'a filing').trim().toLowerCase();
      if (text === 'no' || text === 'not yet') return 'not yet';
      if (text === 'yes' || text === 'now') return {};
      return fail(node, 'a filing is yes, not yet, or { at, by, reference }');
    }
    const out: Exclude<FiledAnswer, 'not yet'> = {};
    for (const p of node.items) {
      const key = String((p.key as { value?: unknown }).value);
      if (!FILED_KEYS.includes(key)) fail(p.key as Node, `unknown key "${key}" in a filing (expected ${FILED_KEYS.join(', ')})`);
      const value = p.value instanceof Date ? (p.value as Date).toISOString() : scalarText(p.value, key);
      if (key === 'at') out.at = value;
      if (key === 'by') out.by = value;
      if (key === 'reference') out.reference = value;
    }
    return out;
  }
}
