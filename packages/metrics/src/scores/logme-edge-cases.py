# Independent numpy implementation of thuml LogME (fixed-point, regression=False) used to
# produce the edge-case values asserted in logme.test.ts. Its base values reproduce the
# fixtures (expected.json) to 1e-15. Run: python3 logme-edge-cases.py
import numpy as np, sys
def truncated_svd(x):
    u, s, vh = np.linalg.svd(x.T @ x)
    s = np.sqrt(s)
    uts = x @ vh.T
    k = np.sum((s > 1e-10) * 1)
    s = s.reshape(-1, 1)[:k]
    vh = vh[:k]
    u = uts[:, :k] / s.reshape(1, -1)
    return u, s, vh
def each(f, y, sigma, u, N, D):
    x = u.T @ y; x2 = x ** 2; r0 = (y ** 2).sum() - x2.sum()
    a = 1.0; b = 1.0
    for _ in range(11):
        t = a / b
        g = (sigma / (sigma + t)).sum()
        m2 = (sigma * x2 / ((t + sigma) ** 2)).sum()
        res2 = (x2 / ((1 + sigma / t) ** 2)).sum() + r0
        a = g / (m2 + 1e-5); b = (N - g) / (res2 + 1e-5)
        t_ = a / b
        ev = D / 2.0 * np.log(a) + N / 2.0 * np.log(b) - 0.5 * np.sum(np.log(a + b * sigma)) - b / 2.0 * res2 - a / 2.0 * m2 - N / 2.0 * np.log(2 * np.pi)
        ev /= N
        if abs(t_ - t) / t <= 1e-3: break
    return ev
def logme(f, y):
    f = f.astype(np.float64); N, D = f.shape
    if N > D: u, s, vh = truncated_svd(f)
    else: u, s, vh = np.linalg.svd(f, full_matrices=False)
    sigma = s.reshape(-1, 1) ** 2
    C = int(y.max() + 1)
    return np.mean([each(f, (y == c).astype(np.float64), sigma.ravel(), u, N, D) for c in range(C)])
F = '/work/shared/reference/fixtures/'
X = np.load(F + 'small/X.npy'); y = np.load(F + 'small/y.npy')
print('small base', repr(logme(X, y)))
print('small dup', repr(logme(np.hstack([X, X[:, :2]]), y)))
print('small const1', repr(logme(np.hstack([X, np.ones((X.shape[0], 1), np.float32)]), y)))
Xc = np.load(F + 'captions/X.npy'); yc = np.load(F + 'captions/y.npy')
print('captions base', repr(logme(Xc, yc)))
for s in [1e-3, 1e3]:
    print('captions scaled', s, repr(logme(Xc.astype(np.float64) * s, yc)))
