import { createRequire } from 'node:module';
import type { Alias, Document, LineCounter, Node, Pair } from 'yaml';
import { MAX_FILE_BYTES } from '../files/read-file.js';
import type { Diagnostic, Position } from './diagnostic.js';

export type Path = readonly (string | number)[];

/**
 * The positional YAML parser, loaded on first use: a clean runbook never needs it (js-yaml parses it),
 * and loading it is a good part of what validating a few files costs.
 */
let yamlLib: typeof import('yaml') | undefined;
const require = createRequire(import.meta.url);
const yaml = (): typeof import('yaml') => (yamlLib ??= require('yaml') as typeof import('yaml'));
/** js-yaml, which reads the values of most files; loaded with the first one. */
let jsyaml: typeof import('js-yaml') | undefined;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Larger files are refused before parsing: no runbook is that big, and parsing one costs memory. */
export const MAX_RUNBOOK_BYTES = MAX_FILE_BYTES;
/** Aliases a runbook may expand; a "billion laughs" document needs far more. */
const MAX_ALIAS_COUNT = 100;

/** The text of a runbook file, its parsed YAML document and a way back from any path to a position. */
export class RunbookSource {
  private counter?: LineCounter;
  private splitLines?: string[];
  private digest?: string;
  doc?: Document.Parsed;
  value?: unknown;
  /** Set when js-yaml read the value: the positional document is parsed on first use. */
  lazy = false;

  constructor(
    readonly file: string,
    readonly text: string,
    /** Whether the file started with a byte order mark, which decoding removed from `text`. */
    private readonly bom = false,
  ) {}

  /**
   * SHA-256 of the file's bytes, which the incident log records; computed on first use (validate never
   * needs it). The text is valid UTF-8 decoded, so encoding it again gives back the very bytes.
   */
  get hash(): string {
    const { createHash } = require('node:crypto') as typeof import('node:crypto');
    this.digest ??= createHash('sha256')
      .update(this.bom ? `\ufeff${this.text}` : this.text, 'utf8')
      .digest('hex');
    return this.digest;
  }

  /** Where each line starts, filled in by the positional parse. */
  get lineCounter(): LineCounter {
    this.counter ??= new (yaml().LineCounter)();
    return this.counter;
  }

  /** The lines of the file, for excerpts and suppression comments; split on first use. */
  get lines(): string[] {
    this.splitLines ??= this.text.split(/\r?\n/);
    return this.splitLines;
  }

  position(offset: number): Position {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, col };
  }

  range(range: readonly number[] | undefined | null): Position {
    if (!range) return { line: 1, col: 1 };
    const start = this.position(range[0]!);
    const end = this.position(range[1] ?? range[0]!);
    return { ...start, endLine: end.line, endCol: end.col };
  }

  /** Position of the value (or of its key) at a path like ['steps', 2, 'next']. Falls back to the nearest ancestor. */
  locate(path: Path, part: 'key' | 'value' = 'value'): Position {
    if (!this.doc && this.lazy) {
      this.doc = yaml().parseAllDocuments(this.text, {
        lineCounter: this.lineCounter,
        uniqueKeys: true,
        prettyErrors: false,
        logLevel: 'error',
      })[0];
      this.lazy = false;
    }
    if (!this.doc) return { line: 1, col: 1 };
    let node: unknown = this.doc.contents;
    let pair: Pair | undefined;
    let best: Position = this.range((node as Node | null)?.range);
    const { isMap, isPair, isScalar, isSeq } = yaml();
    for (const segment of path) {
      pair = undefined;
      if (isMap(node)) {
        pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) return best;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
      } else {
        return best;
      }
      const at = (node as Node | null)?.range ?? (pair?.key as Node | undefined)?.range;
      if (at) best = this.range(at);
    }
    if (part === 'key' && pair && isPair(pair) && (pair.key as Node | null)?.range) {
      return this.range((pair.key as Node).range);
    }
    return best;
  }
}

interface ReadResult {
  source?: RunbookSource;
  diagnostics: Diagnostic[];
}

function diag(file: string, rule: string, message: string, at: Position = { line: 1, col: 1 }): Diagnostic {
  return { file, ...at, rule, severity: 'error', message };
}

