import { EXIT, UserError } from '../errors.js';
import { SEVERITIES, type Severity } from '../runbook/model.js';
import type { Condition, Rule, TriageMatrix, TriageQuestion } from './matrix.js';

/** question id → the values picked (one for a single-choice question). */
export type TriageAnswers = Record<string, string[]>;

export interface Verdict {
  class: string;
  runbook: string;
  severity: Severity;
  /**
   * Why: the `because` of the class rule and of the severity rule that held, and of each adjustment that held
   * (in order, with the severity before and after it).
   */
  reasons: { class: string; severity: string; adjustments: AdjustmentReason[] };
  /** Who else to page, from the adjustments that held (e.g. communications-lead). */
  page: string[];
  answers: TriageAnswers;
}

interface AdjustmentReason {
  because: string;
  from: Severity;
  to: Severity;
}

function holds(condition: Condition, answers: TriageAnswers): boolean {
  return Object.entries(condition).every(([question, values]) => (answers[question] ?? []).some((picked) => values.includes(picked)));
}

function applies(rule: Rule, answers: TriageAnswers): boolean {
  const yes = rule.if.length === 0 || rule.if.some((c) => holds(c, answers));
  return yes && !rule.unless.some((c) => holds(c, answers));
}

/**
 * Checks one answer against its question: a value or a label (case-insensitive), several only when the
 * question allows them. Returns the option values.
 */
export function normaliseAnswer(question: TriageQuestion, raw: unknown, where: string): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new UserError(`${where}: no answer given for "${question.id}"`);
  if (list.length > 1 && !question.multiple) throw new UserError(`${where}: "${question.id}" takes one answer, got ${list.length}`);
  return list.map((item) => {
    const text = typeof item === 'string' ? item : typeof item === 'boolean' ? (item ? 'yes' : 'no') : String(item);
    const t = text.trim().toLowerCase();
    const option = question.options.find((o) => o.value.toLowerCase() === t || o.label.toLowerCase() === t);
    if (!option)
      throw new UserError(
        `${where}: "${text}" is not an answer to "${question.id}"`,
        EXIT.usage,
        `Expected one of: ${question.options.map((o) => o.value).join(', ')}`,
      );
    return option.value;
  });
}

/** The class and the severity the matrix gives for a complete set of answers. Pure. */
export function classify(matrix: TriageMatrix, answers: TriageAnswers): Verdict {
  const missing = matrix.questions.filter((q) => !answers[q.id]?.length).map((q) => q.id);
  if (missing.length) throw new UserError(`no answer for ${missing.map((m) => `"${m}"`).join(', ')}`);
  // The matrix's last rules have no condition, so a rule always applies.
  const cls = matrix.classes.find((r) => applies(r, answers)) ?? matrix.classes.at(-1)!;
  const sev = matrix.severities.find((r) => applies(r, answers)) ?? matrix.severities.at(-1)!;
  let severity = sev.severity;
  const adjustments: AdjustmentReason[] = [];
  const page: string[] = [];
  for (const adjustment of matrix.adjustments.filter((r) => applies(r, answers))) {
    const from = severity;
    // SEVERITIES runs from SEV1 (index 0) down: up a level is a smaller index.
    let level = SEVERITIES.indexOf(severity);
    if (adjustment.raise) level = Math.max(0, level - adjustment.raise);
    if (adjustment.atLeast) level = Math.min(level, SEVERITIES.indexOf(adjustment.atLeast));
    severity = SEVERITIES[level]!;
    adjustments.push({ because: adjustment.because, from, to: severity });
    for (const who of adjustment.page) if (!page.includes(who)) page.push(who);
  }
  return {
    class: cls.class,
    runbook: cls.runbook,
    severity,
    reasons: { class: cls.because, severity: sev.because, adjustments },
    page,
    answers,
  };
}
