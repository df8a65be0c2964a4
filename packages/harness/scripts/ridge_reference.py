"""Independent reference numbers for src/ridge-probe.ts, src/retrieval-probe.ts and the R² bootstrap of
src/item-truth.ts, from scikit-learn's Ridge / RidgeCV and r2_score.

Run once with Debian's python3 (numpy, scipy, scikit-learn) from packages/harness:
  /usr/bin/python3 scripts/ridge_reference.py
Writes src/test-data/ridge-reference.json; the numbers come from scikit-learn and numpy only.

Cases (fixtures under ../shared/reference/fixtures, EMMS_REFERENCE_DIR overrides; row i is a test row
when i % 4 == 3, the others train rows in order):
- "boxes": features small/X.npy (300x64); targets are boxes (x0, y0, x1, y1) in [0, 1] made here from
  a seeded linear map of the features plus noise (stored in the JSON, so the test reads the same
  numbers).
- "captions": features captions/X.npy (400x80) to caption embeddings captions/Z_bert.npy (400x24).
- "wide": features wide/X.npy (120x200, D > N: the dual solve) to wide/Z_clip.npy (120x16).
Features are standardised with train statistics, (v - mean) / (std + 1e-8), population std. For
each alpha of the grid, 3-fold CV (train row i in fold i % 3): the mean over folds of the
validation mean squared error (over items and columns) of Ridge(alpha) fitted on the other folds;
the chosen alpha is the largest whose CV error is within 1e-4 (relative) of the smallest, and
RidgeCV(alphas, cv=the same folds, scoring='neg_mean_squared_error') is checked to choose the same.
Then Ridge(chosen alpha) on all train rows: test predictions, r2_score per column and averaged,
squared errors, for boxes the IoU of each predicted box (clamped to [0, 1], corners ordered) with
the true one, for captions the rank of each item's own caption among the distinct test captions by
cosine similarity (1 + the number of other candidates at least as similar).
R² on resamples: r2_score with sample_weight = bootstrap counts (numpy's seeded generator) equals
R² on the resampled rows; three count vectors and their values are stored.
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.metrics import r2_score

here = os.path.dirname(os.path.abspath(__file__))
ref = os.environ.get("EMMS_REFERENCE_DIR", os.path.join(here, "..", "..", "..", "..", "shared", "reference"))
GRID = [0.01, 0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0]


def load(name, target):
    x = np.load(os.path.join(ref, "fixtures", name, "X.npy")).astype(np.float64)
    if target == "boxes":
        rng = np.random.default_rng(7)
        proj = rng.normal(size=(x.shape[1], 4)) / np.sqrt(x.shape[1])
        z = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-8) @ proj + 0.3 * rng.normal(size=(len(x), 4))
        s = 1 / (1 + np.exp(-z))
        centre, size = s[:, :2], 0.1 + 0.5 * s[:, 2:]
        y = np.clip(np.concatenate([centre - size / 2, centre + size / 2], axis=1), 0, 1)
        y = np.round(y, 6)
    else:
        y = np.load(os.path.join(ref, "fixtures", name, target)).astype(np.float64)
    return x, y


def iou(p, t):
    p = np.clip(np.array([min(p[0], p[2]), min(p[1], p[3]), max(p[0], p[2]), max(p[1], p[3])]), 0, 1)
    iw = max(0.0, min(p[2], t[2]) - max(p[0], t[0]))
    ih = max(0.0, min(p[3], t[3]) - max(p[1], t[1]))
    inter = iw * ih
    union = (p[2] - p[0]) * (p[3] - p[1]) + (t[2] - t[0]) * (t[3] - t[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def ranks_of(pred, truth):
    keys = [tuple(r) for r in truth]
    distinct = list(dict.fromkeys(keys))
    own = np.array([distinct.index(k) for k in keys])
    cand = np.array(distinct)
    cand = cand / np.linalg.norm(cand, axis=1, keepdims=True)
    p = pred / np.linalg.norm(pred, axis=1, keepdims=True)
    sims = p @ cand.T
    out = []
    for i in range(len(pred)):
        mine = sims[i, own[i]]
        out.append(int(1 + sum(1 for c in range(len(cand)) if c != own[i] and sims[i, c] >= mine)))
    return out


out = {"generator": "scripts/ridge_reference.py", "sklearn": sklearn.__version__, "numpy": np.__version__,
       "grid": GRID, "split": "test rows: i % 4 == 3", "cases": {}}
for case, (name, target) in {"boxes": ("small", "boxes"), "captions": ("captions", "Z_bert.npy"),
                             "wide": ("wide", "Z_clip.npy")}.items():
    x, y = load(name, target)
    test = np.arange(len(x)) % 4 == 3
    xtr, ytr, xte, yte = x[~test], y[~test], x[test], y[test]
    mean, std = xtr.mean(axis=0), xtr.std(axis=0)
    xtr = (xtr - mean) / (std + 1e-8)
    xte = (xte - mean) / (std + 1e-8)
    folds = [(np.where(np.arange(len(xtr)) % 3 != f)[0], np.where(np.arange(len(xtr)) % 3 == f)[0])
             for f in range(3)]
    cv = {}
    for a in GRID:
        errs = []
        for fit_rows, val_rows in folds:
            m = Ridge(alpha=a).fit(xtr[fit_rows], ytr[fit_rows])
            errs.append(float(((m.predict(xtr[val_rows]) - ytr[val_rows]) ** 2).mean()))
        cv[repr(a)] = float(np.mean(errs))
    smallest = min(cv.values())
    chosen = max(a for a in GRID if cv[repr(a)] <= smallest + 1e-4 * abs(smallest))
    ridge_cv = RidgeCV(alphas=GRID, cv=folds, scoring="neg_mean_squared_error").fit(xtr, ytr)
    assert ridge_cv.alpha_ == chosen, (case, ridge_cv.alpha_, chosen)
    model = Ridge(alpha=chosen).fit(xtr, ytr)
    pred = model.predict(xte)
    entry = {"nTrain": int(len(xtr)), "nTest": int(len(xte)), "cvMse": cv, "alpha": chosen,
             "r2": float(r2_score(yte, pred)),
             "r2PerColumn": r2_score(yte, pred, multioutput="raw_values").tolist(),
             "predictions": pred.ravel().tolist(),
             "squaredError": ((yte - pred) ** 2).ravel().tolist()}
    if target == "boxes":
        entry["boxes"] = y.ravel().tolist()
        entry["iouPerItem"] = [iou(p, t) for p, t in zip(pred, yte)]
        entry["iou"] = float(np.mean(entry["iouPerItem"]))
    if case == "captions":
        r = ranks_of(pred, yte)
        entry["ranks"] = r
        entry["recall"] = {str(k): float(np.mean(np.array(r) <= k)) for k in [1, 5, 10]}
    rng = np.random.default_rng(11)
    resamples = []
    for _ in range(3):
        counts = np.bincount(rng.integers(0, len(yte), len(yte)), minlength=len(yte))
        resamples.append({"counts": counts.tolist(), "r2": float(r2_score(yte, pred, sample_weight=counts))})
    entry["resamples"] = resamples
    out["cases"][case] = entry
    print(case, "alpha", chosen, "r2", entry["r2"], "cv", cv, file=sys.stderr)

target_path = os.path.join(here, "..", "src", "test-data", "ridge-reference.json")
tmp = target_path + ".tmp"
with open(tmp, "w") as fh:
    json.dump(out, fh)
os.replace(tmp, target_path)
print("->", target_path, file=sys.stderr)
