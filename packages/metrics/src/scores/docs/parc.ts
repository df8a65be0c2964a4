import type { MetricDocs } from '@emms/metric-spec';

/** What the docs show about PARC: formula, cost and notes (Markdown, TeX in `$…$`). */
export const parcDocs: MetricDocs = {
  formula: String.raw`PCA to min(32, N, D) dimensions (signs fixed so each component's largest loading is positive),
standardised; $\mathrm{RDM}_f = 1 - \mathrm{corr}$ between rows of the reduced features and
$\mathrm{RDM}_y = 1 - \mathrm{corr}$ between rows of the one-hot labels (both N×N);

$$
\mathrm{PARC} = 100 \cdot \rho_{\text{Spearman}}\big(\mathrm{triu}(\mathrm{RDM}_f),\ \mathrm{triu}(\mathrm{RDM}_y)\big).
$$`,
  cost: String.raw`PCA O(N D² + D³), then O(N² d) for the dissimilarity matrices and O(N² log N) for the rank
correlation; memory O(N²).`,
};
