import { compareDiagnostics, START, type Diagnostic } from '../runbook/diagnostic.js';
import { checkSchema, type CompiledSchema } from '../runbook/schema.js';
import { decodeRunbookBytes, parseValues, type Path, type RunbookSource } from '../runbook/source.js';

/**
 * The one way every YAML file sevkit reads is checked (runbook, translation, triage matrix, regulators
 * file, answers file): decode (size, NUL, UTF-8, BOM), parse the values (js-yaml, or the positional
 * parser where needed: see parseValues), its own JSON Schema; then its kind's model and checks report
 * findings by path, and the findings are located only at the end, so a clean file is never parsed
 * with positions.
 */

/** A finding of the schema, a kind's checks or a pass over several files, by path: located only when reported. */
export interface Finding {
  /** The value (or key) it concerns; 'top' is the start of the file. */
  at: Path | 'top';
  part: 'key' | 'value';
  rule: string;
  severity: 'error' | 'warning';
  message: string;
}

/** A file through the pipeline up to its findings: the read ones located, the others by path. */
export interface YamlDocument {
  file: string;
  source?: RunbookSource;
  /** Findings of reading (decode, parse), already located. */
  diagnostics: Diagnostic[];
  /** The parsed value when it is a mapping (what every format is): a kind's model is built from it. */
  value?: Record<string, unknown>;
  found: Finding[];
}

/** How a kind's checks report a finding at a path; a rule's default severity is an error. */
export type Report = (
  at: Path,
  message: string,
  options?: { rule?: string; part?: 'key' | 'value'; severity?: 'error' | 'warning' },
) => void;

/** A report that adds to a document's findings, with the rule id a kind's checks use unless they name one. */
export function reporter(document: YamlDocument, rule = 'schema'): Report {
  return (at, message, options = {}) =>
    document.found.push({ at, part: options.part ?? 'value', rule: options.rule ?? rule, severity: options.severity ?? 'error', message });
}

/** Reads one file given as bytes up to its schema findings. Never throws on bad input. */
export function readDocument(file: string, bytes: Uint8Array, schema: CompiledSchema): YamlDocument {
  const { source, diagnostics } = decodeRunbookBytes(file, bytes);
  const document: YamlDocument = { file, source, diagnostics, found: [] };
  if (!source || diagnostics.length > 0) return document;
  diagnostics.push(...parseValues(source));
  const value = source.value;
  if (value === undefined) return document;
  for (const problem of checkSchema(value, schema)) {
    document.found.push({ at: problem.path, part: problem.part, rule: problem.rule, severity: 'error', message: problem.message });
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) document.value = value as Record<string, unknown>;
  return document;
}

const DISABLE = /(?:^|\s)#\s*sev-disable-line\b([^#]*)/;

type Suppressed = Map<number, Set<string> | 'all'>;

/**
 * Reads `# sev-disable-line rule-a, rule-b` comments. A comment after content covers its own line;
 * a comment alone on its line covers the next line too. Without rule ids it covers every rule.
 * A name not among `known` (when given) is reported.
 */
function suppressions(source: RunbookSource, known: ReadonlySet<string> | undefined, report: (d: Diagnostic) => void): Suppressed {
  const byLine: Suppressed = new Map();
  const add = (line: number, ids: Set<string> | 'all') => {
    const existing = byLine.get(line);
    if (existing === 'all' || ids === 'all') byLine.set(line, 'all');
    else byLine.set(line, new Set([...(existing ?? []), ...ids]));
  };
  source.lines.forEach((text, index) => {
    const match = DISABLE.exec(text);
    if (!match) return;
    const line = index + 1;
    const names = match[1]!.split(/[\s,]+/).filter(Boolean);
    for (const name of names) {
      if (known && !known.has(name)) {
        const col = text.indexOf(name, match.index) + 1;
        report({
          file: source.file,
          line,
          col,
          rule: 'unknown-rule',
          severity: 'warning',
          message: `sev-disable-line names unknown rule "${name}"`,
        });
      }
    }
    const ids = names.length ? new Set(names) : 'all';
    add(line, ids);
    if (text.slice(0, match.index).trim() === '') add(line + 1, ids);
  });
  return byLine;
}

const hasSuppressions = (source: RunbookSource | undefined): source is RunbookSource =>
  source !== undefined && source.text.includes('sev-disable-line');
const covered = (byLine: Suppressed, d: Diagnostic) => {
  const ids = byLine.get(d.line);
  return ids === 'all' || ids?.has(d.rule) === true;
};

export function locate(file: string, source: RunbookSource | undefined, f: Finding): Diagnostic {
  const position = f.at === 'top' || !source ? START : source.locate(f.at, f.part);
  return { file, ...position, rule: f.rule, severity: f.severity, message: f.message };
}

/** Whether sev-disable-line comments apply to a kind of file, and which rule ids they may name. */
export interface Suppression {
  /** Rule ids a comment may name; a name outside them is reported. Without it, names are not checked. */
  known?: ReadonlySet<string>;
}

/**
 * The end of the pipeline: locates the findings (the positional parse happens here, for a file with
 * any), drops those a sev-disable-line comment covers (when the kind honours them), warns of unknown
 * rule ids in those comments, and sorts. `diagnostics` are the ones located already.
 */
export function finishFindings(document: YamlDocument, suppression?: Suppression): Diagnostic[] {
  const { file, source, found, diagnostics } = document;
  const suppressing = suppression !== undefined && hasSuppressions(source);
  if (found.length === 0 && diagnostics.length === 0 && !suppressing) return diagnostics;
  const located = found.map((f) => locate(file, source, f));
  const byLine = suppressing ? suppressions(source, suppression.known, (d) => located.push(d)) : undefined;
  const all = byLine ? diagnostics.filter((d) => !covered(byLine, d)) : [...diagnostics];
  for (const d of located) if (!byLine || d.rule === 'unknown-rule' || !covered(byLine, d)) all.push(d);
  return dedupe(all).sort(compareDiagnostics);
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.line}:${d.col}:${d.rule}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The message a loader refuses a file with: its first error at file:line:col, and how many more. */
export function firstError(diagnostics: readonly Diagnostic[]): string | undefined {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0];
  if (!first) return undefined;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `${first.file}:${first.line}:${first.col}: ${first.message}${more}`;
}
