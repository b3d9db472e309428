import stringWidth from 'string-width';

/** The first line of a text, found without splitting all of it. */
export function firstLineOf(text: string): string {
  const trimmed = text.trimStart();
  const end = trimmed.indexOf('\n');
  return (end < 0 ? trimmed : trimmed.slice(0, end)).trimEnd();
}

/**
 * A line cut to a display width (CJK characters count twice) with … where it is cut. Its cost grows with
 * the width, not with the line: a line of many zero-width characters is cut too.
 */
export function fitWidth(line: string, width: number): string {
  let used = 0;
  let count = 0;
  let cut = -1;
  let index = 0;
  for (const ch of line) {
    used += stringWidth(ch);
    if (cut < 0 && used > width - 1) cut = index;
    if (used > width || ++count > width * 4) return `${line.slice(0, cut < 0 ? index : cut)}…`;
    index += ch.length;
  }
  return line;
}

/** A text padded with spaces to a display width. */
export function padWidth(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - stringWidth(text)));
}

/** A text cut to `max` UTF-16 units with … where it is cut, never inside a surrogate pair. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${text.slice(0, cut)}…`;
}
