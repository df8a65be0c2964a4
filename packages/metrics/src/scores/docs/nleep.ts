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
  cost: String.raw`PCA O(N D² + D³); EM with K = 5C full-covariance components in d dims: O(N K d²) per step, up to
100 steps. The slowest baseline on large N.`,
};
