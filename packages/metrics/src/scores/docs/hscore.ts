import type { MetricDocs } from '@emms/metric-spec';

/** What the docs show about H-score: formula, cost and notes (Markdown, TeX in `$…$`). */
export const hscoreDocs: MetricDocs = {
  formula: String.raw`$$
\mathrm{H}(X) = \mathrm{tr}\big(\mathrm{Cov}(X)^{+}\,\mathrm{Cov}(G)\big),
$$

with G the features with each row replaced by its class mean, covariances divided by N − 1 and the
pseudo-inverse cutting eigenvalues below ${'`'}rcond${'`'} × the largest.`,
  cost: String.raw`Two D×D covariances O(N D²) and one symmetric eigendecomposition O(D³).`,
};
