import { fullValidator, isValid } from './schema-check.js';
import type { FullValidator, SchemaError } from './schema-validator.js';
import { closest } from './suggest.js';
import type { Path } from './source.js';

/** A schema violation, located by the path of the value (or key) it concerns. */
interface SchemaProblem {
  rule: 'schema' | 'unknown-key';
  path: Path;
  part: 'key' | 'value';
  message: string;
}

const PATTERN_HELP: Record<string, string> = {
  '^[a-z0-9]+(-[a-z0-9]+)*$': 'must be kebab-case: lowercase letters and digits joined by single dashes',
  '^[a-z][a-z0-9_]*$': 'must start with a lowercase letter and hold only lowercase letters, digits and _',
  '^[a-z][a-z0-9_-]*$': 'must start with a lowercase letter and hold only lowercase letters, digits, - and _',
  '^[A-Za-z_][A-Za-z0-9_]*$': 'must be a valid environment variable name',
  '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$': 'must be a language tag such as en or zh-CN',
  '^(immediately|([0-9]+(mo|d|h|m))+)$':
    'is not a deadline: write immediately, or minutes (m), hours (h), days (d) and months (mo), such as 4h, 72h, 5d or 1mo',
  '^([0-9]+(d|h|m))+$': 'is not a length of time for a clock: write minutes (m), hours (h) and days (d), such as 30m, 2h, 1h30m or 15d',
  '^https?://': 'must be an http or https URL',
  '^(labels|annotations)\\.[A-Za-z_][A-Za-z0-9_]*$': 'must be labels.<name> or annotations.<name> of the alert, such as labels.instance',
  '\\S': 'must not be blank',
};

const ONE_OF_HELP: Record<string, string> = {
  action: 'must be ask, stop, continue, or a mapping {goto: <step-id>}',
  run: 'must be a command string, or a list of a program and its arguments',
  confirm: 'must be a question, or a mapping with question and on_no',
  exit: 'must be an exit status (0 to 255) or a list of them',
  conditions: 'must be a condition (a mapping of question id to a value or a list of values), or a list of them',
  'condition value': 'must be an option value, or a list of them',
  'clock start':
    'must be one start: {milestone} (with after: <time>), {severity}, {announcement}, {step}, {filing} (with notification), {notification} or {input, above}',
  'clock condition': 'must be {severity: SEVn} or {input: <name>, above: <number or time>}',
  'clock event': 'must be one event: {milestone}, {announcement}, {step} or {filing} (with notification)',
  threshold: 'must be a number or a length of time such as 2h',
  page: 'must be a role in kebab-case (e.g. communications-lead), or a list of them',
};

/**
 * What the schema says for editors but a rule explains better, with the step or value in view: a step
 * with two actions (multiple-actions) and a malformed duration (invalid-duration). The schema check
 * leaves these to the rules, so that sev validate reports each problem once.
 */
const RULE_OWNED_PATTERNS = new Set(['^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$']);

function ownedByRule(error: SchemaError): boolean {
  if (error.keyword === 'pattern') return RULE_OWNED_PATTERNS.has(String(error.params.pattern));
  return error.keyword === 'false schema' && error.schemaPath.includes('/dependencies/');
}

/** A schema compiled at build time: the quick yes/no check and the validator that lists every error. */
export interface CompiledSchema {
  isValid(data: unknown): boolean;
  fullValidator(): FullValidator;
}

export const RUNBOOK_SCHEMA: CompiledSchema = { isValid, fullValidator };

function schemaAt(pointer: string, schema: CompiledSchema): Record<string, unknown> | undefined {
  let node: unknown = schema.fullValidator().schema;
  for (const raw of pointer.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    node = (node as Record<string, unknown> | undefined)?.[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node as Record<string, unknown> | undefined;
}

function toPath(pointer: string, value: unknown): (string | number)[] {
  const path: (string | number)[] = [];
  let node = value;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment = Array.isArray(node) ? Number(key) : key;
    path.push(segment);
    node = (node as Record<string | number, unknown> | undefined)?.[segment];
  }
  return path;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function valueAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const segment of path) node = (node as Record<string | number, unknown> | undefined)?.[segment];
  return node;
}

/** The schema names each alternative (oneOf) by its title, which picks the explanation. */
function oneOfName(schemaPath: string, schema: CompiledSchema): string | undefined {
  const title = schemaAt(schemaPath.replace(/\/oneOf$/, ''), schema)?.title;
  return typeof title === 'string' ? title : undefined;
}

