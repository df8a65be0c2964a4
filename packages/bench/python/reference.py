#!/usr/bin/env python3
"""numpy baseline for `pnpm bench`: the scores computed the way the published code computes them.

- EMMS: the EMMS authors' one-step code: standardise (float32 X stays float32), T0 = mean of the
  F-labels, W = np.linalg.lstsq(X, T0), lambda' = np.linalg.lstsq over the K stacked F-labels,
  sparsemax, score = -sum((XW - T)^2) / N * L.
- LogME: thuml's fixed-point LogME: float64 features, an SVD of X^T X when N > D (else of X),
  then the per-column fixed point.
- Micro: Gram X^T X of a 20000 x 1024 float64 matrix and eigh of a 1024 x 1024 one.

Usage: reference.py <task> <dir> [k]   task = emms | logme | logme-flabels | micro | info
Prints one JSON line: {"task", "value", "load_seconds", "seconds", "max_rss_kb", "blas"}.
Written for this project from the published descriptions; see METRICS-SPEC.md.
"""
import json
import os
import resource
import sys
import time

import numpy as np


def blas_info():
    """Which BLAS numpy runs on and the CPU kernel it picked."""
    info = {"numpy": np.__version__}
    try:
        from threadpoolctl import threadpool_info

        for pool in threadpool_info():
            if pool.get("user_api") == "blas":
                info.update(
                    library=pool.get("filepath"),
                    corename=pool.get("architecture"),
                    threads=pool.get("num_threads"),
                    via="threadpoolctl",
                )
                return info
    except Exception:
        pass
    try:
        import ctypes

        with open("/proc/self/maps") as f:
            paths = sorted({line.split()[-1] for line in f if "blas" in line and line.split()[-1].startswith("/")})
        info["library"] = ",".join(paths)
        for path in paths:
            lib = ctypes.CDLL(path)
            for name in ("openblas_get_corename", "scipy_openblas_get_corename64_", "openblas_get_corename64_"):
                fn = getattr(lib, name, None)
                if fn is not None:
                    fn.restype = ctypes.c_char_p
                    info["corename"] = fn().decode()
                    info["via"] = "ctypes " + name
                    break
            for name in ("openblas_get_num_threads", "scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_"):
                fn = getattr(lib, name, None)
                if fn is not None:
                    info["threads"] = int(fn())
                    break
            if "corename" in info:
                break
    except Exception as e:  # report, never fail the benchmark on it
        info["error"] = str(e)
    return info


def standardise(a):
    """Per column (v - mean) / (std + 1e-8), population std; keeps the input's dtype."""
    return (a - a.mean(axis=0)) / (a.std(axis=0) + 1e-8)


def sparsemax(z):
    """Euclidean projection of z onto the probability simplex."""
    s = np.sort(z)[::-1]
    cs = np.cumsum(s)
    k = np.arange(1, len(z) + 1)
    support = 1 + k * s > cs
    kmax = k[support][-1]
    tau = (cs[support][-1] - 1) / kmax
    return np.maximum(z - tau, 0)


def emms(x, ys):
    """One-step EMMS as the authors' code runs it. ys: list of K N x L float32 F-labels."""
    y = np.stack(ys, axis=2)  # N x L x K
    n, l, k = y.shape
    for i in range(k):
        y[:, :, i] = standardise(y[:, :, i])
    x = standardise(x)
    lam = np.full(k, 1.0 / k)
    t = np.dot(y, lam)
    w = np.linalg.lstsq(x, t, rcond=None)[0]
    pred = x @ w
    lam = np.linalg.lstsq(y.reshape(n * l, k), pred.reshape(n * l), rcond=None)[0]
    lam = sparsemax(lam)
    t = np.dot(y, lam)
    return -np.sum((pred - t) ** 2) / n * l


def truncated_svd(x):
    """thuml's route when N > D: SVD of X^T X, u = X v / s over the values with s > 1e-10."""
    u, s, vh = np.linalg.svd(x.transpose() @ x)
    s = np.sqrt(s)
    u_times_sigma = x @ vh.transpose()
    k = np.sum((s > 1e-10) * 1)
    s = s.reshape(-1, 1)[:k]
    vh = vh[:k]
    u = u_times_sigma[:, :k] / s.reshape(1, -1)
    return u, s, vh


