"""Helpers shared by the golden-fixture scripts: writing fixtures, powerlaw fits, D's avalanche rule."""
import json
import os
import warnings

import numpy as np

warnings.filterwarnings("ignore")

import powerlaw  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "crates", "sorn-analysis", "tests", "fixtures")
os.makedirs(OUT, exist_ok=True)


def dump(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def fl(x):
    return None if x is None else float(x)


def fit_record(data, xmin, xmax, dists=("truncated_power_law", "exponential", "lognormal", "stretched_exponential")):
    fit = powerlaw.Fit(data, discrete=True, xmin=xmin, xmax=xmax, verbose=0)
    pl = fit.power_law
    rec = {
        "xmin": fl(fit.xmin),
        "xmax": fl(xmax),
        "n": int(len(fit.data)),
        "alpha": float(pl.alpha),
        "standard_err": float(pl.standard_err),
        "ks_d": float(pl.D),
        "pl_loglikelihood": float(pl.loglikelihood) if hasattr(pl, "loglikelihood") else float(np.sum(pl.loglikelihoods(fit.data))),
    }
    if "truncated_power_law" in dists:
        t = fit.truncated_power_law
        rec["tpl_alpha"] = float(t.alpha)
        rec["tpl_lambda"] = float(t.Lambda)
        rec["tpl_loglikelihood"] = float(np.sum(t.loglikelihoods(fit.data)))
    if "exponential" in dists:
        e = fit.exponential
        rec["exp_lambda"] = float(e.Lambda)
        rec["exp_loglikelihood"] = float(np.sum(e.loglikelihoods(fit.data)))
    if "lognormal" in dists:
        ln = fit.lognormal
        rec["ln_mu"] = float(ln.mu)
        rec["ln_sigma"] = float(ln.sigma)
        rec["ln_loglikelihood"] = float(np.sum(ln.loglikelihoods(fit.data)))
    if "stretched_exponential" in dists:
        se = fit.stretched_exponential
        rec["se_lambda"] = float(se.Lambda)
        rec["se_beta"] = float(se.beta)
        rec["se_loglikelihood"] = float(np.sum(se.loglikelihoods(fit.data)))
    comps = {}
    for d in dists:
        R, p = fit.distribution_compare("power_law", d, normalized_ratio=True)
        comps[d] = {"r": float(R), "p": float(p)}
    rec["compare"] = comps
    return rec


def d_avalanches(act, theta, binsize=1):
    if binsize > 1:
        L = len(act) // binsize * binsize
        v = np.floor(act[:L].reshape(-1, binsize).mean(axis=1) - theta)
    else:
        v = act - theta
    durs, sizes = [], []
    size, area = 0, 0
    for x in v:
        if x > 0:
            size += 1
            area += int(x)
        elif size != 0:
            durs.append(size)
            sizes.append(area)
            size, area = 0, 0
    return durs, sizes
