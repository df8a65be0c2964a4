import { describe, expect, it } from 'vitest';
import { encodeSafetensors, parseSafetensors, parseSafetensorsHeader } from './safetensors';
import type { Tensor } from './tensor';
import { expectEmmsError } from './test-utils';

/** A safetensors file laid out as the format documents: u64 LE header length, JSON, data. */
function build(header: object, data: number[], pad = true): Uint8Array {
  let json = JSON.stringify(header);
  if (pad) while (json.length % 8 !== 0) json += ' ';
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(new TextEncoder().encode(json), 8);
  out.set(data, 8 + json.length);
  return out;
}

const le16 = (...words: number[]) => words.flatMap((w) => [w & 0xff, w >> 8]);
const f32 = (...xs: number[]) => Array.from(new Uint8Array(Float32Array.from(xs).buffer));

describe('parseSafetensors on hand-built files', () => {
  it('widens F16 and BF16 to float32 with the documented values', () => {
    const half = le16(0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555, 0x7c00, 0x8000, 0x7e00);
    const bf = le16(0x3f80, 0xc0a0, 0x4049, 0x7f80, 0x0080, 0xff80);
    const bytes = build(
      {
        __metadata__: { format: 'pt' },
        h: { dtype: 'F16', shape: [2, 4], data_offsets: [0, 16] },
        b: { dtype: 'BF16', shape: [6], data_offsets: [16, 28] },
      },
      [...half, ...bf],
    );
    const out = parseSafetensors(bytes, 'w.safetensors');
    expect(out.h.dtype).toBe('float32');
    expect(out.h.shape).toEqual([2, 4]);
    const h = Array.from(out.h.data as Float32Array);
    expect(h.slice(0, 7)).toEqual([1, -2, 65504, 2 ** -24, 0.333251953125, Number.POSITIVE_INFINITY, -0]);
    expect(Object.is(h[6], -0)).toBe(true);
    expect(Number.isNaN(h[7])).toBe(true);
    expect(Array.from(out.b.data as Float32Array)).toEqual([
      1,
      -5,
      3.140625,
      Number.POSITIVE_INFINITY,
      2 ** -126,
      Number.NEGATIVE_INFINITY,
    ]);
    expect(parseSafetensorsHeader(bytes).metadata).toEqual({ format: 'pt' });
  });

  it('reads F32, F64, I64, I32, U8 and BOOL, viewing aligned data in place', () => {
    const data = [
      ...Array.from(new Uint8Array(Float64Array.from([0.1, -7]).buffer)),
      ...Array.from(new Uint8Array(BigInt64Array.from([-(2n ** 63n), 12n]).buffer)),
      ...f32(1.5, -0.25),
      ...Array.from(new Uint8Array(Int32Array.from([-3, 2 ** 31 - 1]).buffer)),
      200,
      1,
      0,
      1,
    ];
    const bytes = build(
      {
        d: { dtype: 'F64', shape: [2], data_offsets: [0, 16] },
        l: { dtype: 'I64', shape: [2, 1], data_offsets: [16, 32] },
        f: { dtype: 'F32', shape: [1, 2], data_offsets: [32, 40] },
        i: { dtype: 'I32', shape: [2], data_offsets: [40, 48] },
        u: { dtype: 'U8', shape: [1], data_offsets: [48, 49] },
        z: { dtype: 'BOOL', shape: [3], data_offsets: [49, 52] },
        e: { dtype: 'F32', shape: [0, 3], data_offsets: [52, 52] },
      },
      data,
    );
    const out = parseSafetensors(bytes);
    expect(Array.from(out.d.data as Float64Array)).toEqual([0.1, -7]);
    expect(out.d.data.buffer).toBe(bytes.buffer);
    expect(out.l.dtype).toBe('int64');
    expect(out.l.shape).toEqual([2, 1]);
    expect(Array.from(out.l.data as BigInt64Array)).toEqual([-(2n ** 63n), 12n]);
    expect(Array.from(out.f.data as Float32Array)).toEqual([1.5, -0.25]);
    expect(Array.from(out.i.data as Int32Array)).toEqual([-3, 2 ** 31 - 1]);
    expect(out.u.dtype).toBe('uint8');
    expect(Array.from(out.u.data as Uint8Array)).toEqual([200]);
    expect(out.z.dtype).toBe('bool');
    expect(Array.from(out.z.data as Uint8Array)).toEqual([1, 0, 1]);
    expect(out.e.shape).toEqual([0, 3]);
  });

  it('copies tensors whose offset is not aligned for their type', () => {
    const bytes = build(
      {
        u: { dtype: 'U8', shape: [1], data_offsets: [0, 1] },
        f: { dtype: 'F32', shape: [1], data_offsets: [1, 5] },
      },
      [9, ...f32(2.5)],
    );
    expect(Array.from(parseSafetensors(bytes).f.data as Float32Array)).toEqual([2.5]);
  });
});

