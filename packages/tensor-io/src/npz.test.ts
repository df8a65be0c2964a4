import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { encodeNpy, parseNpyHeader } from './npy';
import { encodeNpz, openNpz, parseNpz, parseNpzEntries } from './npz';
import type { Tensor } from './tensor';
import { dataBytes, expectEmmsError, expected } from './test-utils';
import { crc32, readZipDirectory } from './zip';

describe('parseNpz on archives written by numpy', () => {
  for (const name of ['stored.npz', 'compressed.npz']) {
    it(name, () => {
      const arrays = parseNpz(dataBytes(name), name);
      const want = expected.files[name].arrays!;
      expect(Object.keys(arrays).sort()).toEqual(Object.keys(want).sort());
      for (const [key, w] of Object.entries(want)) {
        expect(arrays[key].dtype).toBe(w.dtype);
        expect(arrays[key].shape).toEqual(w.shape);
        expect(Array.from(arrays[key].data as ArrayLike<number | bigint>).map(Number)).toEqual(w.values);
      }
    });
  }

  it('zip64.npz: sizes and offsets in zip64 fields, a zip64 end record (numpy reads it)', () => {
    const bytes = dataBytes('zip64.npz');
    const check = (b: Uint8Array) => {
      const arrays = parseNpz(b, 'zip64.npz');
      for (const [key, w] of Object.entries(expected.files['zip64.npz'].arrays!)) {
        expect(arrays[key].shape).toEqual(w.shape);
        expect(Array.from(arrays[key].data as ArrayLike<number | bigint>).map(Number)).toEqual(w.values);
      }
    };
    check(bytes);
    // the end record's 32-bit directory offset saturated, as past 4 GiB: only the zip64 record says where
    const patched = bytes.slice();
    new DataView(patched.buffer).setUint32(patched.length - 22 + 16, 0xffffffff, true);
    check(patched);
  });

  it('keeps each entry header', () => {
    const entries = parseNpzEntries(dataBytes('stored.npz'));
    const labels = entries.find((e) => e.name === 'labels')!;
    expect(labels.header.descr).toBe('<i8');
    expect(labels.header.byteOrder).toBe('little');
  });

  it('refuses entries that are not .npy, and object arrays inside', () => {
    const e = expectEmmsError(() => parseNpz(dataBytes('not_npy.npz'), 'n.npz'), 'ZIP_ENTRY_NOT_NPY');
    expect(e.message).toContain('README.txt');
    const o = expectEmmsError(() => parseNpz(dataBytes('object.npz'), 'o.npz'), 'OBJECT_ARRAY');
    expect(o.message).toContain('o.npz:bad.npy');
  });
});

describe('encodeNpz', () => {
  const a: Tensor = { dtype: 'float64', shape: [2, 2], data: Float64Array.from([1, 2, 3, 4]) };
  const b: Tensor = { dtype: 'bool', shape: [3], data: Uint8Array.from([1, 0, 1]) };

  for (const compress of [false, true]) {
    it(`round trips (${compress ? 'deflated' : 'stored'})`, () => {
      const bytes = encodeNpz({ a, b }, { compress });
      // local file header: compression method at offset 8 (0 stored, 8 deflate)
      expect(bytes[8]).toBe(compress ? 8 : 0);
      const back = parseNpz(bytes);
      expect(back.a.shape).toEqual([2, 2]);
      expect(Array.from(back.a.data as Float64Array)).toEqual([1, 2, 3, 4]);
      expect(back.b.dtype).toBe('bool');
      expect(Array.from(back.b.data as Uint8Array)).toEqual([1, 0, 1]);
    });
  }

  it('deflate makes repetitive data smaller', () => {
    const z: Tensor = { dtype: 'float32', shape: [10000], data: new Float32Array(10000) };
    expect(encodeNpz({ z }, { compress: true }).length).toBeLessThan(encodeNpz({ z }).length / 10);
  });

  it('refuses empty names', () => {
    expectEmmsError(() => encodeNpz({ '': a }), 'INVALID_OPTION');
  });
});

