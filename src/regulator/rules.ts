import { finishFindings, readDocument, reporter, type Suppression, type YamlDocument } from '../lint/document.js';
import type { Diagnostic } from '../runbook/diagnostic.js';
import type { Milestone } from '../runbook/model.js';
import type { CompiledSchema } from '../runbook/schema.js';
import type { Path, RunbookSource } from '../runbook/source.js';
import { closest } from '../runbook/suggest.js';
import { fullValidator, isValid } from './rules-schema-check.js';
import { parseWithin, type Within } from './within.js';

/** The `format:` value that marks a regulators file (and not a runbook) in a runbooks directory. */
const REGULATORS_FORMAT = 'sevkit-regulators/v1';
const REGULATORS_SCHEMA: CompiledSchema = { isValid, fullValidator };

export type FactType = 'number' | 'duration' | 'yes-no';

export interface FactDef {
  name: string;
  prompt: string;
  description?: string;
  type: FactType;
  /** A duration fact's default: from the first milestone (else detected) to the second (else now). */
  fromMilestones?: [Milestone, Milestone];
}

export interface Condition {
  fact: string;
  op: 'over' | 'at_least' | 'is';
  /** A count, milliseconds for a duration, 1 or 0 for yes and no. */
  value: number;
  /** As written in the file, for the reasons shown. */
  text: string;
}

export type Anchor = 'awareness' | 'classification' | 'resolution';
export type DeadlineName = 'initial' | 'intermediate' | 'final';

export interface DeadlineDef {
  name: DeadlineName;
  within: Within;
  /** Counted from an incident milestone, or from the filing of an earlier deadline of the notification. */
  from?: Anchor;
  after?: DeadlineName;
  noLaterThan?: { within: Within; from: Anchor };
}

export interface NotificationDef {
  id: string;
  regulator: string;
  title: string;
  all: Condition[];
  any: Condition[];
  deadlines: DeadlineDef[];
  files: string;
  how: string;
  source: { name: string; url: string };
  note?: string;
}

/** The texts of the rules in one language; what it leaves out is shown as the rules write it. */
interface RulesTexts {
  notice?: string;
  facts: Record<string, Partial<Pick<FactDef, 'prompt' | 'description'>>>;
  notifications: Record<string, Partial<Pick<NotificationDef, 'regulator' | 'title' | 'files' | 'how' | 'note'>>>;
}

export interface RegulatorRules {
  file: string;
  hash: string;
  version?: string;
  notice: string;
  facts: FactDef[];
  notifications: NotificationDef[];
  /** By language tag (zh-CN). */
  translations: Record<string, RulesTexts>;
}

/** Findings about a regulators file beyond its schema; each id can be named in sev-disable-line. */
export const REGULATOR_RULES = [
  {
    id: 'regulator-unknown-fact',
    severity: 'error',
    description: 'A condition of the regulators file, or a regulator step of a runbook, names a fact the regulators file does not declare.',
  },
  {
    id: 'regulator-condition',
    severity: 'error',
    description:
      'A condition does not fit its fact: a threshold on a yes-no fact, a yes/no on a count, a malformed duration, or no test at all.',
  },
  {
    id: 'regulator-deadline',
    severity: 'error',
    description: 'A deadline counts from nothing, from two things, or from a deadline that does not come before it.',
  },
  { id: 'duplicate-notification-id', severity: 'error', description: 'Two notifications share an id, so filings cannot tell them apart.' },
  {
    id: 'regulator-stray-translation',
    severity: 'error',
    description: 'A translation of the regulators file names a fact or notification the file does not declare.',
  },
  {
    id: 'regulator-missing-translation',
    severity: 'warning',
    description: 'A translation of the regulators file leaves out a fact prompt or a notification title: the English text is shown.',
  },
] as const;

