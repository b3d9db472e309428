import type { Diagnostic } from '../runbook/diagnostic.js';
import { SEVERITIES, type Severity } from '../runbook/model.js';
import { parseRunbookBytes, type Path, type RunbookSource } from '../runbook/source.js';

/** The `format:` value that marks a triage matrix (and not a runbook) in a runbooks directory. */
const TRIAGE_FORMAT = 'sevkit-triage/v1';

interface TriageOption {
  value: string;
  label: string;
}

export interface TriageQuestion {
  id: string;
  prompt: string;
  multiple: boolean;
  options: TriageOption[];
}

/** question id → the values any of which satisfies it. */
export type Condition = Record<string, string[]>;

export interface Rule {
  /** Any of these conditions (each a conjunction) holds; empty: always. */
  if: Condition[];
  /** None of these may hold. */
  unless: Condition[];
  because: string;
}

interface ClassRule extends Rule {
  class: string;
  runbook: string;
}

interface SeverityRule extends Rule {
  severity: Severity;
}

/**
 * Applied after the severity rule, in order, each one that holds: a factor that makes the same incident worse
 * (peak hours, public attention) without a rule per combination. Moves toward SEV1 only.
 */
interface Adjustment extends Rule {
  /** Levels up (1: SEV3 → SEV2), never past SEV1. */
  raise?: number;
  /** At least this severity. */
  atLeast?: Severity;
  /** Who else is paged (a role, e.g. communications-lead). */
  page: string[];
}

export interface TriageMatrix {
  file: string;
  version?: string;
  questions: TriageQuestion[];
  classes: ClassRule[];
  severities: SeverityRule[];
  adjustments: Adjustment[];
}

const FORMAT_LINE = /^format:\s*["']?sevkit-triage\/v1["']?\s*(#.*)?$/m;

/** Cheap sniff on the first bytes: is this file a triage matrix? */
export function isTriageBytes(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 4096);
  // Runbooks never name the triage format: most files are answered without decoding anything.
  if (Buffer.from(head.buffer, head.byteOffset, head.byteLength).indexOf(TRIAGE_FORMAT) < 0) return false;
  return FORMAT_LINE.test(new TextDecoder('utf-8').decode(head));
}

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const ID = /^[a-z][a-z0-9_-]*$/;

type Report = (path: Path, message: string, options?: { part?: 'key' | 'value'; rule?: string }) => void;

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);

function keysOnly(value: Record<string, unknown>, allowed: string[], path: Path, report: Report): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) report([...path, key], `unknown key "${key}" (allowed: ${allowed.join(', ')})`, { part: 'key', rule: 'unknown-key' });
  }
}

function required(value: Record<string, unknown>, keys: string[], path: Path, report: Report): void {
  for (const key of keys) if (!(key in value)) report(path, `missing required key "${key}"`);
}

/**
 * Builds the typed matrix from a parsed YAML value, reporting every problem: structure, unknown keys, and
 * rules that name a question or a value that does not exist.
 */
