// Generated at build time from runbooks/config.schema.json by scripts/build-schema-validator.mjs.
import type { FullValidator } from '../runbook/schema-validator.js';

/** Whether a parsed config file fits the schema; stops at the first violation. */
export declare function isValid(data: unknown): boolean;
/** The validator that lists every error (config-schema-validator.cjs), loaded on first use. */
export declare function fullValidator(): FullValidator;
