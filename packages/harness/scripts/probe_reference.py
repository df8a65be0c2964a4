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
predictions of a multinomial fit (newton-cg, tol 1e-10, then polished with scipy's L-BFGS-B to a
largest gradient entry of 1e-12), then the 3-fold cross-validation log-loss
(summed over every train row, each scored by the fit of the folds that left it out, divided by
n_train) and accuracy with the folds src/probe.ts uses (train row j goes to fold (rank of j within
its class) % 3), and the selected lambda: the largest lambda whose CV log-loss is within 1e-4
(relative) of the smallest. Also the predictions of
KNeighborsClassifier (brute force, cosine and euclidean, k = 1, 5, 10) on the raw features, and
the indices of the 10 nearest train rows of each test row (nearest first).
"""
import json
import os
import sys
import warnings

import numpy as np
import sklearn
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.neighbors import KNeighborsClassifier

here = os.path.dirname(os.path.abspath(__file__))
ref = os.environ.get("EMMS_REFERENCE_DIR", os.path.join(here, "..", "..", "..", "..", "shared", "reference"))
GRID = [1.0, 0.1, 0.01, 0.001, 0.0001]


def polish(model, x, y, lam):
    """Runs scipy's L-BFGS-B from scikit-learn's solution on the same objective until the largest
    gradient entry is below 1e-12, and writes the result back into the model. At weak lambda the
    problem is ill-conditioned (||W - W*|| <= ||grad|| / lambda), so a solver's last digits show in
    validation log-losses; this makes the reference the optimum itself."""
    d, c = x.shape[1], len(model.classes_)
    onehot = np.eye(c)[y]

    def fg(theta):
        w, b = theta[: d * c].reshape(d, c), theta[d * c:]
        z = x @ w + b
        z = z - z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=1))
        p = np.exp(z - lse[:, None])
        g = (p - onehot) / len(y)
        value = (lse - z[np.arange(len(y)), y]).mean() + 0.5 * lam * (w ** 2).sum()
        return value, np.concatenate([(x.T @ g + lam * w).ravel(), g.sum(axis=0)])

    theta = np.concatenate([model.coef_.T.ravel(), model.intercept_])
    r = minimize(fg, theta, jac=True, method="L-BFGS-B",
                 options={"gtol": 1e-12, "ftol": 1e-16, "maxiter": 100000, "maxcor": 30})
    if fg(r.x)[0] <= fg(theta)[0]:
        model.coef_ = r.x[: d * c].reshape(d, c).T.copy()
        model.intercept_ = r.x[d * c:].copy()
    return model


def fit(x, y, lam, classes):
    # newton-cg gets close to the optimum (lbfgs stops on scipy's relative-decrease rule about 1e-6,
    # relative, above it); polish() then removes what is left
    model = LogisticRegression(C=1.0 / (lam * x.shape[0]), multi_class="multinomial", solver="newton-cg",
                               tol=1e-10, max_iter=300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x, y)
    assert list(model.classes_) == list(classes), "every class must be present in each fit"
    return polish(model, x, y, lam)


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
    cv_loss = {}
    for lam in GRID:
        accs = []
        total = 0.0
        for f in range(3):
            m = fit(xtr[fold != f], ytr[fold != f], lam, classes)
            accs.append(float((m.predict(xtr[fold == f]) == ytr[fold == f]).mean()))
            total += log_loss(ytr[fold == f], m.predict_proba(xtr[fold == f]), labels=classes, normalize=False)
        cv[repr(lam)] = float(np.mean(accs))
        cv_loss[repr(lam)] = float(total / len(ytr))
    smallest = min(cv_loss.values())
    best = max(lam for lam in GRID if cv_loss[repr(lam)] <= smallest + 1e-4 * abs(smallest))
    final = fit(xtr, ytr, best, classes)
    pred = final.predict(xte)
    out["fixtures"][name] = {"nTrain": int(len(ytr)), "nTest": int(len(yte)), "dims": int(x.shape[1]),
                             "fits": fits, "cvAccuracy": cv, "cvLogLoss": cv_loss, "selectedL2": best,
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
    print(name, "selected", best, "accuracy", out["fixtures"][name]["accuracy"], "cv log-loss", cv_loss, file=sys.stderr)

target = os.path.join(here, "..", "src", "test-data", "probe-reference.json")
tmp = target + ".tmp"
with open(tmp, "w") as fh:
    json.dump(out, fh, indent=1)
os.replace(tmp, target)
print("->", target, file=sys.stderr)
