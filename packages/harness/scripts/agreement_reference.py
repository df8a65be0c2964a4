"""Reference values for the correlations in src/agreement.ts that weightedtau-cases.json lacks.

Run once (numpy + scipy) from packages/harness:  python3 scripts/agreement_reference.py
Writes src/test-data/agreement-reference.json: for each (x, y) of the shared weighted-tau cases,
scipy's pearsonr, spearmanr and the weighted Pearson correlation with weights N - i computed from
numpy.cov(..., aweights=w). Constant inputs (NaN in scipy) are skipped.
"""
import json
import os
import sys

import numpy as np
import scipy
from scipy import stats

here = os.path.dirname(os.path.abspath(__file__))
ref = os.environ.get("EMMS_REFERENCE_DIR", os.path.join(here, "..", "..", "..", "..", "shared", "reference"))
cases = json.load(open(os.path.join(ref, "weightedtau-cases.json")))["cases"]

out = []
for i, c in enumerate(cases):
    x = np.asarray(c["x"], dtype=np.float64)
    y = np.asarray(c["y"], dtype=np.float64)
    if len(x) < 3 or np.all(x == x[0]) or np.all(y == y[0]):
        continue
    w = np.arange(len(x), 0, -1, dtype=np.float64)
    cov = np.cov(x, y, aweights=w)
    out.append({
        "case": i,
        "pearson": float(stats.pearsonr(x, y).statistic),
        "spearman": float(stats.spearmanr(x, y).statistic),
        "weightedPearson": float(cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])),
    })

target = os.path.join(here, "..", "src", "test-data", "agreement-reference.json")
tmp = target + ".tmp"
with open(tmp, "w") as f:
    json.dump({"generator": "scripts/agreement_reference.py", "numpy": np.__version__, "scipy": scipy.__version__,
               "cases": out}, f, indent=1)
os.replace(tmp, target)
print(f"{len(out)} cases -> {target}", file=sys.stderr)
