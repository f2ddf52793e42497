#!/usr/bin/env python3
"""Independent NumPy implementation of the SORN `delpapa2017` preset (D = delpapa/SORN code).

Written from /work/shared/SPEC.md (§1.3, §2, §3, §4.3, §5.6) only; it shares no code with the Rust crate.
Purpose: check whether long-run properties of the Rust implementation (e.g. the E<-E connection-count
plateau after the pruning transient) are properties of the model or artefacts of the implementation.

One step (D order, fast inhibition, Heaviside >= 0):
    R_x = W^EE x - W^EI y - T^E + sigma*N(0,1);   x' = [R_x >= 0]
    R_y = W^IE x' - T^I + sigma*N(0,1);           y' = [R_y >= 0]
    IP:    T^E += eta_ip (x' - h_ip)
    STDP:  existing W^EE_ij += eta_stdp (x'_i x_j - x_i x'_j); cap 1; < 1e-10 -> removed
    SP:    with prob p_SP draw a free pair (i != j), append to pending; when > 10 pending insert all (w = 0.001)
    iSTDP: masked W^EI_ik += -eta_inh y_k (1 - x'_i (1 + 1/mu)); <= 0 -> 0.001 (on mask); > 1 -> 1
    SN:    rows of W^EE and W^EI divided by their sums (sum < 1e-6 -> 1e-6)
    x, y <- x', y'

Data layout: W^EE dense float64 (N_E x N_E) + boolean existence mask M (invariant M == (W > 0)).
Only the rows/columns that can change are touched:
  * STDP changes only entries (i, j) with i, j both in R = active(x) | active(x'), so it works on the R x R block;
  * SN of W^EE is applied to the rows in R (plus rows that received SP synapses); every other row is unchanged
    since its last normalisation and still sums to 1;
  * iSTDP changes only columns k with y_k = 1; SN of W^EI then covers all rows (every row may have changed).
Random numbers are drawn in chunks (noise, SP Bernoulli trials).

Usage:
  python3 numpy_delpapa.py --seed 1 --steps 4000000 --out run_s1.npz
  python3 numpy_delpapa.py --check            # invariants on a short run
  python3 numpy_delpapa.py --analyze run_s1.npz [run_s2.npz ...]
"""
import argparse
import json
import sys
import time

import numpy as np

# ---------------------------------------------------------------- parameters (SPEC §4.3, D param_Zheng2013)
ETA_STDP = 0.004
ETA_IP = 0.01
H_IP = 0.1
ETA_INH = 0.001
MU = 0.1
SIGMA = np.sqrt(0.05)
SP_INIT = 0.001
SP_BATCH = 10          # insert when len(pending) > SP_BATCH, i.e. at the 11th pending pair
SP_TRIES = 100
PRUNE_EPS = 1e-10
SN_GUARD = 1e-6
TE_MAX, TI_MAX = 1.0, 0.5


def p_sp(ne):
    return 0.1 * ne * (ne - 1) / (200.0 * 199.0)


# ---------------------------------------------------------------- initialisation (SPEC §3, D column)
def init_network(rng, ne):
    ni = int(0.2 * ne)
    lam = 0.1 * ne                      # lambda_EE = 0.1 N_E = 20 at N_E = 200
    p = lam / ne
    W = np.zeros((ne, ne))
    for i in range(ne):
        n = rng.binomial(ne, p)
        while n == 0:                   # zero in-degrees redrawn
            n = rng.binomial(ne, p)
        n = max(n - 1, 1)               # self-avoidance: subtract 1, floor 1
        others = np.concatenate([np.arange(i), np.arange(i + 1, ne)])
        pre = rng.choice(others, size=n, replace=False)
        W[i, pre] = rng.random(n)
    W /= W.sum(axis=1, keepdims=True)
    M = W > 0

    # W^EI: mask with p = 0.2, rows without entry redrawn; D clears mask[k,k] for k < N_I (quirk).
    # Ambiguity: SPEC does not say whether the empty-row redraw happens before or after the diagonal clearing;
    # we clear the diagonal first and then redraw any empty row (redraw also clears its diagonal entry).
    MEI = rng.random((ne, ni)) < 0.2
    for k in range(min(ne, ni)):
        MEI[k, k] = False
    for i in range(ne):
        while not MEI[i].any():
            MEI[i] = rng.random(ni) < 0.2
            if i < ni:
                MEI[i, i] = False
    WEI = rng.random((ne, ni)) * MEI
    WEI /= WEI.sum(axis=1, keepdims=True)

    WIE = rng.random((ni, ne))          # full
    WIE /= WIE.sum(axis=1, keepdims=True)

    TE = rng.uniform(0.0, TE_MAX, ne)
    TI = rng.uniform(0.0, TI_MAX, ni)
    x = (rng.random(ne) < H_IP).astype(np.float64)   # Bernoulli(h_ip)
    y = np.zeros(ni)
    return dict(W=W, M=M, WEI=WEI, MEI=MEI, WIE=WIE, TE=TE, TI=TI, x=x, y=y)


