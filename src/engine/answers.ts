import { UserError } from '../errors.js';
import { readTextFileBytes } from '../files/read-file.js';
import { finishFindings, firstError, readDocument, reporter, type Report } from '../lint/document.js';
import type { Severity } from '../runbook/model.js';
import type { CompiledSchema } from '../runbook/schema.js';
import type { Path } from '../runbook/source.js';
import * as answersSchema from './answers-schema-check.js';

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
  /** For a delivery an earlier run started and did not see end: `resend` (same idempotency key), `sent`, or `skip`. */
  delivery?: string;
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

/** runbooks/answers.schema.json, compiled at build time like the runbook schema. */
const ANSWERS_SCHEMA: CompiledSchema = answersSchema;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A single value as the responder would type it: the schema let only strings, numbers and true or false through. */
const text = (v: unknown): string => (typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));
const texts = (v: unknown): Record<string, string> => Object.fromEntries(Object.entries(isObj(v) ? v : {}).map(([k, x]) => [k, text(x)]));
const visits = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

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
 *
 * It is read like every YAML file (decode, parse, answers.schema.json, findings located at the end),
 * and refused with its first problem at file:line:col. A file with no document at all answers nothing.
 */
export function loadAnswers(file: string): Answers {
  const document = readDocument(file, readTextFileBytes(file, 'answers file'), ANSWERS_SCHEMA);
  const empty: Answers = { file, inputs: {}, steps: new Map(), clocks: {} };
  const errors = document.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 && errors.every((d) => d.rule === 'empty-file')) return empty;
  const { value } = document;
  const answers = value && errors.length === 0 && document.found.length === 0 ? buildAnswers(value, empty, reporter(document)) : undefined;
  const refused = firstError(finishFindings(document));
  if (refused !== undefined) throw new UserError(refused);
  if (!answers) throw new UserError(`${file}: an answers file is a mapping with inputs and steps`);
  return answers;
}

/** The typed answers of a file that fits the schema; a filing's word is the one thing the schema leaves to it. */
function buildAnswers(value: Obj, answers: Answers, report: Report): Answers {
  if (value.responder !== undefined) answers.responder = text(value.responder);
  if (typeof value.severity === 'string') answers.severity = value.severity as Severity;
  answers.inputs = texts(value.inputs);
  for (const id of Object.keys(isObj(value.clocks) ? value.clocks : {})) answers.clocks[id] = 'send';
  for (const [id, given] of Object.entries(isObj(value.steps) ? value.steps : {})) {
    answers.steps.set(
      id,
      visits(given).map((v, i) => stepAnswer(v, Array.isArray(given) ? ['steps', id, i] : ['steps', id], report)),
    );
  }
  return answers;
}

function stepAnswer(given: unknown, at: Path, report: Report): StepAnswer {
  if (!isObj(given)) return { answer: text(given) };
  const out: StepAnswer = {};
  if (given.answer !== undefined) out.answer = text(given.answer);
  if (given.on_fail !== undefined) out.onFail = text(given.on_fail);
  if (given.note !== undefined) out.note = text(given.note);
  if (given.skip !== undefined) out.skip = text(given.skip);
  if (given.pause !== undefined) out.pause = text(given.pause) === 'yes';
  if (given.rerun !== undefined) out.rerun = text(given.rerun);
  if (given.running !== undefined) out.running = text(given.running);
  if (given.delivery !== undefined) out.delivery = text(given.delivery);
  if (given.facts !== undefined) out.facts = texts(given.facts);
  if (isObj(given.filed)) {
    out.filed = {};
    for (const [id, filings] of Object.entries(given.filed)) {
      out.filed[id] = visits(filings).map((f, i) =>
        filedAnswer(f, Array.isArray(filings) ? [...at, 'filed', id, i] : [...at, 'filed', id], report),
      );
    }
  }
  return out;
}

function filedAnswer(given: unknown, at: Path, report: Report): FiledAnswer {
  if (isObj(given)) {
    const out: Exclude<FiledAnswer, 'not yet'> = {};
    if (given.at !== undefined) out.at = text(given.at);
    if (given.by !== undefined) out.by = text(given.by);
    if (given.reference !== undefined) out.reference = text(given.reference);
    return out;
  }
  const word = text(given).trim().toLowerCase();
  if (word === 'no' || word === 'not yet') return 'not yet';
  if (word === 'yes' || word === 'now') return {};
  report(at, 'a filing is yes, not yet, or { at, by, reference }');
  return 'not yet';
}
