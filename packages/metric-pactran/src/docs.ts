// What the docs show about the three PACTran metrics (Markdown, TeX in `$…$`): declared with the
// metrics, as any plugin's facts are, so the score pages and `emms metrics` read them from there.
import type { MetricDocs } from '@emms/metric-spec';

const sources = String.raw`Dirichlet and Gamma need soft source assignments $S$ (N×K): by default
(${'`'}source${'`'} = gmm, the reference's ${'`'}gmm_estimator${'`'}) the posterior of a full-covariance Gaussian
mixture with $K = \max(\min(C, \lfloor 0.2N\rfloor), \lfloor 0.1N\rfloor)$ components, fitted by
seeded EM on the PCA of the features keeping 80% of the variance; with ${'`'}source${'`'} = probs, the
source model's class probabilities.`;

const cost = String.raw`Dirichlet and Gamma: the PCA (O(N D²)), EM on the mixture (O(N K p²) per step
in p PCA dimensions) and 10 mean-field passes (O(N K C)). Gauss: L-BFGS on a linear softmax, each
evaluation O(N D C), at most 100 iterations.`;

/** PACTran-Dirichlet. */
export const dirichletDocs: MetricDocs = {
  summary: sources,
  formula: String.raw`With $a_{0,c} = \alpha\,n_c/N + 10^{-10}$ and $q = S$, repeat 10 times:
$a_w[c,z] = a_{0,c} + \sum_{i: y_i = c} q_{iz}$ and
$q_{iz} \propto s_{iz}\,\exp\big(\psi(a_w[y_i,z]) - \psi(\sum_c a_w[c,z])\big)$. With
$\log C(a) = \log\Gamma(\sum a) - \sum\log\Gamma(a)$,

$$
\mathrm{PAC}_{\mathrm{Dir}} = -\frac{K\log C(a_0) - \sum_z \log C(a_w[\cdot,z]) - \sum_i \mathrm{KL}(q_i\,\|\,s_i)}{N\,C}.
$$

Lower is better: it bounds the fine-tuning loss.`,
  cost,
};

/** PACTran-Gamma. */
export const gammaDocs: MetricDocs = {
  summary: sources,
  formula: String.raw`Same $a_0$ and start; repeat 10 times: $a_w$ as for Dirichlet,
$l_i = \sum_z s_{iz}\sum_c a_w[c,z]$, $q_{iz} \propto s_{iz}\exp(\psi(a_w[y_i,z]))$. Then

$$
\mathrm{PAC}_{\Gamma} = \frac{\sum_{c,z}\big(\log\Gamma(a_{0,c}) - \log\Gamma(a_w[c,z])\big) + \sum_i\big(\mathrm{KL}(q_i\,\|\,s_i) + \log l_i - 1\big)}{N\,C} + 1.
$$`,
  cost,
};

/** PACTran-Gauss. */
export const gaussDocs: MetricDocs = {
  formula: String.raw`On the column-centred features, a linear softmax $\theta = (W, b)$ with prior
$W \sim \mathcal N(0, \lambda N I)$ is fitted by L-BFGS to
$L(\theta) = \frac1N\sum_i -\log\mathrm{softmax}(x_i W + b)_{y_i} + \|W\|^2/(2\lambda N)$; with
$\Sigma h$ the sum of the Hessian's diagonal (data term without its $1/N$, a reference quirk) and
$\sigma^{-2} = \Sigma h\,\lambda N/(DC) + 10^{-10}$,

$$
\mathrm{PAC}_{\mathrm{Gauss}} = L(\theta^\ast) + \tfrac12\,\frac{DC}{\lambda N}\,\frac{s_2}{D}\,\log\sigma^{-2}.
$$`,
  cost,
  notes: [
    {
      title: 'Two values per λ in the reference',
      body: String.raw`The reference reports $s_2 = 100\lambda$ and $10\lambda$ for each
$\lambda \in \{10, 1, 0.1\}$; this metric reports one (${'`'}s2Factor${'`'}, default $100\lambda$), and its
details carry ${'`'}pacOpt${'`'} and ${'`'}sigma2Inv${'`'}, from which the other follows.`,
    },
  ],
};
