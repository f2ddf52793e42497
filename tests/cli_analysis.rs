//! `sorn analyze` and `sorn avalanches` run as a user would: on a small run directory and on synthetic
//! files, including every kind of bad input (exit code 2, one line naming the problem).

mod common;

use common::cli::{scratch, small_run, stderr, stdout};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

fn sorn(args: &[&str]) -> Output {
    common::cli::sorn_in(args, None)
}

/// A scratch directory for this test binary, and a 3000-step run inside it (made once).
fn work() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch("analysis");
        small_run(&dir, 3);
        dir
    })
}

fn run_dir() -> PathBuf {
    work().join("run")
}

fn file(name: &str) -> PathBuf {
    work().join(name)
}

/// The run's raster, read independently of the CLI.
fn raster() -> ndarray::Array2<f64> {
    sorn::io::npy::read_matrix(&run_dir().join("e_raster.npy"), "raster").unwrap()
}

/// Asserts exit code 2 and a one-line error containing every `needle`.
fn assert_user_error(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "expected exit code 2, stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "expected one line, got: {err}");
    assert!(err.starts_with("error: "), "{err}");
    for n in needles {
        assert!(err.contains(n), "stderr {err:?} does not mention {n:?}");
    }
}

#[test]
fn analyze_prints_text_for_a_run_directory_and_a_raster_file() {
    let o = sorn(&["analyze", run_dir().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let r = raster();
    assert!(out.contains(&format!("raster: 3000 steps x {} neurons", r.ncols())), "{out}");
    for key in ["rate per neuron", "active neurons per step", "pairwise correlation", "Fano factor"] {
        assert!(out.contains(key), "missing {key:?} in {out}");
    }
    let direct = sorn(&["analyze", run_dir().join("e_raster.npy").to_str().unwrap()]);
    assert!(direct.status.success());
    // Same statistics whether given the directory or the file (the first line names the file).
    assert_eq!(out.lines().skip(1).collect::<Vec<_>>(), stdout(&direct).lines().skip(1).collect::<Vec<_>>());
}

#[test]
fn analyze_json_matches_a_direct_computation() {
    let o = sorn(&["analyze", run_dir().to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("valid JSON");
    let r = raster();
    let (t, n) = r.dim();
    let spikes = r.sum();
    assert_eq!(v["n_steps"], t);
    assert_eq!(v["n_neurons"], n);
    assert_eq!(v["n_spikes"].as_f64().unwrap(), spikes);
    let silent = r.columns().into_iter().filter(|c| c.sum() == 0.0).count();
    assert_eq!(v["n_silent"], silent);
    let close = |key: &str, want: f64| {
        let got = v[key].as_f64().unwrap_or_else(|| panic!("{key} missing"));
        assert!((got - want).abs() <= 1e-9 * want.abs().max(1.0), "{key}: {got} vs {want}");
    };
    close("mean_rate", spikes / (t * n) as f64);
    close("activity_mean", spikes / t as f64);
    let rates: Vec<f64> = r.columns().into_iter().map(|c| c.sum() / t as f64).collect();
    close("rate_max", rates.iter().copied().fold(f64::MIN, f64::max));
    close("rate_min", rates.iter().copied().fold(f64::MAX, f64::min));
    assert_eq!(v["fano_window"], 100);
    for key in ["correlation", "spike_source_entropy", "isi_mean", "isi_cv", "autocorr_lag1"] {
        assert!(v.get(key).is_some(), "JSON lacks {key}");
    }
}

#[test]
fn avalanches_on_a_run_directory() {
    let o = sorn(&["avalanches", run_dir().to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let r = raster();
    let mean = r.sum() / r.nrows() as f64;
    assert_eq!(v["theta"].as_f64().unwrap(), (mean / 2.0).floor());
    assert!((v["mean_activity"].as_f64().unwrap() - mean).abs() < 1e-9);
    assert_eq!(v["n_steps"], r.nrows());
    assert!(v["n_avalanches"].as_u64().unwrap() > 10);
    for key in ["durations", "sizes"] {
        for sub in ["exponent", "exponent_err", "truncated", "vs_exponential", "n_in_range"] {
            assert!(v[key].get(sub).is_some(), "JSON lacks {key}.{sub}");
        }
    }
    // Text form, with another threshold rule and a discarded transient.
    let o = sorn(&["avalanches", run_dir().to_str().unwrap(), "--theta", "half-mean+1", "--discard", "500"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("first 500 steps discarded"), "{out}");
    assert!(out.contains("from 2500 steps"), "{out}");
    assert!(out.contains("sizes: tau = "), "{out}");
    assert!(out.contains("<S>(T) exponent"), "{out}");
}

#[test]
fn avalanches_on_a_synthetic_series_are_exact() {
    // Avalanche k lasts k steps at activity 3, then one silent step: durations 1..=80, sizes 3k (θ = 0).
    let mut a: Vec<u32> = Vec::new();
    for k in 1..=80u32 {
        a.extend(std::iter::repeat_n(3, k as usize));
        a.push(0);
    }
    let p = file("synthetic.npy");
    sorn::io::npy::write(&p, &a, None).unwrap();
    let o = sorn(&["avalanches", p.to_str().unwrap(), "--theta", "0", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["theta"].as_f64(), Some(0.0));
    assert_eq!(v["n_avalanches"], 80);
    assert_eq!(v["n_open_dropped"], 0);
    assert_eq!(v["max_duration"], 80);
    assert_eq!(v["max_size"], 240);
    assert_eq!(v["mean_duration"].as_f64(), Some(40.5));
    assert_eq!(v["durations"]["n_in_range"], 55); // 6..=60
    assert_eq!(v["sizes"]["n_in_range"], 77); // 3k >= 10: k = 4..=80
    assert!(v["durations"]["exponent"].as_f64().is_some());
    // A percentile threshold and the same series as a raster (3 of 5 units on) give the same avalanches.
    let rows: Vec<u8> = a.iter().flat_map(|&x| (0..5u32).map(move |j| u8::from(j < x))).collect();
    let rp = file("synthetic_raster.npy");
    sorn::io::npy::write(&rp, &rows, Some(5)).unwrap();
    let o2 = sorn(&["avalanches", rp.to_str().unwrap(), "--theta", "p0", "--json"]);
    assert!(o2.status.success(), "{}", stderr(&o2));
    let v2: serde_json::Value = serde_json::from_str(&stdout(&o2)).unwrap();
    assert_eq!(v2["n_avalanches"], 80);
    assert_eq!(v2["max_size"], 240);
}

#[test]
fn analyze_rejects_bad_input_with_exit_code_2() {
    let one_d = file("one_d.npy");
    sorn::io::npy::write(&one_d, &[0u8, 1, 0, 1], None).unwrap();
    assert_user_error(&sorn(&["analyze", one_d.to_str().unwrap()]), &["one_d.npy", "2-D", "shape (4,)"]);

    let non_binary = file("non_binary.npy");
    sorn::io::npy::write(&non_binary, &[0u8, 1, 0, 2, 1, 0], Some(3)).unwrap();
    assert_user_error(
        &sorn(&["analyze", non_binary.to_str().unwrap()]),
        &["non-binary raster", "step 1, neuron 0", "is 2"],
    );
    let non_binary_f = file("non_binary_f64.npy");
    sorn::io::npy::write(&non_binary_f, &[0.0f64, 1.0, 0.5, 0.0], Some(2)).unwrap();
    assert_user_error(&sorn(&["analyze", non_binary_f.to_str().unwrap()]), &["non-binary raster", "0.5"]);

    let empty = file("empty.npy");
    sorn::io::npy::write::<u8>(&empty, &[], Some(7)).unwrap();
    assert_user_error(&sorn(&["analyze", empty.to_str().unwrap()]), &["empty raster", "(0, 7)"]);

    let text = file("text.npy");
    std::fs::write(&text, "time,neuron\n1,2\n").unwrap();
    assert_user_error(&sorn(&["analyze", text.to_str().unwrap()]), &["text.npy", "not a .npy file"]);

    assert_user_error(&sorn(&["analyze", file("missing.npy").to_str().unwrap()]), &["no such file"]);
    // A directory without e_raster.npy.
    assert_user_error(&sorn(&["analyze", work().to_str().unwrap()]), &["no e_raster.npy"]);
}

#[test]
fn avalanches_reject_bad_input_with_exit_code_2() {
    let empty = file("empty_series.npy");
    sorn::io::npy::write::<f64>(&empty, &[], None).unwrap();
    assert_user_error(&sorn(&["avalanches", empty.to_str().unwrap()]), &["empty activity series"]);

    let non_binary = file("av_non_binary.npy");
    sorn::io::npy::write(&non_binary, &[0u8, 3, 1, 0], Some(2)).unwrap();
    assert_user_error(&sorn(&["avalanches", non_binary.to_str().unwrap()]), &["non-binary raster", "is 3"]);

    let text = file("av_text.npy");
    std::fs::write(&text, "1 2 3 4\n").unwrap();
    assert_user_error(&sorn(&["avalanches", text.to_str().unwrap()]), &["not a .npy file"]);

    let nan = file("nan.npy");
    sorn::io::npy::write(&nan, &[1.0f64, f64::NAN, 2.0], None).unwrap();
    assert_user_error(&sorn(&["avalanches", nan.to_str().unwrap()]), &["NaN", "step 1"]);

    let cube = file("cube.npy");
    ndarray_npy::write_npy(&cube, &ndarray::Array3::<u8>::zeros((2, 2, 2))).unwrap();
    assert_user_error(&sorn(&["avalanches", cube.to_str().unwrap()]), &["3-D", "(2, 2, 2)"]);

    // Two short avalanches: none in the fit ranges.
    let few = file("few.npy");
    sorn::io::npy::write(&few, &[0u32, 5, 5, 0, 0, 5, 0, 0], None).unwrap();
    assert_user_error(&sorn(&["avalanches", few.to_str().unwrap()]), &["too few avalanches", "2 avalanches"]);
    // No avalanche at all.
    let flat = file("flat.npy");
    sorn::io::npy::write(&flat, &[0u32; 50], None).unwrap();
    assert_user_error(&sorn(&["avalanches", flat.to_str().unwrap()]), &["too few samples for avalanches"]);

    let p = few.to_str().unwrap();
    assert_user_error(&sorn(&["avalanches", p, "--theta", "median"]), &["invalid --theta `median`"]);
    assert_user_error(&sorn(&["avalanches", p, "--theta", "p150"]), &["invalid --theta `p150`"]);
    assert_user_error(&sorn(&["avalanches", p, "--discard", "8"]), &["--discard 8 leaves nothing"]);
    assert_user_error(
        &sorn(&["avalanches", p, "--xmin-t", "60", "--xmax-t", "6"]),
        &["need 1 ≤ xmin < xmax"],
    );
}

#[test]
fn a_fit_at_its_bound_is_marked_invalid_and_no_ratio_is_printed() {
    // Avalanches of every duration 1..=120 equally often: a flat tail, whose likelihood keeps rising
    // toward α = 1, the bound of the fit.
    let mut activity = Vec::new();
    for _ in 0..20 {
        for d in 1..=120 {
            activity.extend(std::iter::repeat_n(1.0f64, d));
            activity.push(0.0);
        }
    }
    let path = work().join("flat_activity.npy");
    sorn::io::npy::write(&path, &activity, None).unwrap();
    let p = path.to_str().unwrap();
    let text = stdout(&sorn(&["avalanches", p, "--theta", "0"]));
    assert!(text.contains("INVALID") && text.contains("not a result"), "{text}");
    assert!(text.contains("predicted (alpha-1)/(tau-1) = n/a"), "{text}");
    let o = sorn(&["avalanches", p, "--theta", "0", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["durations"]["exponent_valid"], false, "{json}");
    assert!(json["durations"]["exponent"].as_f64().is_some_and(|a| a - 1.0 < 0.01), "{json}");
    assert!(json["gamma_predicted"].is_null());
}
