#!/usr/bin/env python3
"""Golden fixtures for crates/sorn-analysis.

Writes small JSON files into crates/sorn-analysis/tests/fixtures/ that the Rust tests read with
serde_json (CI runs Rust only). Requirements (Python 3.11):

    pip install numpy scipy scikit-learn powerlaw==2.0.0

Run from the repository root:  python3 scripts/golden/make_analysis_golden.py
"""
import json
import os
import warnings

import numpy as np

warnings.filterwarnings("ignore")

import powerlaw  # noqa: E402
import sklearn  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from golden_common import d_avalanches, dump, fit_record, fl  # noqa: E402


# ---------------------------------------------------------------------------------------------
# 1. Power-law fits on synthetic discrete samples
def discrete_pl_sample(rng, alpha, xmin, n):
    # Clauset et al. (2009) approximate discrete generator
    r = rng.random(n)
    return np.floor((xmin - 0.5) * (1 - r) ** (-1 / (alpha - 1)) + 0.5).astype(np.int64)


rng = np.random.default_rng(20240601)
pl_cases = []
for alpha, xmin_gen, n in [(1.5, 1, 4000), (2.2, 1, 3000), (1.3, 5, 3000)]:
    data = discrete_pl_sample(rng, alpha, xmin_gen, n)
    data = data[data <= 10**6]
    case = {"true_alpha": alpha, "data": [int(x) for x in data], "fits": []}
    for xmin, xmax in [(6, 60), (10, 1500), (6, None), (10, None), (1, None), (3, 200)]:
        case["fits"].append(fit_record(data, xmin, xmax))
    pl_cases.append(case)

# xmin search on a smaller sample (Python is slow here)
data = discrete_pl_sample(rng, 2.0, 1, 600)
data = data[data <= 10**5]
fit = powerlaw.Fit(data, discrete=True, verbose=0)
fit60 = powerlaw.Fit(data, discrete=True, xmax=60, verbose=0)
xmin_search = {
    "data": [int(x) for x in data],
    "free": {"xmin": float(fit.xmin), "alpha": float(fit.power_law.alpha), "ks_d": float(fit.power_law.D)},
    "xmax60": {"xmin": float(fit60.xmin), "alpha": float(fit60.power_law.alpha), "ks_d": float(fit60.power_law.D)},
}
dump("powerlaw.json", {"powerlaw_version": powerlaw.__version__, "cases": pl_cases, "xmin_search": xmin_search})

# ---------------------------------------------------------------------------------------------
# 2. Avalanches on a branching-process activity series (D semantics)
rng = np.random.default_rng(7)
N, T = 200, 30000
a = np.zeros(T, dtype=np.int64)
a[0] = 20
sigma_b = 0.98
for t in range(1, T):
    lam = sigma_b * a[t - 1] + 0.4  # near-critical branching with weak drive
    a[t] = min(N, rng.poisson(lam))


theta_half = int(a.mean() / 2.0)
durs, sizes = d_avalanches(a, theta_half)
durs2, sizes2 = d_avalanches(a, theta_half, binsize=2)
theta_p = float(np.percentile(a, 15))
dursp, sizesp = d_avalanches(a, theta_p)
durs_arr, sizes_arr = np.array(durs), np.array(sizes)
aval = {
    "activity": [int(x) for x in a],
    "mean": float(a.mean()),
    "theta_half": theta_half,
    "durations": durs,
    "sizes": sizes,
    "bin2": {"durations": durs2, "sizes": sizes2},
    "theta_p15": theta_p,
    "p15": {"durations": dursp, "sizes": sizesp},
    "fit_T": fit_record(durs_arr, 6, 60, dists=()),
    "fit_S": fit_record(sizes_arr, 10, 1500, dists=()),
    "fit_T_free": fit_record(durs_arr, 6, None),
    "fit_S_free": fit_record(sizes_arr, 10, None),
}
dump("avalanche.json", aval)

