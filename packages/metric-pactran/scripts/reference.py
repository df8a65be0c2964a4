"""Independent float64 evaluation of the PACTran formulas with numpy + scipy, used to produce
the expected values in src/testdata/reference-values.json.

Run from this package folder:  python3 scripts/reference.py
It needs numpy and scipy (Debian: python3-numpy python3-scipy). The formulas are those of
google-research/pactran_metrics (calculate_pac_dir, calculate_pac_gamma, calculate_pac_gauss),
written out here from their maths; see README.md for the derivation and the quirks kept.
"""
import json
import os
import sys

import numpy as np
from scipy.optimize import minimize
from scipy.special import digamma, gammaln, logsumexp

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.environ.get("EMMS_REFERENCE_DIR", os.path.join(HERE, "..", "..", "..", "..", "shared", "reference"))


def indicator(y, c):
    out = np.zeros((y.size, c))
    out[np.arange(y.size), y] = 1.0
    return out


def prior_concentration(y, c, alpha):
    counts = np.bincount(y, minlength=c).astype(np.float64)
    return alpha * counts / y.size + 1e-10


def dirichlet(s, y, c, alpha=1.0, iters=10):
    onehot = indicator(y, c)
    a0 = prior_concentration(y, c, alpha)[:, None]
    logs = np.log(s + 1e-10)
    q = s.copy()
    for _ in range(iters):
        aw = a0 + onehot.T @ q
        logits = logs + onehot @ digamma(aw) - digamma(aw.sum(axis=0))[None, :]
        logq = logits - logsumexp(logits, axis=1, keepdims=True)
        q = np.exp(logq)
    logc0 = gammaln(a0.sum()) - gammaln(a0).sum()
    logc = gammaln(aw.sum(axis=0)) - gammaln(aw).sum(axis=0)
    kl = (q * (logq - logs)).sum()
    bound = s.shape[1] * logc0 - logc.sum() - kl
    return -bound / (y.size * c)


def gamma(s, y, c, alpha=1.0, iters=10):
    onehot = indicator(y, c)
    a0 = prior_concentration(y, c, alpha)[:, None]
    logs = np.log(s + 1e-10)
    q = s.copy()
    for _ in range(iters):
        aw = a0 + onehot.T @ q
        l = s @ aw.sum(axis=0)
        logits = logs + onehot @ digamma(aw)
        logq = logits - logsumexp(logits, axis=1, keepdims=True)
        q = np.exp(logq)
    total = (gammaln(a0) - gammaln(aw)).sum() + (q * (logq - logs)).sum() + (np.log(l) - 1.0).sum()
    return total / (y.size * c) + 1.0


def gauss(x, y, c, lda=1.0, s2s=(100.0, 10.0), center=True, exact=True, seed=0):
    x = np.asarray(x, dtype=np.float64)
    if center:
        x = x - x.mean(axis=0, keepdims=True)
    n, d = x.shape
    onehot = indicator(y, c)
    ldas2 = lda * n

    def split(t):
        t = t.reshape(d + 1, c)
        return t[:d], t[d]

    def f(t):
        w, b = split(t)
        z = x @ w + b
        logp = z - logsumexp(z, axis=1, keepdims=True)
        xent = (np.log1p(1e-10) - (onehot * logp).sum(axis=1)).sum() / n
        return xent + 0.5 * (w * w).sum() / ldas2

    def g(t):
        w, b = split(t)
        z = x @ w + b
        p = np.exp(z - logsumexp(z, axis=1, keepdims=True))
        gz = (p - onehot) / n
        return np.concatenate([x.T @ gz + w / ldas2, gz.sum(axis=0)[None, :]]).ravel()

    rng = np.random.default_rng(seed)
    t0 = np.concatenate([0.03 * rng.standard_normal((d, c)), np.zeros((1, c))]).ravel()
    if exact:
        res = minimize(f, t0, jac=g, method="L-BFGS-B", tol=1e-14, options=dict(maxiter=20000, maxfun=100000))
    else:
        res = minimize(f, t0, jac=g, method="L-BFGS-B", tol=1e-6, options=dict(maxiter=100))
    t = res.x
    w, b = split(t)
    z = x @ w + b
    p = np.exp(z - logsumexp(z, axis=1, keepdims=True))
    pq = p * (1 - p)
    hsum = ((x * x).T @ pq).sum() + d * c / ldas2 + pq.sum()
    sigma2_inv = hsum * ldas2 / (d * c) + 1e-10
    opt = f(t)
    values = {str(s2): float(opt + 0.5 * d * c / ldas2 * (s2 / d) * np.log(sigma2_inv)) for s2 in s2s}
    return {"pacOpt": float(opt), "sigma2Inv": float(sigma2_inv), "values": values, "iterations": int(res.nit),
            "maxGrad": float(np.abs(g(t)).max())}


def synthetic():
    # A small hand-sized case: 12 samples, 3 classes, 4 source classes.
    rng = np.random.default_rng(7)
    y = np.array([0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2])
    logits = rng.standard_normal((12, 4)) + 2.0 * indicator(y % 4, 4)
    s = np.exp(logits - logsumexp(logits, axis=1, keepdims=True))
    x = rng.standard_normal((12, 3)) + indicator(y, 3) * 1.5
    return {
        "source": s.ravel().tolist(), "rows": 12, "cols": 4, "labels": y.tolist(), "classes": 3,
        "features": x.ravel().tolist(), "featureCols": 3,
        "dirichlet": {"1": dirichlet(s, y, 3, 1.0), "2.5": dirichlet(s, y, 3, 2.5), "iters3": dirichlet(s, y, 3, 1.0, 3)},
        "gamma": {"1": gamma(s, y, 3, 1.0), "2.5": gamma(s, y, 3, 2.5), "iters3": gamma(s, y, 3, 1.0, 3)},
        "gauss": {"lda1": gauss(x, y, 3, 1.0), "lda0.1": gauss(x, y, 3, 0.1, (10.0, 1.0)),
                  "lda1_uncentred": gauss(x, y, 3, 1.0, center=False)},
    }


def fixture(name):
    folder = os.path.join(REF, "fixtures", name)
    x = np.load(os.path.join(folder, "X.npy")).astype(np.float64)
    y = np.load(os.path.join(folder, "y.npy")).astype(np.int64)
    p = np.load(os.path.join(folder, "P.npy")).astype(np.float64)
    c = int(y.max()) + 1
    out = {
        "dirichletProbs": dirichlet(p, y, c),
        "gammaProbs": gamma(p, y, c),
        "gauss": {"lda1": gauss(x, y, c, 1.0), "lda10": gauss(x, y, c, 10.0, (1000.0, 100.0)),
                  "lda0.1": gauss(x, y, c, 0.1, (10.0, 1.0))},
        "gaussReferenceSettings": gauss(x, y, c, 1.0, exact=False),
    }
    return out


def main():
    result = {"generatedBy": "scripts/reference.py (numpy %s, scipy)" % np.__version__, "synthetic": synthetic(),
              "fixtures": {name: fixture(name) for name in ("small", "wide", "captions")}}
    path = os.path.join(HERE, "..", "src", "testdata", "reference-values.json")
    with open(path, "w") as fh:
        json.dump(result, fh, indent=1)
    json.dump({k: v for k, v in result["fixtures"].items()}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
