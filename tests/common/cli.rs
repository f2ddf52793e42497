//! Helpers for tests that run the `sorn` binary as a user would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `sorn ARGS` in `cwd` (or the test's working directory).
pub fn sorn_in(args: &[&str], cwd: Option<&Path>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sorn"));
    c.args(args);
    if let Some(d) = cwd {
        c.current_dir(d);
    }
    c.output().expect("the sorn binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh scratch directory `sorn-cli-PID-NAME` under the system temp dir.
pub fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sorn-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `sorn run --steps 3000 --seed SEED` into `dir/run` (no plots), returning the run directory.
pub fn small_run(dir: &Path, seed: u64) -> PathBuf {
    let run = dir.join("run");
    let seed = seed.to_string();
    let o = sorn_in(
        &["run", "--steps", "3000", "--seed", &seed, "--out", run.to_str().unwrap(), "--no-plots", "--quiet"],
        None,
    );
    assert!(o.status.success(), "sorn run failed: {}", stderr(&o));
    run
}

/// Runs `sorn ARGS` in `cwd` and asserts success.
pub fn ok_in(args: &[&str], cwd: &Path) -> Output {
    let o = sorn_in(args, Some(cwd));
    assert!(o.status.success(), "sorn {args:?} failed: {}", stderr(&o));
    o
}

/// Asserts exit code 2, a one-line error containing `needle`, no panic, and no partial output left in `cwd`.
pub fn fails_in(args: &[&str], cwd: &Path, needle: &str) {
    let o = sorn_in(args, Some(cwd));
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "sorn {args:?}: expected exit 2, stderr: {err}");
    assert!(!err.contains("panicked"), "sorn {args:?} panicked: {err}");
    assert!(err.contains(needle), "sorn {args:?}: error should mention {needle:?}, got: {err}");
    assert_eq!(err.trim().lines().count(), 1, "one-line error expected, got: {err}");
    for e in walk(cwd) {
        let name = e.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!name.contains(".partial-") && !name.contains(".tmp-"), "left behind: {}", e.display());
    }
}

/// Every path below `d`.
pub fn walk(d: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(d) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            }
            out.push(p);
        }
    }
    out
}
