// A bag-of-words reference: hashed word counts, no learned weights.
import { EmmsError } from '@emms/tensor-io';
import { BaseEmbedder } from './embedder';
import { wordTokens } from './glove';

/** 32-bit FNV-1a of a string. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The bag-of-words reference (id `bow-hash`): each text's lower-cased word tokens (as {@link wordTokens}
 * splits them) are hashed into `dim` buckets (FNV-1a of the word, bucket = hash mod dim, sign = bit 31 of
 * the hash, so that colliding words tend to cancel rather than add up), each bucket holds the signed sum of
 * its words' counts, the counts are damped as sign·log(1 + |count|), and the row is scaled to unit length.
 * It has no weights and no vocabulary to fit, so it is the same for every dataset: a baseline that a
 * pretrained text model should beat. A text without any word gives a zero row.
 */
export class HashedBowEmbedder extends BaseEmbedder {
  readonly id: string;
  override readonly defaultBatchSize = 4096;
  readonly description: Readonly<Record<string, unknown>>;

  constructor(readonly dim = 1024) {
    super();
    if (!Number.isInteger(dim) || dim < 2) {
      throw new EmmsError('INVALID_OPTION', `the bag-of-words width must be an integer ≥ 2, got ${dim}`, {
        input: 'dim',
      });
    }
    this.id = dim === 1024 ? 'bow-hash' : `bow-hash#dim=${dim}`;
    this.description = {
      embedder: this.id,
      model: 'hashed bag of words (reference, no weights)',
      pooling: `signed FNV-1a hashing into ${dim} buckets, log(1 + count), unit length`,
    };
  }

  async embedBatch(texts: readonly string[]): Promise<Float32Array> {
    const d = this.dim;
    const out = new Float32Array(texts.length * d);
    const acc = new Float64Array(d);
    texts.forEach((text, i) => {
      acc.fill(0);
      for (const w of wordTokens(text)) {
        const h = fnv1a(w);
        acc[h % d] += h & 0x80000000 ? -1 : 1;
      }
      let norm = 0;
      for (let j = 0; j < d; j++) {
        acc[j] = Math.sign(acc[j]) * Math.log1p(Math.abs(acc[j]));
        norm += acc[j] * acc[j];
      }
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let j = 0; j < d; j++) out[i * d + j] = acc[j] * scale;
    });
    return out;
  }
}