describe('encodeSafetensors', () => {
  it('writes the documented layout and reads back', () => {
    const arrays: Record<string, Tensor> = {
      w: { dtype: 'float32', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) },
      idx: { dtype: 'int64', shape: [3], data: BigInt64Array.from([1n, -2n, 3n]) },
      m: { dtype: 'bool', shape: [2], data: Uint8Array.from([0, 1]) },
      k: { dtype: 'int32', shape: [], data: Int32Array.from([7]) },
      g: { dtype: 'float64', shape: [1], data: Float64Array.from([Math.PI]) },
      s: { dtype: 'uint8', shape: [2], data: Uint8Array.from([3, 4]) },
    };
    const bytes = encodeSafetensors(arrays, { note: 'x' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header.__metadata__).toEqual({ note: 'x' });
    expect(header.w).toEqual({ dtype: 'F32', shape: [2, 2], data_offsets: expect.any(Array) });
    expect(header.idx.dtype).toBe('I64');
    expect(header.m.dtype).toBe('BOOL');
    // every tensor starts on a multiple of its element size
    for (const [name, size] of [
      ['idx', 8],
      ['g', 8],
      ['w', 4],
      ['k', 4],
    ] as const) {
      expect(header[name].data_offsets[0] % size).toBe(0);
    }
    const back = parseSafetensors(bytes);
    for (const [name, t] of Object.entries(arrays)) {
      expect(back[name].dtype).toBe(t.dtype);
      expect(back[name].shape).toEqual(t.shape);
      expect(Array.from(back[name].data as ArrayLike<number>)).toEqual(
        Array.from(t.data as ArrayLike<number>),
      );
    }
  });

  it('refuses the reserved name and malformed tensors', () => {
    const t: Tensor = { dtype: 'float32', shape: [1], data: new Float32Array(1) };
    expectEmmsError(() => encodeSafetensors({ __metadata__: t }), 'INVALID_OPTION');
    expectEmmsError(() => encodeSafetensors({ a: { ...t, shape: [2] } }), 'SHAPE_MISMATCH');
  });
});

describe('malformed .safetensors', () => {
  const ok = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };

  it('empty and truncated files', () => {
    expectEmmsError(() => parseSafetensors(new Uint8Array()), 'FILE_EMPTY');
    expectEmmsError(() => parseSafetensors(new Uint8Array(5)), 'FILE_TRUNCATED');
    const full = build(ok, f32(1, 2));
    expectEmmsError(() => parseSafetensors(full.subarray(0, 20)), 'FILE_TRUNCATED');
    const e = expectEmmsError(
      () => parseSafetensors(full.subarray(0, full.length - 1), 's.safetensors'),
      'FILE_TRUNCATED',
    );
    expect(e.message).toContain("'a'");
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
    expectEmmsError(() => parseSafetensors(huge), 'FILE_TRUNCATED');
  });

  it('headers that are not the documented JSON', () => {
    const bad = (header: unknown, data: number[] = []) => {
      const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
      const out = new Uint8Array(8 + json.length + data.length);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      out.set(data, 8 + json.length);
      return out;
    };
    for (const h of [
      '{not json',
      '[1,2]',
      '"x"',
      { a: 5 },
      { a: { shape: [1], data_offsets: [0, 4] } },
      { a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } },
      { a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } },
      { a: { dtype: 'F32', shape: [1], data_offsets: [0] } },
      { __metadata__: { k: 1 } },
    ]) {
      expectEmmsError(() => parseSafetensors(bad(h, [0, 0, 0, 0])), 'SAFETENSORS_BAD_HEADER');
    }
    const utf = bad('{}');
    utf[8] = 0xff;
    expectEmmsError(() => parseSafetensors(utf), 'SAFETENSORS_BAD_HEADER');
  });

  it('unsupported dtypes and sizes that disagree with shapes', () => {
    const e = expectEmmsError(
      () =>
        parseSafetensors(
          build({ c: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, f32(1, 2)),
          'c.safetensors',
        ),
      'UNSUPPORTED_DTYPE',
    );
    expect(e.message).toContain('C64');
    expectEmmsError(
      () => parseSafetensors(build({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32(1, 2))),
      'SHAPE_MISMATCH',
    );
  });
});
