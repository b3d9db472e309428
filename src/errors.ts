import type { LintResult } from './lint/files.js';

/** Exit codes: the contract scripts rely on. */
export const EXIT = {
  ok: 0,
  findings: 1,
  usage: 2,
  internal: 3,
  interrupted: 130,
  /** stdout or stderr went away (a pipe closed early, a terminal gone): 128 + SIGPIPE, as a shell shows it. */
  outputClosed: 141,
} as const;

/**
 * An error whose message is meant for the user as it is: one line, no stack.
 * Domain code throws it; the single handler in cli.ts prints it and exits with its code.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Ends the process with a code after the command has printed its own result. */
export class ExitCode extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'ExitCode';
  }
}

/** A runbook with errors, refused by run, show and check with exactly the diagnostics `sev validate` prints. */
export class InvalidRunbookError extends Error {
  constructor(readonly result: LintResult) {
    super(`${result.file} has errors; fix them first (sev validate ${result.file})`);
    this.name = 'InvalidRunbookError';
  }
}
