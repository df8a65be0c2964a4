"""Reference values for regression targets in src/rank-regression.test.ts (numpy only).

Run once from packages/harness:  python3 scripts/regression_reference.py
Reads the shared fixture ../../../shared/reference/fixtures/small (X.npy 300x64, Z_bert.npy 300x32)
and writes src/test-data/regression-reference.json with, for two models ("full" = X, "half" =
X[:, :16]) and the target Z_bert (regression):
- logme: LogME regression as thuml's LogME.py computes it (fixed-point, features and targets as
  given, mean evidence over the target columns). The "full" value must equal the fixture's
  logme_flabel_bert (checked below), which validates this port.
- emms: EMMS with the targets as the only F-label (K = 1, so the sparsemax weight is 1): standardise
  X and Y per column (population std + 1e-8), P = least-squares projection of Y onto X's columns,
  score = -||P - Y||_F^2 * L / N.
- the same two scores on the rows repeated by the multiplicities counts[i] = i % 3 (a resample
  materialised), which the bootstrap must reproduce.
"""
import json
import os

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
fixture = os.path.join(here, "..", "..", "..", "..", "shared", "reference", "fixtures", "small")
if not os.path.isdir(fixture):
    fixture = os.path.join(here, "..", "..", "..", "..", "..", "shared", "reference", "fixtures", "small")
X = np.load(os.path.join(fixture, "X.npy")).astype(np.float64)
Z = np.load(os.path.join(fixture, "Z_bert.npy")).astype(np.float64)
expected = json.load(open(os.path.join(fixture, "expected.json")))["metrics"]


def logme_regression(f, y):
    n, d = f.shape
    if n > d:
        s, v = np.linalg.eigh(f.T @ f)
        s = np.abs(s)
        keep = np.sqrt(s) > 1e-10
        s, v = s[keep], v[:, keep]
        u = f @ v / np.sqrt(s)
    else:
        u, sv, _ = np.linalg.svd(f, full_matrices=False)
        s = sv ** 2
    evidences = []
    for t in y.T:
        x = u.T @ t
        x2 = x ** 2
        r0 = t @ t - x2.sum()
        alpha, beta = 1.0, 1.0
        for _ in range(11):
            tau = alpha / beta
            gamma = (s / (s + tau)).sum()
            m2 = (s * x2 / (tau + s) ** 2).sum()
            res2 = (x2 / (1 + s / tau) ** 2).sum() + r0
            alpha = gamma / (m2 + 1e-5)
            beta = (n - gamma) / (res2 + 1e-5)
            if abs(alpha / beta - tau) / tau <= 1e-3:
                break
        e = (d / 2 * np.log(alpha) + n / 2 * np.log(beta) - 0.5 * np.log(alpha + beta * s).sum()
             - beta / 2 * res2 - alpha / 2 * m2 - n / 2 * np.log(2 * np.pi)) / n
        evidences.append(e)
    return float(np.mean(evidences))


def emms_one_flabel(f, y):
    std = lambda a: (a - a.mean(0)) / (a.std(0) + 1e-8)
    xs, ys = std(f), std(y)
    w, *_ = np.linalg.lstsq(xs, ys, rcond=None)
    p = xs @ w
    n, l = y.shape
    return float(-((p - ys) ** 2).sum() * l / n)


full = logme_regression(X, Z)
want = expected["logme_flabel_bert"]["value"]
assert abs(full - want) <= 1e-4 * abs(want), (full, want)

models = {"full": X, "half": X[:, :16]}
rows = np.repeat(np.arange(X.shape[0]), np.arange(X.shape[0]) % 3)
out = {"source": "scripts/regression_reference.py (numpy " + np.__version__ + ")", "full": {}, "resample": {}}
for name, f in models.items():
    out["full"][name] = {"logme": logme_regression(f, Z), "emms": emms_one_flabel(f, Z)}
    out["resample"][name] = {"logme": logme_regression(f[rows], Z[rows]), "emms": emms_one_flabel(f[rows], Z[rows])}
path = os.path.join(here, "..", "src", "test-data", "regression-reference.json")
with open(path, "w") as fh:
    json.dump(out, fh, indent=1)
print(json.dumps(out, indent=1))
