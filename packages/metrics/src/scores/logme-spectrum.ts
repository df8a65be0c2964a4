import { type Dense, getBackend, type LinalgBackend } from '@emms/linalg';
import { EmmsError, type Matrix } from '@emms/tensor-io';
import { columnEvidence, type LogmeVariant } from './logme-evidence';

/**
 * The part of LogME that depends on the features only: the spectrum σ of the smaller Gram matrix
 * and a basis that turns a target column t into Uᵀt. Computed once by {@link logmeSpectrum} and
 * reused for any number of targets by {@link logmeEvidenceForTargets}.
 */
export interface LogmeSpectrum {
  /** Samples N of the features. */
  readonly rows: number;
  /** Feature dimension D. */
  readonly cols: number;
  /** The k spectrum values used, descending. */
  readonly sigma: Float64Array;
  /**
   * N > D: D × k, the kept eigenvectors of XᵀX scaled by 1/√σ, so Uᵀt = basisᵀ(Xᵀt).
   * N ≤ D: N × k (k = N), the eigenvectors of XXᵀ, so Uᵀt = basisᵀt.
   */
  readonly basis: Dense;
  /** Whether a target is first multiplied by Xᵀ (N > D). */
  readonly throughFeatures: boolean;
  /** The features (kept to form Xᵀt when `throughFeatures`). */
  readonly features: Matrix;
  readonly backend: LinalgBackend;
}

/**
 * The LogME spectrum from the eigenvalues of a Gram matrix: the indices of the values kept, in
 * descending order of |λ|, and σ = |λ| for each. With `floorAndCut` (XᵀX, N > D) values below
 * machine precision relative to the largest are taken at ε·σ_max, the level an SVD of XᵀX returns for
 * exact null directions (e.g. a dead column), and those with √σ ≤ 1e-10 are dropped, as the reference
 * does; without it (XXᵀ, N ≤ D) every value is kept.
 */
export function keptSpectrum(
  values: Float64Array,
  floorAndCut: boolean,
): { kept: number[]; sigma: Float64Array } {
  const order = Array.from({ length: values.length }, (_, i) => i).sort(
    (a, b) => Math.abs(values[b]) - Math.abs(values[a]),
  );
  if (!floorAndCut) return { kept: order, sigma: Float64Array.from(order, (i) => Math.abs(values[i])) };
  let top = 0;
  for (let i = 0; i < values.length; i++) top = Math.max(top, Math.abs(values[i]));
  const floor = 2 ** -52 * top;
  const kept: number[] = [];
  const sig: number[] = [];
  for (const i of order) {
    const v = Math.max(Math.abs(values[i]), floor);
    if (Math.sqrt(v) > 1e-10) {
      kept.push(i);
      sig.push(v);
    }
  }
  return { kept, sigma: Float64Array.from(sig) };
}

/**
 * Eigendecomposition for LogME, once per features matrix: XᵀX (D × D) when N > D, keeping the
 * values with √σ > 1e-10 (values below ε·σ_max taken at ε·σ_max, as an SVD of XᵀX reports exact
 * null directions); else XXᵀ (N × N), keeping all N values.
 *
 * @param features - N × D features, float32 or float64, used as given (no centring).
 * @param backend - linear-algebra backend (default: the current one).
 * @returns the spectrum and projection basis for {@link logmeEvidenceForTargets}.
 * @throws EmmsError `SHAPE_MISMATCH` when the features have no rows or no columns.
 * @see You et al., "LogME: Practical Assessment of Pre-trained Models for Transfer Learning", ICML 2021.
 * @example
 * ```ts
 * const features = { rows: 4, cols: 2, data: new Float64Array([1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9]) };
 * const z1 = { rows: 4, cols: 1, data: new Float64Array([1, 1, 0, 0]) };
 * const z2 = { rows: 4, cols: 1, data: new Float64Array([0, 1, 0, 1]) };
 * const s = logmeSpectrum(features);
 * const perFlabel = logmeEvidenceForTargets(s, [{ targets: z1 }, { targets: z2 }]).map((r) => r.value);
 * console.assert(perFlabel.length === 2 && perFlabel.every(Number.isFinite));
 * ```
 */
export function logmeSpectrum(features: Matrix, backend: LinalgBackend = getBackend()): LogmeSpectrum {
  const n = features.rows;
  const d = features.cols;
  if (n === 0 || d === 0) {
    throw new EmmsError(
      'SHAPE_MISMATCH',
      `features is ${n}×${d}; LogME needs at least one row and one column`,
      {
        input: 'features',
      },
    );
  }
  if (n > d) {
    const { values, vectors } = backend.eigh(backend.gram(features));
    const { kept, sigma: sig } = keptSpectrum(values, true);
    const k = kept.length;
    const basis = new Float64Array(d * k);
    const v = vectors.data;
    for (let a = 0; a < k; a++) {
      const inv = 1 / Math.sqrt(sig[a]);
      const col = kept[a];
      for (let j = 0; j < d; j++) basis[j * k + a] = v[j * d + col] * inv;
    }
    return {
      rows: n,
      cols: d,
      sigma: sig,
      basis: { rows: d, cols: k, data: basis },
      throughFeatures: true,
      features,
      backend,
    };
  }
  const xt = new Float64Array(d * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) xt[j * n + i] = features.data[i * d + j];
  const { values, vectors } = backend.eigh(backend.gram({ rows: d, cols: n, data: xt }));
  const { kept: order, sigma } = keptSpectrum(values, false);
  const basis = new Float64Array(n * n);
  const v = vectors.data;
  for (let a = 0; a < n; a++) {
    const col = order[a];
    for (let i = 0; i < n; i++) basis[i * n + a] = v[i * n + col];
  }
  return {
    rows: n,
    cols: d,
    sigma,
    basis: { rows: n, cols: n, data: basis },
    throughFeatures: false,
    features,
    backend,
  };
}

