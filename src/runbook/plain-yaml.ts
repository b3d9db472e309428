/**
 * A parser for the plain subset of YAML that runbooks are written in: block mappings and sequences,
 * plain, quoted and block scalars, and one-line flow collections, read with the core schema.
 *
 * It exists for speed: validating a large tree of runbooks is mostly parsing, and this subset can be
 * read line by line in a fraction of a general parser's time. It never guesses. Anything outside the
 * subset — anchors, tags, multi-line plain or quoted scalars, quoted keys, tabs, CR line ends, an
 * ambiguous number, a duplicate key — makes it return undefined, and the caller parses the text with a
 * general YAML parser instead. Where it returns a value, that value equals what the general parsers
 * return (tests compare it with both js-yaml and yaml on every runbook they can find and on mutations).
 */

/** Thrown inside the parser when the text leaves the subset; never escapes `parsePlainYaml`. */
class Decline {}
const DECLINE = new Decline();

const SPACE = 0x20;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;

/** Keys the subset accepts: names as the runbook format writes them (no spaces, no quotes). */
const KEY_CHAR = (() => {
  const table = new Uint8Array(128);
  for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-$.') table[c.charCodeAt(0)] = 1;
  return table;
})();

/** Characters that may not start a plain scalar here: YAML indicators, quotes handled elsewhere. */
const NOT_PLAIN_START = (() => {
  const table = new Uint8Array(128);
  for (const c of '&*!|>%@`\'"[]{},#?:') table[c.charCodeAt(0)] = 1;
  return table;
})();

/** Characters YAML does not allow in a stream (js-yaml refuses them), and tab and CR, which the subset leaves out. */
const FORBIDDEN = /[\x00-\x09\x0b-\x1f\x7f-\x9f\ufeff\ufffe\uffff]/;

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Deeper nesting is left to the general parsers, which report it (js-yaml refuses more than 100 levels)
 * instead of running out of stack. A block level is indented at least one space further than the one
 * holding it (or is a sequence at its key's own indentation, the next level then further still), so
 * indentation bounds the block levels; flow collections nest on one line and are counted.
 */
const MAX_INDENT = 50;
const MAX_FLOW_DEPTH = 40;

// Plain scalars of the core schema. Only unambiguous forms are resolved here; a text that either
// parser might read as a number in some other way (hex, octal, exponents, a leading + or .) declines.
const SIMPLE_INT = /^(?:0|-?[1-9][0-9]{0,14})$/;
const SIMPLE_FLOAT = /^-?(?:0|[1-9][0-9]{0,14})\.[0-9]{1,15}$/;
const MAYBE_NUMBER =
  /^[-+]?(?:[0-9_]+|0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9_]*\.?[0-9_]*(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF|nan|NaN|NAN))$/;

function resolvePlain(text: string): unknown {
  const c = text.charCodeAt(0);
  if (c === 0x7e /* ~ */ && text.length === 1) return null;
  if (c === 0x6e || c === 0x4e /* n N */) {
    if (text === 'null' || text === 'Null' || text === 'NULL') return null;
  } else if (c === 0x74 || c === 0x54 /* t T */) {
    if (text === 'true' || text === 'True' || text === 'TRUE') return true;
  } else if (c === 0x66 || c === 0x46 /* f F */) {
    if (text === 'false' || text === 'False' || text === 'FALSE') return false;
  } else if ((c >= 0x30 && c <= 0x39) || c === DASH || c === 0x2b /* + */ || c === 0x2e /* . */) {
    if (SIMPLE_INT.test(text)) return Number(text);
    // Negative zero prints like zero but is another number: not worth the doubt.
    if (SIMPLE_FLOAT.test(text) && !(c === DASH && Number(text) === 0)) return Number(text);
    if (MAYBE_NUMBER.test(text)) throw DECLINE;
  }
  return text;
}

/** A character that may follow a colon inside a flow plain scalar (as in [a:b] or a URL). */
function isFlowSafe(c: number, onLine: boolean): boolean {
  return onLine && c !== SPACE && c !== 0x2c && c !== 0x5b && c !== 0x5d && c !== 0x7b && c !== 0x7d;
}

