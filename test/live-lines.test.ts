import { describe, expect, it } from 'vitest';
import { LiveLines, type OutputLine } from '../src/engine/live-lines.js';
import { masker } from '../src/engine/mask.js';

describe("a running command's output as lines to show", () => {
  const collect = (secrets: string[] = []) => {
    const lines: OutputLine[] = [];
    return { lines, live: new LiveLines('stdout', (l) => lines.push(l), masker(secrets)) };
  };

  it('shows whole lines only, so a secret that arrives in two pieces is masked whole', () => {
    const { lines, live } = collect(['s3cr3t-token']);
    live.add(Buffer.from('using s3cr'));
    expect(lines).toEqual([]);
    live.add(Buffer.from('3t-token now\nnext'));
    expect(lines.map((l) => l.text)).toEqual(['using •••••• now']);
    live.end();
    expect(lines.map((l) => l.text)).toEqual(['using •••••• now', 'next']);
  });

  it('ends a line at a carriage return (progress bars), keeps a character split across pieces, and makes escapes visible', () => {
    const { lines, live } = collect();
    const euro = Buffer.from('€');
    live.add(Buffer.concat([Buffer.from('10%\r20%\r\n\x1b[2Jcost '), euro.subarray(0, 1)]));
    live.add(Buffer.concat([euro.subarray(1), Buffer.from('\n')]));
    expect(lines.map((l) => l.text)).toEqual(['10%', '20%', '\\x1b[2Jcost €']);
  });
});
