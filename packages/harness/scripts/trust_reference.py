"""Reference values for src/trust/stats.ts and the two-model figures of src/agreement.ts.

Run once (numpy + scipy) from packages/harness:  python3 scripts/trust_reference.py
Writes src/test-data/trust-reference.json:
- kendallW: seeded rank matrices (raters x items, with ties); W from scipy.stats.friedmanchisquare's
  tie-corrected statistic, W = chi2 / (m (n - 1)), for n >= 3 items; for n = 2 from the definition
  with scipy.stats.rankdata (scipy's Friedman test needs three groups).
- quantiles: seeded rank samples; numpy.quantile with method 'lower' at (1 - level)/2 and 'higher'
  at (1 + level)/2.
- twoModels: scipy's weightedtau, kendalltau, pearsonr, spearmanr and the numpy.cov(aweights)
  weighted Pearson for n = 2 (null where scipy gives NaN: a constant input).
"""
import json
import os
import sys
import warnings

import numpy as np
import scipy
from scipy import stats

warnings.simplefilter("ignore")
rng = np.random.default_rng(20261207)
here = os.path.dirname(os.path.abspath(__file__))


def w_definition(rows):
    m, n = rows.shape
    ranks = np.array([stats.rankdata(r) for r in rows])
    sums = ranks.sum(axis=0)
    s = ((sums - m * (n + 1) / 2) ** 2).sum()
    ties = 0.0
    for r in rows:
        _, counts = np.unique(r, return_counts=True)
        ties += (counts ** 3 - counts).sum()
    return 12 * s / (m * m * (n ** 3 - n) - m * ties)


kendall = []
for case in range(60):
    m = int(rng.integers(2, 7))
    n = int(rng.integers(2, 11))
    levels = int(rng.integers(2, n + 3))  # few levels: many ties
    rows = rng.integers(0, levels, size=(m, n)).astype(float)
    if all(len(np.unique(r)) == 1 for r in rows):
        continue
    if n >= 3:
        try:
            chi2 = stats.friedmanchisquare(*[rows[:, i] for i in range(n)]).statistic
        except ValueError:
            continue
        w = chi2 / (m * (n - 1))
        source = "friedmanchisquare"
    else:
        w = w_definition(rows)
        source = "definition"
    if not np.isfinite(w):
        continue
    kendall.append({"rows": rows.tolist(), "w": float(w), "source": source})

quantiles = []
for case in range(30):
    reps = int(rng.integers(1, 250))
    level = float(rng.choice([0.5, 0.8, 0.9, 0.95, 0.99]))
    ranks = (rng.integers(2, 13, size=reps) / 2.0).tolist()
    quantiles.append({
        "ranks": ranks,
        "level": level,
        "low": float(np.quantile(ranks, (1 - level) / 2, method="lower")),
        "high": float(np.quantile(ranks, (1 + level) / 2, method="higher")),
    })


def finite(v):
    v = float(v)
    return v if np.isfinite(v) else None


two = []
for x, y in [([1, 2], [1, 2]), ([1, 2], [2, 1]), ([0.3, -0.1], [91.0, 93.5]), ([5, 5], [1, 2]),
             ([1, 2], [7, 7]), ([3, 3], [4, 4]), ([-1e-3, 2e3], [0.5, 0.25])]:
    xa = np.asarray(x, dtype=float)
    ya = np.asarray(y, dtype=float)
    w = np.array([2.0, 1.0])
    const = np.all(xa == xa[0]) or np.all(ya == ya[0])
    cov = np.cov(xa, ya, aweights=w)
    two.append({
        "x": x,
        "y": y,
        "weightedtau": finite(stats.weightedtau(xa, ya).statistic),
        "kendalltau": finite(stats.kendalltau(xa, ya).statistic),
        "pearson": finite(stats.pearsonr(xa, ya).statistic) if not const else None,
        "spearman": finite(stats.spearmanr(xa, ya).statistic),
        "weightedPearson": None if const else finite(cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])),
    })

target = os.path.join(here, "..", "src", "test-data", "trust-reference.json")
tmp = target + ".tmp"
with open(tmp, "w") as f:
    json.dump({"generator": "scripts/trust_reference.py", "numpy": np.__version__, "scipy": scipy.__version__,
               "kendallW": kendall, "quantiles": quantiles, "twoModels": two}, f, indent=1)
os.replace(tmp, target)
print(f"{len(kendall)} W cases, {len(quantiles)} quantile cases, {len(two)} two-model cases -> {target}",
      file=sys.stderr)
