// Generated at build time from runbooks/answers.schema.json by scripts/build-schema-validator.mjs.
import type { FullValidator } from '../runbook/schema-validator.js';

/** Whether a parsed answers file fits the schema; stops at the first violation. */
export declare function isValid(data: unknown): boolean;
/** The validator that lists every error (answers-schema-validator.cjs), loaded on first use. */
export declare function fullValidator(): FullValidator;
