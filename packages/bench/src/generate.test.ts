import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLabelsFile, readMatrixFile } from '@emms/tensor-io/node';
import { afterAll, describe, expect, it } from 'vitest';
import { ALL_SIZES, customSize, generateInputs, Rng, SIZES } from './generate';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'emms-bench-test-'));
  dirs.push(d);
  return d;
};

describe('synthetic inputs', () => {
  it('are deterministic per seed and have the declared shapes and dtypes', async () => {
    const size = SIZES.tiny!;
    const a = generateInputs(fresh(), size, 5);
    const b = generateInputs(fresh(), size, 5);
    const c = generateInputs(fresh(), size, 6);
    expect(readFileSync(a.features)).toEqual(readFileSync(b.features));
    expect(readFileSync(a.flabels[2]!)).toEqual(readFileSync(b.flabels[2]!));
    expect(readFileSync(a.features)).not.toEqual(readFileSync(c.features));

    const x = await readMatrixFile(a.features);
    expect(x.data).toBeInstanceOf(Float32Array);
    expect([x.rows, x.cols]).toEqual([size.n, size.d]);
    const y = (await readLabelsFile(a.labels)).labels;
    expect(y.length).toBe(size.n);
    const counts = new Array(size.c).fill(0);
    for (const v of y) counts[v]++;
    expect(counts).toEqual(new Array(size.c).fill(size.n / size.c));
    expect(a.flabels).toHaveLength(size.k);
    const z = await readMatrixFile(a.flabels[0]!);
    expect([z.rows, z.cols]).toEqual([size.n, size.l]);
    // npy v1 header: magic, version 1.0, data aligned to 64 bytes
    const head = readFileSync(a.features).subarray(0, 10);
    expect(head.toString('latin1', 0, 6)).toBe('\x93NUMPY');
    expect((10 + head.readUInt16LE(8)) % 64).toBe(0);
  });

  it('give F-labels that track the class: same-class rows are closer than other-class rows', async () => {
    const size = SIZES.tiny!;
    const inp = generateInputs(fresh(), size, 1);
    const y = Array.from((await readLabelsFile(inp.labels)).labels);
    const z = (await readMatrixFile(inp.flabels[0]!)).data;
    const dist = (i: number, j: number) => {
      let s = 0;
      for (let t = 0; t < size.l; t++) s += (z[i * size.l + t]! - z[j * size.l + t]!) ** 2;
      return s;
    };
    let same = 0;
    let other = 0;
    let ns = 0;
    let no = 0;
    for (let i = 0; i < 60; i++) {
      for (let j = i + 1; j < 60; j++) {
        if (y[i] === y[j]) {
          same += dist(i, j);
          ns++;
        } else {
          other += dist(i, j);
          no++;
        }
      }
    }
    expect(same / ns).toBeLessThan((0.5 * other) / no);
  });

  it('write source probabilities for the --all sizes: rows on the simplex, leaning on the class', async () => {
    const size = ALL_SIZES.tiny!;
    const inp = generateInputs(fresh(), size, 2);
    expect(inp.probs).toBeDefined();
    expect(generateInputs(fresh(), SIZES.tiny!, 2).probs).toBeUndefined();
    const p = await readMatrixFile(inp.probs!);
    expect(p.data).toBeInstanceOf(Float32Array);
    expect([p.rows, p.cols]).toEqual([size.n, size.cs]);
    const cs = size.cs!;
    const data = p.data;
    const y = Array.from((await readLabelsFile(inp.labels)).labels);
    for (let i = 0; i < size.n; i++) {
      let sum = 0;
      for (let j = 0; j < cs; j++) {
        expect(data[i * cs + j]).toBeGreaterThanOrEqual(0);
        sum += data[i * cs + j]!;
      }
      expect(sum).toBeCloseTo(1, 5);
    }
    // the most probable source class is shared by same-class rows far more often than by chance
    const top = (i: number) =>
      data.subarray(i * cs, (i + 1) * cs).indexOf(Math.max(...data.subarray(i * cs, (i + 1) * cs)));
    let same = 0;
    let pairs = 0;
    for (let i = 0; i < size.n; i++)
      for (let j = i + 1; j < size.n; j++)
        if (y[i] === y[j]) {
          pairs++;
          if (top(i) === top(j)) same++;
        }
    expect(same / pairs).toBeGreaterThan(3 / cs);
  });

  it('draws standard normals with mean 0 and variance 1', () => {
    const r = new Rng(3);
    let s = 0;
    let s2 = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const v = r.normal();
      s += v;
      s2 += v * v;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
  });
});

describe('customSize', () => {
  it('reads NxDxC and refuses anything else', () => {
    expect(customSize('2000x512x20')).toEqual({
      name: '2000x512x20',
      n: 2000,
      d: 512,
      l: 256,
      k: 3,
      c: 20,
      cs: 100,
      separation: 0.25,
    });
    expect(customSize('50000x4096x1000')).toMatchObject({ l: 1024, cs: 1000 });
    for (const bad of ['2000x512', 'mid', '10x512x20x1', '10x4x20', '2000x1x20'])
      expect(customSize(bad)).toBeNull();
  });
});
