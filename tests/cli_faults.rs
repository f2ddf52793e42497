//! The run directory under faults: `--force` replaces only run directories, a signal ends a run with a
//! complete, resumable directory of the steps done, a killed run's staging directory is cleaned by the
//! next run beside it, a second run on the same `--out` is refused at start, and a closed pipe never
//! makes the command panic.

mod common;

use common::cli::scratch as tmp;
use ndarray::{Array2, s};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn ok(args: &[&str], cwd: &Path) -> String {
    common::cli::stderr(&common::cli::ok_in(args, cwd))
}

use common::cli::fails_in as fails;

fn raster(p: &Path) -> Array2<u8> {
    ndarray_npy::read_npy(p).unwrap()
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

/// A run long enough to be stopped from outside, started in `cwd`.
fn long_run(cwd: &Path, out: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_sorn"))
        .args(["run", "--preset", "zheng2013", "--seed", "3", "--steps", "100000000", "--out", out])
        .args(["--no-plots", "--quiet", "--record", "e-raster,rate"])
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the sorn binary starts")
}

/// Waits until the staging directory of `out` in `cwd` holds recorded steps.
fn wait_for_steps(cwd: &Path, out: &str) {
    let t0 = Instant::now();
    loop {
        let grown = std::fs::read_dir(cwd).unwrap().flatten().any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(&format!(".{out}.partial-"))
                && std::fs::read_dir(e.path())
                    .map(|d| d.flatten().any(|f| f.metadata().is_ok_and(|m| m.len() > 200_000)))
                    .unwrap_or(false)
        });
        if grown {
            return;
        }
        assert!(t0.elapsed() < Duration::from_secs(120), "the run did not start recording");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn signal(child: &Child, sig: libc::c_int) {
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, sig) }, 0);
}

#[test]
fn force_replaces_only_a_run_directory() {
    let d = tmp("force");
    // A directory of the user's: refused, untouched.
    std::fs::create_dir_all(d.join("thesis/chapters")).unwrap();
    std::fs::write(d.join("thesis/notes.txt"), "x").unwrap();
    fails(
        &["run", "--steps", "20", "--out", "thesis", "--force", "--no-plots"],
        &d,
        "not a sorn run directory",
    );
    assert_eq!(std::fs::read_to_string(d.join("thesis/notes.txt")).unwrap(), "x");
    assert!(d.join("thesis/chapters").is_dir());
    // A file: refused, untouched, and nothing renamed beside it.
    std::fs::write(d.join("afile"), "y").unwrap();
    fails(&["run", "--steps", "20", "--out", "afile", "--force", "--no-plots"], &d, "not a directory");
    assert_eq!(std::fs::read_to_string(d.join("afile")).unwrap(), "y");
    // The working directory.
    fails(&["run", "--steps", "20", "--out", ".", "--force", "--no-plots"], &d, "working directory");
    // A run directory is replaced.
    ok(&["run", "--steps", "30", "--out", "r", "--no-plots", "--quiet"], &d);
    ok(&["run", "--steps", "20", "--out", "r", "--force", "--no-plots", "--quiet"], &d);
    assert_eq!(raster(&d.join("r/e_raster.npy")).dim(), (20, 200));
    // Resuming a run into itself would discard its recorded steps.
    fails(&["resume", "r", "--steps", "10", "--out", "r", "--force"], &d, "the run being continued");
    assert_eq!(raster(&d.join("r/e_raster.npy")).dim(), (20, 200));
    let left: Vec<String> = std::fs::read_dir(&d)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn a_signal_keeps_the_steps_done_and_resume_continues_them_bit_for_bit() {
    let d = tmp("signal");
    let child = long_run(&d, "r");
    wait_for_steps(&d, "r");
    // A second run on the same target is refused while the first holds it.
    // (The first run's staging directory is legitimately there, so this does not use `fails`.)
    let second = common::cli::sorn_in(&["run", "--steps", "20", "--out", "r", "--no-plots"], Some(&d));
    let err = common::cli::stderr(&second);
    assert_eq!(second.status.code(), Some(2), "{err}");
    assert!(err.contains("another sorn process") && err.trim().lines().count() == 1, "{err}");
    signal(&child, libc::SIGTERM);
    let o = child.wait_with_output().unwrap();
    let err = common::cli::stderr(&o);
    assert_eq!(o.status.code(), Some(128 + libc::SIGTERM), "stderr: {err}");
    assert!(err.contains("interrupted by SIGTERM") && !err.contains("panicked"), "{err}");
    let r = d.join("r");
    let s = summary(&r);
    assert_eq!(s["interrupted"], true);
    let k = s["steps"].as_u64().unwrap();
    assert!(k > 0 && k < 100_000_000 && s["steps_requested"] == 100_000_000u64, "{s}");
    assert_eq!(raster(&r.join("e_raster.npy")).dim(), (k as usize, 200));
    let toml = std::fs::read_to_string(r.join("config.toml")).unwrap();
    assert!(toml.contains(&format!("steps = {k}")), "config.toml records the steps done: {toml}");
    // Resume continues it: k steps, then 300 more, equal k + 300 steps in one run.
    ok(&["resume", "r", "--steps", "300", "--out", "r2", "--quiet", "--no-plots"], &d);
    let total = (k + 300).to_string();
    ok(
        &["run", "--preset", "zheng2013", "--seed", "3", "--steps", &total, "--out", "whole"]
            .iter()
            .chain(&["--no-plots", "--quiet", "--record", "e-raster,rate"])
            .copied()
            .collect::<Vec<_>>(),
        &d,
    );
    let whole = raster(&d.join("whole/e_raster.npy"));
    assert_eq!(whole.slice(s![..k as usize, ..]), raster(&r.join("e_raster.npy")));
    assert_eq!(whole.slice(s![k as usize.., ..]), raster(&d.join("r2/e_raster.npy")));
    assert!(!d.join(".r.lock").exists(), "the lock file is removed");
}

#[test]
fn a_killed_runs_staging_directory_is_cleaned_by_the_next_run_beside_it() {
    let d = tmp("killed");
    let mut child = long_run(&d, "r");
    wait_for_steps(&d, "r");
    signal(&child, libc::SIGKILL);
    child.wait().unwrap();
    let stale = format!(".r.partial-{}", child.id());
    assert!(d.join(&stale).is_dir(), "a killed run leaves its staging directory");
    let err = ok(&["run", "--steps", "20", "--out", "other", "--no-plots", "--quiet"], &d);
    assert!(err.contains("removed") && err.contains(&stale), "the cleaning is reported: {err}");
    assert!(!d.join(&stale).exists());
    assert!(!d.join("r").exists(), "nothing was committed for the killed run");
}

#[test]
fn a_closed_pipe_ends_the_command_without_a_panic() {
    let d = tmp("pipe");
    for args in [&["presets"][..], &["run", "--steps", "50", "--out", "r", "--no-plots", "--quiet"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sorn"))
            .args(args)
            .current_dir(&d)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = common::cli::stderr(&o);
        assert!(!err.contains("panicked"), "sorn {args:?} panicked on a closed pipe: {err}");
        assert_ne!(o.status.code(), Some(101), "sorn {args:?}: {err}");
    }
}
