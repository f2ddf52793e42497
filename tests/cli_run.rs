//! Integration tests of `sorn run` and `sorn resume`: outputs, bitwise reproduction and resume, the
//! training phase from a trained network, state.npz interop, and every kind of bad input.

mod common;

use common::cli::scratch as tmp;
use ndarray::{Array1, Array2};
use std::path::{Path, PathBuf};

fn ok(args: &[&str], cwd: &Path) -> String {
    common::cli::stdout(&common::cli::ok_in(args, cwd))
}

use common::cli::fails_in as fails;

fn raster(p: &Path) -> Array2<u8> {
    ndarray_npy::read_npy(p).unwrap()
}

fn quick_run(dir: &Path, name: &str, steps: &str, extra: &[&str]) -> PathBuf {
    let mut args = vec!["run", "--steps", steps, "--out", name, "--no-plots", "--quiet"];
    args.extend_from_slice(extra);
    ok(&args, dir);
    dir.join(name)
}

#[test]
fn default_run_writes_every_output_and_a_summary() {
    let d = tmp("default");
    let out = ok(&["run", "--steps", "1000", "--out", "r", "--no-plots"], &d);
    assert!(
        out.contains("steps/s") && out.contains("connection fraction") && out.contains("outputs in r"),
        "{out}"
    );
    let r = d.join("r");
    for f in [
        "config.toml",
        "snapshot.bin",
        "state.npz",
        "summary.json",
        "e_raster.npy",
        "i_raster.npy",
        "recurrent.npy",
        "connections.npy",
        "rate.npy",
        "threshold_mean.npy",
    ] {
        assert!(r.join(f).is_file(), "missing {f}");
    }
    assert_eq!(raster(&r.join("e_raster.npy")).dim(), (1000, 200));
    assert_eq!(raster(&r.join("i_raster.npy")).dim(), (1000, 40));
    let conn: Array2<i64> = ndarray_npy::read_npy(r.join("connections.npy")).unwrap();
    assert_eq!(conn.dim(), (1000, 2));
    let rate: Array1<f64> = ndarray_npy::read_npy(r.join("rate.npy")).unwrap();
    let e = raster(&r.join("e_raster.npy"));
    assert!((rate[500] - e.row(500).iter().map(|&b| f64::from(b)).sum::<f64>() / 200.0).abs() < 1e-12);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(r.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["steps"], 1000);
    assert_eq!(summary["preset"], "sorn-py");
    let mean = rate.iter().sum::<f64>() / 1000.0;
    assert!((summary["mean_rate"].as_f64().unwrap() - mean).abs() < 1e-9);
}

#[test]
fn config_toml_reproduces_the_run_bit_for_bit() {
    let d = tmp("repro");
    let a = quick_run(&d, "a", "800", &["--preset", "zheng2013", "--seed", "5", "--set", "network.ne=120"]);
    ok(&["run", "--config", "a/config.toml", "--out", "b", "--no-plots", "--quiet"], &d);
    for f in ["e_raster.npy", "i_raster.npy", "connections.npy", "snapshot.bin"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(d.join("b").join(f)).unwrap(),
            "{f} differs"
        );
    }
    // Another seed gives another run.
    quick_run(&d, "c", "800", &["--preset", "zheng2013", "--seed", "6", "--set", "network.ne=120"]);
    assert_ne!(raster(&a.join("e_raster.npy")), raster(&d.join("c/e_raster.npy")));
    // f32 weights: recorded in config.toml, reproduced from it bit for bit, and a run of their own.
    let f32_args =
        ["--preset", "zheng2013", "--seed", "5", "--set", "network.ne=120", "--set", "network.precision=f32"];
    let f = quick_run(&d, "f", "800", &f32_args);
    let toml = std::fs::read_to_string(f.join("config.toml")).unwrap();
    assert!(toml.contains("precision = \"f32\""), "config.toml records the precision: {toml}");
    ok(&["run", "--config", "f/config.toml", "--out", "g", "--no-plots", "--quiet"], &d);
    let read = |p: &Path| std::fs::read(p).unwrap();
    assert_eq!(read(&f.join("state.npz")), read(&d.join("g/state.npz")), "f32 run not reproduced");
    assert_eq!(read(&f.join("e_raster.npy")), read(&d.join("g/e_raster.npy")));
    assert_ne!(raster(&a.join("e_raster.npy")), raster(&f.join("e_raster.npy")), "f32 is a run of its own");
}