/** A key that both parsers turn into the same object key: a string that resolves as a string. */
function isPlainKey(key: string): boolean {
  return key !== '__proto__' && typeof resolvePlain(key) === 'string';
}

const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', f: '\f', e: '\x1b', ' ': ' ' };

class Parser {
  /** Start of the current line, its indentation, and where its content starts (a compact mapping in a sequence starts mid-line). */
  private lineStart = 0;
  private lineEnd = 0;
  indent = 0;
  private at = 0;
  /** True once the text is exhausted. */
  done = false;

  constructor(private readonly text: string) {}

  /** Moves to the next line that holds content (skipping empty and comment-only lines) starting the search at `from`. */
  seek(from: number): void {
    const text = this.text;
    let pos = from;
    while (pos < text.length) {
      let end = text.indexOf('\n', pos);
      if (end < 0) end = text.length;
      let i = pos;
      while (i < end && text.charCodeAt(i) === SPACE) i++;
      if (i < end && text.charCodeAt(i) !== HASH) {
        this.lineStart = pos;
        this.lineEnd = end;
        this.indent = i - pos;
        this.at = i;
        return;
      }
      pos = end + 1;
    }
    this.done = true;
    this.indent = -1;
  }

  next(): void {
    this.seek(this.lineEnd + 1);
  }

  /** A document start marker on the first line is allowed; any other marker means several documents. */
  skipDocumentStart(): void {
    if (this.done || this.indent !== 0 || !this.text.startsWith('---', this.at)) return;
    // js-yaml takes "---" as a marker even when more follows (---x), unlike the YAML spec.
    if (!this.isBreak(this.at + 3)) throw DECLINE;
    this.rest(this.at + 3);
    this.next();
  }

  private isBreak(i: number): boolean {
    return i >= this.lineEnd || this.text.charCodeAt(i) === SPACE;
  }

  /** The rest of the line from `i` must be empty or a comment. */
  private rest(i: number): void {
    const text = this.text;
    while (i < this.lineEnd && text.charCodeAt(i) === SPACE) i++;
    if (i < this.lineEnd && (text.charCodeAt(i) !== HASH || text.charCodeAt(i - 1) !== SPACE)) throw DECLINE;
  }

  private isSequenceEntry(): boolean {
    return this.text.charCodeAt(this.at) === DASH && this.isBreak(this.at + 1);
  }

  private markerLine(): boolean {
    if (this.indent !== 0) return false;
    const text = this.text;
    return (text.startsWith('---', this.at) || text.startsWith('...', this.at)) && this.isBreak(this.at + 3);
  }

  /** A block node whose first line is the current one, at the current indentation. */
  node(): unknown {
    if (this.markerLine()) throw DECLINE;
    return this.isSequenceEntry() ? this.sequence(this.indent) : this.mapping(this.indent);
  }

  /** Where the run of key characters that starts at `i` ends. */
  private keyEnd(i: number): number {
    const text = this.text;
    let j = i;
    while (j < this.lineEnd) {
      const c = text.charCodeAt(j);
      if (c >= 128 || KEY_CHAR[c] !== 1) break;
      j++;
    }
    return j;
  }

  /** Length of a plain key at `i` followed by ':' and a space or the line end; 0 when there is none. */
  private keyLength(i: number): number {
    const text = this.text;
    const j = this.keyEnd(i);
    if (j === i || text.charCodeAt(j) !== COLON || !(j + 1 >= this.lineEnd || text.charCodeAt(j + 1) === SPACE)) return 0;
    // The yaml library refuses an implicit key longer than 1024 characters.
    return j - i <= 1024 ? j - i : 0;
  }