def logme(f, y, regression):
    """thuml LogME, fixed-point version; y: labels (classification) or an N x T target."""
    f = f.astype(np.float64)
    if regression:
        y = y.astype(np.float64)
    n, d = f.shape
    if n > d:
        u, s, vh = truncated_svd(f)
    else:
        u, s, vh = np.linalg.svd(f, full_matrices=False)
    s = s.reshape(-1, 1)
    sigma = s**2
    evidences = []
    cols = y.shape[1] if regression else int(y.max() + 1)
    for i in range(cols):
        y_ = y[:, i] if regression else (y == i).astype(np.float64)
        y_ = y_.reshape(-1, 1)
        x = u.T @ y_
        x2 = x**2
        res_x2 = (y_**2).sum() - x2.sum()
        alpha, beta = 1.0, 1.0
        for _ in range(11):
            t = alpha / beta
            gamma = (sigma / (sigma + t)).sum()
            m2 = (sigma * x2 / ((t + sigma) ** 2)).sum()
            res2 = (x2 / ((1 + sigma / t) ** 2)).sum() + res_x2
            alpha = gamma / (m2 + 1e-5)
            beta = (n - gamma) / (res2 + 1e-5)
            t_ = alpha / beta
            evidence = (
                d / 2.0 * np.log(alpha)
                + n / 2.0 * np.log(beta)
                - 0.5 * np.sum(np.log(alpha + beta * sigma))
                - beta / 2.0 * res2
                - alpha / 2.0 * m2
                - n / 2.0 * np.log(2 * np.pi)
            ) / n
            if abs(t_ - t) / t <= 1e-3:
                break
        evidences.append(evidence)
    return float(np.mean(evidences))


def flabel_files(folder):
    return sorted(f for f in os.listdir(folder) if f.startswith("Z_") and f.endswith(".npy"))


def main():
    task, folder = sys.argv[1], sys.argv[2]
    out = {"task": task}
    t0 = time.perf_counter()
    c1 = None
    if task == "emms":
        x = np.load(os.path.join(folder, "X.npy"))
        ys = [np.load(os.path.join(folder, f)) for f in flabel_files(folder)]
        t1 = time.perf_counter()
        c1 = time.process_time()
        out["value"] = float(emms(x, ys))
    elif task == "emms-onehot":
        x = np.load(os.path.join(folder, "X.npy"))
        lab = np.load(os.path.join(folder, "y.npy"))
        t1 = time.perf_counter()
        c1 = time.process_time()
        onehot = np.eye(int(lab.max()) + 1, dtype=np.float32)[lab]
        out["value"] = float(emms(x, [onehot]))
    elif task == "logme":
        x = np.load(os.path.join(folder, "X.npy"))
        lab = np.load(os.path.join(folder, "y.npy"))
        t1 = time.perf_counter()
        c1 = time.process_time()
        out["value"] = logme(x, lab, regression=False)
    elif task == "logme-flabels":
        x = np.load(os.path.join(folder, "X.npy"))
        ys = [np.load(os.path.join(folder, f)) for f in flabel_files(folder)]
        t1 = time.perf_counter()
        c1 = time.process_time()
        out["values"] = [logme(x, y, regression=True) for y in ys]
        out["value"] = float(np.mean(out["values"]))
    elif task == "micro":
        rng = np.random.default_rng(0)
        a = rng.standard_normal((20000, 1024))
        s = a[:2048].T @ a[:2048]
        t1 = time.perf_counter()
        c1 = time.process_time()
        g = a.T @ a
        t2 = time.perf_counter()
        np.linalg.eigh(s)
        t3 = time.perf_counter()
        out["gram_seconds"] = t2 - t1
        out["eigh_seconds"] = t3 - t2
        out["value"] = float(g[0, 0])
    elif task == "info":
        t1 = time.perf_counter()
        c1 = time.process_time()
    else:
        raise SystemExit(f"unknown task {task}")
    t2 = time.perf_counter()
    out["cpu_seconds"] = time.process_time() - c1
    out["load_seconds"] = t1 - t0
    out["seconds"] = t2 - t1
    out["max_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out["blas"] = blas_info()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
