import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath } from '@emms/testing';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import {
  inspectFile,
  readArrays,
  readClassNamesFile,
  readFileBytes,
  readLabelsFile,
  readMatrixFile,
  readNpyFile,
  readTensorFile,
  readTextFile,
  requireRegularFile,
  splitFileSelector,
  writeArraysFile,
  writeNpyFile,
} from './node';
import { encodeNpy } from './npy';
import type { ProgressEvent } from './progress';
import type { Tensor } from './tensor';
import { dataBytes, dataPath, expectEmmsErrorAsync, expected } from './test-utils';

const dir = mkdtempSync(join(tmpdir(), 'tensor-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tmp = (name: string) => join(dir, name);

describe('readNpyFile', () => {
  it('reads in chunks into the destination and reports progress', async () => {
    const n = 10_000;
    const t: Tensor = {
      dtype: 'float64',
      shape: [100, 100],
      data: Float64Array.from({ length: n }, (_, i) => i / 7),
    };
    for (const [name, opts] of [
      ['c.npy', {}],
      ['f_be.npy', { fortranOrder: true, byteOrder: 'big' as const }],
    ] as const) {
      writeFileSync(tmp(name), encodeNpy(t, opts));
      const events: ProgressEvent[] = [];
      const { header, tensor } = await readNpyFile(tmp(name), {
        chunkBytes: 4096,
        onProgress: (e) => events.push(e),
      });
      expect(header.dataLength).toBe(n * 8);
      expect(tensor.shape).toEqual([100, 100]);
      expect(Array.from(tensor.data as Float64Array)).toEqual(Array.from(t.data as Float64Array));
      // 80000 bytes in 4096-byte reads
      expect(events.length).toBe(Math.ceil((n * 8) / 4096));
      expect(events.at(-1)!.done).toBe(n * 8);
    }
  });

  it('reads every numpy-made file as the in-memory parser does', async () => {
    for (const name of Object.keys(expected.files).filter((f) => f.endsWith('.npy'))) {
      const t = await readTensorFile(dataPath(name), { chunkBytes: 7 });
      expect(t.shape, name).toEqual(expected.files[name].shape);
      expect(Array.from(t.data as ArrayLike<number | bigint>).map(String), name).toEqual(
        expected.files[name].values.map((v) =>
          v === true
            ? '1'
            : v === false
              ? '0'
              : v === 'nan'
                ? 'NaN'
                : v === 'inf'
                  ? 'Infinity'
                  : v === '-inf'
                    ? '-Infinity'
                    : String(v),
        ),
      );
    }
  });

  it('reads a header longer than the first read', async () => {
    const t: Tensor = { dtype: 'uint8', shape: new Array(3000).fill(1), data: Uint8Array.from([5]) };
    writeFileSync(tmp('long.npy'), encodeNpy(t));
    expect(Array.from((await readTensorFile(tmp('long.npy'))).data as Uint8Array)).toEqual([5]);
  });

  it('typed errors for missing, empty, truncated and oversized files', async () => {
    const missing = await expectEmmsErrorAsync(() => readTensorFile(tmp('nope.npy')), 'FILE_NOT_FOUND');
    expect(missing.message).toContain('nope.npy');
    writeFileSync(tmp('empty.npy'), new Uint8Array());
    await expectEmmsErrorAsync(() => readTensorFile(tmp('empty.npy')), 'FILE_EMPTY');
    const good = dataBytes('f8_be.npy');
    writeFileSync(tmp('cut.npy'), good.subarray(0, good.length - 3));
    await expectEmmsErrorAsync(() => readTensorFile(tmp('cut.npy')), 'FILE_TRUNCATED');
    writeFileSync(tmp('cuthead.npy'), good.subarray(0, 50));
    await expectEmmsErrorAsync(() => readTensorFile(tmp('cuthead.npy')), 'FILE_TRUNCATED');
    writeFileSync(tmp('long2.npy'), new Uint8Array([...good, 0]));
    await expectEmmsErrorAsync(() => readTensorFile(tmp('long2.npy')), 'SHAPE_MISMATCH');
    await expectEmmsErrorAsync(() => readTensorFile(dataPath('object.npy')), 'OBJECT_ARRAY');
    const folder = await expectEmmsErrorAsync(() => readTensorFile(dir + '/'), 'NOT_A_FILE');
    expect(folder.message).toContain(
      'is a folder, not a file; give an array file (.npy, .npz, .safetensors)',
    );
    const e = await expectEmmsErrorAsync(() => readTensorFile(tmp('x.h5')), 'UNSUPPORTED_FORMAT');
    expect(e.message).toContain('.npy, .npz, .safetensors');
  });
});

describe('readArrays / readTensorFile / readMatrixFile', () => {
  it('keys a .npy by its stem and opens archives', async () => {
    expect(Object.keys(await readArrays(dataPath('f4_le.npy')))).toEqual(['f4_le']);
    const z = await readArrays(dataPath('compressed.npz'));
    expect(Object.keys(z).sort()).toEqual(['features', 'labels']);
  });

  it('wants exactly one array unless one is named', async () => {
    const e = await expectEmmsErrorAsync(() => readTensorFile(dataPath('stored.npz')), 'AMBIGUOUS_ARRAY');
    expect(e.message).toContain("'features'");
    expect(e.message).toContain("'labels'");
    const f = await readTensorFile(dataPath('stored.npz'), { array: 'features' });
    expect(f.shape).toEqual([2, 3]);
    await expectEmmsErrorAsync(
      () => readTensorFile(dataPath('stored.npz'), { array: 'x' }),
      'ARRAY_NOT_FOUND',
    );
  });

  it('points at path:name when several arrays and none named', async () => {
    const path = dataPath('stored.npz');
    const e = await expectEmmsErrorAsync(() => readTensorFile(path), 'AMBIGUOUS_ARRAY');
    expect(e.message).toContain(`'${path}:features' (path:name) or with the array option`);
    expect(e.message).not.toMatch(/--/); // library terms, no CLI flag
  });

  it('file.npz:name picks one array (.npz, .safetensors, .npy by its stem)', async () => {
    const f = await readTensorFile(`${dataPath('stored.npz')}:labels`);
    expect(Array.from(f.data as BigInt64Array, Number)).toEqual([3, 1, 2]);
    const m = await readMatrixFile(`${dataPath('compressed.npz')}:features`);
    expect([m.rows, m.cols, m.data[5]]).toEqual([2, 3, 1.25]);
    await writeArraysFile(tmp('two.safetensors'), {
      a: { dtype: 'float32', shape: [2], data: Float32Array.of(1, 2) },
      b: { dtype: 'float32', shape: [1], data: Float32Array.of(7) },
    });
    expect(Array.from((await readTensorFile(`${tmp('two.safetensors')}:b`)).data as Float32Array)).toEqual([
      7,
    ]);
    expect(Object.keys(await readArrays(`${tmp('two.safetensors')}:a`))).toEqual(['a']);
    expect((await readTensorFile(`${dataPath('f4_le.npy')}:f4_le`)).dtype).toBe('float32');
    const missing = await expectEmmsErrorAsync(
      () => readTensorFile(`${dataPath('stored.npz')}:nope`),
      'ARRAY_NOT_FOUND',
    );
    expect(missing.message).toContain("'features', 'labels'");
    await expectEmmsErrorAsync(
      () => readTensorFile(`${dataPath('stored.npz')}:labels`, { array: 'features' }),
      'INVALID_OPTION',
    );
  });

  it('path:name applies only when the part before the colon is an existing file', async () => {
    // Array names may hold ':'; the longest existing file wins.
    await writeArraysFile(tmp('colon.npz'), {
      'block:0': { dtype: 'float64', shape: [1], data: Float64Array.of(5) },
      other: { dtype: 'float64', shape: [1], data: Float64Array.of(6) },
    });
    expect(await splitFileSelector(`${tmp('colon.npz')}:block:0`)).toEqual({
      path: tmp('colon.npz'),
      selector: 'block:0',
    });
    expect((await readTensorFile(`${tmp('colon.npz')}:block:0`)).data[0]).toBe(5);
    // A file whose own name holds ':' is read as it is.
    writeFileSync(tmp('a:b.npy'), encodeNpy({ dtype: 'float64', shape: [1], data: Float64Array.of(9) }));
    expect(await splitFileSelector(tmp('a:b.npy'))).toEqual({ path: tmp('a:b.npy') });
    expect((await readTensorFile(tmp('a:b.npy'))).data[0]).toBe(9);
    // Windows-like paths: a drive letter is not a file, and no such file exists here.
    expect(await splitFileSelector('C:\\data\\x.npz')).toEqual({ path: 'C:\\data\\x.npz' });
    expect(await splitFileSelector('C:/data/x.npz:features')).toEqual({ path: 'C:/data/x.npz:features' });
    // Nothing before the colon exists: the whole string is the (missing) path.
    const e = await expectEmmsErrorAsync(() => readTensorFile(`${tmp('absent.npz')}:x`), 'FILE_NOT_FOUND');
    expect(e.input).toBe(`${tmp('absent.npz')}:x`);
    expect(await splitFileSelector(`${tmp('colon.npz')}:`)).toEqual({ path: `${tmp('colon.npz')}:` });
  });

  it('reads the reference features as a matrix without copying', async () => {
    const m = await readMatrixFile(fixturePath('small', 'X.npy'));
    expect([m.rows, m.cols]).toEqual([300, 64]);
    expect(m.data).toBeInstanceOf(Float32Array);
    expect(m.data[1]).toBe(1.1623729467391968);
  });
});

describe('readLabelsFile / readClassNamesFile', () => {
  it('reads labels by extension', async () => {
    expect(Array.from((await readLabelsFile(fixturePath('small', 'y.npy'))).labels.subarray(0, 5))).toEqual([
      0, 1, 2, 3, 4,
    ]);
    writeFileSync(tmp('y.txt'), 'cat\ndog\ncat\n');
    expect(await readLabelsFile(tmp('y.txt'))).toEqual({
      labels: Int32Array.from([0, 1, 0]),
      classNames: ['cat', 'dog'],
    });
    writeFileSync(tmp('y.labels'), '1\n0\n');
    expect(Array.from((await readLabelsFile(tmp('y.labels'))).labels)).toEqual([1, 0]);
    writeFileSync(tmp('y.json'), '[1, 1, 0]');
    expect(Array.from((await readLabelsFile(tmp('y.json'))).labels)).toEqual([1, 1, 0]);
    writeFileSync(tmp('y.csv'), 'id,label\na,2\nb,0\n');
    expect(Array.from((await readLabelsFile(tmp('y.csv'), { column: 'label' })).labels)).toEqual([2, 0]);
    const several = await expectEmmsErrorAsync(() => readLabelsFile(tmp('y.csv')), 'INVALID_OPTION');
    expect(several.message).toContain(`'${tmp('y.csv')}:<column>' (path:column`);
    // labels.csv:column picks a column by header name, or by 0-based index.
    expect(Array.from((await readLabelsFile(`${tmp('y.csv')}:label`)).labels)).toEqual([2, 0]);
    expect(Array.from((await readLabelsFile(`${tmp('y.csv')}:1`)).labels)).toEqual([2, 0]);
    await expectEmmsErrorAsync(() => readLabelsFile(`${tmp('y.csv')}:nope`), 'LABELS_PARSE');
    await expectEmmsErrorAsync(() => readLabelsFile(`${tmp('y.txt')}:x`), 'INVALID_OPTION');
    const npzLabels = await readLabelsFile(`${dataPath('stored.npz')}:labels`);
    expect(Array.from(npzLabels.labels)).toEqual([3, 1, 2]);
    writeFileSync(tmp('one.csv'), 'label\n2\n0\n');
    expect(Array.from((await readLabelsFile(tmp('one.csv'))).labels)).toEqual([2, 0]);
    await expectEmmsErrorAsync(() => readLabelsFile(tmp('y.xlsx')), 'UNSUPPORTED_FORMAT');
    writeFileSync(tmp('bin.txt'), new Uint8Array([0xff, 0xfe, 0x00]));
    await expectEmmsErrorAsync(() => readLabelsFile(tmp('bin.txt')), 'LABELS_PARSE');
  });

  it('reads class names from text or JSON', async () => {
    writeFileSync(tmp('classes.txt'), 'tench\ngoldfish\n');
    expect(await readClassNamesFile(tmp('classes.txt'))).toEqual(['tench', 'goldfish']);
    writeFileSync(tmp('classes.json'), '["a", "b"]');
    expect(await readClassNamesFile(tmp('classes.json'))).toEqual(['a', 'b']);
    writeFileSync(tmp('bad.json'), '["a", 3]');
    await expectEmmsErrorAsync(() => readClassNamesFile(tmp('bad.json')), 'LABELS_PARSE');
  });
});

describe('writers', () => {
  const t: Tensor = { dtype: 'int32', shape: [2, 2], data: Int32Array.from([1, -2, 3, -4]) };

  it('writeNpyFile writes what numpy reads (same bytes as np.save) and leaves no temp files', async () => {
    const bytes = dataBytes('v2_i4.npy');
    const expectedTensor = await readTensorFile(dataPath('v2_i4.npy'));
    await writeNpyFile(tmp('w.npy'), expectedTensor, { version: 2 });
    expect(Buffer.from(readFileSync(tmp('w.npy'))).equals(Buffer.from(bytes))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writeNpyFile in Fortran order and big-endian writes what encodeNpy does, leaving the tensor alone', async () => {
    const u: Tensor = { dtype: 'float64', shape: [2, 3], data: Float64Array.from([1, 2, 3, 4, 5, 6]) };
    for (const opts of [{ fortranOrder: true }, { byteOrder: 'big' as const, version: 3 as const }, {}]) {
      await writeNpyFile(tmp('o.npy'), u, opts);
      expect(Buffer.from(readFileSync(tmp('o.npy'))).equals(Buffer.from(encodeNpy(u, opts)))).toBe(true);
      expect(Array.from(u.data as Float64Array)).toEqual([1, 2, 3, 4, 5, 6]);
    }
  });

  it('writeArraysFile picks the format by extension', async () => {
    await writeArraysFile(tmp('a.npz'), { t }, { compress: true });
    await writeArraysFile(tmp('a.safetensors'), { t });
    await writeArraysFile(tmp('a.npy'), { t });
    for (const f of ['a.npz', 'a.safetensors']) {
      expect(Array.from((await readArrays(tmp(f))).t.data as Int32Array)).toEqual([1, -2, 3, -4]);
    }
    expect((await readTensorFile(tmp('a.npy'))).shape).toEqual([2, 2]);
    await expectEmmsErrorAsync(() => writeArraysFile(tmp('a.npy'), { t, u: t }), 'INVALID_OPTION');
    await expectEmmsErrorAsync(() => writeArraysFile(tmp('a.mat'), { t }), 'UNSUPPORTED_FORMAT');
    const w = await expectEmmsErrorAsync(
      () => writeNpyFile(join(dir, 'no-such-dir', 'x.npy'), t),
      'FILE_UNWRITABLE',
    );
    expect(w.message).toContain('folder does not exist');
  });
});

describe('inspectFile', () => {
  it('reports dtype, byte order as stored and numpy statistics', async () => {
    const r = await inspectFile(dataPath('f8_be.npy'));
    expect(r.format).toBe('npy');
    const a = r.arrays[0];
    const want = expected.files['f8_be.npy'];
    expect(a).toMatchObject({
      name: 'f8_be',
      shape: [3, 2],
      dtype: 'float64',
      byteOrder: 'big',
      fortranOrder: false,
      npyVersion: 1,
    });
    expect([a.min, a.max, a.nonFinite]).toEqual([want.min, want.max, want.nonFinite]);
    const h = await inspectFile(dataPath('f2.npy'));
    expect(h.arrays[0]).toMatchObject({ dtype: 'float32', storedDtype: 'float16', nonFinite: 1 });
  });

  it('one entry per array for archives', async () => {
    const z = await inspectFile(dataPath('stored.npz'));
    expect(z.arrays.map((a) => a.name).sort()).toEqual(['features', 'labels']);
    await writeArraysFile(tmp('i.safetensors'), {
      a: { dtype: 'float32', shape: [2], data: Float32Array.from([1, 3]) },
      b: { dtype: 'uint8', shape: [1], data: Uint8Array.from([9]) },
    });
    const s = await inspectFile(tmp('i.safetensors'));
    expect(s.arrays.find((x) => x.name === 'a')).toMatchObject({
      byteOrder: 'little',
      mean: 2,
      storedDtype: 'float32',
    });
    expect(s.arrays.find((x) => x.name === 'b')).toMatchObject({ byteOrder: 'none', min: 9 });
  });
});

describe('files that are not regular files are refused before opening', () => {
  /** Fails fast instead of hanging the suite if a reader blocks on a pipe. */
  const within = <T>(p: Promise<T>): Promise<T> =>
    Promise.race([p, new Promise<T>((_, no) => setTimeout(() => no(new Error('blocked')), 5000))]);

  it('a FIFO, a socket and a device: NOT_A_FILE from every reader, naming what it is', async () => {
    const fifo = tmp('pipe.npy');
    execFileSync('mkfifo', [fifo]);
    const txt = tmp('pipe.txt');
    execFileSync('mkfifo', [txt]);
    const server = createServer();
    const sock = tmp('sock.npz');
    await new Promise<void>((done) => server.listen(sock, done));
    try {
      const cases: [string, () => Promise<unknown>, string][] = [
        ['fifo', () => readTensorFile(fifo), 'named pipe (FIFO)'],
        ['fifo', () => readMatrixFile(fifo), 'named pipe (FIFO)'],
        ['fifo', () => readNpyFile(fifo), 'named pipe (FIFO)'],
        ['fifo', () => inspectFile(fifo), 'named pipe (FIFO)'],
        ['fifo', () => readLabelsFile(fifo), 'named pipe (FIFO)'],
        ['fifo', () => readLabelsFile(txt), 'give a label file'],
        ['fifo', () => readClassNamesFile(txt), 'give a class-name file'],
        ['fifo', () => readTextFile(txt, 'a bench spec (.json)'), 'give a bench spec (.json)'],
        ['fifo', () => readFileBytes(txt), 'named pipe (FIFO)'],
        ['socket', () => readArrays(sock), 'is a socket'],
        ['socket', () => readTensorFile(`${sock}:x`), 'is a socket'],
        ['device', () => readTensorFile('/dev/zero'), 'is a device'],
        ['device', () => readLabelsFile('/dev/null'), 'is a device'],
        ['device', () => requireRegularFile('/dev/null'), 'is a device'],
      ];
      for (const [kind, read, words] of cases) {
        const e = await within(expectEmmsErrorAsync(read, 'NOT_A_FILE'));
        expect((e as { details?: unknown }).details).toEqual({ kind });
        expect(e.message).toContain(words);
      }
    } finally {
      server.close();
    }
  });

  it('a folder is named as a folder, before its (missing) extension is looked at', async () => {
    const e = await expectEmmsErrorAsync(() => readMatrixFile(dir), 'NOT_A_FILE');
    expect(e.message).toBe(`${dir}: is a folder, not a file; give an array file (.npy, .npz, .safetensors).`);
    expect((e as { details?: unknown }).details).toEqual({ kind: 'folder' });
    await expectEmmsErrorAsync(() => readLabelsFile(dir), 'NOT_A_FILE');
    await expectEmmsErrorAsync(() => inspectFile(dir), 'NOT_A_FILE');
    // a missing file with an unknown extension still says which extensions work
    await expectEmmsErrorAsync(() => readTensorFile(tmp('missing.h5')), 'UNSUPPORTED_FORMAT');
    await expectEmmsErrorAsync(() => readTextFile(tmp('missing.json')), 'FILE_NOT_FOUND');
  });
});

describe('.npz files: only the arrays asked for are inflated, under maxEntryBytes', () => {
  const zeros = (n: number): Tensor => ({ dtype: 'float32', shape: [n], data: new Float32Array(n) });

  it('path:name reads one entry; inspect checks every header first; the limit is an option', async () => {
    const path = tmp('bomb.npz');
    // 4 MiB of zeros per entry, a few KiB on disk
    await writeArraysFile(path, { a0: zeros(1 << 20), a1: zeros(1 << 20), s: zeros(3) }, { compress: true });
    const limit = { maxEntryBytes: 2 ** 20 };
    expect((await readTensorFile(`${path}:s`, limit)).shape).toEqual([3]);
    expect((await readMatrixFile(path, 'x', { ...limit, array: 's' })).rows).toBe(3);
    expect(Object.keys(await readArrays(`${path}:s`, limit))).toEqual(['s']);
    for (const read of [
      () => readTensorFile(`${path}:a1`, limit),
      () => readArrays(path, limit),
      () => inspectFile(path, limit),
      () => readLabelsFile(`${path}:a0`, limit),
    ]) {
      const e = await expectEmmsErrorAsync(read, 'ZIP_ENTRY_TOO_LARGE');
      expect(e.message).toMatch(/entry 'a[01]\.npy' .* unpacks to 4 MiB \(4194432 bytes\)/);
      expect(e.input).toBe(path);
    }
    const seen = await inspectFile(path, { maxEntryBytes: 8 * 2 ** 20 });
    expect(seen.arrays.map((a) => [a.name, a.max])).toEqual([
      ['a0', 0],
      ['a1', 0],
      ['s', 0],
    ]);
  });

  it('node:zlib stops at the declared size of an entry whose data inflates further', async () => {
    const npy = encodeNpy(zeros(10));
    const lie = new Uint8Array(npy.length + 16 * 2 ** 20);
    lie.set(npy);
    const bytes = zipSync({ 'a.npy': [lie, { level: 1 }] });
    const view = new DataView(bytes.buffer);
    let record = bytes.length - 22;
    while (view.getUint32(record, true) !== 0x02014b50) record--;
    view.setUint32(record + 24, npy.length, true);
    writeFileSync(tmp('lie.npz'), bytes);
    const e = await expectEmmsErrorAsync(() => readTensorFile(tmp('lie.npz')), 'ZIP_CORRUPT');
    expect(e.message).toContain(`inflates past the ${npy.length} bytes its directory records`);
  });
});
