import { type Dense, getBackend, type LinalgBackend } from '@emms/linalg';
import { seededRandom } from './util';

/**
 * float64 elements of one product block (32 MiB): row blocks of the data are sized so that a
 * block's product with the centres or a whitening factor stays below this.
 */
export const BLOCK_ELEMS = 1 << 22;

function sqDist(a: Float64Array, ao: number, b: Float64Array, bo: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = a[ao + j] - b[bo + j];
    s += t * t;
  }
  return s;
}

/** Squared norm of every row of a row-major n × d matrix. */
export function rowNorms(data: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * d, e = j + d; j < e; j++) s += data[j] * data[j];
    out[i] = s;
  }
  return out;
}

/** The given rows of a row-major n × d matrix, transposed: d × rows.length. */
function transposedRows(data: Float64Array, d: number, rows: ArrayLike<number>): Dense {
  const m = rows.length;
  const out = new Float64Array(d * m);
  for (let c = 0; c < m; c++) {
    const o = rows[c] * d;
    for (let j = 0; j < d; j++) out[j * m + c] = data[o + j];
  }
  return { rows: d, cols: m, data: out };
}

/**
 * Squared distances from every row of x to each of m points, ‖x‖² + ‖c‖² − 2 x·c with the cross
 * terms as one product X Cᵀ per row block on the backend, clamped at 0. Calls `visit(i, row)`
 * with row i's m distances (a view valid during the call only).
 */
function forEachDistanceRow(
  backend: LinalgBackend,
  x: Dense,
  xNorms: Float64Array,
  centresT: Dense,
  centreNorms: Float64Array,
  visit: (i: number, row: Float64Array, offset: number) => void,
): void {
  const { rows: n, cols: d, data } = x;
  const m = centresT.cols;
  const rb = Math.max(1, Math.min(n, Math.floor(BLOCK_ELEMS / Math.max(1, m, d))));
  for (let r0 = 0; r0 < n; r0 += rb) {
    const nb = Math.min(rb, n - r0);
    const g = backend.matmul(
      { rows: nb, cols: d, data: data.subarray(r0 * d, (r0 + nb) * d) },
      centresT,
    ).data;
    for (let i = 0; i < nb; i++) {
      const o = i * m;
      const xi = xNorms[r0 + i];
      for (let c = 0; c < m; c++) {
        const v = xi + centreNorms[c] - 2 * g[o + c];
        g[o + c] = Math.max(v, 0);
      }
      visit(r0 + i, g, o);
    }
  }
}

/**
 * k-means++ seeding (greedy, 2 + ⌊ln K⌋ candidates per centre) followed by Lloyd iterations (stop
 * when no label changes or the centres move by less than 1e-4 × the mean feature variance), as
 * scikit-learn's KMeans with one initialisation, but seeded with this project's generator. The
 * distances of all rows to the candidates or centres are ‖x‖² + ‖c‖² − 2XCᵀ, one product on the
 * backend per step; an emptied cluster takes the row farthest from its centre.
 *
 * @param x - N × d rows (float64).
 * @param k - clusters, 1 ≤ k ≤ N.
 * @param seed - seed of the k-means++ draws; equal seeds give equal labels.
 * @param maxIter - Lloyd iterations at most (default 300).
 * @param backend - linear-algebra backend (default: the current one).
 * @returns the cluster (0..k−1) of every row, length N.
 * @see Arthur & Vassilvitskii, "k-means++: the advantages of careful seeding", SODA 2007.
 * @example
 * ```ts
 * const labels = kmeans({ rows: 4, cols: 1, data: Float64Array.of(0, 0.1, 5, 5.1) }, 2, 0);
 * // labels[0] === labels[1], labels[2] === labels[3], labels[0] !== labels[2]
 * ```
 */
