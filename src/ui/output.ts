import { Chalk, type ChalkInstance } from 'chalk';
import { useColor } from './terminal.js';

// Kept apart from chalk, so that printing a result in a machine format loads no colour library.
export { useColor, write } from './terminal.js';

export function paint(stream: NodeJS.WriteStream = process.stdout): ChalkInstance {
  return new Chalk({ level: useColor(stream) ? 2 : 0 });
}
