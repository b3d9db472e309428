// Generated at build time from runbooks/runbook.schema.json by scripts/build-schema-validator.mjs.
export interface SchemaError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  propertyName?: string;
}
export declare function validate(data: unknown): boolean;
export declare namespace validate {
  let errors: SchemaError[] | null | undefined;
}
/** The runbook schema with every $ref inlined, so error schema paths lead to their node. */
export declare const schema: Record<string, unknown>;
