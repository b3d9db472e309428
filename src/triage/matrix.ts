import { finishFindings, readDocument, reporter, type Report, type YamlDocument } from '../lint/document.js';
import { matcherError, type AlertRule } from '../alerts/match.js';
import type { Diagnostic } from '../runbook/diagnostic.js';
import { SEVERITIES, type Severity } from '../runbook/model.js';
import type { CompiledSchema } from '../runbook/schema.js';
import type { Path, RunbookSource } from '../runbook/source.js';
import { fullValidator, isValid } from './matrix-schema-check.js';

/** The `format:` value that marks a triage matrix (and not a runbook) in a runbooks directory. */
const TRIAGE_FORMAT = 'sevkit-triage/v1';
const MATRIX_SCHEMA: CompiledSchema = { isValid, fullValidator };

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
  /** Alert labels → runbook and severity, the first rule that holds (sev run --alert, sev alerts). */
  alerts: AlertRule[];
}

const FORMAT_LINE = /^format:\s*["']?sevkit-triage\/v1["']?\s*(#.*)?$/m;

/** Cheap sniff on the first bytes: is this file a triage matrix? */
export function isTriageBytes(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 4096);
  // Runbooks never name the triage format: most files are answered without decoding anything.
  if (Buffer.from(head.buffer, head.byteOffset, head.byteLength).indexOf(TRIAGE_FORMAT) < 0) return false;
  return FORMAT_LINE.test(new TextDecoder('utf-8').decode(head));
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asSeverity = (v: unknown): Severity | undefined => (SEVERITIES.includes(v as Severity) ? (v as Severity) : undefined);

/**
 * Builds the typed matrix from a parsed value that the schema has checked (or reported on), reporting
 * only what the schema cannot say: names that must exist or be unique, the default rule, what an
 * adjustment must hold. A value of the wrong shape is skipped here: its schema error is already reported.
 */
function buildMatrix(value: unknown, file: string, report: Report): TriageMatrix {
  const matrix: TriageMatrix = { file, questions: [], classes: [], severities: [], adjustments: [], alerts: [] };
  if (!isObj(value)) return matrix;
  if (typeof value.version === 'string') matrix.version = value.version;

  const byId = new Map<string, TriageQuestion>();
  list(value.questions).forEach((q, i) => {
    if (!isObj(q)) return;
    const at: Path = ['questions', i];
    const id = str(q.id);
    if (id !== undefined && byId.has(id)) report([...at, 'id'], `question id "${id}" is used twice`, { rule: 'duplicate-key' });
    const question: TriageQuestion = { id: id ?? '', prompt: str(q.prompt) ?? '', multiple: q.multiple === true, options: [] };
    list(q.options).forEach((o, j) => {
      const v = isObj(o) ? str(o.value) : undefined;
      if (v === undefined) return;
      if (question.options.some((known) => known.value === v))
        report([...at, 'options', j, 'value'], `value "${v}" appears twice in this question`);
      else question.options.push({ value: v, label: str((o as Obj).label) ?? v });
    });
    if (id !== undefined && !byId.has(id)) byId.set(id, question);
    matrix.questions.push(question);
  });

  const conditions = (raw: unknown, at: Path): Condition[] => {
    if (raw === undefined) return [];
    const out: Condition[] = [];
    (Array.isArray(raw) ? raw : [raw]).forEach((c, k) => {
      if (!isObj(c)) return;
      const cat: Path = Array.isArray(raw) ? [...at, k] : at;
      const cond: Condition = {};
      for (const [qid, v] of Object.entries(c)) {
        const question = byId.get(qid);
        if (!question) {
          report([...cat, qid], `no question is named "${qid}" (questions: ${[...byId.keys()].join(', ')})`, {
            part: 'key',
            rule: 'unknown-key',
          });
          continue;
        }
        const values = Array.isArray(v) ? v : [v];
        values.forEach((given, n) => {
          if (typeof given === 'string' && !question.options.some((o) => o.value === given))
            report(
              Array.isArray(v) ? [...cat, qid, n] : [...cat, qid],
              `question "${qid}" has no option "${given}" (options: ${question.options.map((o) => o.value).join(', ')})`,
            );
        });
        cond[qid] = values.filter((x): x is string => typeof x === 'string');
      }
      out.push(cond);
    });
    return out;
  };

  const rules = (key: 'classes' | 'severities' | 'adjustments'): { raw: Obj; rule: Rule; at: Path }[] => {
    const out: { raw: Obj; rule: Rule; at: Path }[] = [];
    list(value[key]).forEach((r, i) => {
      if (!isObj(r)) return;
      const at: Path = [key, i];
      out.push({
        raw: r,
        at,
        rule: { if: conditions(r.if, [...at, 'if']), unless: conditions(r.unless, [...at, 'unless']), because: str(r.because) ?? '' },
      });
    });
    const last = out.at(-1);
    if (key !== 'adjustments' && last && (last.raw.if !== undefined || last.raw.unless !== undefined))
      report(last.at, `the last rule of ${key} must have no "if" or "unless": it is the default when no other rule holds`);
    return out;
  };

  for (const { raw, rule } of rules('classes'))
    matrix.classes.push({ ...rule, class: str(raw.class) ?? '', runbook: str(raw.runbook) ?? '' });
  for (const { raw, rule } of rules('severities')) matrix.severities.push({ ...rule, severity: asSeverity(raw.severity) ?? 'SEV4' });
  for (const { raw, rule, at } of rules('adjustments')) {
    // An adjustment always has a condition: one that always held would belong in the severity rules.
    if (!('if' in raw)) report(at, 'an adjustment needs an "if": the factor that makes it apply');
    if (raw.raise === undefined && raw.at_least === undefined && raw.page === undefined)
      report(at, 'an adjustment does something: raise, at_least or page');
    const page = typeof raw.page === 'string' ? [raw.page] : list(raw.page).filter((p): p is string => typeof p === 'string');
    const raise = typeof raw.raise === 'number' ? raw.raise : undefined;
    const atLeast = asSeverity(raw.at_least);
    matrix.adjustments.push({ ...rule, page, ...(raise !== undefined ? { raise } : {}), ...(atLeast ? { atLeast } : {}) });
  }
  list(value.alerts).forEach((r, i) => {
    if (!isObj(r) || !isObj(r.match)) return;
    const match: Record<string, string> = {};
    for (const [name, matcher] of Object.entries(r.match)) {
      if (typeof matcher !== 'string') continue;
      const problem = matcherError(matcher);
      if (problem)
        report(['alerts', i, 'match', name], `invalid regular expression ${JSON.stringify(matcher.slice(2))}: ${problem}`, {
          rule: 'invalid-regex',
        });
      match[name] = matcher;
    }
    matrix.alerts.push({ match, runbook: str(r.runbook) ?? '', severity: asSeverity(r.severity) ?? 'SEV4', because: str(r.because) ?? '' });
  });
  return matrix;
}

/** A triage matrix through the pipeline up to its findings: decode, parse, triage.schema.json, the checks above. */
export function checkMatrixBytes(file: string, bytes: Uint8Array): { document: YamlDocument; matrix?: TriageMatrix } {
  const document = readDocument(file, bytes, MATRIX_SCHEMA);
  if (!document.source || document.diagnostics.some((d) => d.severity === 'error') || document.source.value === undefined)
    return { document };
  return { document, matrix: buildMatrix(document.source.value, file, reporter(document)) };
}

interface MatrixLint {
  file: string;
  source?: RunbookSource;
  matrix?: TriageMatrix;
  diagnostics: Diagnostic[];
}

/** Checks a triage matrix given as bytes, each finding at file:line:col. A matrix knows no suppression comments. */
export function lintTriageBytes(file: string, bytes: Uint8Array): MatrixLint {
  const { document, matrix } = checkMatrixBytes(file, bytes);
  return { file, source: document.source, diagnostics: finishFindings(document), ...(matrix ? { matrix } : {}) };
}
