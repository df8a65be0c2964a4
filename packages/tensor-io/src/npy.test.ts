import { readFileSync } from 'node:fs';
import { fixtureNames, fixturePath, mulberry32 } from '@emms/testing';
import { describe, expect, it } from 'vitest';
import { DTYPES } from './dtype';
import { encodeNpy, parseNpy, parseNpyHeader } from './npy';
import type { DType, Tensor } from './tensor';
import { dataBytes, expectEmmsError, expected, jsonNumber } from './test-utils';

const enc = new TextEncoder();

/** The dtype a numpy file is read as (float16 is widened to float32). */
const READ_AS: Record<string, DType> = {
  float16: 'float32',
  float32: 'float32',
  float64: 'float64',
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  uint8: 'uint8',
  uint16: 'uint16',
  uint32: 'uint32',
  bool: 'bool',
};

const numpyNpyFiles = Object.keys(expected.files).filter((f) => f.endsWith('.npy'));

describe('parseNpy on files written by numpy', () => {
  it('has the numpy-made files', () => {
    expect(numpyNpyFiles.length).toBeGreaterThanOrEqual(15);
  });

  for (const name of numpyNpyFiles) {
    it(name, () => {
      const want = expected.files[name];
      const bytes = dataBytes(name);
      const header = parseNpyHeader(bytes, name);
      expect(header.descr).toBe(want.descr);
      expect(header.storedDtype).toBe(want.dtype);
      expect(header.version).toBe(want.version[0]);
      expect(header.fortranOrder).toBe(want.fortran_order);
      expect(header.shape).toEqual(want.shape);
      const order = want.descr[0];
      expect(header.byteOrder).toBe(want.descr.endsWith('1') ? 'none' : order === '>' ? 'big' : 'little');

      const t = parseNpy(bytes, name);
      expect(t.dtype).toBe(READ_AS[want.dtype]);
      expect(t.shape).toEqual(want.shape);
      expect(t.data.length).toBe(want.values.length);
      if (t.dtype === 'int64') {
        expect(Array.from(t.data as BigInt64Array)).toEqual(
          want.values.map((v) => BigInt(v as number | string)),
        );
      } else {
        const got = Array.from(t.data as ArrayLike<number>);
        want.values.forEach((v, i) => {
          expect(Object.is(got[i], jsonNumber(v)) || got[i] === jsonNumber(v), `${name}[${i}]`).toBe(true);
        });
      }
    });
  }

  it('views aligned little-endian C-order data in place, copies big-endian data', () => {
    const le = dataBytes('f4_le.npy');
    const t = parseNpy(le);
    expect(t.data.buffer).toBe(le.buffer);
    (t.data as Float32Array)[0] = 9;
    expect(new Float32Array(le.buffer, 128, 1)[0]).toBe(9);
    const be = dataBytes('f8_be.npy');
    expect(parseNpy(be).data.buffer).not.toBe(be.buffer);
  });

  it('copies when the data is not aligned for its type', () => {
    const file = dataBytes('f4_le.npy');
    const shifted = new Uint8Array(file.length + 1);
    shifted.set(file, 1);
    const t = parseNpy(shifted.subarray(1));
    expect(Array.from(t.data as Float32Array)).toEqual(Array.from(parseNpy(file).data as Float32Array));
  });

  it('writes byte for byte what numpy wrote', () => {
    const same = [
      'f4_le.npy',
      'f8_be.npy',
      'f4_fortran.npy',
      'f8_fortran_3d.npy',
      'i8.npy',
      'bool.npy',
      'u2.npy',
      'i2_be_3d.npy',
      'u4_be.npy',
      'i1_u1_4d.npy',
      'v2_i4.npy',
      'v3_f4.npy',
      'scalar_f8.npy',
      'empty_0x3.npy',
    ];
    for (const name of same) {
      const bytes = dataBytes(name);
      const h = parseNpyHeader(bytes);
      const again = encodeNpy(parseNpy(bytes), {
        version: h.version,
        fortranOrder: h.fortranOrder,
        byteOrder: h.byteOrder === 'big' ? 'big' : 'little',
      });
      expect(Buffer.from(again).equals(Buffer.from(bytes)), name).toBe(true);
    }
  });
});

