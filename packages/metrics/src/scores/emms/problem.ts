import type { LinalgBackend } from '@emms/linalg';
import type { Matrix, ProgressListener } from '@emms/tensor-io';

/** What either computation route hands the weight updates. */
export interface GramRoute {
  /** K×K ⟨Yps, Yqs⟩. */
  readonly yg: Float64Array;
  /** K×K ⟨Yps, P_X Yqs⟩ (or, on the mixed one-step route, b in every column; see there). */
  readonly m: Float64Array;
  readonly rank: number;
  readonly constantColumns: number;
  /** The precision the large products ran in. */
  readonly precision?: 'float64' | 'float32';
}

/** The standardisation of one F-label (see `columnScaling`). */
export interface Scaling {
  readonly mean: Float64Array;
  readonly scale: Float64Array;
  readonly ss: Float64Array;
  readonly constant: number;
}

/** Everything both routes read: the inputs, their sizes and the run settings. */
export interface EmmsProblem {
  readonly features: Matrix;
  /** The K F-labels (or the one-hot labels), each N×L. */
  readonly ys: readonly Matrix[];
  /** Their column scalings. */
  readonly ysc: readonly Scaling[];
  readonly mode: 'one-step' | 'converge';
  readonly n: number;
  readonly d: number;
  readonly k: number;
  readonly l: number;
  readonly kl: number;
  /** The starting weights 1/K. */
  readonly lambda0: Float64Array;
  readonly relTol: number;
  /** 'float32': the large products in single precision when the backend has the float32 kernels. */
  readonly precision?: 'float64' | 'float32';
  readonly backend: LinalgBackend;
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressListener;
}
