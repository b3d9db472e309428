import { describe, expect, it } from 'vitest';
import { keepWhole, MASK, masker } from '../src/engine/mask.js';

describe('masker', () => {
  it('masks every occurrence of a secret, the longest first', () => {
    const mask = masker(['hunter2', 'hunter22']);
    expect(mask('pw=hunter22 then hunter2.')).toBe(`pw=${MASK} then ${MASK}.`);
  });

  it('masks a short secret only where it stands alone, not every matching letter', () => {
    const mask = masker(['a', 'x1']);
    expect(mask('a database at password=a, token x1;')).toBe(`${MASK} database at password=${MASK}, token ${MASK};`);
    expect(mask('max1 and ax1b')).toBe('max1 and ax1b');
  });

  it('treats a short secret with pattern characters as text', () => {
    expect(masker(['.*'])('a.b .* c')).toBe(`a.b ${MASK} c`);
  });

  it('masks a secret a cut would split, whole', () => {
    const mask = masker(['s3cr3tvalue']);
    const text = Buffer.from('out: s3cr3tvalue end');
    expect(keepWhole(text, 9, mask)).toBe(`out: ${MASK}`);
  });
});