describe('reference fixtures', () => {
  const firstRows: Record<string, { x: number[]; last: number; y: number[]; counts: number[] }> = {
    // values read with numpy when this test was written
    small: {
      x: [0.0, 1.1623729467391968, 0.3763313591480255],
      last: -1.176449179649353,
      y: [0, 1, 2, 3, 4, 0, 4, 4],
      counts: [54, 60, 63, 59, 64],
    },
    wide: {
      x: [0.0, 0.24738408625125885, 0.0],
      last: 0.7879648208618164,
      y: [0, 1, 2, 3, 1, 3, 1, 0],
      counts: [22, 35, 34, 29],
    },
    captions: {
      x: [0.3362392783164978, 3.5271875858306885, 0.8100275993347168],
      last: -1.128014087677002,
      y: [0, 1, 2, 3, 4, 5, 6, 7],
      counts: [45, 53, 51, 50, 53, 56, 44, 48],
    },
  };
  for (const fixture of fixtureNames) {
    it(`${fixture}: X.npy and y.npy match expected.json shapes`, () => {
      const shapes = JSON.parse(readFileSync(fixturePath(fixture, 'expected.json'), 'utf8')).shapes;
      const X = parseNpy(new Uint8Array(readFileSync(fixturePath(fixture, 'X.npy'))), 'X.npy');
      const y = parseNpy(new Uint8Array(readFileSync(fixturePath(fixture, 'y.npy'))), 'y.npy');
      expect(X.dtype).toBe('float32');
      expect(X.shape).toEqual([shapes.N, shapes.D]);
      expect(y.dtype).toBe('int64');
      expect(y.shape).toEqual([shapes.N]);
      const want = firstRows[fixture];
      expect(Array.from(X.data.subarray(0, 3) as Float32Array)).toEqual(want.x);
      expect((X.data as Float32Array)[X.data.length - 1]).toBe(want.last);
      expect(Array.from(y.data.subarray(0, 8) as BigInt64Array).map(Number)).toEqual(want.y);
      const counts = new Array(shapes.C).fill(0);
      for (const v of y.data as BigInt64Array) counts[Number(v)]++;
      expect(counts).toEqual(want.counts);
      for (const [k, shape] of Object.entries(shapes.Z as Record<string, number[]>)) {
        const Z = parseNpy(new Uint8Array(readFileSync(fixturePath(fixture, `Z_${k}.npy`))));
        expect(Z.shape).toEqual(shape);
      }
      expect(parseNpy(new Uint8Array(readFileSync(fixturePath(fixture, 'P.npy')))).shape).toEqual(shapes.P);
    });
  }
});

/** Values that exercise each dtype's range, drawn from a seeded PRNG. */
function randomTensor(dtype: DType, shape: number[], rand: () => number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const values: (number | bigint)[] = [];
  for (let i = 0; i < n; i++) {
    switch (dtype) {
      case 'float32':
      case 'float64':
        values.push(
          rand() < 0.1
            ? pick([Number.NaN, Number.POSITIVE_INFINITY, -0, Number.MIN_VALUE, -1e30])
            : (rand() - 0.5) * 10 ** int(-5, 5),
        );
        break;
      case 'int8':
        values.push(int(-128, 127));
        break;
      case 'int16':
        values.push(int(-32768, 32767));
        break;
      case 'int32':
        values.push(int(-(2 ** 31), 2 ** 31 - 1));
        break;
      case 'int64':
        values.push(
          rand() < 0.2
            ? pick([-(2n ** 63n), 2n ** 63n - 1n, 0n])
            : BigInt(int(-(2 ** 30), 2 ** 30)) * BigInt(int(-(2 ** 30), 2 ** 30)),
        );
        break;
      case 'uint8':
        values.push(int(0, 255));
        break;
      case 'uint16':
        values.push(int(0, 65535));
        break;
      case 'uint32':
        values.push(int(0, 2 ** 32 - 1));
        break;
      case 'bool':
        values.push(int(0, 1));
        break;
    }
  }
  const data =
    dtype === 'float32'
      ? Float32Array.from(values as number[])
      : dtype === 'float64'
        ? Float64Array.from(values as number[])
        : dtype === 'int8'
          ? Int8Array.from(values as number[])
          : dtype === 'int16'
            ? Int16Array.from(values as number[])
            : dtype === 'int32'
              ? Int32Array.from(values as number[])
              : dtype === 'int64'
                ? BigInt64Array.from(values as bigint[])
                : dtype === 'uint16'
                  ? Uint16Array.from(values as number[])
                  : dtype === 'uint32'
                    ? Uint32Array.from(values as number[])
                    : Uint8Array.from(values as number[]);
  return { dtype, shape, data } as Tensor;
}

