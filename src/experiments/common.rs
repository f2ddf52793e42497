//! What every experiment shares: seeds run in parallel, summaries over seeds, run directories.

use crate::io::rundir::Staging;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Runs `f` once per seed in parallel (rayon) and returns the results in seed order. Each call builds
/// its own network, so a seed's result does not depend on the others or on the thread count.
pub fn par_seeds<T: Send>(seeds: &[u64], f: impl Fn(u64) -> T + Sync + Send) -> Vec<T> {
    seeds.par_iter().map(|&s| f(s)).collect()
}

/// `k` consecutive seeds starting at `first`.
pub fn seed_list(first: u64, k: usize) -> Vec<u64> {
    (0..k as u64).map(|i| first + i).collect()
}

/// Mean and spread of a quantity over seeds (DP17 plots the 16th/84th percentiles).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub n: usize,
    pub mean: f64,
    pub std: f64,
    /// 16th percentile (numpy's linear interpolation).
    pub p16: f64,
    /// 84th percentile.
    pub p84: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// Summary of `v` (NaN entries are dropped; all fields NaN if nothing is left).
    pub fn of(v: &[f64]) -> Spread {
        let mut s: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
        s.sort_by(f64::total_cmp);
        let n = s.len();
        if n == 0 {
            let nan = f64::NAN;
            return Spread { n, mean: nan, std: nan, p16: nan, p84: nan, min: nan, max: nan };
        }
        let mean = s.iter().sum::<f64>() / n as f64;
        let std = (s.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
        Spread {
            n,
            mean,
            std,
            p16: percentile(&s, 16.0),
            p84: percentile(&s, 84.0),
            min: s[0],
            max: s[n - 1],
        }
    }
}

impl std::fmt::Display for Spread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.3} [{:.3}, {:.3}]", self.mean, self.p16, self.p84)
    }
}

/// Percentile `p` (0–100) of sorted data, linear interpolation between closest ranks (numpy default).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = p / 100.0 * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// `runs/experiment-NAME-YYYYMMDD-HHMMSS` (UTC).
pub fn default_out(name: &str) -> PathBuf {
    PathBuf::from(format!("runs/experiment-{name}-{}", crate::io::rundir::utc_stamp()))
}

/// A run directory being written: files go into a staging directory that is renamed into place by
/// [`Output::commit`]; an existing directory is refused unless `force`.
pub struct Output {
    staging: Staging,
}

impl Output {
    pub fn begin(target: &Path, force: bool) -> anyhow::Result<Output> {
        Ok(Output { staging: Staging::begin(target, force)? })
    }
    /// Path of `name` inside the (staging) directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.staging.path(name)
    }
    /// Writes `value` as pretty JSON (non-finite floats become `null`).
    pub fn write_json<T: Serialize>(&self, name: &str, value: &T) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(value)?;
        std::fs::write(self.path(name), text + "\n")?;
        Ok(())
    }
    /// Writes a text file.
    pub fn write_text(&self, name: &str, text: &str) -> anyhow::Result<()> {
        std::fs::write(self.path(name), text)?;
        Ok(())
    }
    /// Moves the directory into place and returns its path.
    pub fn commit(self) -> anyhow::Result<PathBuf> {
        Ok(self.staging.commit()?)
    }
    /// Removes the staging directory.
    pub fn abort(self) {
        self.staging.abort()
    }
}

/// Figure errors are reported on stderr and do not fail an experiment whose numbers are written.
pub fn figure(what: &str, r: Result<(), impl std::fmt::Display>) {
    if let Err(e) = r {
        eprintln!("warning: figure {what}: {e}");
    }
}
