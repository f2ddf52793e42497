#!/usr/bin/env python3
"""Vectorised NumPy reference implementation of one SORN step, `zheng2013` preset.

Written from /work/shared/SPEC.md (sections 1-4, 8.2), *not* from the `sorn` package.
It is the "good NumPy baseline" for bench/compare.py.

Model (SPEC §4.3, paper column; §8.2 preset `zheng2013`)
--------------------------------------------------------
* N_E excitatory, N_I = floor(0.2 N_E) inhibitory binary units.
* W^EE: every off-diagonal entry present independently with p = lambda/N_E (lambda = 20 incoming
  synapses per unit on average, i.e. a connection fraction of 0.1 at N_E = 200); rows without
  any synapse are redrawn.  W^EI: each entry present with p = 0.2 (rows without any entry redrawn).
  W^IE: full.  Weights U(0,1), every row (= all incoming weights of a unit) normalised to sum 1.
* T^E ~ U(0, 1), T^I ~ U(0, 0.5); x(0) ~ Bernoulli(h_IP), y(0) = 0.
* x(t+1) = Θ≥(W^EE x(t) − W^EI y(t) + ξ^E − T^E),  y(t+1) = Θ≥(W^IE x(t) + ξ^I − T^I)
  (inhibition driven by the *old* x(t)), ξ ~ N(0, 0.05) i.e. std sqrt(0.05), fresh per unit/step.
* Plasticity, in this order:
  IP    T^E += η_IP (x(t+1) − h_IP),                          η_IP = 0.01, h_IP = 0.1
  STDP  ΔW^EE_ij = η (x_i(t+1) x_j(t) − x_i(t) x_j(t+1))        η = 0.004, existing synapses only,
        then cap at 1 and prune (remove) entries < 1e-10
  SP    with probability 0.1: one new synapse of weight 0.001 at a random unconnected
        off-diagonal pair (i, j) (rejection sampling, at most 1000 tries)
  iSTDP ΔW^EI_ik = −η_inh y_k(t) (1 − x_i(t+1)(1 + 1/μ))       η_inh = 0.001, μ = 0.1,
        existing entries only; entries <= 0 set to 0.001, entries > 1 set to 1 (D/H rule)
  SN    rows of W^EE rescaled to sum 1 (W^EI is *not* scaled in zheng2013)

Two storage variants for W^EE (W^EI and W^IE are dense in both):
* ``DenseSORN``  – dense float64 N_E×N_E matrix + boolean existence mask.
* ``SparseSORN`` – CSR by postsynaptic row (scipy.sparse for the mat-vec), pruned entries are zeroed
  and compacted lazily; the right choice for large N_E (memory O(λ N_E) instead of O(N_E²)).

Performance notes (what makes these fast, all exact — no approximation):
* W^EI and W^IE are stored *pre-major* (row = presynaptic unit) so the drive is a sum of the rows of
  the currently active presynaptic units (contiguous memory), and iSTDP only touches the rows of
  inhibitory units that fired.
* STDP only changes rows i with x_i(t) or x_i(t+1) = 1 and columns j with x_j(t) or x_j(t+1) = 1,
  so only that block is read/written.  SN only needs to rescale rows whose incoming weights changed
  (STDP rows + the SP row): every other row already sums to 1 from the previous step.

Usage:
  python bench/numpy_sorn.py --check                  # correctness self-check (N_E = 200)
  python bench/numpy_sorn.py --bench --ne 1000 --variant sparse --steps 500 --json
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import asdict, dataclass

import numpy as np

try:  # scipy is only needed for the sparse variant
    import scipy.sparse as sp
except ImportError:  # pragma: no cover
    sp = None


@dataclass
class Params:
    n_e: int = 200
    lam: float = 20.0          # expected incoming W^EE synapses per unit (p = lam / n_e)
    ei_frac: float = 0.2       # W^EI connection fraction
    te_max: float = 1.0
    ti_max: float = 0.5
    noise_std: float = math.sqrt(0.05)
    eta_stdp: float = 0.004
    eta_ip: float = 0.01
    h_ip: float = 0.1
    eta_inhib: float = 0.001
    mu: float = 0.1
    istdp_floor: float = 0.001
    w_max: float = 1.0
    prune_eps: float = 1e-10
    sp_prob: float = 0.1
    sp_weight: float = 0.001
    sp_max_tries: int = 1000

    @property
    def n_i(self) -> int:
        return int(0.2 * self.n_e)


# ---------------------------------------------------------------------------------------------
# shared parts
# ---------------------------------------------------------------------------------------------
class _Base:
    def __init__(self, params: Params, seed: int | None = 0):
        self.p = params
        self.rng = np.random.default_rng(seed)
        ne, ni = params.n_e, params.n_i
        rng = self.rng
        # thresholds, initial state
        self.te = rng.uniform(0.0, params.te_max, ne)
        self.ti = rng.uniform(0.0, params.ti_max, ni)
        self.x = rng.random(ne) < params.h_ip
        self.y = np.zeros(ni, dtype=bool)
        # W^EI: post-major mask with p = ei_frac, rows without entry redrawn, U(0,1), row-normalised;
        # stored transposed (pre-major, N_I x N_E) for speed.
        m = rng.random((ne, ni)) < params.ei_frac
        empty = ~m.any(axis=1)
        while empty.any():
            m[empty] = rng.random((int(empty.sum()), ni)) < params.ei_frac
            empty = ~m.any(axis=1)
        w = rng.random((ne, ni)) * m
        w /= w.sum(axis=1, keepdims=True)
        self.wei_t = np.ascontiguousarray(w.T)            # [k, i] = weight from I unit k to E unit i
        self.mei_t = np.ascontiguousarray(m.T)
        # W^IE: full, U(0,1), rows (incoming sums of each I unit) normalised; stored pre-major.
        w = rng.random((ni, ne))
        w /= w.sum(axis=1, keepdims=True)
        self.wie_t = np.ascontiguousarray(w.T)            # [j, k] = weight from E unit j to I unit k
        self.n_sp_added = 0
        self.n_pruned = 0

    # --- pieces common to both variants -----------------------------------------------------
    def _inputs_from_pops(self, xi: np.ndarray, yi: np.ndarray):
        """Inhibitory drive onto E units and excitatory drive onto I units (pre-major sums)."""
        inh = self.wei_t[yi].sum(axis=0) if yi.size else np.zeros(self.p.n_e)
        exc_i = self.wie_t[xi].sum(axis=0) if xi.size else np.zeros(self.p.n_i)
        return inh, exc_i

    def _istdp(self, yi: np.ndarray, x_new: np.ndarray):
        """iSTDP on the rows (presynaptic I units) that fired at t; floor 0.001, cap 1."""
        if yi.size == 0:
            return
        p = self.p
        # per postsynaptic E unit: -eta * (1 - x_i(t+1) (1 + 1/mu))
        d = -p.eta_inhib * (1.0 - x_new * (1.0 + 1.0 / p.mu))
        sub = self.wei_t[yi]
        m = self.mei_t[yi]
        sub += d[None, :]
        sub[(sub <= 0.0) & m] = p.istdp_floor
        np.minimum(sub, p.w_max, out=sub)
        sub *= m                                   # non-existing entries stay exactly 0
        self.wei_t[yi] = sub

    def _noise(self):
        p = self.p
        z = self.rng.standard_normal(p.n_e + p.n_i)
        z *= p.noise_std
        return z[: p.n_e], z[p.n_e:]

    def run(self, steps: int, plastic: bool = True, record_rate: bool = False):
        rates = np.empty(steps) if record_rate else None
        f = self.step if plastic else self.step_frozen
        for t in range(steps):
            f()
            if record_rate:
                rates[t] = self.x.mean()
        return rates


# ---------------------------------------------------------------------------------------------
# dense W^EE + mask
# ---------------------------------------------------------------------------------------------
class DenseSORN(_Base):
    variant = "dense"

    def __init__(self, params: Params, seed: int | None = 0):
        super().__init__(params, seed)
        ne, rng = params.n_e, self.rng
        pee = params.lam / ne
        m = rng.random((ne, ne)) < pee
        np.fill_diagonal(m, False)
        empty = ~m.any(axis=1)
        while empty.any():
            rows = np.flatnonzero(empty)
            m[rows] = rng.random((rows.size, ne)) < pee
            m[rows, rows] = False
            empty = ~m.any(axis=1)
        w = rng.random((ne, ne)) * m
        w /= w.sum(axis=1, keepdims=True)
        self.wee = w            # [i, j] = weight from E unit j to E unit i (row = post)
        self.mee = m
        self._xf = np.empty(ne)

    # drive = W^EE x(t): BLAS gemv on the dense matrix
    def _ee_drive(self, x):
        np.copyto(self._xf, x)
        return self.wee @ self._xf

    def step_frozen(self):
        x, y = self.x, self.y
        xi, yi = np.flatnonzero(x), np.flatnonzero(y)
        ne_, ni_ = self._noise()
        inh, exc_i = self._inputs_from_pops(xi, yi)
        self.x = self._ee_drive(x) - inh + ne_ - self.te >= 0.0
        self.y = exc_i + ni_ - self.ti >= 0.0

    def step(self):
        p = self.p
        x, y = self.x, self.y
        xi, yi = np.flatnonzero(x), np.flatnonzero(y)
        ne_, ni_ = self._noise()
        inh, exc_i = self._inputs_from_pops(xi, yi)
        x_new = self._ee_drive(x) - inh + ne_ - self.te >= 0.0
        y_new = exc_i + ni_ - self.ti >= 0.0

        # IP
        self.te += p.eta_ip * (x_new - p.h_ip)

        # STDP. Only rows R (units active at t or t+1) can change, and within them only the
        # columns R. Gather the rows once (contiguous), update, normalise, scatter back once.
        act = x | x_new
        R = np.flatnonzero(act)
        blk = self.wee[R]                       # (|R|, N_E) copy
        if R.size:
            mrow = self.mee[R]
            m = mrow[:, R]
            xn_r = x_new[R].astype(np.float64)
            xo_r = x[R].astype(np.float64)
            delta = np.outer(xn_r, xo_r)
            delta -= np.outer(xo_r, xn_r)
            delta *= p.eta_stdp
            delta *= m
            sub = blk[:, R]
            sub += delta
            np.minimum(sub, p.w_max, out=sub)
            dead = m & (sub < p.prune_eps)
            if dead.any():
                sub[dead] = 0.0
                m[dead] = False
                mrow[:, R] = m
                self.mee[R] = mrow
                self.n_pruned += int(dead.sum())
            blk[:, R] = sub

        # SP (after pruning, so a synapse pruned in this step may be re-created)
        if self.rng.random() < p.sp_prob:
            sp_row, sp_col = self._sp()
            if sp_row >= 0:
                if act[sp_row]:
                    blk[np.searchsorted(R, sp_row), sp_col] = p.sp_weight
                else:
                    self.wee[sp_row, sp_col] = p.sp_weight
                    self.wee[sp_row] /= self.wee[sp_row].sum()       # SN of that row

        # iSTDP (old y, new x)
        self._istdp(yi, x_new)

        # SN of W^EE: every row whose incoming weights changed (all others already sum to 1)
        if R.size:
            s = blk.sum(axis=1)
            s[s <= 0.0] = 1.0                    # zero-sum guard: leave rows without synapses
            blk /= s[:, None]
            self.wee[R] = blk

        self.x, self.y = x_new, y_new

    def _sp(self) -> tuple[int, int]:
        p, ne = self.p, self.p.n_e
        for _ in range(p.sp_max_tries):
            i, j = self.rng.integers(0, ne, 2)
            if i != j and not self.mee[i, j]:
                self.mee[i, j] = True             # the weight is written by the caller
                self.n_sp_added += 1
                return int(i), int(j)
        return -1, -1

    # --- inspection ---------------------------------------------------------------------------
    def wee_dense(self):
        return self.wee

    def n_ee(self) -> int:
        return int(self.mee.sum())


# ---------------------------------------------------------------------------------------------
# sparse (CSR by postsynaptic row) W^EE
# ---------------------------------------------------------------------------------------------
class SparseSORN(_Base):
    variant = "sparse"

    def __init__(self, params: Params, seed: int | None = 0):
        if sp is None:
            raise RuntimeError("scipy is required for the sparse variant")
        super().__init__(params, seed)
        ne, rng = params.n_e, self.rng
        pee = params.lam / ne
        # Bernoulli(p) graph without self loops, built row by row in a vectorised way:
        # in-degree ~ Binomial(ne-1, p) (redrawn while 0), partners uniform without replacement.
        k = rng.binomial(ne - 1, pee, ne)
        while (k == 0).any():
            z = k == 0
            k[z] = rng.binomial(ne - 1, pee, int(z.sum()))
        rows = np.repeat(np.arange(ne), k)
        cols = rng.integers(0, ne - 1, rows.size)
        keys = np.unique(rows.astype(np.int64) * ne + cols + (cols >= rows))
        while keys.size < k.sum():       # top up rows that lost entries to duplicates
            have = np.bincount(keys // ne, minlength=ne)
            r = np.repeat(np.arange(ne), k - have)
            c = rng.integers(0, ne - 1, r.size)
            keys = np.unique(np.concatenate([keys, r.astype(np.int64) * ne + c + (c >= r)]))
        rows = (keys // ne).astype(np.int32)
        cols = (keys % ne).astype(np.int32)
        data = rng.random(rows.size)
        s = np.bincount(rows, weights=data, minlength=ne)
        data /= s[rows]
        indptr = np.zeros(ne + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=ne), out=indptr[1:])
        self._set_csr(data, cols, indptr, rows)
        self._xf = np.empty(ne)
        self._nzero = 0           # number of stored entries that were pruned (data == 0)

    def _set_csr(self, data, indices, indptr, rowidx):
        self.data, self.indices, self.indptr, self.rowidx = data, indices, indptr, rowidx
        n = self.p.n_e
        self.W = sp.csr_matrix((data, indices, indptr), shape=(n, n), copy=False)
        # csr_matrix may downcast/copy index arrays; keep our references pointing at its arrays
        self.data, self.indices, self.indptr = self.W.data, self.W.indices, self.W.indptr

    def _ee_drive(self, x):
        np.copyto(self._xf, x)
        return self.W @ self._xf

    def step_frozen(self):
        x, y = self.x, self.y
        xi, yi = np.flatnonzero(x), np.flatnonzero(y)
        ne_, ni_ = self._noise()
        inh, exc_i = self._inputs_from_pops(xi, yi)
        self.x = self._ee_drive(x) - inh + ne_ - self.te >= 0.0
        self.y = exc_i + ni_ - self.ti >= 0.0

    def step(self):
        p = self.p
        x, y = self.x, self.y
        xi, yi = np.flatnonzero(x), np.flatnonzero(y)
        ne_, ni_ = self._noise()
        inh, exc_i = self._inputs_from_pops(xi, yi)
        x_new = self._ee_drive(x) - inh + ne_ - self.te >= 0.0
        y_new = exc_i + ni_ - self.ti >= 0.0

        # IP
        self.te += p.eta_ip * (x_new - p.h_ip)

        # STDP on stored, existing (data > 0) synapses
        data, ind, rowidx = self.data, self.indices, self.rowidx
        pot = np.flatnonzero(x_new[rowidx] & x[ind])
        dep = np.flatnonzero(x[rowidx] & x_new[ind])
        if self._nzero:
            pot = pot[data[pot] > 0.0]
            dep = dep[data[dep] > 0.0]
        data[pot] += p.eta_stdp
        data[dep] -= p.eta_stdp
        if pot.size:
            data[pot] = np.minimum(data[pot], p.w_max)
        if dep.size:
            d = dep[data[dep] < p.prune_eps]
            if d.size:
                data[d] = 0.0
                self._nzero += d.size
                self.n_pruned += d.size

        # SP
        sp_row = -1
        if self.rng.random() < p.sp_prob:
            sp_row = self._sp()

        # iSTDP
        self._istdp(yi, x_new)

        # SN: rows R = x(t) | x(t+1) and the SP row
        act = x | x_new
        if sp_row >= 0:
            act = act.copy()
            act[sp_row] = True
        data, rowidx = self.data, self.rowidx          # may have changed in _sp
        sel = np.flatnonzero(act[rowidx])
        if sel.size:
            s = np.bincount(rowidx[sel], weights=data[sel], minlength=p.n_e)
            sr = s[rowidx[sel]]
            ok = sr > 0.0
            data[sel[ok]] /= sr[ok]

        # lazy compaction of pruned entries
        if self._nzero > 16 + data.size // 100:
            self._compact()

        self.x, self.y = x_new, y_new

    def _compact(self):
        keep = self.data > 0.0
        rowidx = self.rowidx[keep]
        indptr = np.zeros(self.p.n_e + 1, dtype=np.int64)
        np.cumsum(np.bincount(rowidx, minlength=self.p.n_e), out=indptr[1:])
        self._set_csr(self.data[keep], self.indices[keep], indptr, rowidx)
        self._nzero = 0

    def _sp(self) -> int:
        p, ne = self.p, self.p.n_e
        for _ in range(p.sp_max_tries):
            i, j = (int(v) for v in self.rng.integers(0, ne, 2))
            if i == j:
                continue
            a, b = self.indptr[i], self.indptr[i + 1]
            seg = self.indices[a:b]
            pos = int(np.searchsorted(seg, j))
            if pos < seg.size and seg[pos] == j:        # stored
                if self.data[a + pos] > 0.0:
                    continue                               # connected: retry
                self.data[a + pos] = p.sp_weight           # revive a pruned slot
                self._nzero -= 1
            else:                                          # insert, keeping rows sorted
                at = a + pos
                data = np.insert(self.data, at, p.sp_weight)
                indices = np.insert(self.indices, at, j)
                rowidx = np.insert(self.rowidx, at, i)
                indptr = self.indptr.copy()
                indptr[i + 1:] += 1
                self._set_csr(data, indices, indptr, rowidx)
            self.n_sp_added += 1
            return i
        return -1

    # --- inspection ---------------------------------------------------------------------------
    def wee_dense(self):
        return self.W.toarray()

    def n_ee(self) -> int:
        return int((self.data > 0).sum())


VARIANTS = {"dense": DenseSORN, "sparse": SparseSORN}


# ---------------------------------------------------------------------------------------------
# self-check
# ---------------------------------------------------------------------------------------------
def self_check(variant: str, n_e: int = 200, steps: int = 5000, seed: int = 1) -> bool:
    net = VARIANTS[variant](Params(n_e=n_e), seed=seed)
    p = net.p
    ok = True

    def check(cond, msg):
        nonlocal ok
        print(f"  [{'ok' if cond else 'FAIL'}] {msg}")
        ok &= bool(cond)

    print(f"{variant}: N_E={n_e}, N_I={p.n_i}, initial W^EE synapses={net.n_ee()} "
          f"(fraction {net.n_ee() / n_e**2:.3f}), W^EI fraction {net.mei_t.mean():.3f}")
    t0 = time.perf_counter()
    rates = net.run(steps, plastic=True, record_rate=True)
    dt = time.perf_counter() - t0
    w = net.wee_dense()
    exist = w > 0
    rs = w.sum(axis=1)
    has = exist.any(axis=1)
    check(np.allclose(rs[has], 1.0, atol=1e-9), f"W^EE row sums = 1 after SN (max |dev| "
          f"{np.abs(rs[has] - 1).max():.2e}, rows without synapses: {int((~has).sum())})")
    check(w.min() >= 0.0 and w.max() <= 1.0, f"W^EE weights in [0,1] (min {w.min():.3g}, max {w.max():.3g})")
    check(not np.diag(exist).any(), "no self synapses")
    check(not (exist & (w < p.prune_eps)).any(), "no stored synapse below the pruning threshold")
    if variant == "dense":
        check(np.array_equal(net.mee, exist), "existence mask == (W^EE > 0)")
    wei = net.wei_t
    # the 0.001 floor only replaces results <= 0 (D/H rule); small initial weights may stay below it
    check(np.all(wei[net.mei_t] > 0.0) and wei.max() <= 1.0 and not wei[~net.mei_t].any(),
          f"W^EI: existing entries in (0, 1] (min {wei[net.mei_t].min():.2e}, max {wei.max():.3g}), "
          f"others exactly 0, {int(net.mei_t.sum())} entries kept")
    check(np.allclose(net.wie_t.sum(axis=0), 1.0), "W^IE rows (incoming sums of I units) = 1")
    late = rates[-1000:].mean()
    check(abs(late - p.h_ip) < 0.02, f"mean E rate over last 1000 of {steps} steps = {late:.4f} "
          f"(target {p.h_ip}; first 100 steps: {rates[:100].mean():.4f})")
    print(f"  synapses now {net.n_ee()} (fraction {net.n_ee() / n_e**2:.4f}); "
          f"SP added {net.n_sp_added}, pruned {net.n_pruned}; {1e6 * dt / steps:.1f} µs/step")
    return ok


def equivalence_check(n_e: int = 200, steps: int = 2000, seed: int = 3) -> bool:
    """Dense and sparse variants consume the RNG identically, so they must follow the same
    trajectory (up to floating-point rounding of the sums)."""
    a = DenseSORN(Params(n_e=n_e), seed=seed)
    b = SparseSORN(Params(n_e=n_e), seed=seed)
    # the two constructors draw W^EE differently: copy the dense network's W^EE into b
    rows, cols = np.nonzero(a.wee)
    b._set_csr(a.wee[rows, cols].copy(), cols.astype(np.int32),
               np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_e))]).astype(np.int64),
               rows.astype(np.int32))
    for attr in ("te", "ti", "x", "y", "wei_t", "mei_t", "wie_t"):
        setattr(b, attr, getattr(a, attr).copy())
    b.rng = np.random.default_rng(99)
    a.rng = np.random.default_rng(99)
    same = 0
    for t in range(steps):
        a.step()
        b.step()
        if np.array_equal(a.x, b.x):
            same += 1
        else:
            break
    diff = np.abs(a.wee - b.wee_dense()).max()
    ok = same == steps and diff < 1e-9
    print(f"  [{'ok' if ok else 'FAIL'}] dense and sparse variants agree for {same}/{steps} steps "
          f"(max |ΔW^EE| {diff:.1e})")
    return ok


# ---------------------------------------------------------------------------------------------
# timing helper used by compare.py (also usable stand-alone)
# ---------------------------------------------------------------------------------------------
def _timed(f, steps: int, chunks: int):
    """Run f(n) in `chunks` pieces; return per-chunk µs/step (other processes on a shared machine
    make single measurements noisy: report the best and the median chunk)."""
    sizes = [steps // chunks + (1 if c < steps % chunks else 0) for c in range(chunks)]
    out = []
    for n in sizes:
        if n == 0:
            continue
        t0 = time.perf_counter()
        f(n)
        out.append(1e6 * (time.perf_counter() - t0) / n)
    return out


def bench(n_e: int, variant: str, steps: int, frozen_steps: int | None = None,
          warmup: int | None = None, seed: int = 0, chunks: int = 5) -> dict:
    frozen_steps = steps if frozen_steps is None else frozen_steps
    warmup = max(20, steps // 5) if warmup is None else warmup
    t0 = time.perf_counter()
    net = VARIANTS[variant](Params(n_e=n_e), seed=seed)
    t_init = time.perf_counter() - t0
    net.run(warmup, plastic=True)
    rates = []
    pl = _timed(lambda n: rates.append(net.run(n, plastic=True, record_rate=True)), steps, chunks)
    net.run(max(5, frozen_steps // 10), plastic=False)
    fr = _timed(lambda n: net.run(n, plastic=False), frozen_steps, chunks)
    return {
        "implementation": f"numpy_sorn ({variant})",
        "variant": variant,
        "n_e": n_e,
        "n_i": net.p.n_i,
        "init_s": t_init,
        "warmup_steps": warmup,
        "plastic_steps": steps,
        "frozen_steps": frozen_steps,
        "us_per_plastic_step": min(pl),
        "us_per_frozen_step": min(fr),
        "us_per_plastic_step_median_chunk": float(np.median(pl)),
        "us_per_frozen_step_median_chunk": float(np.median(fr)),
        "plastic_chunks_us": pl,
        "frozen_chunks_us": fr,
        "mean_rate_timed": float(np.concatenate(rates).mean()),
        "n_ee_synapses": net.n_ee(),
        "n_ei_synapses": int(net.mei_t.sum()),
        "n_ie_synapses": int(net.wie_t.size),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="run the correctness self-check")
    ap.add_argument("--bench", action="store_true", help="time plastic and frozen steps")
    ap.add_argument("--ne", type=int, default=200)
    ap.add_argument("--variant", choices=sorted(VARIANTS), default="dense")
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--frozen-steps", type=int, default=None)
    ap.add_argument("--warmup", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--chunks", type=int, default=5, help="timing chunks (best chunk is reported)")
    ap.add_argument("--blas-threads", type=int, default=1,
                    help="limit BLAS threads via threadpoolctl (0 = leave as is)")
    ap.add_argument("--json", action="store_true", help="print the --bench result as JSON")
    a = ap.parse_args(argv)
    if not (a.check or a.bench):
        a.check = True
    status = 0
    if a.check:
        ok = True
        for v in ("dense", "sparse"):
            ok &= self_check(v, n_e=a.ne)
        ok &= equivalence_check(n_e=a.ne)
        print("self-check:", "PASSED" if ok else "FAILED")
        status = 0 if ok else 1
    if a.bench:
        limiter = None
        if a.blas_threads > 0:
            try:
                from threadpoolctl import threadpool_limits
                limiter = threadpool_limits(a.blas_threads)
            except ImportError:
                pass
        r = bench(a.ne, a.variant, a.steps, a.frozen_steps, a.warmup, a.seed, a.chunks)
        r["blas_threads"] = a.blas_threads if limiter is not None else "default"
        if a.json:
            print(json.dumps(r))
        else:
            print(f"{r['implementation']} N_E={a.ne}: {r['us_per_plastic_step']:.1f} µs/plastic step, "
                  f"{r['us_per_frozen_step']:.1f} µs/frozen step (best of {a.chunks} chunks), mean rate {r['mean_rate_timed']:.3f}")
    return status


if __name__ == "__main__":
    sys.exit(main())
