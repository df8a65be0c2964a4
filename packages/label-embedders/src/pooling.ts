import { EmmsError } from '@emms/tensor-io';

/**
 * How token states become one vector.
 * - `reference`: mean over ALL positions of the batch's padded length, padding included, as the
 *   published EMMS code does (`last_hidden_state.mean(dim=1)` after padding to the longest string).
 *   A row therefore depends on which strings share its batch.
 * - `masked-mean`: mean over the real tokens only (attention mask 1); the correct mean.
 * - `cls`: the first position ([CLS] for BERT-style models).
 * - `last`: the last real token (the usual choice for GPT-2-style decoders).
 */
export type Pooling = 'reference' | 'masked-mean' | 'cls' | 'last';

/** Every pooling name, for option validation. */
export const POOLINGS: readonly Pooling[] = ['reference', 'masked-mean', 'cls', 'last'];

/** Throws INVALID_OPTION unless `name` is a {@link Pooling}. */
export function parsePooling(name: string): Pooling {
  if ((POOLINGS as readonly string[]).includes(name)) return name as Pooling;
  throw new EmmsError('INVALID_OPTION', `Unknown pooling "${name}"; use one of ${POOLINGS.join(', ')}.`, {
    input: 'pooling',
  });
}

/**
 * Pools hidden states `[batch, seq, hidden]` (row-major) with the attention mask `[batch, seq]`
 * into `batch × hidden` values.
 */
export function poolHiddenStates(
  hidden: ArrayLike<number>,
  dims: readonly [number, number, number],
  mask: ArrayLike<number | bigint>,
  pooling: Pooling,
): Float32Array {
  const [b, t, h] = dims;
  if (hidden.length !== b * t * h || mask.length !== b * t) {
    throw new EmmsError(
      'SHAPE_MISMATCH',
      `Hidden states ${b}×${t}×${h} and mask of ${mask.length} disagree.`,
      {
        input: 'hidden',
      },
    );
  }
  const out = new Float32Array(b * h);
  for (let i = 0; i < b; i++) {
    const acc = new Float64Array(h);
    let count = 0;
    let lastReal = -1;
    for (let s = 0; s < t; s++) {
      const real = Number(mask[i * t + s]) !== 0;
      if (real) lastReal = s;
      const use =
        pooling === 'reference' || (pooling === 'masked-mean' && real) || (pooling === 'cls' && s === 0);
      if (!use) continue;
      count++;
      const base = (i * t + s) * h;
      for (let j = 0; j < h; j++) acc[j] += hidden[base + j];
    }
    if (pooling === 'last') {
      if (lastReal < 0) lastReal = 0;
      const base = (i * t + lastReal) * h;
      for (let j = 0; j < h; j++) acc[j] = hidden[base + j];
      count = 1;
    }
    if (count === 0) {
      throw new EmmsError('EMBEDDER_INPUT', `Batch row ${i} has no real tokens to pool.`, {
        input: `row ${i}`,
      });
    }
    for (let j = 0; j < h; j++) out[i * h + j] = acc[j] / count;
  }
  return out;
}

/** Divides each row of a `rows × dim` array by its Euclidean norm, in place (zero rows stay zero). */
export function l2NormaliseRows(data: Float32Array, dim: number): Float32Array {
  for (let r = 0; r < data.length / dim; r++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += data[r * dim + j] ** 2;
    const n = Math.sqrt(s);
    if (n > 0) for (let j = 0; j < dim; j++) data[r * dim + j] /= n;
  }
  return data;
}
