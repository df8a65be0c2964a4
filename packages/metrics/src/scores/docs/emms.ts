import type { MetricDocs } from '@emms/metric-spec';

/** What the docs show about EMMS: formula, cost and notes (Markdown, TeX in `$…$`). */
export const emmsDocs: MetricDocs = {
  summary: String.raw`EMMS (Efficient Multi-task Model Selector) fits a model's features to a learned mixture of label
embeddings from several foundation models, so the same score works for classification, captions,
multi-label and regression targets.`,
  formula: String.raw`With X the N×D features and F-labels Y₁…Y_K (each N×L; the one-hot labels when none are given,
K = 1), all standardised per column:

1. Start from equal weights, $T_0 = \frac1K \sum_k Y_k$.
2. Project onto the column space of X: $\Pi = X W$ with $W$ the minimum-norm least-squares
   solution of $X W \approx T_0$ (unique even when X is rank-deficient).
3. Refit the weights: $\lambda' = \arg\min_\lambda \| \sum_k \lambda_k Y_k - \Pi \|_F^2$ (a K×K
   system), then $\lambda = \mathrm{sparsemax}(\lambda')$, the projection onto the simplex.
4. $T = \sum_k \lambda_k Y_k$ and

$$
\mathrm{EMMS}(X) = -\frac{L}{N}\,\| \Pi - T \|_F^2 .
$$

The factor L comes from the published code (operator precedence); it is the same for every model
of a task, so rankings do not change, and it is kept to match the reference numbers. The
published code runs steps 2–4 once (the default); ${'`'}iterations=converge${'`'} alternates them until the
weights change by at most 1e-8, as the paper describes.`,
  cost: String.raw`One D×D Gram matrix $X^\top X$ (O(N D²)) and its rank-revealing factorisation (O(D³)), or the
N×N Gram when N < D (${'`'}route${'`'}); then O(N D L K) for the projections and a K×K solve. Memory
O(D² + N L K). Option ${'`'}precision: 'float32'${'`'} runs the O(N D²) and O(N D L) products in single
precision (about twice the BLAS speed) when the backend has the float32 kernels.`,
};