describe('round trips', () => {
  const shapes = [[], [5], [3, 4], [2, 3, 4], [2, 1, 3, 2]];
  it('every dtype × order × version × byte order, 0-d to 4-d', () => {
    const rand = mulberry32(20260101);
    let cases = 0;
    for (const dtype of DTYPES) {
      for (const shape of shapes) {
        const t = randomTensor(dtype, shape, rand);
        for (const fortranOrder of [false, true]) {
          for (const version of [1, 2, 3] as const) {
            for (const byteOrder of ['little', 'big'] as const) {
              const bytes = encodeNpy(t, { version, fortranOrder, byteOrder });
              const h = parseNpyHeader(bytes);
              expect(h.version).toBe(version);
              expect(h.fortranOrder).toBe(fortranOrder);
              expect(h.dataOffset % 64).toBe(0);
              expect(h.byteOrder).toBe(
                dtype === 'int8' || dtype === 'uint8' || dtype === 'bool' ? 'none' : byteOrder,
              );
              const back = parseNpy(bytes);
              expect(back.dtype).toBe(dtype);
              expect(back.shape).toEqual(shape);
              expect(Array.from(back.data as ArrayLike<number>)).toEqual(
                Array.from(t.data as ArrayLike<number>),
              );
              cases++;
            }
          }
        }
      }
    }
    expect(cases).toBe(DTYPES.length * shapes.length * 2 * 3 * 2);
  });

  it('stores Fortran order column by column and big-endian most significant byte first', () => {
    const t: Tensor = { dtype: 'int16', shape: [2, 3], data: Int16Array.from([1, 2, 3, 4, 5, 6]) };
    const f = encodeNpy(t, { fortranOrder: true });
    expect(Array.from(new Int16Array(f.buffer, parseNpyHeader(f).dataOffset, 6))).toEqual([1, 4, 2, 5, 3, 6]);
    const b = encodeNpy(
      { dtype: 'int16', shape: [2], data: Int16Array.from([1, 258]) },
      { byteOrder: 'big' },
    );
    expect(Array.from(b.subarray(parseNpyHeader(b).dataOffset))).toEqual([0, 1, 1, 2]);
    const text = new TextDecoder().decode(b.subarray(10, parseNpyHeader(b).dataOffset));
    expect(text.startsWith("{'descr': '>i2', 'fortran_order': False, 'shape': (2,), }")).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('moves to version 2.0 when the header outgrows 1.0, and refuses version 1 then', () => {
    const shape = new Array(30000).fill(1);
    const t: Tensor = { dtype: 'uint8', shape, data: new Uint8Array([7]) };
    const bytes = encodeNpy(t);
    expect(parseNpyHeader(bytes).version).toBe(2);
    expect(parseNpy(bytes).shape.length).toBe(30000);
    expectEmmsError(() => encodeNpy(t, { version: 1 }), 'INVALID_OPTION');
  });

  it('refuses a tensor whose data does not match its shape or dtype', () => {
    expectEmmsError(
      () => encodeNpy({ dtype: 'float32', shape: [3], data: new Float32Array(2) }),
      'SHAPE_MISMATCH',
    );
    expectEmmsError(
      () => encodeNpy({ dtype: 'float32', shape: [2], data: new Float64Array(2) } as unknown as Tensor),
      'SHAPE_MISMATCH',
    );
  });
});

/** A .npy file with the given header text (padded like numpy) and data bytes. */
function handMade(dict: string, data: Uint8Array = new Uint8Array(), version = 1): Uint8Array {
  const lenBytes = version === 1 ? 2 : 4;
  const fixed = 8 + lenBytes;
  let text = dict;
  while ((fixed + text.length + 1) % 64 !== 0) text += ' ';
  text += '\n';
  const head = enc.encode(text);
  const out = new Uint8Array(fixed + head.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, head.length, true);
  else view.setUint32(8, head.length, true);
  out.set(head, fixed);
  out.set(data, fixed + head.length);
  return out;
}

describe('malformed .npy', () => {
  const good = dataBytes('f4_le.npy');

  it('empty input', () => {
    expectEmmsError(() => parseNpy(new Uint8Array(), 'e.npy'), 'FILE_EMPTY');
  });

  it('truncated data, header and magic', () => {
    const e = expectEmmsError(() => parseNpy(good.subarray(0, good.length - 1), 'x.npy'), 'FILE_TRUNCATED');
    expect(e.message).toContain('x.npy');
    expect(e.message).toContain('24 data bytes, found 23');
    expectEmmsError(() => parseNpy(good.subarray(0, 60)), 'FILE_TRUNCATED');
    expectEmmsError(() => parseNpy(good.subarray(0, 9)), 'FILE_TRUNCATED');
    expectEmmsError(() => parseNpy(good.subarray(0, 3)), 'FILE_TRUNCATED');
  });

  it('bad magic, with a hint for zip files', () => {
    expectEmmsError(() => parseNpy(enc.encode('hello world, not numpy')), 'NPY_BAD_MAGIC');
    const e = expectEmmsError(() => parseNpy(dataBytes('stored.npz'), 'a.npy'), 'NPY_BAD_MAGIC');
    expect(e.message).toContain('.npz');
  });

  it('unsupported versions', () => {
    const bad = good.slice();
    bad[6] = 4;
    expectEmmsError(() => parseNpy(bad), 'NPY_UNSUPPORTED_VERSION');
    bad[6] = 1;
    bad[7] = 1;
    expectEmmsError(() => parseNpy(bad), 'NPY_UNSUPPORTED_VERSION');
  });

  it('headers that do not parse', () => {
    const f4 = new Uint8Array(8);
    for (const dict of [
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,) ",
      "{'descr': '<f4', 'fortran_order': False}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}",
      "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': 2}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}",
      "__import__('os').system('true')",
      '[1, 2]',
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} trailing",
      '{'.repeat(100),
    ]) {
      expectEmmsError(() => parseNpy(handMade(dict, f4)), 'NPY_BAD_HEADER');
    }
    // version 3 headers must be UTF-8
    const v3 = handMade("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", f4, 3);
    v3[12] = 0xff;
    expectEmmsError(() => parseNpy(v3), 'NPY_BAD_HEADER');
  });

  it('reads old Python 2 long integers and double-quoted strings in headers', () => {
    const t = parseNpy(
      handMade('{"descr": "<i2", "fortran_order": False, "shape": (2L,)}', new Uint8Array([1, 0, 2, 0])),
    );
    expect(Array.from(t.data as Int16Array)).toEqual([1, 2]);
  });

  it('unsupported dtypes, named in the message', () => {
    const e = expectEmmsError(() => parseNpy(dataBytes('complex.npy'), 'c.npy'), 'UNSUPPORTED_DTYPE');
    expect(e.message).toContain("'<c16'");
    expect(e.message).toContain('complex128');
    expect(expectEmmsError(() => parseNpy(dataBytes('u8.npy')), 'UNSUPPORTED_DTYPE').message).toContain(
      "'<u8'",
    );
    expect(
      expectEmmsError(() => parseNpy(dataBytes('structured.npy')), 'UNSUPPORTED_DTYPE').message,
    ).toContain('structured');
    for (const descr of ['<U5', '|S3', '<M8[s]', '<f16', '|V8', '<x4']) {
      expectEmmsError(
        () => parseNpy(handMade(`{'descr': '${descr}', 'fortran_order': False, 'shape': (0,)}`)),
        'UNSUPPORTED_DTYPE',
      );
    }
  });

  it('object arrays are refused before any pickle is touched', () => {
    const e = expectEmmsError(() => parseNpy(dataBytes('object.npy'), 'o.npy'), 'OBJECT_ARRAY');
    expect(e.message).toContain('pickle');
    expectEmmsError(
      () => parseNpy(handMade("{'descr': [('a', '|O')], 'fortran_order': False, 'shape': (1,)}")),
      'OBJECT_ARRAY',
    );
  });

  it('data longer than the shape says', () => {
    const longer = new Uint8Array(good.length + 4);
    longer.set(good);
    const e = expectEmmsError(() => parseNpy(longer, 'l.npy'), 'SHAPE_MISMATCH');
    expect(e.message).toContain('24 data bytes');
  });
});