function buildMatrix(value: unknown, file: string, report: Report): TriageMatrix {
  const matrix: TriageMatrix = { file, questions: [], classes: [], severities: [], adjustments: [] };
  if (!isMap(value)) {
    report([], 'a triage matrix is a mapping with format, questions, classes and severities');
    return matrix;
  }
  keysOnly(value, ['format', 'version', 'questions', 'classes', 'severities', 'adjustments'], [], report);
  required(value, ['format', 'questions', 'classes', 'severities'], [], report);
  if (value.format !== TRIAGE_FORMAT) report(['format'], `format must be "${TRIAGE_FORMAT}"`);
  if (value.version !== undefined) {
    if (typeof value.version === 'string') matrix.version = value.version;
    else report(['version'], 'version must be a string (quote it: "1.0.0")');
  }

  // Questions.
  const byId = new Map<string, TriageQuestion>();
  if (value.questions !== undefined && !Array.isArray(value.questions)) report(['questions'], 'questions must be a list');
  (Array.isArray(value.questions) ? value.questions : []).forEach((q: unknown, i: number) => {
    const at: Path = ['questions', i];
    if (!isMap(q)) return report(at, 'a question is a mapping with id, prompt and options');
    keysOnly(q, ['id', 'prompt', 'multiple', 'options'], at, report);
    required(q, ['id', 'prompt', 'options'], at, report);
    const id = str(q.id);
    if (q.id !== undefined && (!id || !ID.test(id))) report([...at, 'id'], 'a question id is lower case letters, digits, "-" and "_", starting with a letter');
    if (id && byId.has(id)) report([...at, 'id'], `question id "${id}" is used twice`, { rule: 'duplicate-key' });
    if (q.prompt !== undefined && (typeof q.prompt !== 'string' || q.prompt.trim() === '')) report([...at, 'prompt'], 'prompt must be a non-empty string');
    if (q.multiple !== undefined && typeof q.multiple !== 'boolean') report([...at, 'multiple'], 'multiple must be true or false');
    const question: TriageQuestion = { id: id ?? '', prompt: str(q.prompt) ?? '', multiple: q.multiple === true, options: [] };
    if (q.options !== undefined && (!Array.isArray(q.options) || q.options.length < 2)) report([...at, 'options'], 'options must be a list of at least two');
    const seen = new Set<string>();
    (Array.isArray(q.options) ? q.options : []).forEach((o: unknown, j: number) => {
      const oat: Path = [...at, 'options', j];
      if (!isMap(o)) return report(oat, 'an option is a mapping: { value, label }');
      keysOnly(o, ['value', 'label'], oat, report);
      required(o, ['value', 'label'], oat, report);
      const v = str(o.value);
      if (o.value !== undefined && (!v || !KEBAB.test(v))) report([...oat, 'value'], `an option value is kebab-case (quote yes and no: 'yes')`);
      if (v && seen.has(v)) report([...oat, 'value'], `value "${v}" appears twice in this question`);
      if (o.label !== undefined && (typeof o.label !== 'string' || o.label.trim() === '')) report([...oat, 'label'], 'label must be a non-empty string');
      if (v) {
        seen.add(v);
        question.options.push({ value: v, label: str(o.label) ?? v });
      }
    });
    if (id && !byId.has(id)) byId.set(id, question);
    matrix.questions.push(question);
  });

  const conditions = (raw: unknown, at: Path): Condition[] => {
    if (raw === undefined) return [];
    const list = Array.isArray(raw) ? raw : [raw];
    const out: Condition[] = [];
    list.forEach((c: unknown, k: number) => {
      const cat: Path = Array.isArray(raw) ? [...at, k] : at;
      if (!isMap(c) || Object.keys(c).length === 0) return report(cat, 'a condition is a non-empty mapping of question id to a value or a list of values');
      const cond: Condition = {};
      for (const [qid, v] of Object.entries(c)) {
        const question = byId.get(qid);
        if (!question) {
          report([...cat, qid], `no question is named "${qid}" (questions: ${[...byId.keys()].join(', ')})`, { part: 'key', rule: 'unknown-key' });
          continue;
        }
        const values = (Array.isArray(v) ? v : [v]).map(str);
        values.forEach((value, n) => {
          const vat: Path = Array.isArray(v) ? [...cat, qid, n] : [...cat, qid];
          if (value === undefined) report(vat, 'a condition value is a string');
          else if (!question.options.some((o) => o.value === value))
            report(vat, `question "${qid}" has no option "${value}" (options: ${question.options.map((o) => o.value).join(', ')})`);
        });
        cond[qid] = values.filter((x): x is string => x !== undefined);
      }
      out.push(cond);
    });
    return out;
  };

  const rules = (key: 'classes' | 'severities' | 'adjustments', extra: string[], optional: string[] = []): { raw: Record<string, unknown>; rule: Rule; at: Path }[] => {
    const raw = value[key];
    if (raw !== undefined && (!Array.isArray(raw) || raw.length === 0)) report([key], `${key} must be a non-empty list`);
    const out: { raw: Record<string, unknown>; rule: Rule; at: Path }[] = [];
    (Array.isArray(raw) ? raw : []).forEach((r: unknown, i: number) => {
      const at: Path = [key, i];
      if (!isMap(r)) return report(at, 'a rule is a mapping');
      keysOnly(r, [...extra, ...optional, 'if', 'unless', 'because'], at, report);
      required(r, [...extra, 'because'], at, report);
      if (r.because !== undefined && (typeof r.because !== 'string' || !r.because.trim())) report([...at, 'because'], 'because must be a non-empty string: it tells the responder why');
      out.push({ raw: r, at, rule: { if: conditions(r.if, [...at, 'if']), unless: conditions(r.unless, [...at, 'unless']), because: str(r.because) ?? '' } });
    });
    const last = out.at(-1);
    if (key !== 'adjustments' && last && (last.rule.if.length > 0 || last.rule.unless.length > 0))
      report(last.at, `the last rule of ${key} must have no "if" or "unless": it is the default when no other rule holds`);
    return out;
  };

  for (const { raw, rule, at } of rules('classes', ['class', 'runbook'])) {
    const cls = str(raw.class);
    const runbook = str(raw.runbook);
    if (raw.class !== undefined && (!cls || !KEBAB.test(cls))) report([...at, 'class'], 'class is kebab-case, like a runbook class');
    if (raw.runbook !== undefined && (!runbook || !KEBAB.test(runbook))) report([...at, 'runbook'], 'runbook is the kebab-case id of a runbook');
    matrix.classes.push({ ...rule, class: cls ?? '', runbook: runbook ?? '' });
  }
  for (const { raw, rule, at } of rules('severities', ['severity'])) {
    const sev = str(raw.severity);
    if (raw.severity !== undefined && !SEVERITIES.includes(sev as Severity)) report([...at, 'severity'], `severity must be one of ${SEVERITIES.join(', ')}`);
    matrix.severities.push({ ...rule, severity: (sev ?? 'SEV4') as Severity });
  }
  for (const { raw, rule, at } of rules('adjustments', [], ['raise', 'at_least', 'page'])) {
    // An adjustment always has a condition: one that always held would belong in the severity rules.
    if (!('if' in raw)) report(at, 'an adjustment needs an "if": the factor that makes it apply');
    const adjustment: Adjustment = { ...rule, page: [] };
    if (raw.raise !== undefined) {
      if (typeof raw.raise === 'number' && Number.isInteger(raw.raise) && raw.raise >= 1 && raw.raise <= 3) adjustment.raise = raw.raise;
      else report([...at, 'raise'], 'raise is how many levels up: 1, 2 or 3');
    }
    if (raw.at_least !== undefined) {
      const sev = str(raw.at_least);
      if (SEVERITIES.includes(sev as Severity)) adjustment.atLeast = sev as Severity;
      else report([...at, 'at_least'], `at_least must be one of ${SEVERITIES.join(', ')}`);
    }
    if (raw.page !== undefined) {
      const list = Array.isArray(raw.page) ? raw.page : [raw.page];
      list.forEach((who: unknown, n: number) => {
        const name = str(who);
        if (name && KEBAB.test(name)) adjustment.page.push(name);
        else report(Array.isArray(raw.page) ? [...at, 'page', n] : [...at, 'page'], 'page names a role in kebab-case, e.g. communications-lead');
      });
    }
    if (raw.raise === undefined && raw.at_least === undefined && raw.page === undefined) report(at, 'an adjustment does something: raise, at_least or page');
    matrix.adjustments.push(adjustment);
  }
  return matrix;
}

interface MatrixLint {
  file: string;
  source?: RunbookSource;
  matrix?: TriageMatrix;
  diagnostics: Diagnostic[];
}

/** Parses and checks a triage matrix given as bytes; every problem is a diagnostic at file:line:col. */
export function lintTriageBytes(file: string, bytes: Uint8Array): MatrixLint {
  const { source, diagnostics } = parseRunbookBytes(file, bytes);
  const result: MatrixLint = { file, source, diagnostics: [...diagnostics] };
  if (!source || source.value === undefined || diagnostics.some((d) => d.severity === 'error')) return result;
  result.matrix = buildMatrix(source.value, file, (path, message, options = {}) => {
    result.diagnostics.push({ file, ...source.locate(path, options.part ?? 'value'), rule: options.rule ?? 'schema', severity: 'error', message });
  });
  result.diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  return result;
}