# ---------------------------------------------------------------- simulation
def run(seed, steps, ne=200, conn_every=1000, check=False, chunk=4096, progress=None, log=sys.stderr):
    rng = np.random.default_rng(seed)
    net = init_network(rng, ne)
    W, M, WEI, MEI, WIE = net["W"], net["M"], net["WEI"], net["MEI"], net["WIE"]
    TE, TI, x, y = net["TE"], net["TI"], net["x"], net["y"]
    ni = WIE.shape[0]
    Wf = W.reshape(-1)                  # flat views for block gathers/scatters
    Mf = M.reshape(-1)
    MEIf = MEI.astype(np.float64)
    psp = p_sp(ne)
    istdp_fac = 1.0 + 1.0 / MU

    act = np.zeros(steps, dtype=np.int16)
    n_conn = np.zeros(steps // conn_every + 1, dtype=np.int32)
    nconn = int(M.sum())
    n_conn[0] = nconn
    pending = []
    stats = dict(pruned=0, inserted=0, sp_overwrite=0, sp_giveup=0, zero_rows_ee=0, zero_rows_ei=0)

    t0 = time.time()
    t = 0
    while t < steps:
        C = min(chunk, steps - t)
        nE = rng.standard_normal((C, ne)) * SIGMA
        nI = rng.standard_normal((C, ni)) * SIGMA
        spu = rng.random(C) < psp
        for c in range(C):
            # ---- state update (fast inhibition)
            Rx = W @ x
            Rx -= WEI @ y
            Rx -= TE
            Rx += nE[c]
            xn_b = Rx >= 0
            xn = xn_b.astype(np.float64)
            Ry = WIE @ xn
            Ry -= TI
            Ry += nI[c]
            yn = (Ry >= 0).astype(np.float64)
            # ---- IP
            TE += ETA_IP * (xn - H_IP)
            # ---- STDP on the R x R block (the only entries that can change)
            R = np.flatnonzero(xn_b | (x > 0))
            norm_rows = R
            if R.size:
                idx = (R[:, None] * ne + R[None, :]).ravel()
                blk = Wf[idx]
                ms = Mf[idx]
                xo = x[R]
                xr = xn[R]
                d = (np.multiply.outer(xr, xo) - np.multiply.outer(xo, xr)).ravel()
                d *= ETA_STDP
                d *= ms
                blk += d
                np.minimum(blk, 1.0, out=blk)
                keep = blk >= PRUNE_EPS
                newm = ms & keep
                npr = int(ms.sum() - newm.sum())
                if npr:
                    blk *= newm
                    Mf[idx] = newm
                    nconn -= npr
                    stats["pruned"] += npr
                Wf[idx] = blk
            # ---- SP (batched)
            if spu[c]:
                for _ in range(SP_TRIES):
                    i = int(rng.integers(ne))
                    j = int(rng.integers(ne - 1))
                    j += j >= i                 # uniform over j != i
                    if not M[i, j]:
                        break
                else:
                    stats["sp_giveup"] += 1     # take the last (connected) pair anyway
                pending.append((i, j))
                if len(pending) > SP_BATCH:
                    pi = np.array([p[0] for p in pending])
                    pj = np.array([p[1] for p in pending])
                    # duplicates inside a batch: one synapse; a connected pair is overwritten with w = 0.001
                    lin = np.unique(pi * ne + pj)
                    new = ~Mf[lin]
                    stats["sp_overwrite"] += int((~new).sum())
                    Wf[lin] = SP_INIT
                    Mf[lin] = True
                    nconn += int(new.sum())
                    stats["inserted"] += int(new.sum())
                    pending = []
                    norm_rows = np.union1d(R, lin // ne)
            # ---- iSTDP on columns of active (old) inhibitory units
            K = np.flatnonzero(y)
            if K.size:
                mk = MEIf[:, K]
                blk = WEI[:, K]
                blk -= (ETA_INH * (1.0 - istdp_fac * xn))[:, None] * mk
                blk[blk <= 0] = 0.001
                blk *= mk
                np.minimum(blk, 1.0, out=blk)
                WEI[:, K] = blk
                s = WEI.sum(axis=1)
                if check and (s < SN_GUARD).any():
                    stats["zero_rows_ei"] += int((s < SN_GUARD).sum())
                np.maximum(s, SN_GUARD, out=s)
                WEI /= s[:, None]
            # ---- SN of W^EE (changed rows only)
            if norm_rows.size:
                sub = W[norm_rows]
                s = sub.sum(axis=1)
                if (s < SN_GUARD).any():
                    stats["zero_rows_ee"] += int((s < SN_GUARD).sum())
                    np.maximum(s, SN_GUARD, out=s)
                sub /= s[:, None]
                W[norm_rows] = sub
            # ---- advance
            x = xn
            y = yn
            act[t] = xn_b.sum()
            t += 1
            if t % conn_every == 0:
                n_conn[t // conn_every] = nconn
            if check:
                check_invariants(W, M, WEI, MEI, nconn, t)
        if progress and (t // chunk) % progress == 0:
            el = time.time() - t0
            print(f"step {t} conn {nconn} mean_a(last chunk) {act[t - C:t].mean():.2f} "
                  f"{1e6 * el / t:.1f} us/step", file=log, flush=True)
    el = time.time() - t0
    stats["us_per_step"] = 1e6 * el / steps
    stats["wall_s"] = el
    final = dict(W=W, WEI=WEI, TE=TE)
    return act, n_conn, stats, final


def check_invariants(W, M, WEI, MEI, nconn, t):
    ne = W.shape[0]
    assert np.array_equal(M, W > 0), f"mask != (W>0) at step {t}"
    assert int(M.sum()) == nconn, f"connection counter wrong at step {t}"
    assert not M[np.arange(ne), np.arange(ne)].any(), f"self-synapse at step {t}"
    w = W[M]
    assert (w > 0).all() and (w <= 1.0).all(), f"W^EE weight out of (0,1] at step {t}"
    rs = W.sum(axis=1)
    has = M.any(axis=1)
    assert np.all(np.abs(rs[has] - 1.0) < 1e-9), f"W^EE row sum off at step {t}: {rs[has].min()} {rs[has].max()}"
    we = WEI[MEI]
    assert (we > 0).all() and (we <= 1.0).all(), f"W^EI weight out of (0,1] at step {t}"
    assert (WEI[~MEI] == 0).all(), f"W^EI entry outside mask at step {t}"
    rs = WEI.sum(axis=1)
    assert np.all(np.abs(rs - 1.0) < 1e-9), f"W^EI row sum off at step {t}"


# ---------------------------------------------------------------- analysis
def acf(a, lag):
    a = a.astype(np.float64) - a.mean()
    return float(np.dot(a[:-lag], a[lag:]) / np.dot(a, a))


def avalanches(a, theta):
    """Maximal runs of a > theta; a run still open at the start or end of the series is discarded."""
    above = (a > theta).astype(np.int8)
    d = np.diff(np.concatenate([[0], above, [0]]))
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1)
    dur = ends - starts
    keep = np.ones(dur.size, bool)
    if dur.size and starts[0] == 0:
        keep[0] = False            # started before the analysis window
    if dur.size and ends[-1] == a.size:
        keep[-1] = False           # still open at the end
    return dur[keep]


def analyze(path, window=1_000_000, theta=10):
    z = np.load(path)
    a = z["activity"]
    nc = z["n_conn"]
    every = int(z["conn_every"])
    steps = a.size
    out = dict(file=path, steps=steps)
    for s in [0, 50_000, 200_000, 500_000, 1_000_000, 2_000_000, 3_000_000, steps]:
        if s <= steps and s // every < nc.size:
            out[f"conn@{s}"] = int(nc[s // every])
    w = a[-window:].astype(np.float64)
    out["mean_a"] = float(w.mean())
    out["std_a"] = float(w.std())
    out["P(a<=10)"] = float((w <= 10).mean())
    out["acf1"] = acf(w, 1)
    out["acf5"] = acf(w, 5)
    dur = avalanches(w, theta)
    out["n_aval"] = int(dur.size)
    out["mean_dur"] = float(dur.mean()) if dur.size else float("nan")
    # plateau summary: mean connection count over the last 1e6 steps
    k = window // every
    out["conn_mean_last"] = float(nc[-k:].mean())
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=100_000)
    ap.add_argument("--ne", type=int, default=200)
    ap.add_argument("--conn-every", type=int, default=1000)
    ap.add_argument("--out", default=None)
    ap.add_argument("--progress", type=int, default=25, help="print progress every N chunks of 4096 steps")
    ap.add_argument("--check", action="store_true", help="short run asserting invariants every step")
    ap.add_argument("--analyze", nargs="+", default=None)
    ap.add_argument("--window", type=int, default=1_000_000)
    ap.add_argument("--theta", type=int, default=10)
    args = ap.parse_args()

    if args.analyze:
        res = [analyze(p, args.window, args.theta) for p in args.analyze]
        print(json.dumps(res, indent=1))
        return

    if args.check:
        steps = 30_000 if args.steps == 100_000 else args.steps
        act, nc, stats, fin = run(args.seed, steps, args.ne, args.conn_every, check=True, progress=0)
        rate = act[steps // 2:].mean() / args.ne
        print(f"check: {steps} steps, invariants held every step; rate over 2nd half = {rate:.4f}; "
              f"stats {stats}")
        assert abs(rate - H_IP) < 0.01, f"mean rate {rate} not ~ {H_IP}"
        # STDP sign sanity: IP drives the mean threshold so that the mean rate is h_ip
        print("check OK")
        return

    act, nc, stats, fin = run(args.seed, args.steps, args.ne, args.conn_every, progress=args.progress)
    stats.update(seed=args.seed, steps=args.steps, ne=args.ne)
    print(json.dumps(stats), file=sys.stderr)
    if args.out:
        np.savez_compressed(args.out, activity=act, n_conn=nc, conn_every=args.conn_every, seed=args.seed,
                            stats=json.dumps(stats), W_final=fin["W"], WEI_final=fin["WEI"], TE_final=fin["TE"])


if __name__ == "__main__":
    main()
