import { describe, expect, it } from 'vitest';
import { declareErrorCodes, EmmsError, isEmmsError, listErrorCodes, TENSOR_IO_ERRORS } from './errors';

describe('error-code catalogue', () => {
  it("lists tensor-io's own codes first, each with a description", () => {
    const mine = listErrorCodes().filter((c) => c.owner === '@emms/tensor-io');
    expect(mine.length).toBe(Object.keys(TENSOR_IO_ERRORS).length);
    expect(listErrorCodes()[0]).toMatchObject({ code: 'FILE_NOT_FOUND', owner: '@emms/tensor-io' });
    for (const c of mine) expect(c.description.length).toBeGreaterThan(10);
    for (const code of [
      'ZIP_CORRUPT',
      'AMBIGUOUS_ARRAY',
      'ARRAY_NOT_FOUND',
      'SHAPE_MISMATCH',
      'BACKEND_UNAVAILABLE',
    ]) {
      expect(mine.map((c) => c.code)).toContain(code);
    }
    expect(mine.find((c) => c.code === 'AMBIGUOUS_ARRAY')?.description).toContain('path:name');
  });

  it('another package cannot take one of them', () => {
    expect(() => declareErrorCodes('@emms/other', { ZIP_CORRUPT: 'mine now' })).toThrow(
      /already declared by @emms\/tensor-io/,
    );
    const ok = declareErrorCodes('@emms/other', { OTHER_THING: 'a code of another package' });
    expect(isEmmsError(new EmmsError(ok.OTHER_THING, 'x'), 'OTHER_THING')).toBe(true);
  });
});
