#!/usr/bin/env python3
"""Golden fixture from one of our own runs: avalanches of a delpapa2017 network, fitted by `powerlaw`.

Runs the `sorn` binary (release build, via cargo) for 200 000 steps of the delpapa2017 preset with
seed 1, recording only the mean rate; the activity a(t) = rate(t) · N_E of the last 100 000 steps is the
dataset. Avalanches follow D's rule (theta = floor(<a>/2), size = area above theta, the open final run
dropped) and are fitted with powerlaw (discrete) as in DP17: durations on [6, 60], sizes on [10, 1500],
and without xmax for the alternatives. Writes crates/sorn-analysis/tests/fixtures/avalanche_run.json.

Requirements: a Rust toolchain, Python 3.11 with numpy and powerlaw==2.0.0.
Run from anywhere:  python3 scripts/golden/make_run_avalanche_golden.py

With --reuse-activity the simulator is not run: the activity stored in the existing fixture is
reused (to add or refresh the powerlaw values without depending on the current simulator).
"""
import json
import os
import sys
import subprocess
import tempfile

import numpy as np
import powerlaw

from golden_common import OUT, d_avalanches, dump, fit_record

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NE, STEPS, KEEP, SEED = 200, 200_000, 100_000, 1

if "--reuse-activity" in sys.argv[1:]:
    with open(os.path.join(OUT, "avalanche_run.json")) as f:
        activity = np.array(json.load(f)["activity"], dtype=np.int64)
else:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "run")
        subprocess.run(
            ["cargo", "run", "--release", "--quiet", "--", "run", "--preset", "delpapa2017", "--seed", str(SEED),
             "--steps", str(STEPS), "--record", "rate", "--no-plots", "--quiet", "--out", out],
            cwd=ROOT, check=True,
        )
        rate = np.load(os.path.join(out, "rate.npy"))
    activity = np.rint(rate[-KEEP:] * NE).astype(np.int64)
theta = int(activity.mean() / 2.0)
durs, sizes = d_avalanches(activity, theta)
durs, sizes = np.array(durs), np.array(sizes)
dump("avalanche_run.json", {
    "source": f"sorn run --preset delpapa2017 --seed {SEED} --steps {STEPS}; last {KEEP} steps of rate x {NE}",
    "powerlaw_version": powerlaw.__version__,
    "activity": [int(x) for x in activity],
    "theta": theta,
    "durations": durs.tolist(),
    "sizes": sizes.tolist(),
    "fit_T": fit_record(durs, 6, 60, dists=()),
    "fit_S": fit_record(sizes, 10, 1500, dists=()),
    "fit_T_free": fit_record(durs, 6, None),
    "fit_S_free": fit_record(sizes, 10, None),
})