# ---------------------------------------------------------------------------------------------
# 3. Raster statistics (numpy definitions, corrected where the sorn package is wrong)
rng = np.random.default_rng(11)
Tr, Nr = 400, 12
p = rng.uniform(0.02, 0.3, Nr)
raster = (rng.random((Tr, Nr)) < p).astype(np.uint8)
raster[:, 3] = 0  # a silent neuron
b = (rng.random((Tr, Nr)) < 0.1).astype(np.uint8)
fr = raster.sum(axis=1).astype(float)
d = np.diff(fr)
active = raster.std(axis=0) > 0
cm = np.corrcoef(raster[:, active].T.astype(float))
K = active.sum()
counts = raster.sum(axis=0).astype(float)
pp = counts[counts > 0] / counts.sum()
isis = [np.diff(np.where(raster[:, i] == 1)[0]).tolist() for i in range(Nr)]
win = 20
c0 = raster[: Tr // win * win, 0].reshape(-1, win).sum(axis=1)
stats = {
    "raster": raster.tolist(),
    "other": b.tolist(),
    "firing_rate_network": fr.astype(int).tolist(),
    "firing_rate_neuron0_bin10": float(raster[:, 0].sum() * 10 / Tr),
    "sd_smooth": float(np.std(d)),
    "si_smooth": float(np.std(d) / abs(np.mean(d))),
    "autocorr_lag1": float(np.corrcoef(fr[:-1], fr[1:])[0, 1]),
    "autocorr_lag3": float(np.corrcoef(fr[:-3], fr[3:])[0, 1]),
    "corr_mean_all": float(cm.sum() / K / K),
    "corr_mean_offdiag": float((cm.sum() - K) / (K * (K - 1))),
    "corr_n_included": int(K),
    "isis": isis,
    "hamming": (raster != b).sum(axis=1).tolist(),
    "fano_neuron0_win20": {"mean": float(c0.mean()), "var": float(c0.var()), "fano": float(c0.var() / c0.mean())},
    "entropy": float(-(pp * np.log(pp)).sum() / np.log(Nr)),
}
dump("stats.json", stats)

# ---------------------------------------------------------------------------------------------
# 4. Readouts: sklearn LogisticRegression defaults, pinv least squares, ridge
rng = np.random.default_rng(3)
n, f = 150, 6
centers = rng.normal(0, 1.2, (3, f))
y3 = rng.integers(0, 3, n)
X = centers[y3] + rng.normal(0, 1.0, (n, f))
clf3 = LogisticRegression().fit(X, y3)
y2 = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(0, 0.8, n) > 0).astype(int)
clf2 = LogisticRegression().fit(X, y2)
# sklearn's default stopping rule (tol=1e-4, max_iter=100) stops ~1e-3 away from the optimum of
# its own objective; the same estimator run to convergence gives the reference optimum.
opt3 = LogisticRegression(tol=1e-12, max_iter=100000).fit(X, y3)
opt2 = LogisticRegression(tol=1e-12, max_iter=100000).fit(X, y2)
Y = np.eye(3)[y3]
W_ls = (Y.T @ np.linalg.pinv(X.T))  # classes x features, no bias
lam = 2.5
W_ridge = np.linalg.solve(X.T @ X + lam * np.eye(f), X.T @ Y).T
readout = {
    "sklearn_version": sklearn.__version__,
    "X": X.tolist(),
    "y3": y3.tolist(),
    "y2": y2.tolist(),
    "logreg3": {"coef": clf3.coef_.tolist(), "intercept": clf3.intercept_.tolist(),
                "pred": clf3.predict(X).tolist(), "proba": clf3.predict_proba(X).tolist(),
                "coef_opt": opt3.coef_.tolist(), "intercept_opt": opt3.intercept_.tolist(),
                "proba_opt": opt3.predict_proba(X).tolist()},
    "logreg2": {"coef": clf2.coef_.tolist(), "intercept": clf2.intercept_.tolist(),
                "pred": clf2.predict(X).tolist(), "proba": clf2.predict_proba(X).tolist(),
                "coef_opt": opt2.coef_.tolist(), "intercept_opt": opt2.intercept_.tolist(),
                "proba_opt": opt2.predict_proba(X).tolist()},
    "ls_weights": W_ls.tolist(),
    "ls_pred": np.argmax(X @ W_ls.T, axis=1).tolist(),
    "ridge_lambda": lam,
    "ridge_weights": W_ridge.tolist(),
}
dump("readout.json", readout)