  mapping(indent: number): Record<string, unknown> {
    if (indent > MAX_INDENT) throw DECLINE;
    const out: Record<string, unknown> = {};
    const text = this.text;
    for (;;) {
      if (this.markerLine()) throw DECLINE;
      const length = this.keyLength(this.at);
      if (length === 0) throw DECLINE;
      const key = text.slice(this.at, this.at + length);
      if (!isPlainKey(key) || hasOwn.call(out, key)) throw DECLINE;
      out[key] = this.value(this.at + length + 1, indent);
      if (this.done || this.indent < indent) return out;
      if (this.indent > indent || this.isSequenceEntry()) throw DECLINE;
    }
  }

  sequence(indent: number): unknown[] {
    if (indent > MAX_INDENT) throw DECLINE;
    const out: unknown[] = [];
    const text = this.text;
    for (;;) {
      if (this.markerLine()) throw DECLINE;
      let i = this.at + 1;
      while (i < this.lineEnd && text.charCodeAt(i) === SPACE) i++;
      if (i >= this.lineEnd || text.charCodeAt(i) === HASH) {
        // An entry whose content starts on the next line.
        this.rest(i);
        this.next();
        if (this.done || this.indent <= indent) throw DECLINE;
        out.push(this.node());
      } else if (text.charCodeAt(i) === DASH && (i + 1 >= this.lineEnd || text.charCodeAt(i + 1) === SPACE)) {
        throw DECLINE; // a sequence nested on the same line
      } else if (this.keyLength(i) > 0) {
        // A compact mapping: its keys line up with the first one, after the dash.
        this.indent = i - this.lineStart;
        this.at = i;
        out.push(this.mapping(this.indent));
      } else {
        out.push(this.inline(i, indent));
      }
      // The key after a sequence that sits at its own key's indentation belongs to the mapping around it.
      if (this.done || this.indent < indent || (this.indent === indent && !this.isSequenceEntry())) return out;
      if (this.indent > indent) throw DECLINE;
    }
  }

  /** The value after a key's colon at `i`; leaves the parser on the line after the value. */
  private value(i: number, indent: number): unknown {
    const text = this.text;
    while (i < this.lineEnd && text.charCodeAt(i) === SPACE) i++;
    if (i < this.lineEnd && text.charCodeAt(i) !== HASH) return this.inline(i, indent);
    this.rest(i);
    this.next();
    if (this.done || this.indent < indent) return null;
    if (this.indent > indent) return this.node();
    // A sequence may sit at its key's own indentation.
    if (this.isSequenceEntry()) return this.sequence(indent);
    return null;
  }

  /** A scalar or flow collection that starts at `i` on the current line; moves to the next content line. */
  private inline(i: number, indent: number): unknown {
    const text = this.text;
    const c = text.charCodeAt(i);
    let value: unknown;
    if (c === 0x7c /* | */ || c === 0x3e /* > */) return this.blockScalar(i, indent);
    if (c === 0x27 /* ' */) {
      const [s, end] = this.singleQuoted(i);
      this.rest(end);
      value = s;
    } else if (c === 0x22 /* " */) {
      const [s, end] = this.doubleQuoted(i);
      this.rest(end);
      value = s;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      const [v, end] = this.flow(i);
      this.rest(end);
      value = v;
    } else {
      value = resolvePlain(this.plain(i));
    }
    this.next();
    return value;
  }

  /** A one-line plain scalar in block context, without its comment and trailing spaces. */
  private plain(i: number): string {
    const text = this.text;
    const first = text.charCodeAt(i);
    if (first < 128 && NOT_PLAIN_START[first] === 1) throw DECLINE;
    if (first === DASH && (i + 1 >= this.lineEnd || text.charCodeAt(i + 1) === SPACE)) throw DECLINE;
    // The scalar ends at a comment (" #"); a ": " inside it would make it a key, which is not plain.
    let end = this.lineEnd;
    for (let k = i + 1; k < end; k++) {
      const c = text.charCodeAt(k);
      if (c === HASH && text.charCodeAt(k - 1) === SPACE) end = k;
      else if (c === COLON && text.charCodeAt(k + 1) === SPACE) throw DECLINE;
    }
    while (end > i && text.charCodeAt(end - 1) === SPACE) end--;
    if (text.charCodeAt(end - 1) === COLON) throw DECLINE;
    return text.slice(i, end);
  }

