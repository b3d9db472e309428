import type { Runbook } from '../model.js';
import type { Path } from '../source.js';
import { scanTemplate } from '../template.js';
import { pathKey, textSlots, type Translation } from '../translation.js';
import { gatherFacts, type TemplatedText } from './facts.js';
import { secretInText, templateSyntax, undefinedInput } from './references.js';
import type { Rule } from './rule.js';

/** Where a translation finding points: a path of the translation file (its key or value), or the file's top. */
export type TranslationAt = { path: Path; part: 'key' | 'value' } | 'top';

type TranslationReport = (at: TranslationAt, rule: string, severity: 'error' | 'warning', message: string) => void;

/** The rules that check a translation against the runbook it translates. */
export const TRANSLATION_RULES: readonly Pick<Rule, 'id' | 'severity' | 'description'>[] = [
  { id: 'translation-without-runbook', severity: 'error', description: 'A translation names a runbook id that no runbook has.' },
  {
    id: 'stray-translation-key',
    severity: 'error',
    description: 'A translation has a text for a step, input, check, option or text the runbook does not have.',
  },
  {
    id: 'missing-translation',
    severity: 'warning',
    description: "A text of the runbook has no translation; the runbook's own text is shown.",
  },
  { id: 'outdated-translation', severity: 'warning', description: 'A translation was written for another version of the runbook.' },
  { id: 'duplicate-translation', severity: 'error', description: 'Two files translate one runbook into one language.' },
];

/** The template rules that translated texts must pass too, with the runbook's inputs and the facts of a run. */
const TEMPLATE_RULES: readonly Rule[] = [templateSyntax, undefinedInput, secretInText];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const SECTIONS = ['title', 'summary', 'inputs', 'checks', 'steps'] as const;

function has(value: unknown, path: Path): boolean {
  let node = value;
  for (const segment of path) {
    if (!isObj(node) || !Object.hasOwn(node, segment)) return false;
    node = node[segment];
  }
  return true;
}

const dotted = (path: Path) => path.join('.');

/** The keys translation.schema.json allows under each kind of mapping (ids written as *). */
const FORMAT_KEYS = new Map<string, ReadonlySet<string>>([
  ['', new Set(['title', 'summary', 'inputs', 'checks', 'steps'])],
  ['inputs.*', new Set(['prompt', 'description'])],
  ['checks.*', new Set(['description'])],
  ['steps.*', new Set(['title', 'instructions', 'confirm', 'choice', 'input', 'announce'])],
  ['steps.*.choice', new Set(['question', 'options'])],
  ['steps.*.input', new Set(['prompt', 'description'])],
  ['steps.*.announce', new Set(['subject', 'channel', 'message'])],
]);

/** A path with its ids replaced by *, e.g. steps.*.choice. */
const shapeOf = (path: Path): string => path.map((segment, n) => (isIdPosition(path.slice(0, n + 1)) ? '*' : String(segment))).join('.');

/** Whether a key names something of the runbook: an input, a check, a step, or a choice's option. */
function isIdPosition(path: Path): boolean {
  if (path.length === 2) return path[0] === 'inputs' || path[0] === 'checks' || path[0] === 'steps';
  return path.length === 5 && path[0] === 'steps' && path[2] === 'choice' && path[3] === 'options';
}

/**
 * Checks a parsed, schema-checked translation against its runbook (undefined when none has its id):
 * every key must name something of the runbook, every text of the runbook should be translated, and
 * templates may use only the runbook's inputs and the facts of a run.
 */
export function checkTranslation(translation: Translation, value: unknown, runbook: Runbook | undefined, report: TranslationReport): void {
  if (!translation.translates) return; // the schema reports it
  if (!runbook) {
    report(
      { path: ['translates'], part: 'value' },
      'translation-without-runbook',
      'error',
      `no runbook has the id "${translation.translates}": a translation needs the runbook it translates (in its own directory, --runbooks or the shipped ones)`,
    );
    return;
  }
  if (runbook.version !== undefined && translation.runbookVersion !== runbook.version) {
    const written = translation.runbookVersion ? `version ${translation.runbookVersion}` : 'an unnamed version';
    report(
      translation.runbookVersion ? { path: ['runbook_version'], part: 'value' } : 'top',
      'outdated-translation',
      'warning',
      `written for ${written} of ${runbook.id}, which is at version ${runbook.version} now: ` +
        `check the texts against it, then set runbook_version: "${runbook.version}"`,
    );
  }

  const slots = textSlots(runbook);
  const prefixes = new Set<string>();
  for (const slot of slots) for (let n = 1; n <= slot.path.length; n++) prefixes.add(pathKey(slot.path.slice(0, n)));

  // Stray keys: the first key of each path that leads to no text of the runbook.
  const visit = (node: unknown, path: Path) => {
    // A key the format does not know at all is the schema's finding (unknown-key), not reported twice.
    if (!isIdPosition(path) && !FORMAT_KEYS.get(shapeOf(path.slice(0, -1)))?.has(String(path.at(-1)))) return;
    if (path.length && !prefixes.has(pathKey(path))) {
      report(
        { path, part: 'key' },
        'stray-translation-key',
        'error',
        `${runbook.id} has no ${describe(path)}: remove "${String(path.at(-1))}" or correct it`,
      );
      return;
    }
    if (isObj(node)) for (const key of Object.keys(node)) visit(node[key], [...path, key]);
  };
  if (isObj(value)) for (const key of SECTIONS) if (Object.hasOwn(value, key)) visit(value[key], [key]);

  // Missing texts: one finding each, at the nearest key the translation has, or the file's top.
  for (const slot of slots) {
    if (has(value, slot.path)) continue;
    let depth = slot.path.length - 1;
    while (depth > 0 && !has(value, slot.path.slice(0, depth))) depth--;
    report(
      depth > 0 ? { path: slot.path.slice(0, depth), part: 'key' } : 'top',
      'missing-translation',
      'warning',
      `no ${translation.lang || 'translated'} text for ${dotted(slot.path)}: the runbook's own text is shown`,
    );
  }

  const texts: TemplatedText[] = [];
  for (const t of translation.texts) if (t.text.includes('{{')) texts.push({ text: t.text, path: t.path, scan: scanTemplate(t.text) });
  if (texts.length === 0) return;
  const facts = { ...gatherFacts(runbook), texts };
  for (const rule of TEMPLATE_RULES) {
    rule.check({
      runbook,
      facts,
      report: (path, message, options = {}) =>
        report({ path, part: options.part ?? 'value' }, rule.id, options.severity ?? rule.severity, message),
    });
  }
}

/** Names what a stray key stands for, in the runbook's words. */
function describe(path: Path): string {
  const [section, name, part, sub, option] = path.map(String);
  if (section === 'steps') {
    if (part === undefined) return `step "${name}"`;
    if (part === 'choice' && sub === 'options' && option !== undefined) return `option with the value "${option}" in step "${name}"`;
    return `${[part, sub].filter(Boolean).join('.')} text in step "${name}"`;
  }
  if (section === 'inputs') return part === undefined ? `input "${name}"` : `${part} of input "${name}"`;
  if (section === 'checks') return part === undefined ? `check "${name}"` : `${part} of check "${name}"`;
  return `${section}`;
}
