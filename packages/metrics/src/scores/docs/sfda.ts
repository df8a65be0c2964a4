import type { MetricDocs } from '@emms/metric-spec';

/** What the docs show about SFDA: formula, cost and notes (Markdown, TeX in `$…$`). */
export const sfdaDocs: MetricDocs = {
  formula: String.raw`Self-challenging Fisher discriminant analysis: a regularised linear discriminant
$S_{w,s} = (1-s) S_w + s\,\frac{\mathrm{tr} S_w}{D} I$ with shrinkage $s = \max(e^{-5\hat\lambda}, 10^{-10})$
($\hat\lambda$ from three power steps on $S_w$); class scores
$X S_{w,s}^{-1} M^\top - \tfrac12 \mathrm{diag}(M S_{w,s}^{-1} M^\top) + \log\pi$, turned into
probabilities by a softmax applied twice (a quirk of the reference). ConfMix then moves each
sample towards the other classes' mean in proportion to its own uncertainty, the discriminant is
refitted on the mixed features, and

$$
\mathrm{SFDA} = \frac1N \sum_i p(y_i \mid \tilde x_i).
$$`,
  cost: String.raw`O(N D²) for the scatter matrices, O(D³) for the Cholesky solve, twice.`,
};
