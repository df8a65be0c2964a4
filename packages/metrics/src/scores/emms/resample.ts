// EMMS under row multiplicities (one bootstrap resample), from K×K and G×G pieces: the F-labels of a
// classification task take one value per class (its embedding), so with G distinct F-label rows
// XsᵀW Ỹ_q = H Ẽ_q (H: D×G weighted group sums of the standardised features, Ẽ_q: G×L group rows of
// the standardised F-label) and ⟨Ỹ_p, P_X Ỹ_q⟩ = Σ_{g,g'} (Hᵀ G⁺ H)_{gg'} ⟨Ẽ_p[g], Ẽ_q[g']⟩.
import { type Dense, gramProjector, jsBackend, type LinalgBackend } from '@emms/linalg';
import type { MetricResampling } from '@emms/metric-spec';
import type { Matrix } from '@emms/tensor-io';
import { resampleMoments, tooWide } from '../../resample-rows';
import { transpose } from '../../util';
import { fitWeights } from './weights';

/** The most distinct F-label rows EMMS is resampled with (one per class for label embeddings). */
export const EMMS_RESAMPLE_MAX_GROUPS = 64;

/** Rows grouped by their F-label content: the group of each row and one representative per group. */
interface Grouping {
  readonly group: Int32Array;
  /** Per F-label, G×L float64: the row shared by each group. */
  readonly rows: readonly Float64Array[];
  readonly count: number;
}

/** The standardised group rows of one resample and their inner products. */
interface Standardised {
  /** Σ counts per group. */
  readonly weight: Float64Array;
  /** (K·G)×(K·G): ⟨Ẽ_p[g], Ẽ_q[g']⟩ at [(p·G + g), (q·G + g')]. */
  readonly inner: Float64Array;
  /** K×K ⟨Ỹ_p, Ỹ_q⟩ = Σ_g W_g ⟨Ẽ_p[g], Ẽ_q[g]⟩. */
  readonly yg: Float64Array;
}

/** Groups rows by exact equality of all their F-label values; null beyond `limit` groups. */
function groupRows(ys: readonly Matrix[], limit: number): Grouping | null {
  const n = ys[0].rows;
  const l = ys[0].cols;
  const group = new Int32Array(n);
  const reps: number[] = [];
  const byHash = new Map<number, number[]>();
  const same = (a: number, b: number) =>
    ys.every((y) => {
      for (let j = 0; j < l; j++) if (y.data[a * l + j] !== y.data[b * l + j]) return false;
      return true;
    });
  for (let i = 0; i < n; i++) {
    let h = 2166136261;
    for (const y of ys) {
      for (let j = 0; j < l; j++) h = Math.imul((h ^ (Math.fround(y.data[i * l + j]) * 1e6)) | 0, 16777619);
    }
    const candidates = byHash.get(h) ?? [];
    const found = candidates.find((g) => same(reps[g], i));
    if (found !== undefined) {
      group[i] = found;
      continue;
    }
    if (reps.length === limit) return null;
    group[i] = reps.length;
    candidates.push(reps.length);
    byHash.set(h, candidates);
    reps.push(i);
  }
  const rows = ys.map((y) => {
    const out = new Float64Array(reps.length * l);
    reps.forEach((i, g) => {
      for (let j = 0; j < l; j++) out[g * l + j] = y.data[i * l + j];
    });
    return out;
  });
  return { group, rows, count: reps.length };
}

/** Each F-label standardised per column with the weighted mean and population std of the resample. */
function standardise(
  grouping: Grouping,
  weight: Float64Array,
  l: number,
  backend: LinalgBackend,
): Standardised {
  const { rows, count: g } = grouping;
  const k = rows.length;
  let n = 0;
  for (const w of weight) n += w;
  const all = new Float64Array(k * g * l);
  rows.forEach((e, q) => {
    for (let j = 0; j < l; j++) {
      let mean = 0;
      let first: number | undefined;
      let constant = true;
      for (let a = 0; a < g; a++) {
        if (weight[a] === 0) continue;
        const v = e[a * l + j];
        mean += weight[a] * v;
        if (first === undefined) first = v;
        else if (v !== first) constant = false;
      }
      mean /= n;
      if (constant) continue; // exactly zero after centring, as columnScaling does
      let ss = 0;
      for (let a = 0; a < g; a++) ss += weight[a] * (e[a * l + j] - mean) ** 2;
      const scale = 1 / (Math.sqrt(ss / n) + 1e-8);
      for (let a = 0; a < g; a++) all[(q * g + a) * l + j] = (e[a * l + j] - mean) * scale;
    }
  });
  const inner = backend.gram(transpose({ rows: k * g, cols: l, data: all })).data;
  const kg = k * g;
  const yg = new Float64Array(k * k);
  for (let p = 0; p < k; p++) {
    for (let q = 0; q < k; q++) {
      let s = 0;
      for (let a = 0; a < g; a++) s += weight[a] * inner[(p * g + a) * kg + q * g + a];
      yg[p * k + q] = s;
    }
  }
  return { weight, inner, yg };
}