#[test]
fn resume_continues_bitwise() {
    let d = tmp("resume");
    let whole = quick_run(&d, "whole", "1200", &["--seed", "3"]);
    let half = quick_run(&d, "half", "600", &["--seed", "3"]);
    ok(&["resume", "half", "--steps", "600", "--out", "rest", "--no-plots", "--quiet"], &d);
    let rest = d.join("rest");
    for f in ["e_raster.npy", "i_raster.npy", "recurrent.npy"] {
        let (w, h, r) = (raster(&whole.join(f)), raster(&half.join(f)), raster(&rest.join(f)));
        let joined = ndarray::concatenate(ndarray::Axis(0), &[h.view(), r.view()]).unwrap();
        assert_eq!(joined, w, "{f}: 600 + resumed 600 differs from 1200 in one run");
    }
    let sw = sorn::io::state_npz::load(&whole.join("state.npz")).unwrap();
    let sr = sorn::io::state_npz::load(&rest.join("state.npz")).unwrap();
    assert_eq!(sw, sr, "final weights, thresholds and states must be identical");
    let summary = std::fs::read_to_string(rest.join("summary.json")).unwrap();
    assert!(summary.contains("\"steps_total\": 1200"), "{summary}");
}

#[test]
fn training_phase_from_a_trained_network_with_file_input() {
    let d = tmp("train");
    let trained = quick_run(&d, "trained", "500", &[]);
    let input = Array2::from_shape_fn((10, 300), |(i, t)| if (i + t) % 7 == 0 { 1.0 } else { 0.0 });
    ndarray_npy::write_npy(d.join("in.npy"), &input).unwrap();
    for from in ["trained", "trained/snapshot.bin"] {
        let out = format!("t-{}", from.replace('/', "-"));
        ok(
            &[
                "run",
                "--from",
                from,
                "--phase",
                "training",
                "--input",
                "in.npy",
                "--steps",
                "300",
                "--out",
                &out,
                "--no-plots",
                "--quiet",
            ],
            &d,
        );
        let before = sorn::io::state_npz::load(&trained.join("state.npz")).unwrap();
        let after = sorn::io::state_npz::load(&d.join(&out).join("state.npz")).unwrap();
        assert_eq!(before.w_ee, after.w_ee, "training must not change W^EE");
        assert_eq!(before.t_e, after.t_e, "training must not change T^E");
        let summary = std::fs::read_to_string(d.join(&out).join("summary.json")).unwrap();
        assert!(summary.contains("\"steps_total\": 800"), "{summary}");
    }
    // The input drives the first nu units: with a strong input they fire whenever it is on.
    let strong = input.mapv(|v| v * 100.0);
    ndarray_npy::write_npy(d.join("strong.npy"), &strong).unwrap();
    ok(
        &[
            "run",
            "--from",
            "trained",
            "--phase",
            "training",
            "--input",
            "strong.npy",
            "--steps",
            "300",
            "--out",
            "s",
            "--no-plots",
            "--quiet",
        ],
        &d,
    );
    let e = raster(&d.join("s/e_raster.npy"));
    for t in 0..300 {
        for i in 0..10 {
            if strong[[i, t]] > 0.0 {
                assert_eq!(e[[t, i]], 1, "unit {i} must fire at step {t}");
            }
        }
    }
}