  private singleQuoted(i: number): [string, number] {
    const text = this.text;
    let out = '';
    let from = i + 1;
    for (;;) {
      const q = text.indexOf("'", from);
      if (q < 0 || q >= this.lineEnd) throw DECLINE;
      out += text.slice(from, q);
      if (text.charCodeAt(q + 1) === 0x27) {
        out += "'";
        from = q + 2;
        continue;
      }
      return [out, q + 1];
    }
  }

  private doubleQuoted(i: number): [string, number] {
    const text = this.text;
    let out = '';
    let from = i + 1;
    for (let j = from; j < this.lineEnd; j++) {
      const c = text.charCodeAt(j);
      if (c === 0x22) return [out + text.slice(from, j), j + 1];
      if (c !== 0x5c /* \ */) continue;
      out += text.slice(from, j);
      const e = text[j + 1];
      if (e === undefined || j + 1 >= this.lineEnd) throw DECLINE;
      if (e === 'u' || e === 'x') {
        const digits = e === 'u' ? 4 : 2;
        const hex = text.slice(j + 2, j + 2 + digits);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) throw DECLINE;
        const code = parseInt(hex, 16);
        if (code >= 0xd800 && code <= 0xdfff) throw DECLINE;
        out += String.fromCharCode(code);
        j += 1 + digits;
      } else {
        const s = ESCAPES[e];
        if (s === undefined) throw DECLINE;
        out += s;
        j += 1;
      }
      from = j + 1;
    }
    throw DECLINE;
  }

  /** A flow collection closed on the same line: [a, b] or {k: v}, nested as deep as it likes. */
  private flow(i: number, depth = 0): [unknown, number] {
    if (depth >= MAX_FLOW_DEPTH) throw DECLINE;
    const text = this.text;
    const open = text.charCodeAt(i);
    const close = open === 0x5b ? 0x5d : 0x7d;
    const list: unknown[] = [];
    const map: Record<string, unknown> = {};
    let j = this.skipSpaces(i + 1);
    if (text.charCodeAt(j) === close) return [open === 0x5b ? list : map, j + 1];
    for (;;) {
      if (open === 0x7b) {
        const length = this.flowKeyLength(j);
        if (length === 0) throw DECLINE;
        const key = text.slice(j, j + length);
        if (!isPlainKey(key) || hasOwn.call(map, key)) throw DECLINE;
        const [value, end] = this.flowValue(this.skipSpaces(j + length + 1), depth);
        map[key] = value;
        j = end;
      } else {
        const [value, end] = this.flowValue(j, depth);
        list.push(value);
        j = end;
      }
      j = this.skipSpaces(j);
      const c = text.charCodeAt(j);
      if (j >= this.lineEnd) throw DECLINE;
      if (c === close) return [open === 0x5b ? list : map, j + 1];
      if (c !== 0x2c /* , */) throw DECLINE;
      j = this.skipSpaces(j + 1);
      // A trailing comma, or an empty entry: left to the general parser.
      if (j >= this.lineEnd || text.charCodeAt(j) === close || text.charCodeAt(j) === 0x2c) throw DECLINE;
    }
  }

  private flowKeyLength(j: number): number {
    const text = this.text;
    const k = this.keyEnd(j);
    return k > j && text.charCodeAt(k) === COLON && text.charCodeAt(k + 1) === SPACE ? k - j : 0;
  }

  private flowValue(j: number, depth: number): [unknown, number] {
    const text = this.text;
    if (j >= this.lineEnd) throw DECLINE;
    const c = text.charCodeAt(j);
    if (c === 0x27) return this.singleQuoted(j);
    if (c === 0x22) return this.doubleQuoted(j);
    if (c === 0x5b || c === 0x7b) return this.flow(j, depth + 1);
    if (c < 128 && NOT_PLAIN_START[c] === 1) throw DECLINE;
    if (c === DASH && (j + 1 >= this.lineEnd || text.charCodeAt(j + 1) === SPACE)) throw DECLINE;
    let k = j;
    for (; k < this.lineEnd; k++) {
      const d = text.charCodeAt(k);
      if (d === 0x2c || d === 0x5d || d === 0x7d) break;
      if (d === 0x5b || d === 0x7b) throw DECLINE;
      // A colon before a space or an indicator makes an implicit mapping; " #" starts a comment.
      if (d === COLON && !isFlowSafe(text.charCodeAt(k + 1), k + 1 < this.lineEnd)) throw DECLINE;
      if (d === HASH && text.charCodeAt(k - 1) === SPACE) throw DECLINE;
    }
    let end = k;
    while (end > j && text.charCodeAt(end - 1) === SPACE) end--;
    return [resolvePlain(text.slice(j, end)), k];
  }

  private skipSpaces(j: number): number {
    while (j < this.lineEnd && this.text.charCodeAt(j) === SPACE) j++;
    return j;
  }

  /** A literal (|) or folded (>) block scalar, clipped or stripped (|- and >-). */
  private blockScalar(i: number, indent: number): string {
    const text = this.text;
    const folded = text.charCodeAt(i) === 0x3e;
    let j = i + 1;
    let strip = false;
    if (text.charCodeAt(j) === DASH) {
      strip = true;
      j++;
    }
    // Keep chomping (+) and explicit indentation are rare: left to the general parser.
    if (j < this.lineEnd && text.charCodeAt(j) !== SPACE) throw DECLINE;
    this.rest(j);

    const lines: string[] = [];
    let blockIndent = -1;
    let blank = 0;
    let pos = this.lineEnd + 1;
    while (pos < text.length) {
      let end = text.indexOf('\n', pos);
      if (end < 0) end = text.length;
      let k = pos;
      while (k < end && text.charCodeAt(k) === SPACE) k++;
      if (k === end) {
        // A blank line: part of the scalar unless it holds more spaces than the content's indentation.
        if (blockIndent < 0 || k - pos > blockIndent) throw DECLINE;
        blank++;
        pos = end + 1;
        continue;
      }
      const lineIndent = k - pos;
      if (blockIndent < 0) {
        if (lineIndent <= indent) throw DECLINE; // no content: left to the general parser
        blockIndent = lineIndent;
      }
      if (lineIndent < blockIndent) break;
      if (folded && lineIndent > blockIndent) throw DECLINE; // more-indented lines keep their breaks: not in the subset
      for (; blank > 0; blank--) lines.push('');
      lines.push(text.slice(pos + blockIndent, end));
      pos = end + 1;
    }
    if (blockIndent < 0) throw DECLINE;
    if (pos >= text.length && !text.endsWith('\n')) throw DECLINE;

    let value: string;
    if (folded) {
      value = '';
      for (let n = 0; n < lines.length; n++) {
        const line = lines[n]!;
        if (n > 0) value += line === '' || lines[n - 1] === '' ? (line === '' ? '\n' : '') : ' ';
        value += line;
      }
    } else {
      value = lines.join('\n');
    }
    if (!strip) value += '\n';
    this.seek(pos);
    return value;
  }
}

/**
 * Parses `text` when it lies within the plain subset and holds one mapping; undefined otherwise
 * (the caller then uses a general parser, which also explains any error).
 */
export function parsePlainYaml(text: string): Record<string, unknown> | undefined {
  // FORBIDDEN covers CR too. A lone surrogate cannot come from a UTF-8 file, but js-yaml refuses one
  // in a string given to it.
  if (FORBIDDEN.test(text) || !text.isWellFormed()) return undefined;
  const parser = new Parser(text);
  try {
    parser.seek(0);
    parser.skipDocumentStart();
    if (parser.done || parser.indent !== 0) return undefined;
    const value = parser.node();
    if (!parser.done || value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    return value as Record<string, unknown>;
  } catch (error) {
    if (error === DECLINE) return undefined;
    throw error;
  }
}