/** Settings of {@link emmsResampling}, as {@link emmsCompute} takes them. */
export interface EmmsResampleSettings {
  readonly mode: 'one-step' | 'converge';
  readonly rankTol: number;
  readonly tolerance: number;
  readonly maxRefits: number;
  readonly backend: LinalgBackend;
}

/**
 * EMMS under row multiplicities, equal to `emmsCompute` on the materialised rows (the feature
 * route). Available when the features have at most 256 columns and the F-labels at most
 * {@link EMMS_RESAMPLE_MAX_GROUPS} distinct rows (label embeddings: one row per class).
 *
 * @param features - N×D (already reduced).
 * @param ys - the K F-labels (N×L each), or the one-hot labels as the only one.
 * @param labels - the class labels when given (the weighted moments are then shared with the other
 *   scores of the resample); one class otherwise.
 * @param settings - the resolved options and backend.
 */
export function emmsResampling(
  features: Matrix,
  ys: readonly Matrix[],
  labels: Int32Array | undefined,
  settings: EmmsResampleSettings,
): MetricResampling {
  const wide = tooWide(features);
  if (wide) return { unavailable: wide };
  const grouping = groupRows(ys, EMMS_RESAMPLE_MAX_GROUPS);
  if (!grouping) {
    return {
      unavailable: `the F-labels have more than ${EMMS_RESAMPLE_MAX_GROUPS} distinct rows (per-sample F-labels such as captions); EMMS is resampled when they take one value per class or group`,
    };
  }
  const { backend } = settings;
  const d = features.cols;
  const k = ys.length;
  const l = ys[0].cols;
  const g = grouping.count;
  const lambda0 = new Float64Array(k).fill(1 / k);
  const classLabels = labels ?? new Int32Array(features.rows);
  let classes = 0;
  for (const y of classLabels) classes = Math.max(classes, y + 1);
  let last: Standardised | undefined;
  return {
    resample(counts) {
      const rows = resampleMoments(features, classLabels, classes, counts, backend).rows;
      const n = rows.total;
      const weight = new Float64Array(g);
      for (let i = 0; i < counts.length; i++) weight[grouping.group[i]] += counts[i];
      // the F-label standardisation depends on the counts only through the group totals
      if (!last || last.weight.some((w, a) => w !== weight[a]))
        last = standardise(grouping, weight, l, backend);
      const { inner, yg } = last;
      // Xs = S⁻¹(X − 1μᵀ); G = XsᵀW Xs; constant columns (one value over the kept rows) get scale 0
      const moments = resampleMoments(features, classLabels, classes, counts, backend);
      const mu = moments.mean;
      const gram = Float64Array.from(moments.scatter.data);
      const scale = new Float64Array(d);
      let constantColumns = 0;
      for (let j = 0; j < d; j++) {
        const first = features.data[rows.index[0] * d + j];
        let constant = true;
        for (let a = 1; a < rows.index.length && constant; a++) {
          if (features.data[rows.index[a] * d + j] !== first) constant = false;
        }
        if (constant) constantColumns++;
        else scale[j] = 1 / (Math.sqrt(gram[j * d + j] / n) + 1e-8);
      }
      let maxDiag = 0;
      for (let a = 0; a < d; a++) {
        for (let b = 0; b < d; b++) gram[a * d + b] *= scale[a] * scale[b];
        maxDiag = Math.max(maxDiag, gram[a * d + a]);
      }
      for (let j = 0; j < d; j++) if (scale[j] === 0) gram[j * d + j] = maxDiag;
      const m = new Float64Array(k * k);
      if (constantColumns < d) {
        // H (D×G): S⁻¹ Σ_{i∈g} w_i (x_i − μ)
        const h = new Float64Array(d * g);
        rows.index.forEach((i, a) => {
          const o = grouping.group[i];
          const w = rows.weight[a];
          for (let j = 0; j < d; j++) h[j * g + o] += w * scale[j] * (features.data[i * d + j] - mu[j]);
        });
        const hm: Dense = { rows: d, cols: g, data: h };
        const solved = gramProjector(
          { rows: d, cols: d, data: gram },
          { relTol: settings.rankTol, backend },
        ).solve(hm);
        const a = backend.crossProduct(hm, solved).data; // G×G Hᵀ G⁺ H
        const kg = k * g;
        for (let p = 0; p < k; p++) {
          for (let q = 0; q < k; q++) {
            let s = 0;
            for (let u = 0; u < g; u++) {
              for (let v = 0; v < g; v++) s += a[u * g + v] * inner[(p * g + u) * kg + q * g + v];
            }
            m[p * k + q] = s;
          }
        }
      }
      const { residual } = fitWeights(yg, m, {
        k,
        n,
        l,
        mode: settings.mode,
        maxRefits: settings.mode === 'converge' ? settings.maxRefits : 1,
        tolerance: settings.tolerance,
        lambda0,
        // K×K (K F-labels): a native call costs more than the work
        backend: k <= 16 ? jsBackend : backend,
      });
      return residual > 0 ? (-residual * l) / n : 0;
    },
  };
}