/// Writes `state` as numpy would (int64 indices, bool states) in the documented layout.
fn write_numpy_style_npz(state: &sorn::core::NetworkState, path: &Path) {
    let mut npz = ndarray_npy::NpzWriter::new(std::fs::File::create(path).unwrap());
    for (k, m) in [("w_ee", &state.w_ee), ("w_ei", &state.w_ei), ("w_ie", &state.w_ie)] {
        npz.add_array(format!("{k}_data"), &Array1::from(m.data.clone())).unwrap();
        npz.add_array(format!("{k}_indices"), &m.indices.iter().map(|&j| j as i64).collect::<Array1<i64>>())
            .unwrap();
        npz.add_array(format!("{k}_indptr"), &m.indptr.iter().map(|&j| j as i64).collect::<Array1<i64>>())
            .unwrap();
        npz.add_array(format!("shape_{k}"), &Array1::from(vec![m.n_rows as i64, m.n_cols as i64])).unwrap();
    }
    npz.add_array("t_e", &Array1::from(state.t_e.clone())).unwrap();
    npz.add_array("t_i", &Array1::from(state.t_i.clone())).unwrap();
    for (k, v) in [("x", &state.x), ("x_prev", &state.x_prev), ("y", &state.y), ("y_prev", &state.y_prev)] {
        npz.add_array(k, &v.iter().map(|&b| b == 1).collect::<Array1<bool>>()).unwrap();
    }
    npz.finish().unwrap();
}

#[test]
fn state_npz_written_by_numpy_is_accepted_and_validated() {
    let d = tmp("npz");
    let trained = quick_run(&d, "trained", "400", &[]);
    let state = sorn::io::state_npz::load(&trained.join("state.npz")).unwrap();
    write_numpy_style_npz(&state, &d.join("np.npz"));
    ok(
        &[
            "run",
            "--from",
            "np.npz",
            "--phase",
            "training",
            "--steps",
            "200",
            "--out",
            "fromnpz",
            "--no-plots",
            "--quiet",
        ],
        &d,
    );
    let after = sorn::io::state_npz::load(&d.join("fromnpz/state.npz")).unwrap();
    assert_eq!(after.w_ee, state.w_ee);
    // A network of the wrong size for the config is refused with the reason.
    fails(
        &["run", "--from", "np.npz", "--set", "ne=100", "--steps", "10", "--out", "bad", "--no-plots"],
        &d,
        "w_ee has shape 200×200, expected 100×100",
    );
    // A corrupt CSR (index out of range) is refused.
    let mut broken = state.clone();
    broken.w_ee.indices[0] = 999;
    write_numpy_style_npz(&broken, &d.join("broken.npz"));
    fails(
        &["run", "--from", "broken.npz", "--steps", "10", "--out", "bad", "--no-plots"],
        &d,
        "column index 999",
    );
    // Weights the model cannot hold are refused, naming the synapse.
    let mut negative = state.clone();
    negative.w_ee.data[5] = -0.5;
    let post = negative.w_ee.indptr.partition_point(|&s| s <= 5) - 1;
    let pre = negative.w_ee.indices[5];
    write_numpy_style_npz(&negative, &d.join("negative.npz"));
    fails(
        &["run", "--from", "negative.npz", "--steps", "10", "--out", "bad", "--no-plots"],
        &d,
        &format!("w_ee holds a negative or non-finite weight: -0.5 at (post {post}, pre {pre})"),
    );
    let mut diagonal = state.clone();
    assert!(diagonal.w_ee.indptr[1] > 0 && !diagonal.w_ee.indices[..diagonal.w_ee.indptr[1]].contains(&0));
    diagonal.w_ee.indices[0] = 0;
    write_numpy_style_npz(&diagonal, &d.join("diagonal.npz"));
    fails(
        &["run", "--from", "diagonal.npz", "--steps", "10", "--out", "bad", "--no-plots"],
        &d,
        "w_ee holds a self-synapse (diagonal entry) at unit 0",
    );
    let mut nonbinary = state;
    nonbinary.x[3] = 2;
    let mut npz = ndarray_npy::NpzWriter::new(std::fs::File::create(d.join("nb.npz")).unwrap());
    npz.add_array("x", &Array1::from(nonbinary.x.clone())).unwrap();
    npz.finish().unwrap();
    fails(&["run", "--from", "nb.npz", "--steps", "10", "--out", "bad", "--no-plots"], &d, "missing array");
}

