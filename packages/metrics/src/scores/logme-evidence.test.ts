import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsBackend } from '@emms/linalg';
import type { Matrix } from '@emms/tensor-io';
import { readMatrixFile } from '@emms/tensor-io/node';
import { describe, expect, it } from 'vitest';
import { columnEvidence, type LogmeVariant } from './logme-evidence';

// Reference values from scripts/logme_variants.py (dense numpy: solves and slogdet, not spectra).
const dir = join(__dirname, 'testdata');
const expected = JSON.parse(readFileSync(join(dir, 'logme-variants.json'), 'utf8')) as Record<
  string,
  Record<string, number>
>;

/** σ (eigenvalues of XᵀX on the smaller side) and Uᵀt for a column t. */
function spectrumOf(x: Matrix, t: Float64Array): { sigma: Float64Array; proj: Float64Array } {
  const { rows: n, cols: d } = x;
  const xd = Float64Array.from(x.data);
  if (n > d) {
    const { values, vectors } = jsBackend.eigh(jsBackend.gram({ rows: n, cols: d, data: xd }));
    const xt = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xt[j] += xd[i * d + j] * t[i];
    const proj = new Float64Array(d);
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += vectors.data[j * d + a] * xt[j];
      proj[a] = s / Math.sqrt(values[a]);
    }
    return { sigma: Float64Array.from(values), proj };
  }
  const tr = new Float64Array(d * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) tr[j * n + i] = xd[i * d + j];
  const { values, vectors } = jsBackend.eigh(jsBackend.gram({ rows: d, cols: n, data: tr }));
  const proj = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += vectors.data[i * n + a] * t[i];
    proj[a] = s;
  }
  return { sigma: Float64Array.from(values, Math.abs), proj };
}

async function load(name: string, scale = 1) {
  const x = await readMatrixFile(join(dir, `logme-${name}-X.npy`));
  const tm = await readMatrixFile(join(dir, `logme-${name}-t.npy`));
  const t = Float64Array.from(tm.data);
  const xs: Matrix = { rows: x.rows, cols: x.cols, data: Float64Array.from(x.data, (v) => v * scale) };
  let tNorm2 = 0;
  for (const v of t) tNorm2 += v * v;
  return { x: xs, t, tNorm2, ...spectrumOf(xs, t) };
}

describe('columnEvidence', () => {
  for (const name of ['tall', 'wide']) {
    for (const variant of ['fixed-point', 'icml', 'corrected'] as LogmeVariant[]) {
      it(`${name}: ${variant} matches the dense numpy reference`, async () => {
        const c = await load(name);
        const key = variant === 'fixed-point' ? 'thuml' : variant;
        const e = columnEvidence(c.sigma, c.proj, 0, c.tNorm2, c.x.rows, c.x.cols, variant);
        expect(e.evidence).toBeCloseTo(expected[name][key], 8);
      });
    }
    it(`${name}: corrected is invariant to the feature scale, fixed-point is not`, async () => {
      const c = await load(name, 1e4);
      const n = c.x.rows;
      const d = c.x.cols;
      expect(columnEvidence(c.sigma, c.proj, 0, c.tNorm2, n, d, 'corrected').evidence).toBeCloseTo(
        expected[name].corrected_x1e4,
        8,
      );
      expect(columnEvidence(c.sigma, c.proj, 0, c.tNorm2, n, d, 'fixed-point').evidence).toBeCloseTo(
        expected[name].thuml_x1e4,
        8,
      );
    });
  }
  it('wide: corrected = fixed-point minus the (D−N)/2·log α terms it leaves out, up to the stopping rule', async () => {
    const c = await load('wide');
    const fp = columnEvidence(c.sigma, c.proj, 0, c.tNorm2, c.x.rows, c.x.cols, 'fixed-point');
    const missing = ((c.x.cols - c.x.rows) / 2) * Math.log(fp.alpha);
    expect(fp.evidence - missing / c.x.rows).toBeCloseTo(expected.wide.icml, 2);
  });
});
