//! The standard figure set of a run directory (`sorn plot DIR`, and `sorn run` unless `--no-plots`).

use std::path::{Path, PathBuf};

/// Draws the standard figures of the run directory `run_dir` into `out_dir`; returns the files written.
pub fn standard_set(run_dir: &Path, out_dir: &Path) -> Result<Vec<PathBuf>, String> {
    let _ = (run_dir, out_dir);
    Err("the standard figure set is not wired yet".into())
}
