//! Integration tests of `sorn bench`: the JSON it prints for presets and for a saved network (`--from`),
//! and its errors. Only tiny networks and a few steps: timings are never asserted.

mod common;

use common::cli::scratch as tmp;
use std::path::Path;

fn bench_json(args: &[&str], cwd: &Path) -> serde_json::Value {
    let o = common::cli::sorn_in(args, Some(cwd));
    assert!(o.status.success(), "sorn {args:?} failed: {}", common::cli::stderr(&o));
    serde_json::from_str(&common::cli::stdout(&o)).expect("bench --json prints one JSON object")
}

/// Exit code 2 and a one-line error that mentions `needle`.
fn fails(args: &[&str], cwd: &Path, needle: &str) {
    let o = common::cli::sorn_in(args, Some(cwd));
    let err = common::cli::stderr(&o);
    assert_eq!(o.status.code(), Some(2), "sorn {args:?}: expected exit 2, stderr: {err}");
    assert!(!err.contains("panicked"), "sorn {args:?} panicked: {err}");
    assert!(err.contains(needle), "sorn {args:?}: error should mention {needle:?}, got: {err}");
    assert_eq!(err.trim().lines().count(), 1, "one-line error expected, got: {err}");
}

fn positive(v: &serde_json::Value, key: &str) -> f64 {
    let x = v[key].as_f64().unwrap_or_else(|| panic!("{key} missing in {v}"));
    assert!(x > 0.0 && x.is_finite(), "{key} = {x}");
    x
}

#[test]
fn bench_times_presets_and_a_saved_network() {
    let d = tmp("bench");
    let j = bench_json(&["bench", "--sizes", "100,150", "--steps", "10", "--json"], &d);
    let rows = j["results"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for (r, ne) in rows.iter().zip([100, 150]) {
        assert_eq!(r["n_e"], ne);
        assert_eq!(r["preset"], "zheng2013");
        positive(r, "us_per_plastic_step");
        positive(r, "us_per_frozen_step");
        positive(r, "bytes_per_synapse_peak_rss");
        assert_eq!(r["precision"], "f64", "the presets store f64 weights");
    }
    // f32 weights: the same network (same wiring draws) in fewer bytes.
    let j32 = bench_json(&["bench", "--sizes", "100", "--steps", "10", "--precision", "f32", "--json"], &d);
    let (r64, r32) = (&rows[0], &j32["results"][0]);
    assert_eq!(r32["precision"], "f32");
    assert!(
        positive(r32, "weight_bytes") < positive(r64, "weight_bytes"),
        "f32 weights take fewer bytes: {} vs {}",
        r32["weight_bytes"],
        r64["weight_bytes"]
    );

    // A network saved after 300 plastic steps (at a size no preset has) is timed as it is.
    let o = common::cli::sorn_in(
        &[
            "run",
            "-p",
            "zheng2013",
            "--steps",
            "300",
            "--out",
            "r",
            "--no-plots",
            "--quiet",
            "--set",
            "network.ne=120",
        ],
        Some(&d),
    );
    assert!(o.status.success(), "{}", common::cli::stderr(&o));
    let j = bench_json(&["bench", "--from", "r", "--steps", "10", "--json"], &d);
    let r = &j["results"][0];
    assert_eq!((r["n_e"].as_u64(), r["n_i"].as_u64()), (Some(120), Some(24)), "the saved network's size");
    assert!(r["preset"].as_str().unwrap().starts_with("zheng2013 (from r"), "{r}");
    positive(r, "us_per_plastic_step");
    // With a warm-up and a snapshot file instead of the directory.
    let j = bench_json(&["bench", "--from", "r/snapshot.bin", "--warmup", "5", "--steps", "5", "--json"], &d);
    assert_eq!(j["results"][0]["n_e"], 120);
    // The saved network converted to f32 weights before timing.
    let j = bench_json(&["bench", "--from", "r", "--steps", "5", "--precision", "f32", "--json"], &d);
    assert_eq!(j["results"][0]["precision"], "f32");
}

#[test]
fn bench_rejects_bad_input_with_one_line() {
    let d = tmp("bench-bad");
    fails(&["bench", "--from", "missing"], &d, "missing");
    fails(&["bench", "--sizes", "0"], &d, "--sizes");
    fails(&["bench", "--threads", "0"], &d, "--threads");
    fails(&["bench", "--sizes", "100", "--preset", "nope"], &d, "nope");
    fails(&["bench", "--sizes", "100", "--precision", "f16"], &d, "f16");
    std::fs::write(d.join("junk.bin"), b"not a snapshot").unwrap();
    fails(&["bench", "--from", "junk.bin"], &d, "junk.bin");
    let o = common::cli::sorn_in(
        &["run", "-p", "lazar2009", "--steps", "20", "--out", "l", "--no-plots", "--quiet"],
        Some(&d),
    );
    assert!(o.status.success(), "{}", common::cli::stderr(&o));
    fails(&["bench", "--from", "l"], &d, "input pools");
    // --from fixes the network: no preset or sizes beside it.
    let o = common::cli::sorn_in(&["bench", "--from", "l", "--sizes", "200"], Some(&d));
    assert_eq!(o.status.code(), Some(2));
    assert!(common::cli::stderr(&o).contains("cannot be used with"));
}