/** A LogME target: class labels (one indicator column per class) or a regression target matrix. */
export type LogmeTarget = { readonly labels: Int32Array } | { readonly targets: Matrix };

/** LogME of one target against a precomputed spectrum. */
export interface LogmeTargetEvidence {
  /** Mean evidence over the target's columns (the LogME score). */
  readonly value: number;
  readonly mode: 'classification' | 'regression';
  /** Evidence per class or per target column. */
  readonly evidence: number[];
  /** Fixed-point iterations per column. */
  readonly iterations: number[];
}

/** The target as columns: T (N × columns, float) and ‖t_j‖² per column. */
function targetColumns(
  t: LogmeTarget,
  n: number,
): { matrix: Matrix; norms: Float64Array; mode: LogmeTargetEvidence['mode'] } {
  if ('labels' in t) {
    const y = t.labels;
    if (y.length !== n) {
      throw new EmmsError('ROW_MISMATCH', `labels has ${y.length} entries but features has ${n} rows`, {
        input: 'labels',
        details: { expected: n, found: y.length },
      });
    }
    let c = 0;
    for (let i = 0; i < n; i++) {
      if (!Number.isInteger(y[i]) || y[i] < 0) {
        throw new EmmsError('LABEL_OUT_OF_RANGE', `labels[${i}] is ${y[i]}; labels must be integers ≥ 0`, {
          input: 'labels',
        });
      }
      c = Math.max(c, y[i] + 1);
    }
    const data = new Float64Array(n * c);
    const norms = new Float64Array(c);
    for (let i = 0; i < n; i++) {
      data[i * c + y[i]] = 1;
      norms[y[i]]++;
    }
    return { matrix: { rows: n, cols: c, data }, norms, mode: 'classification' };
  }
  const m = t.targets;
  if (m.rows !== n) {
    throw new EmmsError('ROW_MISMATCH', `targets has ${m.rows} rows but features has ${n}`, {
      input: 'targets',
      details: { expected: n, found: m.rows },
    });
  }
  const norms = new Float64Array(m.cols);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m.cols; j++) {
      const v = m.data[i * m.cols + j];
      norms[j] += v * v;
    }
  }
  return { matrix: m, norms, mode: 'regression' };
}

/**
 * LogME of several targets against one {@link logmeSpectrum}: per target, Uᵀt for all its columns
 * is one or two products, then the fixed-point evidence per column. The eigendecomposition is not
 * repeated, so K F-labels cost one decomposition instead of K.
 *
 * @param spectrum - from {@link logmeSpectrum} on the features (N × D).
 * @param targets - each `{ labels }` (N class indices ≥ 0) or `{ targets }` (N × L regression targets).
 * @param variant - the evidence maximisation (default `fixed-point`, thuml's); see {@link columnEvidence}.
 * @returns per target: the score (mean evidence over columns), the mode, per-column evidence and iterations.
 * @throws EmmsError `ROW_MISMATCH` when a target's rows differ from N; `LABEL_OUT_OF_RANGE` for a negative or non-integer label.
 * @see You et al., ICML 2021 (thuml's fixed-point LogME).
 * @example
 * ```ts
 * const features = { rows: 4, cols: 2, data: new Float64Array([1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9]) };
 * const zBert = { rows: 4, cols: 2, data: new Float64Array([1, 0, 1, 0, 0, 1, 0, 1]) };
 * const s = logmeSpectrum(features);
 * const [cls, bert] = logmeEvidenceForTargets(s, [{ labels: Int32Array.from([0, 0, 1, 1]) }, { targets: zBert }]);
 * console.assert(cls.mode === 'classification' && bert.mode === 'regression');
 * ```
 */
export function logmeEvidenceForTargets(
  spectrum: LogmeSpectrum,
  targets: readonly LogmeTarget[],
  variant: LogmeVariant = 'fixed-point',
): LogmeTargetEvidence[] {
  const { rows: n, cols: d, sigma, basis, backend } = spectrum;
  const k = sigma.length;
  return targets.map((t) => {
    const { matrix, norms, mode } = targetColumns(t, n);
    const columns = matrix.cols;
    const through = spectrum.throughFeatures ? backend.crossProduct(spectrum.features, matrix) : matrix;
    // k × columns: row a = (Uᵀ T)[a, ·]; evidence wants each column contiguous, so transpose.
    const p = backend.crossProduct(basis, through).data;
    const proj = new Float64Array(columns * k);
    for (let a = 0; a < k; a++) for (let c = 0; c < columns; c++) proj[c * k + a] = p[a * columns + c];
    const evidence: number[] = [];
    const iterations: number[] = [];
    let sum = 0;
    for (let c = 0; c < columns; c++) {
      const e = columnEvidence(sigma, proj, c * k, norms[c], n, d, variant);
      evidence.push(e.evidence);
      iterations.push(e.iterations);
      sum += e.evidence;
    }
    return { value: sum / Math.max(columns, 1), mode, evidence, iterations };
  });
}
