import type { MetricDocs } from '@emms/metric-spec';

/** What the docs show about LEEP: formula, cost and notes (Markdown, TeX in `$…$`). */
export const leepDocs: MetricDocs = {
  formula: String.raw`From the source model's class probabilities P (N×C_s) and the target labels y: the empirical joint
$\hat p(y{=}c, z) = \frac1N\sum_{i: y_i = c} P_{iz}$, the conditional $\hat p(c\mid z)$, and

$$
\mathrm{LEEP} = \frac1N \sum_i \log \sum_z P_{iz}\, \hat p(y_i \mid z).
$$`,
  cost: String.raw`O(N C_s) for the joint and the sum; no linear algebra.`,
};