const FORMAT_LINE = /^format:\s*["']?sevkit-regulators\/v1["']?\s*(#.*)?$/m;

/** Cheap sniff on the first bytes: is this file a regulators file? */
export function isRegulatorsBytes(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 4096);
  if (Buffer.from(head.buffer, head.byteOffset, head.byteLength).indexOf(REGULATORS_FORMAT) < 0) return false;
  return FORMAT_LINE.test(new TextDecoder('utf-8').decode(head));
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
type Report = (path: Path, message: string, rule: string, part?: 'key' | 'value', severity?: 'warning') => void;

/** A duration as the rules write thresholds: 2h, 90m, 1h30m (no months: an interruption is not that long). */
export function thresholdMs(text: string): number | undefined {
  const within = parseWithin(text);
  return within && within.months === 0 ? within.ms : undefined;
}

const OPS = ['over', 'at_least', 'is'] as const;

function condition(raw: unknown, path: Path, facts: Map<string, FactDef>, report: Report): Condition | undefined {
  if (!isObj(raw) || typeof raw.fact !== 'string') return undefined;
  const fact = facts.get(raw.fact);
  if (!fact) {
    const guess = closest(raw.fact, facts.keys());
    report(
      [...path, 'fact'],
      `no fact is named "${raw.fact}"${guess ? `: did you mean "${guess}"?` : ''} (facts: ${[...facts.keys()].join(', ')})`,
      'regulator-unknown-fact',
    );
    return undefined;
  }
  const ops = OPS.filter((op) => raw[op] !== undefined);
  if (ops.length !== 1) {
    report(
      path,
      ops.length ? `a condition has one test; this one has ${ops.join(' and ')}` : 'a condition needs a test: over, at_least or is',
      'regulator-condition',
    );
    return undefined;
  }
  const op = ops[0]!;
  const given = raw[op];
  const at: Path = [...path, op];
  if (op === 'is') {
    if (fact.type !== 'yes-no')
      return void report(at, `"is" tests a yes-no fact; "${fact.name}" is a ${fact.type}: use over or at_least`, 'regulator-condition');
    const yes = given === true || given === 'yes';
    return { fact: fact.name, op, value: yes ? 1 : 0, text: yes ? 'yes' : 'no' };
  }
  if (fact.type === 'yes-no')
    return void report(at, `"${fact.name}" is a yes-no fact: test it with is: "yes" or is: "no"`, 'regulator-condition');
  if (fact.type === 'number') {
    if (typeof given !== 'number')
      return void report(at, `"${fact.name}" is a count: the threshold is a number, not ${JSON.stringify(given)}`, 'regulator-condition');
    return { fact: fact.name, op, value: given, text: given.toLocaleString('en-US') };
  }
  const ms = typeof given === 'string' ? thresholdMs(given) : undefined;
  if (ms === undefined)
    return void report(
      at,
      `"${fact.name}" is a duration: the threshold is a duration such as 2h or 90m, not ${JSON.stringify(given)}`,
      'regulator-condition',
    );
  return { fact: fact.name, op, value: ms, text: String(given) };
}

/** Builds the typed rules from a parsed value, reporting what the schema cannot see. */
function buildRules(value: unknown, source: { file: string; hash: string }, report: Report): RegulatorRules {
  const v = isObj(value) ? value : {};
  const facts = new Map<string, FactDef>();
  if (isObj(v.facts)) {
    for (const [name, raw] of Object.entries(v.facts)) {
      if (!isObj(raw)) continue;
      const type = (['number', 'duration', 'yes-no'] as const).find((t) => t === raw.type) ?? 'number';
      const milestones = list(raw.from_milestones).filter((m): m is Milestone => typeof m === 'string');
      facts.set(name, {
        name,
        prompt: str(raw.prompt) ?? name,
        description: str(raw.description),
        type,
        ...(milestones.length === 2 ? { fromMilestones: [milestones[0]!, milestones[1]!] as [Milestone, Milestone] } : {}),
      });
      if (raw.from_milestones !== undefined && type !== 'duration') {
        report(
          ['facts', name, 'from_milestones'],
          `from_milestones gives a duration; "${name}" is a ${type}`,
          'regulator-condition',
          'key',
        );
      }
    }
  }
  const notifications: NotificationDef[] = [];
  const ids = new Map<string, number>();
  list(v.notifications).forEach((raw, i) => {
    if (!isObj(raw)) return;
    const at: Path = ['notifications', i];
    const id = str(raw.id) ?? `#${i + 1}`;
    const earlier = ids.get(id);
    if (earlier !== undefined)
      report([...at, 'id'], `notification id "${id}" is already used by notification ${earlier + 1}`, 'duplicate-notification-id');
    else ids.set(id, i);
    const applies = isObj(raw.applies) ? raw.applies : {};
    const conditions = (key: 'all' | 'any') =>
      list(applies[key])
        .map((c, k) => condition(c, [...at, 'applies', key, k], facts, report))
        .filter((c): c is Condition => c !== undefined);
    const deadlines: DeadlineDef[] = [];
    list(raw.deadlines).forEach((d, k) => {
      if (!isObj(d)) return;
      const dat: Path = [...at, 'deadlines', k];
      const name = str(d.name) as DeadlineName | undefined;
      const within = typeof d.within === 'string' ? parseWithin(d.within) : undefined;
      if (!name || !within) return;
      const from = str(d.from) as Anchor | undefined;
      const after = str(d.after) as DeadlineName | undefined;
      if ((from === undefined) === (after === undefined)) {
        report(
          dat,
          from
            ? `deadline "${name}" counts from ${from} and after ${after}: give one of from and after`
            : `deadline "${name}" counts from nothing: give from (awareness, classification, resolution) or after (an earlier deadline)`,
          'regulator-deadline',
        );
      }
      if (after !== undefined && !deadlines.some((e) => e.name === after)) {
        report(
          [...dat, 'after'],
          `deadline "${name}" counts after "${after}", which is not an earlier deadline of this notification`,
          'regulator-deadline',
        );
      }
      if (deadlines.some((e) => e.name === name)) report([...dat, 'name'], `deadline "${name}" is given twice`, 'regulator-deadline');
      const nlt = isObj(d.no_later_than) && typeof d.no_later_than.within === 'string' ? parseWithin(d.no_later_than.within) : undefined;
      deadlines.push({
        name,
        within,
        ...(from ? { from } : {}),
        ...(after ? { after } : {}),
        ...(nlt && isObj(d.no_later_than) ? { noLaterThan: { within: nlt, from: str(d.no_later_than.from) as Anchor } } : {}),
      });
    });
    const source = isObj(raw.source) ? raw.source : {};
    notifications.push({
      id,
      regulator: str(raw.regulator) ?? '',
      title: str(raw.title) ?? '',
      all: conditions('all'),
      any: conditions('any'),
      deadlines,
      files: str(raw.files) ?? '',
      how: str(raw.how) ?? '',
      source: { name: str(source.name) ?? '', url: str(source.url) ?? '' },
      ...(str(raw.note) ? { note: str(raw.note) } : {}),
    });
  });
  return {
    file: source.file,
    get hash() {
      return source.hash;
    },
    version: str(v.version),
    notice: str(v.notice) ?? '',
    facts: [...facts.values()],
    notifications,
    translations: translations(v.translations, facts, notifications, report),
  };
}

/** Reads the translations: a key naming nothing is an error, a prompt or title left out a warning. */
function translations(
  raw: unknown,
  facts: Map<string, FactDef>,
  notifications: NotificationDef[],
  report: Report,
): Record<string, RulesTexts> {
  const out: Record<string, RulesTexts> = {};
  if (!isObj(raw)) return out;
  const ids = notifications.map((n) => n.id);
  for (const [lang, t] of Object.entries(raw)) {
    if (!isObj(t)) continue;
    const texts = (value: unknown, known: Iterable<string>, kind: string, at: Path): Record<string, Obj> => {
      const entries: Record<string, Obj> = {};
      const names = [...known];
      for (const [key, text] of Object.entries(isObj(value) ? value : {})) {
        if (!names.includes(key)) {
          const guess = closest(key, names);
          report(
            [...at, key],
            `${lang}: no ${kind} is named "${key}"${guess ? `: did you mean "${guess}"?` : ''}`,
            'regulator-stray-translation',
            'key',
          );
        } else if (isObj(text)) entries[key] = text;
      }
      return entries;
    };
    const factTexts = texts(t.facts, facts.keys(), 'fact', ['translations', lang, 'facts']);
    const notificationTexts = texts(t.notifications, ids, 'notification', ['translations', lang, 'notifications']);
    const missing = [
      ...(t.notice === undefined ? ['notice'] : []),
      ...[...facts.keys()].filter((f) => factTexts[f]?.prompt === undefined).map((f) => `facts.${f}.prompt`),
      ...ids.filter((id) => notificationTexts[id]?.title === undefined).map((id) => `notifications.${id}.title`),
    ];
    if (missing.length)
      report(
        ['translations', lang],
        `${lang}: no text for ${missing.join(', ')}: the English is shown`,
        'regulator-missing-translation',
        'key',
        'warning',
      );
    // Only the texts given: the spread in inLanguage must not blank what a translation leaves out.
    const given = (e: Obj, keys: string[]) => Object.fromEntries(keys.flatMap((k) => (str(e[k]) ? [[k, str(e[k])]] : [])));
    out[lang] = {
      ...(str(t.notice) ? { notice: str(t.notice) } : {}),
      facts: Object.fromEntries(Object.entries(factTexts).map(([k, e]) => [k, given(e, ['prompt', 'description'])])),
      notifications: Object.fromEntries(
        Object.entries(notificationTexts).map(([k, e]) => [k, given(e, ['regulator', 'title', 'files', 'how', 'note'])]),
      ),
    };
  }
  return out;
}

/** The rules with their texts in a language, where the file has them; the conditions and deadlines stay the same. */
export function inLanguage(rules: RegulatorRules, lang: string | undefined): RegulatorRules {
  const t = lang === undefined ? undefined : rules.translations[lang];
  if (!t) return rules;
  return {
    ...rules,
    notice: t.notice ?? rules.notice,
    facts: rules.facts.map((f) => ({ ...f, ...t.facts[f.name] })),
    notifications: rules.notifications.map((n) => ({ ...n, ...t.notifications[n.id] })),
  };
}

export interface RulesLint {
  file: string;
  source?: RunbookSource;
  rules?: RegulatorRules;
  diagnostics: Diagnostic[];
}

/** A regulators file through the pipeline up to its findings: decode, parse, regulators.schema.json, the checks above. */
export function checkRegulatorsBytes(file: string, bytes: Uint8Array): { document: YamlDocument; rules?: RegulatorRules } {
  const document = readDocument(file, bytes, REGULATORS_SCHEMA);
  const { source } = document;
  if (!source || document.diagnostics.some((d) => d.severity === 'error') || source.value === undefined) return { document };
  const report = reporter(document);
  const rules = buildRules(source.value, source, (path, message, rule, part, severity) => report(path, message, { rule, part, severity }));
  return { document, rules };
}

/**
 * Checks a regulators file given as bytes, each finding at file:line:col. Its sev-disable-line comments
 * apply, as they do when it is validated; `suppression.known` checks the rule ids they name.
 */
export function lintRegulatorsBytes(file: string, bytes: Uint8Array, suppression: Suppression = {}): RulesLint {
  const { document, rules } = checkRegulatorsBytes(file, bytes);
  return { file, source: document.source, diagnostics: finishFindings(document, suppression), ...(rules ? { rules } : {}) };
}