function message(error: SchemaError, root: unknown, path: Path): string {
  const value = valueAt(root, path);
  const where = path.length ? `"${path[path.length - 1]}" ` : '';
  switch (error.keyword) {
    case 'required':
      return `missing required key "${String(error.params.missingProperty)}"`;
    case 'type':
      return `${where}must be ${article(String(error.params.type))}, not ${describe(value)}`;
    case 'const':
      return `${where}must be ${JSON.stringify(error.params.allowedValue)}, not ${describe(value)}`;
    case 'enum':
      return `${where}must be one of ${(error.params.allowedValues as unknown[]).map(String).join(', ')}; got ${describe(value)}`;
    case 'pattern': {
      const help = PATTERN_HELP[String(error.params.pattern)] ?? `must match ${String(error.params.pattern)}`;
      return error.propertyName !== undefined ? `name "${error.propertyName}" ${help}` : `${describe(value)} ${help}`;
    }
    case 'minItems':
      return `${where}needs at least ${String(error.params.limit)} item${error.params.limit === 1 ? '' : 's'}`;
    case 'minLength':
      return `${where}must not be empty`;
    case 'uniqueItems':
      return `${where}lists the same value twice (items ${String(error.params.j)} and ${String(error.params.i)})`;
    default:
      return `${where}${error.message ?? 'is not valid'}`;
  }
}

/** Whether an instance path is the given one or lies inside it. */
function within(path: string, parent: string): boolean {
  return path === parent || path.startsWith(parent + '/');
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    integer: 'an integer',
    number: 'a number',
    boolean: 'true or false',
  };
  return type
    .split(',')
    .map((t) => names[t] ?? t)
    .join(' or ');
}

/**
 * Validates a parsed file against its JSON Schema (the runbook's unless another is given) and explains
 * each violation in plain words.
 */
export function checkSchema(value: unknown, schema: CompiledSchema = RUNBOOK_SCHEMA): SchemaProblem[] {
  if (schema.isValid(value)) return [];
  const validate = schema.fullValidator();
  if (validate(value)) return [];
  const errors = validate.errors ?? [];
  const problems: SchemaProblem[] = [];
  const failedOneOf = errors.filter((e) => e.keyword === 'oneOf');
  for (const error of errors) {
    if (error.keyword === 'oneOf' || error.keyword === 'propertyNames' || error.keyword === 'if' || ownedByRule(error)) continue;
    const path = toPath(error.instancePath, value);
    // The innermost failed oneOf this error belongs to: under its schema node and at (or inside) its value.
    const inOneOf = failedOneOf
      .filter((o) => error.schemaPath.startsWith(o.schemaPath + '/') && within(error.instancePath, o.instancePath))
      .sort((a, b) => b.schemaPath.length - a.schemaPath.length)[0];
    if (inOneOf) {
      // Report a branch's own error only when it reached inside the value (the value had the right shape).
      if (error.instancePath === inOneOf.instancePath) continue;
    }
    if (error.keyword === 'additionalProperties') {
      const key = String(error.params.additionalProperty);
      const parent = schemaAt(error.schemaPath.replace(/\/additionalProperties$/, ''), schema);
      const known = Object.keys((parent?.properties as Record<string, unknown> | undefined) ?? {});
      const suggestion = closest(key, known);
      problems.push({
        rule: 'unknown-key',
        path: [...path, key],
        part: 'key',
        message: `unknown key "${key}"${suggestion ? `: did you mean "${suggestion}"?` : ''} (allowed: ${known.join(', ')})`,
      });
      continue;
    }
    if (error.propertyName !== undefined) {
      problems.push({ rule: 'schema', path: [...path, error.propertyName], part: 'key', message: message(error, value, path) });
      continue;
    }
    problems.push({ rule: 'schema', path, part: 'value', message: message(error, value, path) });
  }
  for (const o of failedOneOf) {
    const branchReachedInside = errors.some(
      (e) => e.schemaPath.startsWith(o.schemaPath + '/') && e.instancePath.startsWith(o.instancePath + '/'),
    );
    if (branchReachedInside) continue;
    const path = toPath(o.instancePath, value);
    const name = oneOfName(o.schemaPath, schema);
    const key = path.length ? `"${path[path.length - 1]}" ` : '';
    problems.push({
      rule: 'schema',
      path,
      part: 'value',
      message: `${key}${name ? ONE_OF_HELP[name] : 'is not valid'}; got ${describe(valueAt(value, path))}`,
    });
  }
  return problems;
}
