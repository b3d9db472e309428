import { AbortPromptError, CancelPromptError, ExitPromptError } from '@inquirer/core';

/** Whether a prompt ended because the responder pressed Ctrl-C, or the run's signal cancelled it. */
export function isPromptCancel(error: unknown): boolean {
  return error instanceof ExitPromptError || error instanceof AbortPromptError || error instanceof CancelPromptError;
}
