import { EmmsError } from '@emms/tensor-io';

/**
 * How a model output of shape [N, ...] becomes one feature row per item.
 * - "avg": global average over spatial dims: [N,C,H,W] → [N,C] (channels first; see `channelsLast`), [N,C,L] → [N,C]
 * - "mean": mean over tokens: [N,T,D] → [N,D]
 * - "cls": the first token: [N,T,D] → [N,D]
 * - "flatten": [N, ...] → [N, product of the rest]
 * - "none": the output must already be [N,D]
 */
export type PoolMode = 'avg' | 'mean' | 'cls' | 'flatten' | 'none';

/** The pooling modes, for option validation. */
export const POOL_MODES: readonly PoolMode[] = ['avg', 'mean', 'cls', 'flatten', 'none'];

/** A float output of a model: dims plus row-major data. */
export interface OutputTensor {
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/** Pooled rows: `rows` × `cols`, row-major. */
export interface PooledRows {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/**
 * Pools a batch output into rows. `channelsLast` says a rank-4 map is [N,H,W,C] (TensorFlow-style) for "avg".
 * Throws INVALID_OPTION when the mode does not fit the output rank.
 */
export function pool(t: OutputTensor, mode: PoolMode, channelsLast = false): PooledRows {
  const dims = t.dims;
  const n = dims[0];
  const per = n === 0 ? 0 : t.data.length / n;
  const fail = (why: string) =>
    new EmmsError(
      'INVALID_OPTION',
      `pool "${mode}" cannot reduce an output of shape [${dims.join(',')}]: ${why}`,
      {
        input: 'pool',
      },
    );
  switch (mode) {
    case 'none':
      if (dims.length !== 2) throw fail('the output is not [N,D]; choose avg, mean, cls or flatten');
      return { rows: n, cols: dims[1], data: t.data };
    case 'flatten':
      return { rows: n, cols: per, data: t.data };
    case 'avg': {
      if (dims.length === 2) return { rows: n, cols: dims[1], data: t.data };
      if (dims.length < 3) throw fail('needs rank 3 or more');
      if (channelsLast) {
        const c = dims[dims.length - 1];
        const s = per / c;
        const out = new Float32Array(n * c);
        for (let i = 0; i < n; i++) {
          const base = i * per;
          const acc = new Float64Array(c);
          for (let p = 0; p < s; p++) for (let k = 0; k < c; k++) acc[k] += t.data[base + p * c + k];
          for (let k = 0; k < c; k++) out[i * c + k] = acc[k] / s;
        }
        return { rows: n, cols: c, data: out };
      }
      const c = dims[1];
      const s = per / c;
      const out = new Float32Array(n * c);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < c; k++) {
          const base = i * per + k * s;
          let acc = 0;
          for (let p = 0; p < s; p++) acc += t.data[base + p];
          out[i * c + k] = acc / s;
        }
      }
      return { rows: n, cols: c, data: out };
    }
    case 'mean':
    case 'cls': {
      if (dims.length !== 3) throw fail('needs [N,T,D] tokens');
      const [, tk, d] = dims;
      const out = new Float32Array(n * d);
      for (let i = 0; i < n; i++) {
        if (mode === 'cls') {
          out.set(t.data.subarray(i * per, i * per + d), i * d);
          continue;
        }
        const acc = new Float64Array(d);
        for (let j = 0; j < tk; j++) for (let k = 0; k < d; k++) acc[k] += t.data[i * per + j * d + k];
        for (let k = 0; k < d; k++) out[i * d + k] = acc[k] / tk;
      }
      return { rows: n, cols: d, data: out };
    }
    default:
      throw new EmmsError('INVALID_OPTION', `unknown pool "${mode}"; use one of ${POOL_MODES.join(', ')}`, {
        input: 'pool',
      });
  }
}