#[test]
fn bad_config_values_name_the_problem() {
    let d = tmp("badcfg");
    fails(&["run", "--preset", "lazar2010", "--out", "x"], &d, "unknown preset `lazar2010`");
    fails(&["run", "--set", "network.foo=1", "--out", "x"], &d, "unknown field `foo`");
    fails(&["run", "--set", "ne=1", "--out", "x"], &d, "`network.ne`");
    fails(&["run", "--set", "eta_stdp=-0.5", "--out", "x"], &d, "plasticity.stdp.eta");
    fails(&["run", "--set", "noequals", "--out", "x"], &d, "expected key=value");
    fails(&["run", "--set", "network.precision=f16", "--out", "x"], &d, "expected `f64` or `f32`");
    fails(&["run", "--freeze", "stdp,xyz", "--out", "x"], &d, "unknown plasticity rule `xyz`");
    std::fs::write(d.join("c.toml"), "preset = \"zheng2013\"\nseeed = 3\n").unwrap();
    fails(&["run", "--config", "c.toml", "--out", "x"], &d, "unknown field `seeed`");
    std::fs::write(d.join("c2.toml"), "[network\nne = 3").unwrap();
    fails(&["run", "--config", "c2.toml", "--out", "x"], &d, "c2.toml");
    fails(&["run", "--config", "missing.toml", "--out", "x"], &d, "missing.toml");
    assert!(!d.join("x").exists());
    let rs = ["experiment", "random-sequence", "--quick", "--out", "x"];
    fails(&[&rs[..], &["--lengths", "3,10"]].concat(), &d, "length L = 3 cannot hold all 5 symbols");
    fails(&[&rs[..], &["--lengths", "10,x"]].concat(), &d, "--lengths: `x`");
    fails(&[&rs[..], &["--train-steps", "1"]].concat(), &d, "at least 2 steps");
    assert!(!d.join("x").exists());
}

#[test]
fn bad_input_files_are_refused() {
    let d = tmp("badinput");
    ndarray_npy::write_npy(d.join("shape.npy"), &Array2::<f64>::zeros((5, 20))).unwrap();
    fails(&["run", "--input", "shape.npy", "--out", "x"], &d, "expected nu × T with nu = 10");
    let mut nan = Array2::<f64>::zeros((10, 20));
    nan[[3, 7]] = f64::NAN;
    ndarray_npy::write_npy(d.join("nan.npy"), &nan).unwrap();
    fails(&["run", "--input", "nan.npy", "--out", "x"], &d, "row 3, column 7");
    let mut inf = Array2::<f64>::zeros((10, 20));
    inf[[0, 1]] = f64::INFINITY;
    ndarray_npy::write_npy(d.join("inf.npy"), &inf).unwrap();
    fails(&["run", "--input", "inf.npy", "--out", "x"], &d, "must be finite");
    std::fs::write(d.join("text.npy"), "not numpy").unwrap();
    fails(&["run", "--input", "text.npy", "--out", "x"], &d, "not a .npy file");
    ndarray_npy::write_npy(d.join("one.npy"), &Array1::<f64>::zeros(10)).unwrap();
    fails(&["run", "--input", "one.npy", "--out", "x"], &d, "must be 2-D");
    fails(&["run", "--preset", "zheng2013", "--input", "shape.npy", "--out", "x"], &d, "run.input.kind");
}

