import { readDocument, type YamlDocument } from '../lint/document.js';
import type { Runbook, Step } from './model.js';
import type { CompiledSchema } from './schema.js';
import type { Path } from './source.js';
import * as translationSchema from './translation-schema-check.js';

/**
 * A translation: the texts of one runbook in another language, keyed by the ids of that runbook. It holds
 * texts only, so whatever it says, the commands, checks, jumps and milestones are the runbook's own.
 */

/** runbooks/translation.schema.json, compiled at build time like the runbook schema. */
export const TRANSLATION_SCHEMA: CompiledSchema = translationSchema;

interface TranslatedText {
  /** Where the text sits in the translation file; the same path names its place in the runbook (see textSlots). */
  path: Path;
  text: string;
}

export interface Translation {
  file: string;
  hash: string;
  /** The id of the runbook translated. */
  translates: string;
  lang: string;
  /** The runbook version the texts were written for. */
  runbookVersion?: string;
  texts: TranslatedText[];
}

/** What the incident log and `sev show` say of the translation a runbook is shown in. */
export interface TranslationRef {
  lang: string;
  hash: string;
  file: string;
}

/** A `format:` line naming the translation format (any version: the schema then says which one it takes). */
const FORMAT_LINE = /^format:\s*["']?sevkit-translation\//m;

/** Cheap sniff on the first bytes: does this file's format line name the translation format? */
export function isTranslationBytes(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 4096);
  // Most files are runbooks that never name the format: answered without decoding anything.
  if (Buffer.from(head.buffer, head.byteOffset, head.byteLength).indexOf('sevkit-translation/') < 0) return false;
  return FORMAT_LINE.test(new TextDecoder('utf-8').decode(head));
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every string leaf of the translation's text sections, with its path. Built leniently: the schema reports the rest. */
export function buildTranslation(value: unknown, source: { readonly file: string; readonly hash: string }): Translation {
  const v = isObj(value) ? value : {};
  const texts: TranslatedText[] = [];
  const walk = (node: unknown, path: Path) => {
    if (typeof node === 'string') texts.push({ path, text: node });
    else if (isObj(node)) for (const key of Object.keys(node)) walk(node[key], [...path, key]);
  };
  for (const key of ['title', 'summary', 'inputs', 'checks', 'steps']) if (key in v) walk(v[key], [key]);
  return {
    file: source.file,
    get hash() {
      return source.hash;
    },
    translates: typeof v.translates === 'string' ? v.translates : '',
    lang: typeof v.lang === 'string' ? v.lang : '',
    runbookVersion: typeof v.runbook_version === 'string' ? v.runbook_version : undefined,
    texts,
  };
}

/** One text of a runbook a translation may replace: its path in a translation, the runbook's own text, and where it goes. */
interface TextSlot {
  path: Path;
  text: string;
  set(runbook: Runbook, text: string): void;
}

const stepAt = (runbook: Runbook, index: number): Step => runbook.steps[index]!;

/**
 * The texts of a runbook a translation can carry, each keyed as a translation writes it: inputs and checks
 * by name, steps by id, a choice's options by value (an option without a value has its label as value).
 * Only texts the runbook has are slots: a translation cannot add one.
 */
export function textSlots(runbook: Runbook): TextSlot[] {
  const slots: TextSlot[] = [];
  const add = (path: Path, text: string | undefined, set: TextSlot['set']) => {
    if (text !== undefined && text !== '') slots.push({ path, text, set });
  };
  add(['title'], runbook.title, (rb, t) => (rb.title = t));
  add(['summary'], runbook.summary, (rb, t) => (rb.summary = t));
  runbook.inputs.forEach((input, i) => {
    add(['inputs', input.name, 'prompt'], input.prompt === input.name ? undefined : input.prompt, (rb, t) => (rb.inputs[i]!.prompt = t));
    add(['inputs', input.name, 'description'], input.description, (rb, t) => (rb.inputs[i]!.description = t));
  });
  runbook.checks.forEach((check, i) =>
    add(['checks', check.name, 'description'], check.description, (rb, t) => (rb.checks[i]!.description = t)),
  );
  const seen = new Set<string>();
  runbook.steps.forEach((step, s) => {
    // A step id used twice is an error of the runbook; its texts are keyed by the first.
    if (seen.has(step.id)) return;
    seen.add(step.id);
    const base = ['steps', step.id];
    add([...base, 'title'], step.title, (rb, t) => (stepAt(rb, s).title = t));
    add([...base, 'instructions'], step.instructions, (rb, t) => (stepAt(rb, s).instructions = t));
    if (step.confirm) add([...base, 'confirm'], step.confirm.question, (rb, t) => (stepAt(rb, s).confirm!.question = t));
    if (step.choice) {
      add([...base, 'choice', 'question'], step.choice.question, (rb, t) => (stepAt(rb, s).choice!.question = t));
      step.choice.options.forEach((option, o) =>
        add([...base, 'choice', 'options', option.value], option.label, (rb, t) => (stepAt(rb, s).choice!.options[o]!.label = t)),
      );
    }
    if (step.input) {
      const input = step.input;
      add(
        [...base, 'input', 'prompt'],
        input.prompt === input.name ? undefined : input.prompt,
        (rb, t) => (stepAt(rb, s).input!.prompt = t),
      );
      add([...base, 'input', 'description'], input.description, (rb, t) => (stepAt(rb, s).input!.description = t));
    }
    if (step.announce) {
      add([...base, 'announce', 'subject'], step.announce.subject, (rb, t) => (stepAt(rb, s).announce!.subject = t));
      add([...base, 'announce', 'channel'], step.announce.channel, (rb, t) => (stepAt(rb, s).announce!.channel = t));
      add([...base, 'announce', 'message'], step.announce.message, (rb, t) => (stepAt(rb, s).announce!.message = t));
    }
  });
  return slots;
}

export const pathKey = (path: Path): string => JSON.stringify(path);

/** A copy of the runbook with the translation's texts in place of its own; a text the translation lacks stays the runbook's. */
export function applyTranslation(runbook: Runbook, translation: Translation): Runbook {
  const { hash, ...rest } = runbook;
  const copy: Runbook = {
    ...structuredClone(rest),
    hash,
    lang: translation.lang,
    translation: { lang: translation.lang, hash: translation.hash, file: translation.file },
  };
  const texts = new Map(translation.texts.map((t) => [pathKey(t.path), t.text]));
  for (const slot of textSlots(runbook)) {
    const text = texts.get(pathKey(slot.path));
    if (text !== undefined) slot.set(copy, text);
  }
  return copy;
}

/** A translation file through the pipeline up to its findings: decode, parse, translation.schema.json, its texts. */
export function checkTranslationBytes(file: string, bytes: Uint8Array): { document: YamlDocument; translation?: Translation } {
  const document = readDocument(file, bytes, TRANSLATION_SCHEMA);
  const { source, value } = document;
  return source && value ? { document, translation: buildTranslation(value, source) } : { document };
}
