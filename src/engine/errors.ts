import { EXIT, UserError } from '../errors.js';

/** The responder pressed Ctrl-C (or the run's signal aborted): the incident is paused, never lost. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/** A scripted run met a question its answers do not cover; the incident is paused, not lost. */
export class MissingAnswer extends UserError {
  constructor(message: string) {
    super(message, EXIT.usage, 'Give the answer in the --answers file, or resume at a terminal to answer it yourself.');
    this.name = 'MissingAnswer';
  }
}