#[test]
fn bad_snapshots_are_refused() {
    let d = tmp("badsnap");
    let r = quick_run(&d, "r", "200", &[]);
    let bytes = std::fs::read(r.join("snapshot.bin")).unwrap();
    std::fs::write(d.join("trunc.bin"), &bytes[..bytes.len() / 2]).unwrap();
    fails(
        &["resume", "trunc.bin", "--steps", "10", "--out", "x"],
        &d,
        "truncated snapshot: the header promises",
    );
    let mut newer = bytes.clone();
    newer[8..12].copy_from_slice(&7u32.to_le_bytes());
    std::fs::write(d.join("newer.bin"), &newer).unwrap();
    fails(&["resume", "newer.bin", "--steps", "10", "--out", "x"], &d, "format version 7 is newer");
    let mut longer = bytes.clone();
    longer.extend_from_slice(&[0, 1, 2]);
    std::fs::write(d.join("longer.bin"), &longer).unwrap();
    fails(
        &["resume", "longer.bin", "--steps", "10", "--out", "x"],
        &d,
        "corrupt snapshot: 3 bytes after the payload",
    );
    std::fs::create_dir_all(d.join("odd").join("snapshot.bin")).unwrap();
    fails(&["resume", "odd", "--steps", "10", "--out", "x"], &d, "Is a directory");
    std::fs::write(d.join("short.bin"), b"SORNSNAP\x01").unwrap();
    fails(&["resume", "short.bin", "--steps", "10", "--out", "x"], &d, "not a sorn snapshot");
    std::fs::write(d.join("junk.bin"), b"hello world, not a snapshot").unwrap();
    fails(&["resume", "junk.bin", "--steps", "10", "--out", "x"], &d, "not a sorn snapshot");
    let mut flipped = bytes.clone();
    let n = flipped.len();
    flipped[n - 3] ^= 0x01;
    std::fs::write(d.join("flip.bin"), &flipped).unwrap();
    fails(&["resume", "flip.bin", "--steps", "10", "--out", "x"], &d, "checksum does not match");
    // Format 1 (no length, no checksum: the payload right after the version) is still read.
    let mut v1 = b"SORNSNAP".to_vec();
    v1.extend_from_slice(&1u32.to_le_bytes());
    v1.extend_from_slice(&bytes[24..]);
    std::fs::write(d.join("v1.bin"), &v1).unwrap();
    ok(&["resume", "v1.bin", "--steps", "10", "--out", "from_v1", "--no-plots", "--quiet"], &d);
    fails(&["resume", "nowhere", "--steps", "10", "--out", "x"], &d, "nowhere");
    fails(&["run", "--from", "r", "--set", "network.ne=50", "--out", "x"], &d, "only run settings");
}

#[test]
fn existing_or_unwritable_outputs_are_refused() {
    let d = tmp("exists");
    let r = quick_run(&d, "r", "100", &[]);
    let before = std::fs::read(r.join("e_raster.npy")).unwrap();
    fails(&["run", "--steps", "50", "--out", "r", "--no-plots"], &d, "already exists");
    assert_eq!(std::fs::read(r.join("e_raster.npy")).unwrap(), before, "the old run must be untouched");
    ok(&["run", "--steps", "50", "--out", "r", "--force", "--no-plots", "--quiet"], &d);
    assert_eq!(raster(&r.join("e_raster.npy")).dim(), (50, 200));
    std::fs::write(d.join("afile"), "x").unwrap();
    fails(&["run", "--steps", "50", "--out", "afile/sub", "--no-plots"], &d, "afile");
}

#[test]
fn record_selection_and_stride() {
    let d = tmp("record");
    let r = quick_run(&d, "r", "1000", &["--record", "e-raster,rate", "--stride", "10"]);
    assert_eq!(raster(&r.join("e_raster.npy")).dim(), (100, 200));
    assert!(!r.join("i_raster.npy").exists());
    let n = quick_run(&d, "n", "100", &["--record", "none"]);
    assert!(!n.join("e_raster.npy").exists() && n.join("snapshot.bin").is_file());
    fails(&["run", "--record", "e-raster,bogus", "--out", "x"], &d, "unknown record `bogus`");
    fails(&["run", "--stride", "0", "--out", "x"], &d, "run.record.stride");
}

#[test]
fn edge_cases_of_the_run_are_refused_in_words() {
    let d = tmp("edges");
    fails(&["run", "--steps", "0", "--out", "x"], &d, "expected a whole number of steps, at least 1");
    fails(&["run", "--steps", "-1", "--out", "x"], &d, "expected a whole number of steps, at least 1");
    fails(&["resume", "x", "--steps", "0"], &d, "at least 1");
    fails(&["run", "--set", "run.steps=0", "--out", "x"], &d, "a run needs at least 1 step");
    fails(&["run", "--set", "nee=100", "--out", "x"], &d, "did you mean `ne`?");
    fails(&["run", "--set", "network.noise.sdt=0.1", "--out", "x"], &d, "did you mean `network.noise.std`?");
    fails(&["run", "--set", "ne=abc", "--out", "x"], &d, "expected a whole number ≥ 0");
    let help = common::cli::stdout(&common::cli::ok_in(&["run", "--help"], &d));
    assert!(help.contains("10 000 for sorn-py"), "{help}");
    let help = common::cli::stdout(&common::cli::ok_in(&["resume", "--help"], &d));
    assert!(help.contains("-resumed-"), "{help}");
}
