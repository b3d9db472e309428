import type { FormField, PresetInput } from '../engine/responder.js';
import { printable } from '../diagnostics/report.js';
import { MASK } from '../engine/mask.js';
import { fitWidth, padWidth } from '../text/width.js';
import stringWidth from 'string-width';

/** Below this many columns left for it, a description says too little to be worth a cut one. */
const MIN_DESCRIPTION = 12;
/** A name longer than this is cut, so that one long name does not push every value off the line. */
const MAX_NAME = 24;
const WRAP_INDENT = '        ';

/** One line of the form: the number to type (or `set` for a preset), the name, the value, what it is. */
interface Row {
  key: string;
  name: string;
  value: string;
  about: string;
  changed: boolean;
}

/**
 * The form as lines that fit `columns`: one per input, the values in one column. Where the line is too
 * short, the description is cut first (or left out), then the value; a secret preset shows masked.
 */
export function formLines(fields: FormField[], preset: PresetInput[], columns: number): string[] {
  const rows: Row[] = [
    ...fields.map((f, i) => ({
      key: String(i + 1),
      name: f.def.name,
      value: printable(f.value),
      about: printable(f.def.description ?? f.def.prompt),
      changed: f.value !== f.def.default,
    })),
    ...preset.map((p) => ({
      key: 'set',
      name: p.name,
      value: p.secret ? MASK : printable(p.value),
      about: 'given before the run',
      changed: false,
    })),
  ];
  const width = Math.max(40, columns - 1);
  const keyWidth = Math.max(...rows.map((r) => r.key.length));
  const nameWidth = Math.min(MAX_NAME, Math.max(...rows.map((r) => stringWidth(r.name))));
  // "  12* name  value  about": two spaces, the key, the mark, a space, then columns two spaces apart.
  const lead = 2 + keyWidth + 1 + 1 + nameWidth + 2;
  const room = width - lead;
  // The value column is as wide as the values that still leave a useful description beside them; a
  // longer value (a URL) takes its row's description room instead, so no value is cut for a description.
  const fitting = rows.map((r) => stringWidth(r.value)).filter((w) => w <= room - 2 - 2 * MIN_DESCRIPTION);
  const valueColumn = Math.max(0, ...fitting);
  const aboutRoom = room - valueColumn - 2;
  return rows.flatMap((r) => {
    const head = `  ${r.key.padStart(keyWidth)}${r.changed ? '*' : ' '} ${padWidth(fitWidth(r.name, nameWidth), nameWidth)}  `;
    if (stringWidth(r.value) > valueColumn && stringWidth(r.value) <= room) return [`${head}${r.value}`];
    // Too long even for the whole line's room: on a line of its own, so that it is seen whole where it can be.
    if (stringWidth(r.value) > room) return [head.trimEnd(), `${WRAP_INDENT}${fitWidth(r.value, width - WRAP_INDENT.length)}`];
    return [`${head}${padWidth(r.value, valueColumn)}  ${fitWidth(r.about, aboutRoom)}`.trimEnd()];
  });
}

/** What the responder typed at the form's prompt. */
export type FormCommand =
  | { kind: 'accept' }
  | { kind: 'edit'; field: number }
  | { kind: 'set'; field: number; value: string }
  | { kind: 'problem'; message: string };

/**
 * Enter accepts every value; a number or a name picks an input to change; `3=VALUE` (or `name=VALUE`)
 * changes it at once. The value is checked here, so a wrong one is refused at the prompt.
 */
export function formCommand(answer: string, fields: FormField[]): FormCommand {
  const typed = answer.trim();
  if (typed === '') return { kind: 'accept' };
  const eq = typed.indexOf('=');
  const which = (eq < 0 ? typed : typed.slice(0, eq)).trim();
  const field = /^\d+$/.test(which) ? Number(which) - 1 : fields.findIndex((f) => f.def.name === which);
  if (field < 0 || field >= fields.length)
    return {
      kind: 'problem',
      message: /^\d+$/.test(which)
        ? `No input ${which}: type 1 to ${fields.length}, or Enter to accept all.`
        : `No input "${which}" in the list: type its number or its name, or Enter to accept all.`,
    };
  if (eq < 0) return { kind: 'edit', field };
  const value = answer.slice(answer.indexOf('=') + 1);
  const def = fields[field]!.def;
  const problem = fields[field]!.problem(value === '' && def.default !== undefined ? def.default : value);
  return problem ? { kind: 'problem', message: `${def.name}: ${problem}` } : { kind: 'set', field, value };
}

/** The form's values after one change: a new list, the others as they were. */
export function withValue(fields: FormField[], field: number, value: string): FormField[] {
  return fields.map((f, i) => (i === field ? { ...f, value: value === '' && f.def.default !== undefined ? f.def.default : value } : f));
}
