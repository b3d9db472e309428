import Table from 'cli-table3';
import stringWidth from 'string-width';
import { stripVTControlCharacters } from 'node:util';
import { fitWidth } from '../text/width.js';

export interface Column {
  head: string;
  align?: 'left' | 'right';
  /** Gives up its width first when the table is too wide for the terminal: the long free text (titles, output). */
  flex?: boolean;
  /** Never cut: what a person types back (an id) or reads at a glance (a status). */
  keep?: boolean;
}

/** The width to fit: the terminal's when printing to one, else $COLUMNS when set, else none (a pipe or a file gets it all). */
export function terminalWidth(
  stream: Pick<NodeJS.WriteStream, 'isTTY' | 'columns'> = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): number | undefined {
  if (stream.isTTY && stream.columns > 0) return stream.columns;
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : undefined;
}

/** Flexible columns keep at least this much, so a cut title still says something. */
const MIN_FLEX = 14;

/**
 * Column widths within `width`: the flexible columns shrink first, widest first, down to MIN_FLEX; then the
 * others but the kept ones, down to their header. A table that cannot fit even so is left wider.
 */
function fitColumns(natural: number[], columns: Column[], width: number | undefined): number[] {
  const widths = [...natural];
  if (width === undefined) return widths;
  // Each column costs its content, one space either side and one border; the table one more border.
  const room = width - 1 - columns.length * 3;
  const shrink = (eligible: (i: number) => boolean, floor: (i: number) => number) => {
    while (widths.reduce((a, b) => a + b, 0) > room) {
      let widest = -1;
      widths.forEach((w, i) => {
        if (eligible(i) && w > floor(i) && (widest < 0 || w > widths[widest]!)) widest = i;
      });
      if (widest < 0) return;
      widths[widest]! -= 1;
    }
  };
  shrink(
    (i) => Boolean(columns[i]!.flex),
    (i) => Math.min(natural[i]!, Math.max(MIN_FLEX, stringWidth(columns[i]!.head))),
  );
  shrink(
    (i) => !columns[i]!.flex && !columns[i]!.keep,
    (i) => Math.min(natural[i]!, Math.max(1, stringWidth(columns[i]!.head))),
  );
  return widths;
}

/** A cell cut to `width` display columns with … (CJK characters count twice); a cut cell loses its colour rather than an escape's end. */
function fitCell(cell: string, width: number): string {
  return stringWidth(cell) <= width ? cell : fitWidth(stripVTControlCharacters(cell), width);
}

/**
 * A table that fits the terminal: long cells are cut with an ellipsis, flexible columns first, and a rule
 * only under the header, not between rows (which doubled a table's height and wrapped badly at 80 columns).
 */
export function fittedTable(
  columns: Column[],
  rows: string[][],
  options: { width?: number; head?: (text: string) => string } = {},
): string {
  const natural = columns.map((col, i) => Math.max(stringWidth(col.head), ...rows.map((r) => stringWidth(r[i] ?? ''))));
  const widths = fitColumns(natural, columns, options.width);
  const table = new Table({
    head: columns.map((col, i) => (options.head ?? String)(fitCell(col.head, widths[i]!))),
    style: { head: [], border: [] },
    colAligns: columns.map((col) => col.align ?? 'left'),
  });
  for (const row of rows) table.push(row.map((cell, i) => fitCell(cell, widths[i]!)));
  const lines = table.toString().split('\n');
  // Every rule between rows starts with ├; the first one is the header's.
  let rules = 0;
  return lines.filter((line) => !line.startsWith('├') || rules++ === 0).join('\n');
}
