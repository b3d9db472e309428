import { readFileSync } from 'node:fs';
import { EXIT, UserError } from '../errors.js';
import { installedSchemaPath, isSchemaName, SCHEMA_NAMES } from '../scaffold/schemas.js';
import { write } from '../ui/output.js';

export interface SchemaOptions {
  path?: boolean;
}

/** `sev schema [--path] [name]`: a shipped JSON Schema (the runbook's by default), or where it is installed. */
export function schemaCommand(name: string | undefined, options: SchemaOptions): void {
  const wanted = name ?? 'runbook';
  if (!isSchemaName(wanted)) throw new UserError(`no schema named "${wanted}"`, EXIT.usage, `The schemas: ${SCHEMA_NAMES.join(', ')}.`);
  const file = installedSchemaPath(wanted);
  write(options.path ? file : readFileSync(file, 'utf8'));
}
