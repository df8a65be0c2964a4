"""Independent reference numbers for src/probe.ts, from scikit-learn's LogisticRegression.

Run once with a Python that has scikit-learn (Debian: apt-get install python3-sklearn; then
/usr/bin/python3 scripts/probe_reference.py from packages/harness). Writes
src/test-data/probe-reference.json, which src/probe.test.ts compares against; the numbers come
from scikit-learn only, never from our code.

Inputs: the shared fixtures `small` (300x64, 5 classes) and `wide` (120x200, 4 classes, D > N)
under ../shared/reference/fixtures (EMMS_REFERENCE_DIR overrides). Split: row i is a test row
when i % 4 == 3, otherwise a train row. Features are standardised with train statistics,
(v - mean) / (std + 1e-8), population std. For each L2 strength lambda of the grid (the penalty
of the mean cross-entropy, lambda/2 ||W||^2, intercept not penalised; scikit-learn's
C = 1 / (lambda * n_train)) we record the optimal objective, the test accuracy and the test
predictions of a multinomial fit (lbfgs, tol 1e-10), then the 3-fold cross-validation accuracy
with the folds src/probe.ts uses (train row j goes to fold (rank of j within its class) % 3)
and the selected lambda (best mean accuracy, ties to the larger lambda). Also the predictions of
KNeighborsClassifier (brute force, cosine and euclidean, k = 1, 5, 10) on the raw features, and
the indices of the 10 nearest train rows of each test row (nearest first).
"""
import json
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

here = os.path.dirname(os.path.abspath(__file__))
ref = os.environ.get("EMMS_REFERENCE_DIR", os.path.join(here, "..", "..", "..", "..", "shared", "reference"))
GRID = [1.0, 0.1, 0.01, 0.001, 0.0001]


def fit(x, y, lam, classes):
    model = LogisticRegression(C=1.0 / (lam * x.shape[0]), multi_class="multinomial", solver="lbfgs",
                               tol=1e-10, max_iter=100000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x, y)
    assert list(model.classes_) == list(classes), "every class must be present in each fit"
    return model


def objective(model, x, y, lam):
    z = x @ model.coef_.T + model.intercept_
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(y)), y].mean() + 0.5 * lam * (model.coef_ ** 2).sum())


def folds_of(y):
    fold = np.zeros(len(y), dtype=int)
    seen = {}
    for j, c in enumerate(y):
        fold[j] = seen.get(c, 0) % 3
        seen[c] = seen.get(c, 0) + 1
    return fold


out = {"generator": "scripts/probe_reference.py", "sklearn": sklearn.__version__, "numpy": np.__version__,
       "grid": GRID, "split": "test rows: i % 4 == 3", "fixtures": {}}
for name in ["small", "wide"]:
    x = np.load(os.path.join(ref, "fixtures", name, "X.npy")).astype(np.float64)
    y = np.load(os.path.join(ref, "fixtures", name, "y.npy")).astype(np.int64)
    test = np.arange(len(y)) % 4 == 3
    xtr, ytr, xte, yte = x[~test], y[~test], x[test], y[test]
    mean, std = xtr.mean(axis=0), xtr.std(axis=0)
    xtr = (xtr - mean) / (std + 1e-8)
    xte = (xte - mean) / (std + 1e-8)
    classes = np.unique(ytr)
    fits = []
    for lam in GRID:
        m = fit(xtr, ytr, lam, classes)
        pred = m.predict(xte)
        fits.append({"l2": lam, "objective": objective(m, xtr, ytr, lam),
                     "testAccuracy": float((pred == yte).mean()), "testPredictions": pred.tolist(),
                     "iterations": int(m.n_iter_[0])})
    fold = folds_of(ytr)
    cv = {}
    for lam in GRID:
        accs = []
        for f in range(3):
            m = fit(xtr[fold != f], ytr[fold != f], lam, classes)
            accs.append(float((m.predict(xtr[fold == f]) == ytr[fold == f]).mean()))
        cv[repr(lam)] = float(np.mean(accs))
    best = max(GRID, key=lambda lam: (cv[repr(lam)], lam))
    final = fit(xtr, ytr, best, classes)
    pred = final.predict(xte)
    out["fixtures"][name] = {"nTrain": int(len(ytr)), "nTest": int(len(yte)), "dims": int(x.shape[1]),
                             "fits": fits, "cvAccuracy": cv, "selectedL2": best,
                             "accuracy": float((pred == yte).mean()),
                             "correct": (pred == yte).astype(int).tolist()}
    raw_tr, raw_te = x[~test], x[test]
    knn = {}
    for metric in ["cosine", "euclidean"]:
        clf = KNeighborsClassifier(n_neighbors=10, metric=metric, algorithm="brute").fit(raw_tr, y[~test])
        neighbours = clf.kneighbors(raw_te, return_distance=False)
        for k in [1, 5, 10]:
            clf = KNeighborsClassifier(n_neighbors=k, metric=metric, algorithm="brute").fit(raw_tr, y[~test])
            pred = clf.predict(raw_te)
            knn[f"{metric}-{k}"] = {"accuracy": float((pred == yte).mean()), "predictions": pred.tolist()}
        knn[f"{metric}-neighbours"] = neighbours.tolist()
    out["fixtures"][name]["knn"] = knn
    print(name, "selected", best, "accuracy", out["fixtures"][name]["accuracy"], "cv", cv, file=sys.stderr)

target = os.path.join(here, "..", "src", "test-data", "probe-reference.json")
tmp = target + ".tmp"
with open(tmp, "w") as fh:
    json.dump(out, fh, indent=1)
os.replace(tmp, target)
print("->", target, file=sys.stderr)
