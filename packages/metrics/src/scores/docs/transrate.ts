import type { MetricDocs } from '@emms/metric-spec';

/** What the docs show about TransRate: formula, cost and notes (Markdown, TeX in `$…$`). */
export const transrateDocs: MetricDocs = {
  formula: String.raw`With Z the column-centred features and the coding rate $R(A) = \tfrac12 \log\det(I + \tfrac{1}{n\epsilon} A^\top A)$
(n the rows of A, ε = 1e-4):

$$
\mathrm{TransRate} = R(Z) - \frac1C \sum_c R(Z_c),
$$

Z_c the rows of class c. A large value means the features are spread out overall but compact
within each class.`,
  cost: String.raw`C + 1 log-determinants of D×D matrices: O(N D² + C D³).`,
};
