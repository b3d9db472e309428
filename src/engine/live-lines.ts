import { StringDecoder } from 'node:string_decoder';
import { printable } from '../report/sanitize.js';
import type { Masker } from './mask.js';

/** One line a running command wrote, masked and made safe for a terminal. */
export interface OutputLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

/**
 * A line with no end in sight (a progress bar without line breaks) is shown once it is this long; what a
 * secret may still reach is held back, so that the secret is masked whole in the next piece.
 */
const LONGEST_LINE = 4096;

/**
 * Bytes of one stream as they come, turned into whole lines: masked first (a secret is only ever masked
 * whole, so nothing is shown before its line ends), then sanitised, since the output of a command can hold
 * escape sequences that rewrite the screen. A carriage return ends a line too: progress bars show.
 */
export class LiveLines {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(
    private readonly stream: 'stdout' | 'stderr',
    private readonly emit: (line: OutputLine) => void,
    private readonly mask?: Masker,
  ) {}

  add(bytes: Buffer): void {
    if (!bytes.length) return;
    this.pending += this.decoder.write(bytes);
    const parts = this.pending.split(/\r\n|\n|\r/);
    this.pending = parts.pop() ?? '';
    for (const part of parts) this.show(part);
    const hold = Math.max(this.mask?.longestBytes ?? 0, 1);
    while (this.pending.length > LONGEST_LINE + hold) {
      // Cut where no secret can begin before and end after: masking the whole first, then cutting the masked text.
      const head = this.pending.slice(0, LONGEST_LINE);
      const masked = this.masked(this.pending);
      if (this.mask && masked !== this.pending) break;
      this.show(head);
      this.pending = this.pending.slice(LONGEST_LINE);
    }
  }

  /** The command ended: what is left of its last line is shown. */
  end(): void {
    this.pending += this.decoder.end();
    if (this.pending) this.show(this.pending);
    this.pending = '';
  }

  private masked(text: string): string {
    return this.mask ? this.mask(text) : text;
  }

  private show(text: string): void {
    this.emit({ stream: this.stream, text: printable(this.masked(text)) });
  }
}
