"""Independent reference values for the three LogME evidence variants (run once; writes testdata).

Written from the LogME paper's model (You et al., ICML 2021): t = X w + e, w ~ N(0, 1/alpha I_D),
e ~ N(0, 1/beta I_N). Evidence terms are computed with dense D x D matrices (solve and slogdet),
not with the spectral shortcuts the TypeScript code uses, so the two are independent.

  python3 packages/metrics/scripts/logme_variants.py
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'src', 'scores', 'testdata')


def evidence(x, t, alpha, beta, eps):
    n, d = x.shape
    a = alpha * np.eye(d) + beta * x.T @ x
    m = beta * np.linalg.solve(a, x.T @ t)
    m2 = float(m @ m)
    res2 = float(((t - x @ m) ** 2).sum())
    _, logdet = np.linalg.slogdet(a)
    e = (d / 2 * np.log(alpha) + n / 2 * np.log(beta) - 0.5 * logdet
         - beta / 2 * (res2 + eps) - alpha / 2 * (m2 + eps) - n / 2 * np.log(2 * np.pi))
    return e / n, m2, res2


def gamma_of(x, alpha, beta):
    s = np.linalg.eigvalsh(x.T @ x)
    s = np.clip(s, 0, None)
    return float((beta * s / (alpha + beta * s)).sum())


def icml(x, t):
    """Algorithm 1 of the paper: MacKay updates, 1e-5 floors, |dlambda|/lambda < 0.01, <= 11 updates.
    The evidence is reported at the last (alpha, beta) with the m of the previous pass, as the paper's code."""
    n, d = x.shape
    alpha, beta = 1.0, 1.0
    lam = alpha / beta
    for _ in range(11):
        gamma = gamma_of(x, alpha, beta)
        a = alpha * np.eye(d) + beta * x.T @ x
        m = beta * np.linalg.solve(a, x.T @ t)
        m2 = float(m @ m)
        res2 = float(((t - x @ m) ** 2).sum())
        alpha = gamma / (m2 + 1e-5)
        beta = (n - gamma) / (res2 + 1e-5)
        new_lam = alpha / beta
        if abs(new_lam - lam) / lam < 0.01:
            break
        lam = new_lam
    _, logdet = np.linalg.slogdet(alpha * np.eye(d) + beta * x.T @ x)
    e = (d / 2 * np.log(alpha) + n / 2 * np.log(beta) - 0.5 * logdet
         - beta / 2 * (res2 + 1e-5) - alpha / 2 * (m2 + 1e-5) - n / 2 * np.log(2 * np.pi))
    return e / n


def corrected(x, t):
    """MacKay fixed point iterated to convergence (relative change of alpha/beta <= 1e-10), no absolute
    floors; evidence (all D terms) at the fixed point. x is first divided by sqrt(trace(x'x) / min(N, D)),
    which leaves the evidence unchanged (all D terms kept) and makes the start alpha = beta = 1 scale-free."""
    n, d = x.shape
    x = x / np.sqrt(np.trace(x.T @ x) / min(n, d))
    alpha, beta = 1.0, 1.0
    for _ in range(10000):
        gamma = gamma_of(x, alpha, beta)
        a = alpha * np.eye(d) + beta * x.T @ x
        m = beta * np.linalg.solve(a, x.T @ t)
        m2 = float(m @ m)
        res2 = float(((t - x @ m) ** 2).sum())
        na, nb = gamma / m2, (n - gamma) / res2
        done = abs(na / nb - alpha / beta) <= 1e-10 * (alpha / beta)
        alpha, beta = na, nb
        if done:
            break
    return evidence(x, t, alpha, beta, 0.0)[0]


def thuml(x, t):
    """thuml's fixed point: spectrum of the smaller Gram, only min(N, D) (or the kept) values in the log-det."""
    n, d = x.shape
    if n > d:
        s, v = np.linalg.eigh(x.T @ x)
        keep = np.sqrt(np.abs(s)) > 1e-10
        s, v = np.abs(s[keep]), v[:, keep]
        u = x @ v / np.sqrt(s)
    else:
        u, sv, _ = np.linalg.svd(x, full_matrices=False)
        s = sv ** 2
    xx = u.T @ t
    x2 = xx ** 2
    r0 = float(t @ t - x2.sum())
    alpha, beta = 1.0, 1.0
    for _ in range(11):
        tau = alpha / beta
        gamma = float((s / (s + tau)).sum())
        m2 = float((s * x2 / (tau + s) ** 2).sum())
        res2 = float((x2 / (1 + s / tau) ** 2).sum() + r0)
        alpha = gamma / (m2 + 1e-5)
        beta = (n - gamma) / (res2 + 1e-5)
        if abs(alpha / beta - tau) / tau <= 1e-3:
            break
    e = (d / 2 * np.log(alpha) + n / 2 * np.log(beta) - 0.5 * np.log(alpha + beta * s).sum()
         - beta / 2 * res2 - alpha / 2 * m2 - n / 2 * np.log(2 * np.pi))
    return e / n


def main():
    rng = np.random.default_rng(20261203)
    cases = {}
    for name, n, d in [('tall', 120, 30), ('wide', 60, 90)]:
        x = rng.normal(size=(n, d))
        x[:, : d // 3] *= 3.0
        w = rng.normal(size=d) / np.sqrt(d)
        t = x @ w + 0.5 * rng.normal(size=n)
        np.save(os.path.join(OUT, f'logme-{name}-X.npy'), x)
        np.save(os.path.join(OUT, f'logme-{name}-t.npy'), t)
        cases[name] = {
            'n': n, 'd': d,
            'thuml': thuml(x, t),
            'icml': icml(x, t),
            'corrected': corrected(x, t),
            'corrected_x1e4': corrected(x * 1e4, t),
            'thuml_x1e4': thuml(x * 1e4, t),
        }
    with open(os.path.join(OUT, 'logme-variants.json'), 'w') as f:
        json.dump(cases, f, indent=2)
    print(json.dumps(cases, indent=2))


if __name__ == '__main__':
    main()