export function kmeans(
  x: Dense,
  k: number,
  seed: number,
  maxIter = 300,
  backend?: LinalgBackend,
): Int32Array {
  const la = backend ?? getBackend();
  const { rows: n, cols: d, data } = x;
  const rand = seededRandom(seed);
  const xNorms = rowNorms(data, n, d);
  const centers = new Float64Array(k * d);
  const first = Math.min(n - 1, Math.floor(rand() * n));
  centers.set(data.subarray(first * d, first * d + d), 0);
  const closest = new Float64Array(n);
  for (let i = 0; i < n; i++) closest[i] = sqDist(data, i * d, centers, 0, d);
  const trials = 2 + Math.floor(Math.log(k));
  const cum = new Float64Array(n);
  const candPot = new Float64Array(trials);
  const candIds = new Int32Array(trials);
  const candDist = new Float64Array(n * trials);
  for (let c = 1; c < k; c++) {
    let pot = 0;
    for (let i = 0; i < n; i++) {
      pot += closest[i];
      cum[i] = pot;
    }
    for (let t = 0; t < trials; t++) {
      const r = rand() * pot;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid] < r) lo = mid + 1;
        else hi = mid;
      }
      candIds[t] = lo;
    }
    // Potential of each candidate: Σ_i min(closest_i, ‖x_i − x_cand‖²), all candidates in one product.
    const candNorms = Float64Array.from(candIds, (id) => xNorms[id]);
    candPot.fill(0);
    forEachDistanceRow(la, x, xNorms, transposedRows(data, d, candIds), candNorms, (i, row, o) => {
      const ci = closest[i];
      for (let t = 0; t < trials; t++) {
        const v = row[o + t];
        const m = Math.min(v, ci);
        candDist[i * trials + t] = m;
        candPot[t] += m;
      }
    });
    let bestPot = Number.POSITIVE_INFINITY;
    let best = 0;
    for (let t = 0; t < trials; t++) {
      if (candPot[t] < bestPot) {
        bestPot = candPot[t];
        best = t;
      }
    }
    const bestId = candIds[best];
    centers.set(data.subarray(bestId * d, bestId * d + d), c * d);
    for (let i = 0; i < n; i++) closest[i] = candDist[i * trials + best];
  }
  // Lloyd: stop when no label changes or the centres move by less than 1e-4 × mean feature variance.
  let meanVar = 0;
  for (let j = 0; j < d; j++) {
    let m = 0;
    let q = 0;
    for (let i = 0; i < n; i++) m += data[i * d + j];
    m /= n;
    for (let i = 0; i < n; i++) q += (data[i * d + j] - m) ** 2;
    meanVar += q / n;
  }
  const tol = (1e-4 * meanVar) / d;
  const labels = new Int32Array(n).fill(-1);
  const dist = new Float64Array(n);
  const all = Int32Array.from({ length: k }, (_, c) => c);
  /** Nearest centre of every row (ties: lowest index) into `assign`, its squared distance into dist; returns how many changed. */
  const assign = (into: Int32Array): number => {
    const centreNorms = rowNorms(centers, k, d);
    let changed = 0;
    forEachDistanceRow(la, x, xNorms, transposedRows(centers, d, all), centreNorms, (i, row, o) => {
      let bl = 0;
      let bd = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        if (row[o + c] < bd) {
          bd = row[o + c];
          bl = c;
        }
      }
      dist[i] = bd;
      if (into[i] !== bl) changed++;
      into[i] = bl;
    });
    return changed;
  };
  for (let it = 0; it < maxIter; it++) {
    if (assign(labels) === 0) break;
    const next = new Float64Array(k * d);
    const count = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      count[labels[i]]++;
      for (let j = 0; j < d; j++) next[labels[i] * d + j] += data[i * d + j];
    }
    // An empty cluster takes the point farthest from its centre (ties: lowest index).
    const taken = new Uint8Array(n);
    for (let c = 0; c < k; c++) {
      if (count[c] > 0) continue;
      let far = -1;
      for (let i = 0; i < n; i++)
        if (!taken[i] && count[labels[i]] > 1 && (far < 0 || dist[i] > dist[far])) far = i;
      if (far < 0) continue;
      taken[far] = 1;
      const old = labels[far];
      count[old]--;
      for (let j = 0; j < d; j++) next[old * d + j] -= data[far * d + j];
      labels[far] = c;
      count[c] = 1;
      for (let j = 0; j < d; j++) next[c * d + j] = data[far * d + j];
    }
    let shift = 0;
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) {
        const v = next[c * d + j] / count[c];
        shift += (v - centers[c * d + j]) ** 2;
        centers[c * d + j] = v;
      }
    }
    if (shift <= tol) {
      // final assignment to the last centres
      assign(labels);
      break;
    }
  }
  return labels;
}
