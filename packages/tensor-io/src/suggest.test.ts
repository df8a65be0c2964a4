import { describe, expect, it } from 'vitest';
import { didYouMean, didYouMeanText, editDistance } from './suggest';

describe('didYouMean', () => {
  it('measures edits', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
  it('suggests the nearest known name within a third of the length (at least 2 edits)', () => {
    expect(didYouMean('lgme', ['emms', 'logme'])).toBe('logme');
    expect(didYouMean(' LOGME ', ['emms', 'logme'])).toBe('logme');
    expect(didYouMean('transrte', ['transrate', 'parc'])).toBe('transrate');
    expect(didYouMean('zzzzzz', ['emms', 'logme'])).toBeUndefined();
    expect(didYouMean('pactran-gaus', ['pactran-gauss', 'pactran-gamma'])).toBe('pactran-gauss');
    expect(didYouMean('abc', ['abd', 'abe'])).toBe('abd');
    expect(didYouMean('scroe', ['score', 'rank'], { maxDistance: 1 })).toBeUndefined();
  });
  it('phrases the suggestion for a message', () => {
    expect(didYouMeanText('lgme', ['logme'])).toBe('; did you mean "logme"?');
    expect(didYouMeanText('qqqq', ['logme'])).toBe('');
  });
});
