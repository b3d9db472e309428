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

export interface TemplateRef {
  name: string;
  offset: number;
}

export interface TemplateScan {
  refs: TemplateRef[];
  errors: { offset: number; message: string }[];
}

const TAG = /\{\{([^{}]*)\}\}/g;
const NAME = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?$/;

export function scanTemplate(text: string): TemplateScan {
  if (!text.includes('{{')) return { refs: [], errors: [] };
  const refs: TemplateRef[] = [];
  const errors: TemplateScan['errors'] = [];
  for (const m of text.matchAll(TAG)) {
    const name = m[1]!.trim();
    if (NAME.test(name)) refs.push({ name, offset: m.index! });
    else errors.push({ offset: m.index!, message: `"{{${m[1]}}}" is not a valid reference: use {{ input_name }} or {{ incident.id }}` });
  }
  const stripped = text.replace(TAG, (m) => ' '.repeat(m.length));
  const open = stripped.indexOf('{{');
  if (open >= 0) errors.push({ offset: open, message: 'unclosed "{{": close it with "}}"' });
  return { refs, errors };
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
export const INCIDENT_ENV = ['SEV_INCIDENT_ID', 'SEV_SEVERITY', 'SEV_RESPONDER', 'SEV_RUNBOOK', 'SEV_STEP'] as const;
