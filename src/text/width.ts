// Only the screen and the outlines load this module (string-width is not small): plain cuts are in cut.ts.
import stringWidth from 'string-width';

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
