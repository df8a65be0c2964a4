"""Independent reference numbers for src/rank-tests.ts and src/cross-task.ts, from numpy and scipy.

Run once with Debian's python3 from packages/harness:  /usr/bin/python3 scripts/cross_task_reference.py
Writes src/test-data/cross-task-reference.json:
- "friedman": seeded tables of N tasks x k scores (weighted-tau-like values in [-1, 1], some rounded
  to one decimal so that ties occur), with scipy.stats.friedmanchisquare's statistic and p-value
  (scipy's tie correction), the average ranks (scipy.stats.rankdata of minus each row, rank 1 =
  highest), and Iman and Davenport's F computed by hand, F = (N - 1) chi2 / (N (k - 1) - chi2),
  with its p-value scipy.stats.f.sf(F, k - 1, (k - 1)(N - 1)).
- "studentizedRange": scipy.stats.studentized_range.ppf(1 - alpha, k, inf) / sqrt(2) for k = 2..20
  and alpha 0.05, 0.10 (Demsar's q_alpha).
- "suite": five tasks of six models with a ground truth and three rankings each (seeded), each
  ranking's scipy.stats.weightedtau per task, and the exact task-level bootstrap of the mean tau
  over the tasks: all 5^5 equally likely ordered draws of five tasks, numpy's linear quantiles
  (2.5%, 97.5%) of their means, and P(mean tau of "emms" > that of each other ranking), ties 1/2.
"""
import itertools
import json
import os

import numpy as np
import scipy
from scipy import stats

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(5)

friedman = []
for n, k, rounded in [(5, 4, False), (8, 6, True), (14, 4, False), (6, 12, True), (3, 3, True)]:
    table = np.clip(rng.normal(0.4, 0.3, size=(n, k)) + np.linspace(0.3, 0, k), -1, 1)
    if rounded:
        table = np.round(table, 1)
    chi2, p = stats.friedmanchisquare(*table.T)
    ranks = np.array([stats.rankdata(-row) for row in table])
    f = (n - 1) * chi2 / (n * (k - 1) - chi2)
    friedman.append({"table": table.tolist(), "chiSquare": float(chi2), "pValue": float(p),
                     "averageRank": ranks.mean(axis=0).tolist(), "f": float(f),
                     "fPValue": float(stats.f.sf(f, k - 1, (k - 1) * (n - 1)))})

studentized = {str(a): {str(k): float(stats.studentized_range.ppf(1 - a, k, np.inf) / np.sqrt(2))
                        for k in range(2, 21)} for a in [0.05, 0.10]}

models = [f"m{i}" for i in range(6)]
tasks = []
for t in range(5):
    truth = rng.random(6)
    rankings = {
        "emms": truth + rng.normal(0, 0.15, 6),
        "logme": truth + rng.normal(0, 0.35, 6),
        "size": rng.random(6),
    }
    tasks.append({"id": f"t{t}", "truth": dict(zip(models, truth.tolist())),
                  "rankings": {r: dict(zip(models, v.tolist())) for r, v in rankings.items()},
                  "weightedTau": {r: float(stats.weightedtau(v, truth).statistic) for r, v in rankings.items()}})
tau = {r: np.array([t["weightedTau"][r] for t in tasks]) for r in ["emms", "logme", "size"]}
draws = np.array(list(itertools.product(range(5), repeat=5)))
means = {r: tau[r][draws].mean(axis=1) for r in tau}
exact = {r: {"low": float(np.quantile(m, 0.025)), "high": float(np.quantile(m, 0.975)),
             "mean": float(tau[r].mean())} for r, m in means.items()}
beats = {r: float(np.mean(means["emms"] > means[r]) + 0.5 * np.mean(means["emms"] == means[r]))
         for r in ["logme", "size"]}
out = {"generator": "scripts/cross_task_reference.py", "scipy": scipy.__version__, "numpy": np.__version__,
       "friedman": friedman, "studentizedRange": studentized,
       "suite": {"tasks": tasks, "exact": exact, "beats": beats}}
target = os.path.join(here, "..", "src", "test-data", "cross-task-reference.json")
with open(target + ".tmp", "w") as fh:
    json.dump(out, fh, indent=1)
os.replace(target + ".tmp", target)
print(json.dumps({"exact": exact, "beats": beats, "friedman": [(f["chiSquare"], f["pValue"], f["f"]) for f in friedman]}))
