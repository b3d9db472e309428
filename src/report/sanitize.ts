/**
 * The one sanitiser of text that comes from logs, runbooks or the command line and goes to a terminal or a
 * report (text, Markdown, CSV, HTML, status, note). Log content is written by whoever could write the
 * file, and a responder name or a check's output can hold anything: an escape sequence that retitles
 * the terminal or rewrites what is on screen, a line break that makes one event look like two, a
 * bidirectional control that makes a line read differently from what it holds.
 */

import { cutText } from '../text/cut.js';

/**
 * C0 controls but tab, DEL, C1 controls (0x9b is a one-byte CSI on some terminals), the bidirectional
 * marks, embeddings, overrides and isolates.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/** What separates lines or words: becomes one space in a one-line text. */
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;

// eslint-disable-next-line no-control-regex
const ANY_CONTROL = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/;

const visible = (ch: string) => {
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** Text safe to print on a terminal, one line: controls (line breaks too) become visible escapes like \x1b or \u202e. */
export function printable(s: string): string {
  return s.replace(UNPRINTABLE, visible);
}

/** Text of several lines safe to print on a terminal: line breaks and tabs are kept, other controls made visible. */
export function printableText(s: string): string {
  if (!ANY_CONTROL.test(s)) return s;
  return s.split('\n').map(printable).join('\n');
}

/** A value from a log as text: an object (a log written by hand, or damaged) shows as its JSON, not [object Object]. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return (value === null || value === undefined ? undefined : JSON.stringify(value)) ?? '';
}

/**
 * One line of a report: line breaks and tabs become spaces, every other control a visible escape, and
 * the text is cut to `max` characters (never inside a surrogate pair).
 */
export function oneLine(text: unknown, max = 200): string {
  let s = textOf(text);
  // Most texts have nothing to replace: one test instead of two replacements.
  if (ANY_CONTROL.test(s)) s = s.replace(BREAKS, ' ').replace(UNPRINTABLE, visible);
  s = s.trim();
  return cutText(s, max);
}

const MD_SPECIAL = /[\\|<>]/;

/** One line for a Markdown table cell or list item: also no pipe, backslash or HTML can change the structure. */
export function mdText(text: unknown, max = Infinity): string {
  const s = oneLine(text, max);
  return MD_SPECIAL.test(s) ? s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;') : s;
}

/**
 * One CSV field: one line, sanitised; a field a spreadsheet would take for a formula (it begins with
 * =, +, -, @, a tab or a carriage return) is neutralised the way OWASP describes, by a leading
 * apostrophe, and then quoted; a field with a quote or a comma is quoted.
 */
export function csvField(value: string | number): string {
  if (typeof value === 'number' && value >= 0) return String(value);
  const raw = String(value);
  let s = oneLine(raw, Infinity);
  if (/^[=+\-@\t\r]/.test(raw) || /^[=+\-@]/.test(s)) s = `'${s}`;
  return /[",']/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** C1 controls, DEL, bidi controls and line separators in JSON text: they can only be inside strings there. */
const JSON_UNSAFE = /[\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/g;

const JSON_UNSAFE_ANY = /[\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/;

/**
 * JSON text safe for a terminal: JSON.stringify already escapes C0 controls; the characters it leaves raw
 * (C1, bidi, U+2028/2029) are escaped as \uXXXX, which reads back as the same string.
 */
export function jsonSafe(json: string): string {
  return JSON_UNSAFE_ANY.test(json) ? json.replace(JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}
