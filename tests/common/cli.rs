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