describe('malformed .npz', () => {
  const good = dataBytes('stored.npz');

  it('empty, not a zip, a lone .npy', () => {
    expectEmmsError(() => parseNpz(new Uint8Array()), 'FILE_EMPTY');
    expectEmmsError(() => parseNpz(new TextEncoder().encode('x'.repeat(100))), 'ZIP_CORRUPT');
    expect(expectEmmsError(() => parseNpz(dataBytes('f4_le.npy')), 'ZIP_CORRUPT').message).toContain('.npy');
  });

  it('truncated archives', () => {
    for (const cut of [30, good.length / 2, good.length - 10]) {
      const e = expectEmmsError(() => parseNpz(good.subarray(0, Math.floor(cut)), 't.npz'), 'ZIP_CORRUPT');
      expect(e.message).toContain('t.npz');
    }
  });

  it('an entry whose .npy is damaged names the entry', () => {
    const npy = encodeNpy({ dtype: 'int32', shape: [4], data: Int32Array.from([1, 2, 3, 4]) });
    const cut = npy.subarray(0, npy.length - 2);
    const bytes = zipSync({ 'x.npy': [cut, { level: 0 }] });
    const e = expectEmmsError(() => parseNpz(bytes, 'd.npz'), 'FILE_TRUNCATED');
    expect(e.message).toContain('d.npz:x.npy');
    expect(parseNpyHeader(npy).dataLength).toBe(16);
  });

  it('unknown compression methods', () => {
    const bytes = encodeNpz({ a: { dtype: 'uint8', shape: [1], data: Uint8Array.from([1]) } });
    // set the method to 14 (LZMA) in the central directory entry
    let cd = bytes.length - 4;
    while (!(bytes[cd] === 0x50 && bytes[cd + 1] === 0x4b && bytes[cd + 2] === 1 && bytes[cd + 3] === 2))
      cd--;
    bytes[cd + 10] = 14;
    expectEmmsError(() => parseNpz(bytes), 'ZIP_CORRUPT');
  });
});

describe('CRC-32 of .npz entries', () => {
  // Both files are numpy's own archives altered by make_fixtures.py, which checks that numpy.load
  // refuses them (zipfile.BadZipFile): a flipped data bit in a stored entry, a wrong recorded CRC
  // in a deflated one.
  for (const name of ['bad_crc_stored.npz', 'bad_crc_deflated.npz']) {
    it(`refuses ${name}, naming the entry`, () => {
      const e = expectEmmsError(() => parseNpz(dataBytes(name), name), 'ZIP_CORRUPT');
      expect(e.message).toContain("entry 'features.npy'");
      expect(e.message).toContain('CRC-32');
      expect(e.input).toBe(name);
      expect((e as { details?: unknown }).details).toMatchObject({ entry: 'features.npy' });
    });
  }

  it('crc32 gives the standard check value and agrees with the archives numpy wrote', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    // Every length mod 4, against a bitwise implementation written here.
    const bitwise = (b: Uint8Array): number => {
      let c = 0xffffffff;
      for (const x of b) {
        c ^= x;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
      }
      return (c ^ 0xffffffff) >>> 0;
    };
    for (let n = 0; n < 13; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      expect(crc32(b)).toBe(bitwise(b));
    }
    const names = readZipDirectory(dataBytes('stored.npz')).map((e) => e.name);
    expect(names.sort()).toEqual(['features.npy', 'labels.npy']);
  });

  it('reads archives with a comment after the directory, and round-trips its own', () => {
    const t: Tensor = { dtype: 'float64', shape: [3], data: Float64Array.of(1, 2, 3) };
    const plain = encodeNpz({ x: t }, { compress: true });
    // A zip comment: set the comment length of the end record and append the text.
    const comment = new TextEncoder().encode('made by a test');
    const withComment = new Uint8Array(plain.length + comment.length);
    withComment.set(plain);
    withComment.set(comment, plain.length);
    new DataView(withComment.buffer).setUint16(plain.length - 2, comment.length, true);
    expect(Array.from(parseNpz(withComment).x.data as Float64Array)).toEqual([1, 2, 3]);
  });
});

