import type { MetricDocs } from '@emms/metric-spec';

/** What the docs show about NCE: formula, cost and notes (Markdown, TeX in `$…$`). */
export const nceDocs: MetricDocs = {
  formula: String.raw`With $z_i = \arg\max_z P_{iz}$ the source model's hard prediction, the empirical joint of
(target label, source prediction) gives the negative conditional entropy

$$
\mathrm{NCE} = -H(Y \mid Z) = \sum_z \hat p(z) \sum_c \hat q(c\mid z) \log \hat q(c\mid z),
$$

with $10^{-20}$ added to $\hat q$ as the reference does.`,
  cost: String.raw`O(N C_s) for the argmax, O(C C_s) for the entropy.`,
};
