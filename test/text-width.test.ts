import { describe, expect, it } from 'vitest';
import { cutText, firstLineOf } from '../src/text/cut.js';
import { fitWidth, padWidth } from '../src/text/width.js';

/** The one place text is cut and padded for a screen or a report. */
describe('text width', () => {
  it('cuts to a display width, CJK characters counting twice, with … where it cuts', () => {
    expect(fitWidth('对多入账的钱包止付', 7)).toBe('对多入…');
    expect(fitWidth('wallet', 6)).toBe('wallet');
    expect(fitWidth('wallet holds', 6)).toBe('walle…');
  });

  it('pads to a display width', () => {
    expect(padWidth('止付', 6)).toBe('止付  ');
    expect(padWidth('toolong', 3)).toBe('toolong');
  });

  it('cuts to a length and never inside a surrogate pair', () => {
    const text = `${'a'.repeat(58)}😀tail`;
    const cut = cutText(text, 60);
    expect(cut).toBe(`${'a'.repeat(58)}…`);
    expect(cut.isWellFormed()).toBe(true);
    expect(cutText('short', 60)).toBe('short');
    expect(cutText(`${'b'.repeat(10)}😀😀`, 13)).toBe(`${'b'.repeat(10)}😀…`);
  });

  it('takes the first line without the blank lines before it', () => {
    expect(firstLineOf('\n\n  first  \nsecond')).toBe('first');
  });
});
