import type { MetricDocs } from '@emms/metric-spec';

/** What the docs show about NLEEP: formula, cost and notes (Markdown, TeX in `$…$`). */
export const nleepDocs: MetricDocs = {
  formula: String.raw`PCA of X (centred) keeping the fewest components that explain more than 80% of the variance; a
Gaussian mixture with 5·C full-covariance components fitted to the projection (k-means
initialisation, seeded); its posteriors $p(z\mid x_i)$ replace the source probabilities of LEEP:

$$
\mathrm{NLEEP} = \frac1N \sum_i \sum_z p(z\mid x_i)\, \hat p(y_i\mid z)
$$

(without the logarithm, as in the reference code).`,
  cost: String.raw`PCA O(N D² + D³); k-means initialisation O(N K d) per Lloyd step; EM with K = 5C full-covariance
components in d dims, up to 100 steps. A component whose weight rests on m ≤ d/2 rows keeps its
covariance factored (Σ = AᵀA + reg·I, A m × d): O(N m d) per step instead of O(N d²), so with the
nearly hard assignments of NLEEP's many components (Σm ≈ N) a step costs O(N² d) rather than
O(N K d²). The slowest baseline on large N.`,
};
