/**
 * Texts may contain {{ name }} (an input) or {{ incident.x }} / {{ runbook.x }} (facts of the run).
 * Commands never are templated: inputs reach them only as environment variables.
 */
export const FACTS = [
  'incident.id',
  'incident.severity',
  'incident.started',
  'incident.responder',
  'incident.elapsed',
  'runbook.id',
  'runbook.title',
  'runbook.version',
  'now',
] as const;

interface TemplateRef {
  name: string;
  offset: number;
}

export interface TemplateScan {
  readonly refs: readonly TemplateRef[];
  readonly errors: readonly { offset: number; message: string }[];
}

const TAG = /\{\{([^{}]*)\}\}/g;
const NAME = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?$/;

/** What most texts hold: shared, so that scanning them allocates nothing. */
const NOTHING: TemplateScan = Object.freeze({ refs: Object.freeze([]), errors: Object.freeze([]) });

export function scanTemplate(text: string): TemplateScan {
  if (!text.includes('{{')) return NOTHING;
  const refs: TemplateRef[] = [];
  const errors: { offset: number; message: string }[] = [];
  // The first "{{" outside every complete tag is unclosed: looked for in the gaps between tags.
  let unclosed = -1;
  let gap = 0;
  TAG.lastIndex = 0;
  for (let m = TAG.exec(text); m; m = TAG.exec(text)) {
    const name = m[1]!.trim();
    if (NAME.test(name)) refs.push({ name, offset: m.index });
    else errors.push({ offset: m.index, message: `"{{${m[1]}}}" is not a valid reference: use {{ input_name }} or {{ incident.id }}` });
    if (unclosed < 0) unclosed = openingIn(text, gap, m.index);
    gap = m.index + m[0].length;
  }
  if (unclosed < 0) unclosed = openingIn(text, gap, text.length);
  if (unclosed >= 0) errors.push({ offset: unclosed, message: 'unclosed "{{": close it with "}}"' });
  return { refs, errors };
}

function openingIn(text: string, from: number, to: number): number {
  const at = text.indexOf('{{', from);
  return at >= 0 && at + 2 <= to ? at : -1;
}

/** Replaces every reference with its value; unknown names render as a visible placeholder. */
export function renderTemplate(text: string, values: Record<string, string | undefined>): string {
  return text.replace(TAG, (whole, inner: string) => {
    const value = values[inner.trim()];
    return value === undefined ? `‹${inner.trim()}?›` : value;
  });
}

/** The environment variable an input is exported as: SEV_ + its name in capitals. */
export function inputEnvName(input: string): string {
  return `SEV_${input.toUpperCase()}`;
}

/** Facts of the run that checks and commands receive as environment variables, besides the inputs. */
export const INCIDENT_ENV = [
  'SEV_INCIDENT_ID',
  'SEV_SEVERITY',
  'SEV_RESPONDER',
  'SEV_RUNBOOK',
  'SEV_STEP',
  'SEV_INCIDENT_STARTED',
  'SEV_DETECTED_AT',
] as const;
