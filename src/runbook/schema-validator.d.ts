// Types of the modules generated at build time from runbooks/runbook.schema.json by
// scripts/build-schema-validator.mjs: schema-check.js (yes or no) and schema-validator.cjs (every error).
export interface SchemaError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  propertyName?: string;
}
export interface FullValidator {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
  /** The runbook schema with every $ref inlined, so error schema paths lead to their node. */
  schema: Record<string, unknown>;
}
