import type { MetricDocs } from '@emms/metric-spec';

/** What the docs show about LogME: formula, cost and notes (Markdown, TeX in `$…$`). */
export const logmeDocs: MetricDocs = {
  formula: String.raw`For each target column t (the indicator of class c, or a column of a regression target), LogME
maximises the evidence of Bayesian linear regression $t = X w + \varepsilon$ with prior
$w \sim \mathcal N(0, \alpha^{-1} I)$ and noise $\varepsilon \sim \mathcal N(0, \beta^{-1} I)$.
With $\sigma_i$ the eigenvalues of $X^\top X$ and $x = U^\top t$ in its eigenbasis, a fixed-point
iteration updates

$$
\gamma = \sum_i \frac{\sigma_i}{\sigma_i + \alpha/\beta},\qquad
\alpha = \frac{\gamma}{m^\top m},\qquad \beta = \frac{N - \gamma}{\|t - X m\|^2}
$$

(at most 11 passes), and the score is the mean over columns of the log evidence per sample,

$$
\frac1N\Big[\tfrac D2 \log\alpha + \tfrac N2\log\beta - \tfrac12\sum_i \log(\alpha + \beta\sigma_i)
- \tfrac\beta2\|t - Xm\|^2 - \tfrac\alpha2 m^\top m - \tfrac N2 \log 2\pi\Big].
$$

Features and targets are used as given (no centring or scaling), as the reference does.`,
  cost: String.raw`One eigendecomposition of the D×D Gram (O(N D² + D³)), or a thin SVD of X when N ≤ D; then
O(k C) per fixed-point pass for C target columns.`,
};
