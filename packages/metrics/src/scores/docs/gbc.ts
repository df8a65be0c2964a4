import type { MetricDocs } from '@emms/metric-spec';

/** What the docs show about GBC: formula, cost and notes (Markdown, TeX in `$…$`). */
export const gbcDocs: MetricDocs = {
  formula: String.raw`After PCA to min(64, N, D) dimensions, each class is a spherical Gaussian with mean μ_c and
variance v_c (the mean per-dimension variance, floored at 1e-4). For every ordered pair of classes

$$
d_B = \sum_d \frac{(\mu_{1d} - \mu_{2d})^2}{8a} + \tfrac12\big(\log a - \tfrac12\log v_1 - \tfrac12\log v_2\big),
\quad a = \tfrac{v_1 + v_2}{2},
$$

and $\mathrm{GBC} = -\sum_{c_1\ne c_2} e^{-d_B}$ (the log terms lack the factor d of the exact
Bhattacharyya distance, as in the reference).`,
  cost: String.raw`PCA O(N D² + D³) then O(C² d).`,
};
