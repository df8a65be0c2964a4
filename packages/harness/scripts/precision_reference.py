"""Independent reference numbers for src/precision.ts, from numpy and scipy.

Run once with Debian's python3 from packages/harness:  /usr/bin/python3 scripts/precision_reference.py
Writes src/test-data/precision-reference.json: per-item correctness of six models on 400 test items
(numpy's seeded generator, accuracies from 0.55 to 0.80 with neighbouring gaps from 0.005 to 0.1,
correlated through a shared item difficulty), each model's accuracy and its analytic standard error
sqrt(p (1 - p) / M), and for each pair of models neighbouring in accuracy McNemar's exact test
(scipy.stats.binomtest on the discordant items, two-sided).
"""
import json
import os
import sys

import numpy as np
import scipy
from scipy.stats import binomtest

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(3)
M = 400
difficulty = rng.random(M)
targets = {"m0": 0.80, "m1": 0.70, "m2": 0.695, "m3": 0.62, "m4": 0.60, "m5": 0.55}
correct = {}
for name, p in targets.items():
    noise = rng.random(M) * 0.6
    score = difficulty * 0.4 + noise
    cut = np.quantile(score, p)
    correct[name] = (score < cut).astype(int)
acc = {k: float(v.mean()) for k, v in correct.items()}
order = sorted(acc, key=lambda k: -acc[k])
pairs = []
for a, b in zip(order, order[1:]):
    only_a = int(((correct[a] == 1) & (correct[b] == 0)).sum())
    only_b = int(((correct[a] == 0) & (correct[b] == 1)).sum())
    p = binomtest(only_a, only_a + only_b, 0.5).pvalue if only_a + only_b > 0 else 1.0
    pairs.append({"better": a, "worse": b, "onlyBetter": only_a, "onlyWorse": only_b, "mcnemarP": float(p)})
out = {"generator": "scripts/precision_reference.py", "scipy": scipy.__version__, "numpy": np.__version__,
       "items": M, "correct": {k: "".join(map(str, v)) for k, v in correct.items()}, "accuracy": acc,
       "standardError": {k: float(np.sqrt(a * (1 - a) / M)) for k, a in acc.items()}, "order": order,
       "pairs": pairs}
target = os.path.join(here, "..", "src", "test-data", "precision-reference.json")
with open(target + ".tmp", "w") as fh:
    json.dump(out, fh, indent=1)
os.replace(target + ".tmp", target)
print(json.dumps({"accuracy": acc, "pairs": pairs}), file=sys.stderr)
