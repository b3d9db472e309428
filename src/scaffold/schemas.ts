import { fileURLToPath } from 'node:url';

/** The JSON Schemas a user's files name, by the name `sev schema` takes: each file's kind. */
export const SCHEMA_NAMES = ['runbook', 'translation', 'triage', 'regulators', 'policy', 'answers', 'config'] as const;

export type SchemaName = (typeof SCHEMA_NAMES)[number];

export function isSchemaName(name: string): name is SchemaName {
  return (SCHEMA_NAMES as readonly string[]).includes(name);
}

/** The file name a schema has, in the shipped runbooks/ and in a directory `sev init` scaffolds. */
export function schemaFileName(name: SchemaName): string {
  return `${name}.schema.json`;
}

/** Where the installed package keeps a schema (dist/scaffold/ and src/scaffold/ are both two levels below the package). */
export function installedSchemaPath(name: SchemaName): string {
  return fileURLToPath(new URL(`../../runbooks/${schemaFileName(name)}`, import.meta.url));
}