describe('entries inflated only when asked for, under a size limit', () => {
  const zeros = (n: number): Tensor => ({ dtype: 'float32', shape: [n], data: new Float32Array(n) });
  const small: Tensor = { dtype: 'int32', shape: [3], data: Int32Array.from([7, 8, 9]) };
  /** Offset of the central-directory record of `name` in a zip made by fflate. */
  const directoryRecord = (bytes: Uint8Array, name: string): number => {
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    for (let p = bytes.length - 22; p >= 0; p--) {
      if (view.getUint32(p, true) !== 0x02014b50) continue;
      const n = view.getUint16(p + 28, true);
      if (new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + n)) === name) return p;
    }
    throw new Error(`no record for ${name}`);
  };

  it('reads one entry without inflating the others (a damaged one stays unread)', () => {
    const bytes = zipSync({
      'good.npy': [encodeNpy(small), { level: 6 }],
      'bad.npy': [encodeNpy(zeros(1000)), { level: 6 }],
    });
    // damage the deflate data of bad.npy: its first bytes become an invalid block type
    const view = new DataView(bytes.buffer);
    const at = view.getUint32(directoryRecord(bytes, 'bad.npy') + 42, true);
    const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
    bytes[start] = 0xff;
    const archive = openNpz(bytes, 'two.npz');
    expect(archive.names).toEqual(['good', 'bad']);
    expect(Array.from(archive.entry('good').tensor.data as Int32Array)).toEqual([7, 8, 9]);
    expectEmmsError(() => parseNpz(bytes, 'two.npz'), 'ZIP_CORRUPT');
    expectEmmsError(() => archive.entry('nope'), 'ARRAY_NOT_FOUND');
  });

  it('a compressed entry above maxEntryBytes is refused from its headers, naming file, entry, size and option', () => {
    const bytes = encodeNpz({ big: zeros(1 << 20), small }, { compress: true }); // 4 MiB of zeros, ~4 KiB packed
    expect(bytes.length).toBeLessThan(64 * 1024);
    const e = expectEmmsError(
      () => parseNpz(bytes, 'z.npz', { maxEntryBytes: 2 ** 20 }),
      'ZIP_ENTRY_TOO_LARGE',
    );
    expect(e.message).toContain(
      "z.npz: entry 'big.npy' (shape (1048576) of float32) unpacks to 4 MiB (4194432 bytes)",
    );
    expect(e.message).toContain('above the 1 MiB limit');
    expect(e.message).toContain('maxEntryBytes');
    expect((e as { details?: unknown }).details).toMatchObject({
      entry: 'big.npy',
      bytes: 4194432,
      limit: 2 ** 20,
    });
    // the other entry is still readable under the same limit; the default limit (512 MiB) reads both
    expect(openNpz(bytes, 'z.npz', { maxEntryBytes: 2 ** 20 }).entry('small').tensor.shape).toEqual([3]);
    expect(parseNpz(bytes).big.shape).toEqual([1 << 20]);
    // stored entries are not inflated, so the limit does not apply to them
    expect(parseNpz(encodeNpz({ big: zeros(1 << 20) }), 's.npz', { maxEntryBytes: 1024 }).big.shape).toEqual([
      1 << 20,
    ]);
    expectEmmsError(() => openNpz(bytes, 'z.npz', { maxEntryBytes: 0 }), 'INVALID_OPTION');
  });

  it("the directory's size and the .npy header's shape × dtype must agree before anything is inflated", () => {
    const bytes = encodeNpz({ a: zeros(100) }, { compress: true }); // 128-byte header + 400 data bytes
    const record = directoryRecord(bytes, 'a.npy');
    const view = new DataView(bytes.buffer);
    view.setUint32(record + 24, 128 + 200, true); // the directory says 200 data bytes
    expectEmmsError(() => parseNpz(bytes, 'a.npz'), 'FILE_TRUNCATED');
    view.setUint32(record + 24, 128 + 800, true);
    expectEmmsError(() => parseNpz(bytes, 'a.npz'), 'SHAPE_MISMATCH');
  });

  it('an entry that inflates past its declared size stops at that size (a lying header)', () => {
    // The header and the directory say (10,) float32, 168 bytes; the data inflates to 16 MiB.
    const npy = encodeNpy(zeros(10));
    const lie = new Uint8Array(npy.length + 16 * 2 ** 20);
    lie.set(npy);
    const bytes = zipSync({ 'a.npy': [lie, { level: 1 }] });
    const view = new DataView(bytes.buffer);
    const record = directoryRecord(bytes, 'a.npy');
    view.setUint32(record + 24, npy.length, true);
    view.setUint32(record + 16, crc32(npy), true);
    const e = expectEmmsError(() => parseNpz(bytes, 'lie.npz'), 'ZIP_CORRUPT');
    expect(e.message).toContain(`inflates past the ${npy.length} bytes its directory records`);
    // it stopped within one small step of the inflater, far short of the 16 MiB the data holds
    expect((e as { details?: { inflated: number } }).details?.inflated).toBeLessThan(2 ** 20);
  });
});
