//! `sorn analyze` (raster statistics) and `sorn avalanches` (DP17 avalanche analysis).

use super::stdout::emit;
use super::{CliResult, UserError};
use clap::Args;
use sorn::figures::{ActivitySeries, parse_theta, read_activity, read_raster, run_activity};
use sorn::io::rundir::names;
use sorn_analysis::report::{AvalancheReportOptions, avalanche_report, raster_report};
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct AnalyzeArgs {
    /// A T × N binary raster (.npy, rows = time steps), or a run directory (its e_raster.npy).
    #[arg(value_name = "RASTER.npy|DIR")]
    input: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct AvalanchesArgs {
    /// A 1-D activity series (active units per step) or a T × N binary raster (.npy, summed per step), or a
    /// run directory (e_raster.npy, else rate.npy × N_E).
    #[arg(value_name = "ACTIVITY.npy|DIR")]
    input: PathBuf,
    /// Threshold θ: half-mean (floor(<a>/2)), half-mean+1, pNN (NN-th percentile of a) or a number.
    #[arg(long, default_value = "half-mean", allow_hyphen_values = true)]
    theta: String,
    /// Lower bound of the duration power-law fit.
    #[arg(long, default_value_t = 6)]
    xmin_t: u64,
    /// Upper bound of the duration power-law fit.
    #[arg(long, default_value_t = 60)]
    xmax_t: u64,
    /// Lower bound of the size power-law fit.
    #[arg(long, default_value_t = 10)]
    xmin_s: u64,
    /// Upper bound of the size power-law fit.
    #[arg(long, default_value_t = 1500)]
    xmax_s: u64,
    /// Temporal bin width in steps (activity averaged per bin, then floored above θ).
    #[arg(long, default_value_t = 1)]
    bin: usize,
    /// Drop this many initial steps (transient) before the analysis.
    #[arg(long, default_value_t = 0)]
    discard: usize,
    /// Sizes as the total activity of the run instead of the area above θ (DP17 Fig S1).
    #[arg(long)]
    total_size: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

fn raster_path(input: &Path) -> Result<PathBuf, UserError> {
    if input.is_dir() {
        let p = input.join(names::E_RASTER);
        if !p.is_file() {
            return Err(UserError(format!(
                "{}: no e_raster.npy in this run directory (record it with `sorn run --record e-raster`)",
                input.display()
            )));
        }
        Ok(p)
    } else if input.is_file() {
        Ok(input.to_path_buf())
    } else {
        Err(UserError(format!("{}: no such file or directory", input.display())))
    }
}

pub fn run(a: AnalyzeArgs) -> CliResult {
    let path = raster_path(&a.input)?;
    let raster = read_raster(&path).map_err(UserError)?;
    let report = raster_report(raster.view()).map_err(|e| UserError(format!("{}: {e}", path.display())))?;
    if a.json {
        emit(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    } else {
        emit(&format!("{}\n{report}", path.display()))?;
    }
    Ok(())
}

fn activity(input: &Path) -> Result<ActivitySeries, UserError> {
    if input.is_dir() {
        run_activity(input).map_err(UserError)
    } else if input.is_file() {
        read_activity(input).map_err(UserError)
    } else {
        Err(UserError(format!("{}: no such file or directory", input.display())))
    }
}

pub fn avalanches(a: AvalanchesArgs) -> CliResult {
    let theta = parse_theta(&a.theta).map_err(UserError)?;
    if a.bin == 0 {
        return Err(UserError("--bin must be at least 1".into()));
    }
    for (name, lo, hi) in [("t", a.xmin_t, a.xmax_t), ("s", a.xmin_s, a.xmax_s)] {
        if lo == 0 || hi <= lo {
            return Err(UserError(format!("--xmin-{name} {lo} / --xmax-{name} {hi}: need 1 ≤ xmin < xmax")));
        }
    }
    let act = activity(&a.input)?;
    let n = act.values.len();
    if a.discard >= n {
        return Err(UserError(format!(
            "--discard {} leaves nothing of the {n} steps of {}",
            a.discard, act.source
        )));
    }
    let series = &act.values[a.discard..];
    let opts = AvalancheReportOptions {
        theta,
        bin: a.bin,
        size_rule: if a.total_size {
            sorn_analysis::avalanche::SizeRule::Total
        } else {
            sorn_analysis::avalanche::SizeRule::AboveThreshold
        },
        xmin_t: a.xmin_t,
        xmax_t: a.xmax_t,
        xmin_s: a.xmin_s,
        xmax_s: a.xmax_s,
    };
    let report = avalanche_report(series, &opts).map_err(|e| UserError(format!("{}: {e}", act.source)))?;
    if report.durations.exponent.is_none() && report.sizes.exponent.is_none() {
        return Err(UserError(format!(
            "{}: too few avalanches for a power-law fit: {} avalanches, {} with duration in [{}, {}], {} with size \
             in [{}, {}] (use a longer series, or lower --theta / the fit bounds)",
            act.source,
            report.n_avalanches,
            report.durations.n_in_range,
            a.xmin_t,
            a.xmax_t,
            report.sizes.n_in_range,
            a.xmin_s,
            a.xmax_s
        )));
    }
    if a.json {
        emit(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
    } else {
        let discarded =
            if a.discard > 0 { format!(", first {} steps discarded", a.discard) } else { String::new() };
        emit(&format!("activity: {}{discarded}\n{report}", act.source))?;
    }
    Ok(())
}
