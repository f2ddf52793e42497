#!/usr/bin/env python3
"""Benchmark comparison: µs per plastic / frozen SORN step.

Measures, in one run on this machine:
  (a) the Python package `sorn` 0.7.4 (PyPI) at N_E = 200 (a few hundred steps: it is very slow),
  (b) bench/numpy_sorn.py (vectorised NumPy, zheng2013 preset) at N_E = 200, 1000, 10000,
  (c) the Rust `sorn` binary (`cargo run --release -- bench --sizes ... --json`) if that subcommand exists,
      once per `--rust-threads` entry (default 1; e.g. `--rust-threads 1,2 --rust-sizes 200,1000,10000,100000`).
Prints markdown tables (all implementations; Rust throughput and memory) and writes bench/results.json.

Every measurement runs in its own subprocess.  NumPy measurements run with OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE removed from the environment (on some processors the workplace sets them for old
OpenBLAS builds; they force a slower kernel on a current NumPy).  If they were set, N_E = 200 and 1000
(dense) are also measured *with* them, for reference.

Usage:  python bench/compare.py [--quick] [--skip-sorn] [--skip-rust] [--rust-sizes 200,1000,10000]
                               [--rust-threads 1,2] [--out bench/results.json]
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
FREEZE_ALL = ["stdp", "ip", "sp", "istdp", "ss"]


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def clean_env(keep_openblas: bool = False) -> dict:
    env = dict(os.environ)
    if not keep_openblas:
        for v in OPENBLAS_VARS:
            env.pop(v, None)
    env["TQDM_DISABLE"] = "1"           # the sorn package wraps its loop in tqdm
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_json(cmd, env, cwd=None, timeout=None) -> dict:
    """Run cmd, return the last line of stdout that parses as JSON."""
    p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    for line in reversed(p.stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{") or line.startswith("["):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    raise RuntimeError(f"no JSON in output of {' '.join(cmd)}:\n{p.stdout[-3000:]}")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            txt = f.read()
        name = re.search(r"^model name\s*:\s*(.*)$", txt, re.M)
        fam = re.search(r"^cpu family\s*:\s*(.*)$", txt, re.M)
        mod = re.search(r"^model\s*:\s*(.*)$", txt, re.M)
        flags = re.search(r"^flags\s*:\s*(.*)$", txt, re.M)
        s = name.group(1).strip() if name else platform.processor()
        if fam and mod:
            s += f" (family {fam.group(1).strip()}, model {mod.group(1).strip()})"
        if flags:
            f = flags.group(1).split()
            s += ", " + ("avx512f" if "avx512f" in f else "avx2" if "avx2" in f else "no avx2")
        return s
    except OSError:
        return platform.processor()


def loadavg():
    try:
        return os.getloadavg()
    except OSError:
        return None


# ---------------------------------------------------------------------------------------------
# worker: BLAS / version info (runs in a subprocess with the env under test)
# ---------------------------------------------------------------------------------------------
def worker_info():
    import numpy
    info = {"numpy": numpy.__version__, "python": platform.python_version(),
            "openblas_env": {v: os.environ.get(v) for v in OPENBLAS_VARS}}
    try:
        import scipy
        info["scipy"] = scipy.__version__
    except ImportError:
        pass
    try:
        from threadpoolctl import threadpool_info
        info["threadpoolctl"] = [
            {k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "prefix")}
            for d in threadpool_info()]
    except ImportError:
        info["threadpoolctl"] = "threadpoolctl not installed"
    print(json.dumps(info))


# ---------------------------------------------------------------------------------------------
# worker: the `sorn` PyPI package (runs in a subprocess, cwd = temp dir because importing the
# package creates sorn.log in the working directory)
# ---------------------------------------------------------------------------------------------
def worker_sorn(steps: int, frozen_steps: int, mem_steps: int):
    import numpy as np
    import tracemalloc
    import logging
    from importlib.metadata import version
    from sorn import Simulator
    logging.disable(logging.CRITICAL)

    nu = 10                                   # package default; h_ip = 2 nu / N_E = 0.1
    res = {"implementation": "sorn (PyPI)", "version": version("sorn"), "n_e": 200, "n_i": 40,
           "inputs": f"zeros, shape (nu={nu}, T)", "noise": "N(0, 0.04^2) (package built-in)"}

    def sim(T, state=None, **kw):
        return Simulator.run(inputs=np.zeros((nu, T)), phase="plasticity", state=state,
                             timesteps=T, noise=True, **kw)

    np.random.seed(0)
    t0 = time.perf_counter()
    state, _ = sim(20, ne=200, nu=nu)          # builds a fresh network, 20 warm-up steps
    res["init_plus_20_steps_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    state, _ = sim(steps, state=state)
    res["plastic_steps"] = steps
    res["us_per_plastic_step"] = 1e6 * (time.perf_counter() - t0) / steps

    t0 = time.perf_counter()
    fstate, _ = sim(frozen_steps, state=state, freeze=FREEZE_ALL)
    res["frozen_steps"] = frozen_steps
    res["us_per_frozen_step"] = 1e6 * (time.perf_counter() - t0) / frozen_steps

    # Memory held *during* a run: Simulator keeps every step's matrices in lists until it returns.
    # Sample the currently traced bytes (tracemalloc; NumPy reports its buffers to it) and the RSS
    # once per step through a hook on MatrixCollection.network_activity_t, then fit a line.
    import sorn.sorn as _ss
    samples = []
    orig = _ss.MatrixCollection.network_activity_t
    page = os.sysconf("SC_PAGE_SIZE")

    def hook(self, *args, **kw):
        with open("/proc/self/statm") as fh:
            rss = int(fh.read().split()[1]) * page
        samples.append((tracemalloc.get_traced_memory()[0], rss))
        return orig(self, *args, **kw)

    def growth(T, **kw):
        samples.clear()
        _ss.MatrixCollection.network_activity_t = hook
        tracemalloc.start()
        try:
            sim(T, state=state, **kw)
        finally:
            tracemalloc.stop()
            _ss.MatrixCollection.network_activity_t = orig
        arr = np.asarray(samples, dtype=float)
        k = np.arange(len(arr))
        return (float(np.polyfit(k, arr[:, 0], 1)[0]), float(np.polyfit(k, arr[:, 1], 1)[0]),
                int(arr[-1, 0] - arr[0, 0]), int(arr[-1, 1] - arr[0, 1]))

    tm, rs, dtm, drs = growth(mem_steps)
    res["mem_steps"] = mem_steps
    res["bytes_per_plastic_step"] = tm
    res["rss_bytes_per_plastic_step"] = rs
    res["traced_growth_bytes_plastic_run"] = dtm
    res["rss_growth_bytes_plastic_run"] = drs
    tm, rs, dtm, drs = growth(mem_steps, freeze=FREEZE_ALL)
    res["bytes_per_frozen_step"] = tm
    res["rss_bytes_per_frozen_step"] = rs
    res["traced_growth_bytes_frozen_run"] = dtm

    # activity of the plastic network (callback) and a NaN check on the final state
    st, cb = sim(1000, state=state, callbacks=["ExcitatoryActivation", "EEConnectionCounts"])
    xs = np.asarray(cb["ExcitatoryActivation"])
    res["mean_rate_1000_steps_after_warmup"] = float(xs.mean())
    res["ee_connections_start_end"] = [int(cb["EEConnectionCounts"][0]),
                                       int(cb["EEConnectionCounts"][-1])]
    res["final_state_has_nan"] = bool(any(np.isnan(np.asarray(st[k], dtype=float)).any()
                                          for k in ("Wee", "Wei", "Te")))
    res["sorn_log_written_to_cwd"] = os.path.exists("sorn.log")
    print(json.dumps(res))


# ---------------------------------------------------------------------------------------------
# Rust
# ---------------------------------------------------------------------------------------------
def rust_has_bench_subcommand() -> tuple[bool, str]:
    """Cheap static check, so that we do not build the whole workspace for nothing."""
    src = os.path.join(REPO, "src")
    if not os.path.isdir(src):
        return False, "no src/ directory"
    for root, _, files in os.walk(src):
        for f in files:
            if f.endswith(".rs"):
                with open(os.path.join(root, f), errors="replace") as fh:
                    t = fh.read()
                if re.search(r"\bBench\b|\"bench\"|\bbench\s*\{|fn\s+bench|mod\s+bench", t):
                    return True, os.path.relpath(os.path.join(root, f), REPO)
    return False, "no `bench` subcommand found in src/**/*.rs"


def normalise_rust(obj) -> list[dict]:
    """Accept a list of records or {"results": [...]}; map common key spellings."""
    recs = obj.get("results", obj.get("sizes", [obj])) if isinstance(obj, dict) else obj
    threads_all = obj.get("threads") if isinstance(obj, dict) else None
    out = []
    for r in recs:
        def g(*names):
            for n in names:
                if n in r:
                    return r[n]
            return None
        label = "sorn (Rust)"
        extra = [x for x in (r.get("preset"), r.get("variant")) if x]
        threads = r.get("threads", threads_all)
        if threads:
            extra.append(f"{threads} thread" + ("s" if threads != 1 else ""))
        if extra:
            label += " (" + ", ".join(str(x) for x in extra) + ")"
        out.append({
            "implementation": label,
            "n_e": g("n_e", "ne", "size", "n"),
            "us_per_plastic_step": g("us_per_plastic_step", "plastic_us_per_step", "plastic_us", "plastic"),
            "us_per_frozen_step": g("us_per_frozen_step", "frozen_us_per_step", "frozen_us", "frozen"),
            "raw": r,
        })
    return out


def run_rust(sizes: str, timeout: float, threads: int = 1) -> tuple[list[dict], str]:
    ok, why = rust_has_bench_subcommand()
    if not ok:
        return [], f"skipped: {why} (the Rust bench subcommand is not written yet)"
    if shutil.which("cargo") is None:
        return [], "skipped: cargo not found"
    cmd = ["cargo", "run", "--release", "--quiet", "--bin", "sorn", "--", "bench", "--sizes", sizes,
           "--threads", str(threads), "--json"]
    try:
        obj = run_json(cmd, env=dict(os.environ), cwd=REPO, timeout=timeout)
    except subprocess.TimeoutExpired:
        return [], f"skipped: `{' '.join(cmd)}` timed out after {timeout:.0f} s"
    except RuntimeError as e:
        return [], f"skipped: `{' '.join(cmd)}` did not produce usable JSON: {str(e)[:500]}"
    return normalise_rust(obj), f"ran `{' '.join(cmd)}` (found via {why})"


def rust_table(rows) -> str:
    """Throughput and memory of the Rust rows (fields of `sorn bench --json`)."""
    lines = ["| implementation | N_E | synapses | plastic/frozen | plastic syn/s | frozen syn/s | "
             "peak RSS MB | RSS B/synapse | build s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        raw = r.get("raw") or {}
        if "synapses" not in raw:
            continue
        pl, fr = r.get("us_per_plastic_step"), r.get("us_per_frozen_step")
        lines.append(
            f"| {r['implementation']} | {r['n_e']} | {raw['synapses']:,} | "
            f"{fmt(pl / fr if pl and fr else None, 2)} | {raw.get('plastic_synapses_per_s', 0):.3g} | "
            f"{raw.get('frozen_synapses_per_s', 0):.3g} | {fmt(raw.get('peak_rss_bytes', 0) / 1e6)} | "
            f"{fmt(raw.get('bytes_per_synapse_peak_rss'))} | {fmt(raw.get('build_s'), 2)} |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------
def fmt(v, nd=1):
    return "n/a" if v is None else f"{v:,.{nd}f}"


def table(rows) -> str:
    lines = ["| implementation | N_E | µs/plastic step | µs/frozen step | plastic steps/s | frozen steps/s |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        pl, fr = r.get("us_per_plastic_step"), r.get("us_per_frozen_step")
        lines.append(f"| {r['implementation']} | {r['n_e']} | {fmt(pl)} | {fmt(fr)} | "
                     f"{fmt(1e6 / pl if pl else None, 0)} | {fmt(1e6 / fr if fr else None, 0)} |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer steps everywhere (smoke test)")
    ap.add_argument("--skip-sorn", action="store_true", help="do not time the PyPI sorn package")
    ap.add_argument("--skip-rust", action="store_true")
    ap.add_argument("--skip-dense-10000", action="store_true",
                    help="skip the dense numpy variant at N_E = 10000 (needs ~3 GB, slow)")
    ap.add_argument("--rust-timeout", type=float, default=3600.0)
    ap.add_argument("--rust-sizes", default="200,1000,10000",
                    help="N_E values for `sorn bench` (sizes > 10000 use the `large` preset)")
    ap.add_argument("--rust-threads", default="1", help="comma-separated thread counts, one Rust run each")
    ap.add_argument("--sorn-steps", type=int, default=300)
    ap.add_argument("--out", default=os.path.join(HERE, "results.json"))
    # internal worker modes
    ap.add_argument("--worker", choices=["info", "sorn"], help=argparse.SUPPRESS)
    ap.add_argument("--steps", type=int, default=300, help=argparse.SUPPRESS)
    ap.add_argument("--frozen-steps", type=int, default=300, help=argparse.SUPPRESS)
    ap.add_argument("--mem-steps", type=int, default=100, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)

    if a.worker == "info":
        return worker_info()
    if a.worker == "sorn":
        return worker_sorn(a.steps, a.frozen_steps, a.mem_steps)

    py = sys.executable
    me = os.path.abspath(__file__)
    ns = os.path.join(HERE, "numpy_sorn.py")
    env_clean = clean_env()
    orig_openblas = {v: os.environ.get(v) for v in OPENBLAS_VARS}
    q = 5 if a.quick else 1

    results = {
        "date": _dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {
            "cpu": cpu_model(),
            "logical_cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "openblas_env_in_caller": orig_openblas,
            "loadavg_start": loadavg(),
        },
        "notes": [],
        "rows": [],
    }
    print(f"CPU: {results['machine']['cpu']}; python {platform.python_version()}")
    print(f"OPENBLAS_* in the calling environment: {orig_openblas}")
    info = run_json([py, me, "--worker", "info"], env_clean)
    results["machine"]["numpy_env_used"] = info
    print(f"numpy {info['numpy']} (OPENBLAS_CORETYPE/L2_SIZE unset): {info['threadpoolctl']}")
    if any(orig_openblas.values()):
        info_set = run_json([py, me, "--worker", "info"], clean_env(keep_openblas=True))
        results["machine"]["numpy_env_caller"] = info_set
        print(f"  ... with the caller's OPENBLAS_* set it would use: {info_set['threadpoolctl']}")

    rows = results["rows"]

    # (a) sorn package
    if not a.skip_sorn:
        steps = max(20, a.sorn_steps // q)
        print(f"\n[sorn PyPI] N_E=200, {steps} plastic + {steps} frozen steps ...", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            try:
                r = run_json([py, me, "--worker", "sorn", "--steps", str(steps), "--frozen-steps",
                              str(steps), "--mem-steps", str(max(50, 300 // q))], env_clean, cwd=tmp)
                r["openblas_env"] = "unset"
                rows.append(r)
                print(f"  {r['us_per_plastic_step']:.0f} µs/plastic, {r['us_per_frozen_step']:.0f} µs/frozen, "
                      f"{r['bytes_per_plastic_step'] / 1024:.0f} KiB held per plastic step", flush=True)
            except Exception as e:  # noqa: BLE001
                results["notes"].append(f"sorn package: failed: {e}")
                print("  failed:", e)

    # (b) numpy_sorn
    configs = [  # (variant, N_E, plastic steps, frozen steps, warmup)
        ("dense", 200, 5000, 5000, 1000),
        ("sparse", 200, 5000, 5000, 1000),
        ("dense", 1000, 2000, 2000, 1000),
        ("sparse", 1000, 2000, 2000, 1000),
        ("sparse", 10000, 300, 300, 1000),
    ]
    if not a.skip_dense_10000:
        configs.append(("dense", 10000, 20, 20, 30))
    for variant, n, st, fst, wu in configs:
        st, fst, wu = max(10, st // q), max(10, fst // q), max(10, wu // q)
        print(f"\n[numpy_sorn {variant}] N_E={n}, warm-up {wu}, {st} plastic + {fst} frozen steps ...",
              flush=True)
        t0 = time.time()
        cmd = [py, ns, "--bench", "--json", "--ne", str(n), "--variant", variant, "--steps", str(st),
               "--frozen-steps", str(fst), "--warmup", str(wu)]
        try:
            r = run_json(cmd, env_clean)
        except Exception as e:  # noqa: BLE001
            results["notes"].append(f"numpy_sorn {variant} N_E={n}: failed: {e}")
            print("  failed:", e)
            continue
        r["openblas_env"] = "unset"
        r["wall_s"] = time.time() - t0
        rows.append(r)
        print(f"  {r['us_per_plastic_step']:.1f} µs/plastic, {r['us_per_frozen_step']:.1f} µs/frozen "
              f"(best chunk; median {r['us_per_plastic_step_median_chunk']:.1f} / "
              f"{r['us_per_frozen_step_median_chunk']:.1f}), rate {r['mean_rate_timed']:.3f}", flush=True)

    if any(orig_openblas.values()):
        for n, st in ((200, 5000), (1000, 2000)):
            st = max(10, st // q)
            cmd = [py, ns, "--bench", "--json", "--ne", str(n), "--variant", "dense", "--steps", str(st),
                   "--warmup", str(max(10, 1000 // q))]
            try:
                r = run_json(cmd, clean_env(keep_openblas=True))
            except Exception as e:  # noqa: BLE001
                results["notes"].append(f"numpy_sorn with OPENBLAS env set: failed: {e}")
                continue
            r["implementation"] += " [OPENBLAS_* set]"
            r["openblas_env"] = orig_openblas
            rows.append(r)
            print(f"\n[numpy_sorn dense, OPENBLAS_* as in caller] N_E={n}: {r['us_per_plastic_step']:.1f} "
                  f"µs/plastic, {r['us_per_frozen_step']:.1f} µs/frozen", flush=True)

    # (c) Rust
    if a.skip_rust:
        results["rust"] = "skipped (--skip-rust)"
    else:
        msgs = []
        for t in [int(x) for x in a.rust_threads.split(",") if x.strip()]:
            print(f"\n[Rust] sizes {a.rust_sizes}, {t} thread(s) ...", flush=True)
            rrows, msg = run_rust(a.rust_sizes, a.rust_timeout, t)
            msgs.append(msg)
            rows.extend(rrows)
            for r in rrows:
                print(f"  N_E={r['n_e']}: {r['us_per_plastic_step']:.2f} µs/plastic, "
                      f"{r['us_per_frozen_step']:.2f} µs/frozen", flush=True)
            print(" ", msg)
        results["rust"] = "; ".join(msgs)

    results["machine"]["loadavg_end"] = loadavg()
    results["table_markdown"] = table(rows)
    results["rust_table_markdown"] = rust_table(rows)
    print("\n" + results["table_markdown"])
    if any("synapses" in (r.get("raw") or {}) for r in rows):
        print("\n" + results["rust_table_markdown"])
    with open(a.out, "w") as f:
        json.dump(results, f, indent=2)
    print(f"\nwrote {os.path.relpath(a.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main() or 0)
