// Generated at build time from runbooks/translation.schema.json by scripts/build-schema-validator.mjs.
import type { FullValidator } from './schema-validator.js';

/** Whether a parsed translation fits the translation schema; stops at the first violation. */
export declare function isValid(data: unknown): boolean;
/** The validator that lists every error (translation-schema-validator.cjs), loaded on first use. */
export declare function fullValidator(): FullValidator;