function startsWithBom(bytes: Uint8Array): boolean {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/**
 * Decodes raw bytes into the text of a runbook: too large, binary (a NUL byte), not UTF-8 and empty are
 * diagnostics; a byte order mark is removed. An empty file keeps its source (for suppression comments).
 */
export function decodeRunbookBytes(file: string, bytes: Uint8Array): ReadResult {
  if (bytes.length > MAX_RUNBOOK_BYTES) {
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    return {
      diagnostics: [diag(file, 'file-too-large', `file is ${mb(bytes.length)}, over the ${mb(MAX_RUNBOOK_BYTES)} limit for a runbook`)],
    };
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { diagnostics: [diag(file, 'encoding', 'binary file (contains a NUL byte): a runbook is UTF-8 text')] };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { diagnostics: [diag(file, 'encoding', 'file is not valid UTF-8: save it as UTF-8')] };
  }
  const source = new RunbookSource(file, text, startsWithBom(bytes));
  if (text.trim() === '')
    return {
      source,
      diagnostics: [diag(file, 'empty-file', 'file is empty: a runbook needs at least format, id, title, class, severity and steps')],
    };
  return { source, diagnostics: [] };
}

/** Decodes raw bytes and parses them with positions, turning every kind of bad input into diagnostics. */
export function parseRunbookBytes(file: string, bytes: Uint8Array): ReadResult {
  const decoded = decodeRunbookBytes(file, bytes);
  if (!decoded.source || decoded.diagnostics.length > 0) return decoded;
  return { source: decoded.source, diagnostics: parsePositional(decoded.source) };
}

/**
 * YAML features where the two parsers could differ, or where the positional one warns, looked for on
 * the lines outside block scalars: tags, directives, flow collections over several lines (a bracket or
 * brace that opens a value and is left open at the end of its line). Matching is rough on purpose: a
 * false match only costs a positional parse.
 */
const DIFFERS = /(?:^|[\s,[{])![^\s=]|^%|(?:^\s*|[:?-]\s+|[[{,]\s*)[[{][^\]}\n]*$/;
/** A line whose value is a block scalar (`key: |`, `- >-`): the lines under it are text. */
const BLOCK_SCALAR = /(?:^|[:-])[ \t]+[|>][1-9+-]{0,2}[ \t]*(?:#.*)?$|^[|>][1-9+-]{0,2}[ \t]*(?:#.*)?$/;
const LIST_ITEMS = /^(?:-[ \t]+)*/;
const ANCHOR = /(?:^|[\s,[{])&([^\s,[\]{}&>][^\s,[\]{}]*)/g;
const ALIAS = /(?:^|[\s,[{])\*([^\s,[\]{}]+)/;
const ALIASES = new RegExp(ALIAS.source, 'g');
/** A flow collection left open anywhere, block scalars included: most files have none, nor a tag or an anchor. */
const OPEN_FLOW = /[[{][^\]}\n]*$/m;

/**
 * Whether js-yaml reads the file as the positional parser would: none of the features above, no CR
 * that ends no line (js-yaml breaks the line there, the positional parser does not), and aliases the
 * positional parser expands within its limit (MAX_ALIAS_COUNT), which js-yaml has none of. That parser
 * counts an alias's uses times the aliases inside what it names; the count stays within the limit when
 * no anchored node holds an alias and no anchor is named more than the limit. The node of an anchor is
 * taken to run to the end of its line and over the lines after it indented deeper (or as deep, for
 * list items): at least the node. `&&` and `&>` (shell) are no anchors.
 */
function readsAlike(text: string): boolean {
  const anchors = text.includes('&');
  if (!anchors && !text.includes('!') && !text.includes('\r') && !text.startsWith('%') && !text.includes('\n%') && !OPEN_FLOW.test(text))
    return true;
  if (text.includes('\r') && /\r(?!\n)/.test(text)) return false;
  const lines = text.split('\n');
  const uses = new Map<string, number>();
  let anchored = -1; // the indentation of the line whose anchor's node the current line may be in
  let scalar = -1; // the indentation the lines of a block scalar are deeper than
  for (const line of lines) {
    const content = line.trimStart();
    const indent = line.length - content.length;
    if (scalar >= 0) {
      if (content === '' || indent > scalar) continue;
      scalar = -1;
    }
    if (DIFFERS.test(line)) return false;
    if (BLOCK_SCALAR.test(content)) {
      const items = LIST_ITEMS.exec(content)![0].length;
      // Under `- |` the text is deeper than the dash; under `- key: |`, deeper than the key.
      scalar = /^[|>]/.test(content.slice(items)) ? indent + items - 2 : indent + items;
    }
    if (!anchors) continue; // an alias without an anchor: js-yaml refuses the file
    if (
      anchored >= 0 &&
      content !== '' &&
      !content.startsWith('#') &&
      (indent < anchored || (indent === anchored && !content.startsWith('-')))
    )
      anchored = -1;
    ALIASES.lastIndex = 0;
    for (let m = ALIASES.exec(line); m; m = ALIASES.exec(line)) {
      if (anchored >= 0) return false;
      const n = (uses.get(m[1]!) ?? 0) + 1;
      if (n > MAX_ALIAS_COUNT) return false;
      uses.set(m[1]!, n);
    }
    ANCHOR.lastIndex = 0;
    const anchor = ANCHOR.exec(line);
    if (anchor) {
      if (ALIAS.test(line.slice(anchor.index + anchor[0].length))) return false; // an alias after it on its line
      anchored = anchored >= 0 ? Math.min(anchored, indent) : indent;
    }
  }
  return true;
}

/**
 * Parses the values of a decoded file into `source.value`, with js-yaml (core schema: what ajv-cli
 * reads the same files with) where it reads what the positional parser would. The positional parser
 * (the `yaml` library) takes a file with a feature above, aliases it might refuse, one js-yaml
 * refuses (a syntax error, a duplicate key, two documents) or one that is no mapping, and says where
 * each problem is. After
 * js-yaml, positions are parsed on first use: only a finding needs one.
 */
export function parseValues(source: RunbookSource): Diagnostic[] {
  if (readsAlike(source.text)) {
    jsyaml ??= require('js-yaml') as typeof import('js-yaml');
    let value: unknown;
    try {
      value = jsyaml.load(source.text, { schema: jsyaml.CORE_SCHEMA });
    } catch {
      value = undefined;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      source.value = value;
      source.lazy = true;
      return [];
    }
  }
  return parsePositional(source);
}

/** Parses a decoded file with source positions: every syntax problem is a diagnostic where it is. */
function parsePositional(source: RunbookSource): Diagnostic[] {
  const { file, text } = source;
  const diagnostics: Diagnostic[] = [];
  const docs = yaml().parseAllDocuments(text, {
    lineCounter: source.lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    logLevel: 'error',
  });
  const list = Array.isArray(docs) ? docs : [];
  const doc = list[0];
  if (!doc) return [diag(file, 'empty-file', 'file has no YAML document')];
  for (const extra of list.slice(1)) {
    diagnostics.push(
      diag(file, 'multiple-documents', 'file holds more than one YAML document: keep one runbook per file', source.range(extra.range)),
    );
  }
  for (const error of doc.errors) {
    const rule = error.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax';
    const message = rule === 'duplicate-key' ? 'duplicate key: each key may appear once in a mapping' : yamlMessageLine(error.message);
    // An unclosed quote runs to the end of the file, where the parser notices it: point at where it opens.
    const opening = error.code === 'MISSING_CHAR' ? openingQuote(doc, error.pos[0]) : undefined;
    diagnostics.push(
      diag(file, rule, opening ? `${message} (the string opened here is never closed)` : message, source.range(opening ?? error.pos)),
    );
  }
  for (const warning of doc.warnings) {
    diagnostics.push({ ...diag(file, 'yaml-syntax', yamlMessageLine(warning.message), source.range(warning.pos)), severity: 'warning' });
  }
  source.doc = doc;
  if (doc.errors.length > 0) return diagnostics;
  if (isEmptyNode(doc.contents))
    return [
      ...diagnostics,
      diag(file, 'empty-file', 'file holds an empty YAML document: a runbook needs at least format, id, title, class, severity and steps'),
    ];
  try {
    source.value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const alias = error instanceof ReferenceError && error.message.startsWith('Unresolved alias') ? unresolvedAlias(doc) : undefined;
    if (alias) {
      diagnostics.push(
        diag(
          file,
          'yaml-syntax',
          `alias *${alias.source} names no anchor defined before it: define &${alias.source} first`,
          source.range(alias.range),
        ),
      );
      return diagnostics;
    }
    if (error instanceof ReferenceError || error instanceof RangeError) {
      diagnostics.push(
        diag(file, 'yaml-alias-limit', `too many alias expansions (over ${MAX_ALIAS_COUNT}): ${yamlMessageLine(error.message)}`),
      );
      return diagnostics;
    }
    throw error;
  }
  return diagnostics;
}

/** A document with no content at all (just --- or ...) holds an empty null scalar, or nothing. */
function isEmptyNode(node: unknown): boolean {
  const { isScalar } = yaml();
  return node === null || (isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1]);
}

/** The range of the opening quote of the quoted string that ends where a closing quote is missing. */
function openingQuote(doc: Document.Parsed, at: number): [number, number] | undefined {
  let found: [number, number] | undefined;
  const { visit } = yaml();
  visit(doc, {
    Scalar(_key, node) {
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
      if (!quoted || !node.range || node.range[0] >= at || node.range[1] < at) return undefined;
      found = [node.range[0], node.range[0] + 1];
      return visit.BREAK;
    },
  });
  return found;
}

/** The first alias whose anchor is not defined before it, in one pass over the document. */
function unresolvedAlias(doc: Document.Parsed): Alias | undefined {
  const anchors = new Set<string>();
  let found: Alias | undefined;
  const { isAlias, visit } = yaml();
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        if (anchors.has(node.source)) return undefined;
        found = node;
        return visit.BREAK;
      }
      if (node.anchor) anchors.add(node.anchor);
      return undefined;
    },
  });
  return found;
}

function yamlMessageLine(message: string): string {
  // The yaml library appends " at line L, column C"; our position already says that.
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
