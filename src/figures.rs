//! The standard figure set of a run directory (`sorn plot DIR`, and `sorn run` unless `--no-plots`), single
//! figures from one `.npy` file (`sorn plot KIND FILE -o OUT`), and the loaders they share with
//! `sorn analyze` / `sorn avalanches` (binary rasters read as `u8`, activity series, run directories).
//!
//! Every figure is drawn from whatever the run directory holds: a figure whose data are missing (series
//! not recorded, a silent raster, too few avalanches for a fit) is skipped without a message; a figure
//! whose data are broken (unreadable file, non-binary raster, NaN) is reported, and the other figures
//! are still drawn.

use crate::io::npy;
use crate::io::rundir::names;
use crate::io::state_npz;
use ndarray::{Array2, ArrayView2, Ix1, Ix2};
use sorn_analysis::avalanche::{AvalancheOptions, Avalanches, ThresholdRule, avalanches_pooled};
use sorn_analysis::report::{AvalancheReport, AvalancheReportOptions, avalanche_report};
use sorn_viz::{self as viz, AvalancheKind, Binning, Degree, Format, VizError};
use std::path::{Path, PathBuf};

/// Image size (pixels) of the figures unless asked otherwise.
pub const DEFAULT_SIZE: (u32, u32) = (800, 600);
/// Raster and scatter plots show the first this many steps.
pub const RASTER_STEPS: usize = 1000;
/// The firing-rate histogram uses the last this many steps (to bound memory on very long runs).
pub const RATE_HIST_STEPS: usize = 200_000;
/// Correlation heat map: the first this many units …
pub const CORR_UNITS: usize = 200;
/// … over the last this many steps.
pub const CORR_STEPS: usize = 5000;
/// Weights below this are left out of weight histograms and the lognormal fit (the `sorn` package's value).
pub const WEIGHT_CUTOFF: f64 = 0.01;
/// Reference slope of ⟨S⟩(T) drawn in the mean-size figure (DP17).
pub const REFERENCE_SLOPE: f64 = 1.3;

// ------------------------------------------------------------------------------------------------
// Loading
// ------------------------------------------------------------------------------------------------

pub use crate::io::npy::NpyData;

/// Reads any numeric or boolean `.npy` file; uint8 and bool arrays stay `u8`.
pub fn read_npy(path: &Path) -> Result<NpyData, String> {
    npy::read(path).map_err(|e| e.to_string())
}

/// A binary T × N raster (rows = time steps) from loaded data: checks the shape (2-D, non-empty) and that
/// every entry is 0 or 1.
pub fn raster_from(data: NpyData, path: &Path) -> Result<Array2<u8>, String> {
    let shape = data.shape().to_vec();
    let p = path.display();
    if shape.len() != 2 {
        return Err(format!(
            "{p}: expected a T × N raster (2-D, rows = time steps), got a {}-D array of shape {}",
            shape.len(),
            npy::shape_str(&shape)
        ));
    }
    if shape[0] == 0 || shape[1] == 0 {
        return Err(format!("{p}: empty raster of shape {}", npy::shape_str(&shape)));
    }
    let non_binary = |i: usize, v: String| {
        format!(
            "{p}: non-binary raster: entry at (step {}, neuron {}) is {v}, expected 0 or 1",
            i / shape[1],
            i % shape[1]
        )
    };
    let a = match data {
        NpyData::U8(a) => {
            let a = a.into_dimensionality::<Ix2>().map_err(|e| format!("{p}: {e}"))?;
            let a = if a.is_standard_layout() { a } else { a.as_standard_layout().into_owned() };
            if let Some((i, v)) = a.as_slice().unwrap_or(&[]).iter().enumerate().find(|&(_, &v)| v > 1) {
                return Err(non_binary(i, v.to_string()));
            }
            a
        }
        NpyData::F64(a) => {
            let a = a.into_dimensionality::<Ix2>().map_err(|e| format!("{p}: {e}"))?;
            let mut out = Array2::<u8>::zeros(a.dim());
            for (i, (o, &v)) in out.iter_mut().zip(a.iter()).enumerate() {
                if v == 1.0 {
                    *o = 1;
                } else if v != 0.0 {
                    return Err(non_binary(i, v.to_string()));
                }
            }
            out
        }
    };
    Ok(a)
}

/// Reads a binary T × N raster (uint8 or bool read directly; other dtypes must hold only 0 and 1).
pub fn read_raster(path: &Path) -> Result<Array2<u8>, String> {
    raster_from(read_npy(path)?, path)
}

/// Number of active units per row of a raster.
pub fn row_counts(r: ArrayView2<u8>) -> Vec<f64> {
    r.rows().into_iter().map(|row| row.iter().map(|&v| u32::from(v)).sum::<u32>() as f64).collect()
}

/// An activity series (active units per step) and where it came from.
pub struct ActivitySeries {
    pub values: Vec<f64>,
    /// Number of units, when known (the raster width, or N_E of a run directory).
    pub n_units: Option<usize>,
    /// Human-readable origin, e.g. `run/e_raster.npy (3000 × 200 raster, summed per step)`.
    pub source: String,
}

/// Reads an activity file: a 1-D series of counts (any numeric dtype; finite, ≥ 0) or a T × N binary
/// raster, summed per row.
pub fn read_activity(path: &Path) -> Result<ActivitySeries, String> {
    let data = read_npy(path)?;
    let shape = data.shape().to_vec();
    let p = path.display();
    match shape.len() {
        1 => {
            if shape[0] == 0 {
                return Err(format!("{p}: empty activity series (shape (0,))"));
            }
            let v = data.into_f64().into_dimensionality::<Ix1>().map_err(|e| format!("{p}: {e}"))?.to_vec();
            if let Some(i) = v.iter().position(|x| !x.is_finite()) {
                return Err(format!(
                    "{p}: activity series holds {} at step {i}: values must be finite",
                    v[i]
                ));
            }
            if let Some(i) = v.iter().position(|&x| x < 0.0) {
                return Err(format!("{p}: activity series holds {} at step {i}: counts must be ≥ 0", v[i]));
            }
            Ok(ActivitySeries { values: v, n_units: None, source: format!("{p} ({} steps)", shape[0]) })
        }
        2 => {
            let r = raster_from(data, path)?;
            let (t, n) = r.dim();
            Ok(ActivitySeries {
                values: row_counts(r.view()),
                n_units: Some(n),
                source: format!("{p} ({t} × {n} raster, summed per step)"),
            })
        }
        d => Err(format!(
            "{p}: expected a 1-D activity series or a T × N raster, got a {d}-D array of shape {}",
            npy::shape_str(&shape)
        )),
    }
}

/// N_E of a run directory: `[network] ne` of `config.toml`, else the shape of `w_ee` in `state.npz`.
pub fn run_ne(dir: &Path) -> Option<usize> {
    if let Ok(text) = std::fs::read_to_string(dir.join(names::CONFIG))
        && let Ok(v) = text.parse::<toml::Table>()
        && let Some(ne) = v.get("network").and_then(|n| n.get("ne")).and_then(|n| n.as_integer())
        && ne > 0
    {
        return Some(ne as usize);
    }
    state_npz::load(&dir.join(names::STATE)).ok().map(|s| s.w_ee.n_rows)
}

/// The excitatory activity of a run directory: `e_raster.npy` summed per step, else `activity.npy`, else
/// `rate.npy` × N_E (rounded).
pub fn run_activity(dir: &Path) -> Result<ActivitySeries, String> {
    let raster = dir.join(names::E_RASTER);
    if raster.exists() {
        return read_activity(&raster);
    }
    let act = dir.join(names::ACTIVITY);
    if act.exists() {
        return read_activity(&act);
    }
    let rate = dir.join(names::RATE);
    if rate.exists() {
        let ne = run_ne(dir).ok_or_else(|| {
            format!(
                "{}: N_E unknown (no readable config.toml or state.npz) to turn rate.npy into counts",
                dir.display()
            )
        })?;
        let r = read_activity(&rate)?;
        if r.n_units.is_some() {
            return Err(format!("{}: expected a 1-D rate series", rate.display()));
        }
        if let Some(i) = r.values.iter().position(|&x| x > 1.0) {
            return Err(format!("{}: rate {} at step {i} is above 1", rate.display(), r.values[i]));
        }
        return Ok(ActivitySeries {
            values: r.values.iter().map(|x| (x * ne as f64).round()).collect(),
            n_units: Some(ne),
            source: format!("{} × N_E = {ne} ({} steps)", rate.display(), r.values.len()),
        });
    }
    Err(format!(
        "{}: no e_raster.npy, activity.npy or rate.npy to take the activity from (record e-raster or rate)",
        dir.display()
    ))
}

// ------------------------------------------------------------------------------------------------
// Computations for the figures
// ------------------------------------------------------------------------------------------------

fn rows_of(r: ArrayView2<u8>) -> Vec<Vec<u8>> {
    r.rows().into_iter().map(|row| row.to_vec()).collect()
}

/// Pearson correlation matrix of the columns of a binary raster, computed from co-activation counts
/// (cost O(T·k²) for k active units per step). Units that never change (silent or always on) get
/// correlation 0 with every other unit and 1 on the diagonal.
pub fn correlation_matrix(r: ArrayView2<u8>) -> Vec<Vec<f64>> {
    let (t, n) = r.dim();
    let mut co = vec![0u32; n * n];
    let mut cnt = vec![0u32; n];
    let mut active = Vec::with_capacity(n);
    for row in r.rows() {
        active.clear();
        active.extend(row.iter().enumerate().filter(|(_, v)| **v != 0).map(|(i, _)| i));
        for (a, &i) in active.iter().enumerate() {
            cnt[i] += 1;
            for &j in &active[..a] {
                co[i * n + j] += 1;
            }
        }
    }
    let tf = t as f64;
    let p: Vec<f64> = cnt.iter().map(|&c| f64::from(c) / tf).collect();
    let s: Vec<f64> = p.iter().map(|&p| (p * (1.0 - p)).max(0.0).sqrt()).collect();
    let mut c = vec![vec![0.0; n]; n];
    for i in 0..n {
        c[i][i] = 1.0;
        for j in 0..i {
            if s[i] > 0.0 && s[j] > 0.0 {
                let v = (f64::from(co[i * n + j]) / tf - p[i] * p[j]) / (s[i] * s[j]);
                c[i][j] = v;
                c[j][i] = v;
            }
        }
    }
    c
}

/// Correlations of the first ≤ [`CORR_UNITS`] units over the last ≤ [`CORR_STEPS`] steps.
fn raster_correlation(r: ArrayView2<u8>) -> Vec<Vec<f64>> {
    let (t, n) = r.dim();
    let w = r.slice(ndarray::s![t.saturating_sub(CORR_STEPS).., ..n.min(CORR_UNITS)]);
    correlation_matrix(w)
}

/// Inter-spike intervals of the most active unit of a raster, and that unit.
fn most_active_isis(r: ArrayView2<u8>) -> (usize, Vec<f64>) {
    let counts: Vec<u64> = r.columns().into_iter().map(|c| c.iter().map(|&v| u64::from(v)).sum()).collect();
    let unit =
        counts.iter().enumerate().max_by_key(|&(i, &c)| (c, std::cmp::Reverse(i))).map_or(0, |(i, _)| i);
    let mut last = None;
    let mut isis = Vec::new();
    for (t, &v) in r.column(unit).iter().enumerate() {
        if v != 0 {
            if let Some(l) = last {
                isis.push((t - l) as f64);
            }
            last = Some(t);
        }
    }
    (unit, isis)
}

/// ISI histogram with the maximum-likelihood geometric (discrete exponential) fit scaled to counts.
fn draw_isi(isis: &[f64], path: &Path, size: (u32, u32)) -> Result<(), VizError> {
    let (lo, hi) = isis.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    let span = (hi - lo).max(1.0);
    let width = (span / 60.0).ceil().max(1.0);
    let bins = ((span / width).round() as usize).max(1);
    let ints: Vec<usize> = isis.iter().map(|&x| x as usize).collect();
    let fit = sorn_analysis::weights::isi_exponential_fit(&ints).ok().and_then(|f| {
        let p = f.geometric_p;
        (p > 0.0 && p < 1.0).then(|| {
            // Count in a bin of `w` steps starting at x ≈ n·w·p(1−p)^(x−1).
            let w = span / bins as f64;
            viz::ExponentialOverlay { a: f.n as f64 * w * p / (1.0 - p), b: -(1.0 - p).ln(), c: 0.0 }
        })
    });
    viz::isi_histogram(isis, bins, fit, path, size)
}

fn degrees_of(w: &sorn_core::CsrParts) -> (Vec<u32>, Vec<u32>) {
    let mut out_deg = vec![0u32; w.n_cols];
    let mut in_deg = vec![0u32; w.n_rows];
    for (i, d) in in_deg.iter_mut().enumerate() {
        for k in w.indptr[i]..w.indptr[i + 1] {
            if w.data[k] > 0.0 {
                *d += 1;
                out_deg[w.indices[k] as usize] += 1;
            }
        }
    }
    (in_deg, out_deg)
}

fn draw_degrees(deg: &[u32], kind: Degree, path: &Path, size: (u32, u32)) -> Result<(), VizError> {
    let d: Vec<f64> = deg.iter().map(|&x| f64::from(x)).collect();
    let (lo, hi) = d.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    // Unit-wide bins for integer degrees (the last, closed bin also holds the maximum).
    let bins = ((hi - lo) as usize).clamp(1, 40);
    viz::degree_histogram(deg, kind, bins, viz::NormalOverlay::estimate(&d), path, size)
}

fn draw_weights(w: &[f64], path: &Path, size: (u32, u32)) -> Result<(), VizError> {
    viz::weight_distribution(w, 50, path, size)
}

fn draw_lognormal(w: &[f64], path: &Path, size: (u32, u32)) -> Result<(), VizError> {
    match sorn_analysis::weights::lognormal_fit(w, WEIGHT_CUTOFF) {
        Ok(f) if f.sigma > 0.0 => {
            viz::lognormal_fit(w, viz::LognormalOverlay { mu: f.mu, sigma: f.sigma }, 200, path, size)
        }
        Ok(_) => Err(VizError::EmptyData { what: "weights (all equal: no lognormal fit)" }),
        Err(sorn_analysis::AnalysisError::NonFinite { index, .. }) => {
            Err(VizError::NonFinite { what: "weights", index, value: w[index] })
        }
        Err(_) => Err(VizError::EmptyData { what: "weights ≥ 0.01 (fewer than 2)" }),
    }
}

/// Avalanches and their report with the DP17 defaults, or `None` when there are no avalanches.
fn avalanche_analysis(activity: &[f64]) -> Option<(Avalanches, AvalancheReport)> {
    let opts = AvalancheReportOptions::default();
    let report = avalanche_report(activity, &opts).ok()?;
    let av = avalanches_pooled(
        &[activity],
        &AvalancheOptions { theta: opts.theta, bin: opts.bin, size_rule: opts.size_rule },
    )
    .ok()?;
    Some((av, report))
}

fn avalanche_figure(
    av: &Avalanches,
    rep: &AvalancheReport,
    kind: AvalancheKind,
    path: &Path,
    size: (u32, u32),
) -> Result<(), VizError> {
    let (data, s) = match kind {
        AvalancheKind::Size => (&av.sizes, &rep.sizes),
        AvalancheKind::Duration => (&av.durations, &rep.durations),
    };
    let Some(exponent) = s.exponent else {
        return Err(VizError::EmptyData {
            what: "avalanches in the fit range (too few for a power-law fit)",
        });
    };
    let values: Vec<f64> = data.iter().map(|&v| v as f64).collect();
    // An exponent at the bound of its fit is not a result (see `exponent_valid`): not drawn as one.
    let pl = s.exponent_valid.then_some(viz::PowerLawOverlay {
        exponent,
        xmin: s.xmin as f64,
        xmax: Some(s.xmax as f64),
    });
    let tr = s.truncated.as_ref().map(|t| viz::TruncatedOverlay {
        exponent: t.alpha,
        lambda: t.lambda,
        xmin: s.xmin as f64,
    });
    viz::avalanche_distribution(&values, kind, Binning::Log { bins_per_decade: 10 }, pl, tr, path, size)
}

fn mean_size_figure(
    av: &Avalanches,
    rep: &AvalancheReport,
    path: &Path,
    size: (u32, u32),
) -> Result<(), VizError> {
    let rel = match (rep.durations.exponent, rep.sizes.exponent) {
        (Some(alpha), Some(tau)) => Some(viz::ExponentRelation { alpha, tau }),
        _ => return Err(VizError::EmptyData { what: "avalanche exponents (too few avalanches)" }),
    };
    let s: Vec<f64> = av.sizes.iter().map(|&v| v as f64).collect();
    let d: Vec<f64> = av.durations.iter().map(|&v| v as f64).collect();
    viz::mean_size_vs_duration(&s, &d, rel, Some(REFERENCE_SLOPE), path, size)
}

// ------------------------------------------------------------------------------------------------
// The standard set
// ------------------------------------------------------------------------------------------------

/// Collects written files and data errors; "nothing to draw" outcomes are skipped silently.
struct Collector<'a> {
    out: &'a Path,
    ext: &'static str,
    size: (u32, u32),
    written: Vec<PathBuf>,
    errors: Vec<String>,
}

impl Collector<'_> {
    fn draw(&mut self, name: &str, f: impl FnOnce(&Path, (u32, u32)) -> Result<(), VizError>) {
        let path = self.out.join(format!("{name}.{}", self.ext));
        match f(&path, self.size) {
            Ok(()) => self.written.push(path),
            Err(VizError::EmptyData { .. } | VizError::AllZeroWeights { .. }) => {}
            Err(e) => self.errors.push(format!("{name}: {e}")),
        }
    }

    /// Loads an optional file: `None` if absent, an error recorded if unreadable.
    fn load<T>(&mut self, path: &Path, f: impl FnOnce(&Path) -> Result<T, String>) -> Option<T> {
        if !path.exists() {
            return None;
        }
        match f(path) {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }
}

fn read_series(path: &Path) -> Result<Vec<f64>, String> {
    let a = read_npy(path)?.into_f64();
    let dims = a.shape().to_vec();
    a.into_dimensionality::<Ix1>().map(|a| a.to_vec()).map_err(|_| {
        format!("{}: expected a 1-D series, got shape {}", path.display(), npy::shape_str(&dims))
    })
}

fn read_connections(path: &Path) -> Result<Vec<f64>, String> {
    let a = read_npy(path)?.into_f64();
    let dims = a.shape().to_vec();
    match a.into_dimensionality::<Ix2>() {
        Ok(m) if m.ncols() >= 1 => Ok(m.column(0).to_vec()),
        _ => match dims.len() {
            1 => Ok(read_series(path)?),
            _ => Err(format!(
                "{}: expected T × 2 connection counts, got shape {}",
                path.display(),
                npy::shape_str(&dims)
            )),
        },
    }
}

/// Where the recorded samples of a run directory sit on the step axis (from `summary.json` and the
/// record stride in `config.toml`).
fn run_steps(dir: &Path) -> viz::Steps {
    let stride = std::fs::read_to_string(dir.join(names::CONFIG))
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
        .and_then(|v| v.get("run")?.get("record")?.get("stride")?.as_integer())
        .filter(|&s| s > 0)
        .unwrap_or(1) as u64;
    let start = std::fs::read_to_string(dir.join(names::SUMMARY))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| Some(v.get("steps_total")?.as_u64()?.saturating_sub(v.get("steps")?.as_u64()?)))
        .unwrap_or(0);
    // A sample is written after every step whose (total) step count is a multiple of the stride.
    let first = (start / stride + 1) * stride;
    viz::Steps { first: first as f64, every: stride as f64 }
}

/// Draws the standard figures of the run directory `run_dir` into `out_dir` as PNG; returns the files
/// written. See [`standard_set_as`].
pub fn standard_set(run_dir: &Path, out_dir: &Path) -> Result<Vec<PathBuf>, String> {
    standard_set_as(run_dir, out_dir, Format::Png, DEFAULT_SIZE)
}

/// Draws the standard figures of `run_dir` into `out_dir` (created) in `format` at `size`:
///
/// | file | from | figure |
/// |---|---|---|
/// | `raster` | e_raster.npy | first ≤ 1000 steps |
/// | `scatter` | e_raster.npy | spikes and active units per step, first ≤ 1000 steps |
/// | `firing_rate` | e_raster.npy | histogram of active units per step (last ≤ 200 000 steps) |
/// | `activity` | e_raster.npy (or rate.npy × N_E) | activity histogram vs Binomial(N_E, mean rate) |
/// | `connections`, `connection_fraction` | connections.npy | E←E synapses, and over N_E(N_E−1) |
/// | `threshold_rate` | threshold_mean.npy, rate.npy (or the raster) | traces |
/// | `weights`, `lognormal` | state.npz | final w_ee ≥ 0.01, histogram and lognormal fit |
/// | `in_degree`, `out_degree` | state.npz | E←E degrees with normal fit |
/// | `correlation` | e_raster.npy | first ≤ 200 units, last ≤ 5000 steps |
/// | `isi` | e_raster.npy | ISIs of the most active unit with the geometric (exponential) ML fit |
/// | `avalanche_sizes`, `avalanche_durations`, `mean_size` | activity | DP17 fits (θ = floor(⟨a⟩/2)) |
///
/// Figures without data are skipped; the avalanche figures need enough avalanches in the fit ranges.
/// Data errors (unreadable files, non-binary rasters, NaN) are collected: the other figures are drawn,
/// and the call returns an error naming every problem.
pub fn standard_set_as(
    run_dir: &Path,
    out_dir: &Path,
    format: Format,
    size: (u32, u32),
) -> Result<Vec<PathBuf>, String> {
    if !run_dir.is_dir() {
        return Err(format!("{}: not a run directory", run_dir.display()));
    }
    viz::check_size(size).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let ext = match format {
        Format::Png => "png",
        Format::Svg => "svg",
    };
    let mut c = Collector { out: out_dir, ext, size, written: Vec::new(), errors: Vec::new() };
    let steps = run_steps(run_dir);
    let ne = run_ne(run_dir);

    let raster = c.load(&run_dir.join(names::E_RASTER), read_raster);
    let activity: Option<Vec<f64>> = match &raster {
        Some(r) => Some(row_counts(r.view())),
        None if run_dir.join(names::E_RASTER).exists() => None,
        None => match run_activity(run_dir) {
            Ok(a) => Some(a.values),
            Err(e) if run_dir.join(names::RATE).exists() || run_dir.join(names::ACTIVITY).exists() => {
                c.errors.push(e);
                None
            }
            Err(_) => None,
        },
    };
    let n_units = raster.as_ref().map(|r| r.ncols()).or(ne);

    if let Some(r) = &raster {
        let (t, _) = r.dim();
        let head = rows_of(r.slice(ndarray::s![..t.min(RASTER_STEPS), ..]));
        c.draw("raster", |p, s| viz::raster_plot(&head, p, s));
        c.draw("scatter", |p, s| viz::scatter_plot(&head, p, s));
        drop(head);
        let tail = rows_of(r.slice(ndarray::s![t.saturating_sub(RATE_HIST_STEPS).., ..]));
        c.draw("firing_rate", |p, s| viz::firing_rate_histogram(&tail, 40, p, s));
        drop(tail);
    }
    if let (Some(a), Some(n)) = (&activity, n_units) {
        let mean = a.iter().sum::<f64>() / a.len() as f64 / n as f64;
        c.draw("activity", |p, s| viz::activity_binomial(a, n as u32, mean, p, s));
    }
    if let Some(conn) = c.load(&run_dir.join(names::CONNECTIONS), read_connections) {
        c.draw("connections", |p, s| viz::connection_dynamics(&conn, steps, p, s));
        if let Some(n) = ne.filter(|&n| n > 1) {
            let possible = (n * (n - 1)) as f64;
            let frac: Vec<f64> = conn.iter().map(|x| x / possible).collect();
            c.draw("connection_fraction", |p, s| viz::connection_fraction(&frac, steps, p, s));
        }
    }
    let thr = c.load(&run_dir.join(names::THRESHOLD_MEAN), read_series);
    let rate = c.load(&run_dir.join(names::RATE), read_series).or_else(|| {
        raster.as_ref().map(|r| row_counts(r.view()).into_iter().map(|x| x / r.ncols() as f64).collect())
    });
    if let (Some(thr), Some(rate)) = (&thr, &rate) {
        if thr.len() == rate.len() {
            c.draw("threshold_rate", |p, s| viz::threshold_rate_traces(thr, rate, steps, p, s));
        } else {
            c.errors.push(format!(
                "threshold_rate: threshold_mean.npy has {} samples but the rate has {}",
                thr.len(),
                rate.len()
            ));
        }
    }
    if let Some(state) =
        c.load(&run_dir.join(names::STATE), |p| state_npz::load(p).map_err(|e| e.to_string()))
    {
        let w = &state.w_ee.data;
        c.draw("weights", |p, s| draw_weights(w, p, s));
        c.draw("lognormal", |p, s| draw_lognormal(w, p, s));
        let (ind, outd) = degrees_of(&state.w_ee);
        c.draw("in_degree", |p, s| draw_degrees(&ind, Degree::In, p, s));
        c.draw("out_degree", |p, s| draw_degrees(&outd, Degree::Out, p, s));
    }
    if let Some(r) = &raster {
        let corr = raster_correlation(r.view());
        c.draw("correlation", |p, s| viz::correlation_heatmap(&corr, None, p, s));
        let (_, isis) = most_active_isis(r.view());
        c.draw("isi", |p, s| draw_isi(&isis, p, s));
    }
    if let Some(a) = &activity
        && let Some((av, rep)) = avalanche_analysis(a)
    {
        c.draw("avalanche_sizes", |p, s| avalanche_figure(&av, &rep, AvalancheKind::Size, p, s));
        c.draw("avalanche_durations", |p, s| avalanche_figure(&av, &rep, AvalancheKind::Duration, p, s));
        c.draw("mean_size", |p, s| mean_size_figure(&av, &rep, p, s));
    }

    if c.errors.is_empty() {
        Ok(c.written)
    } else {
        Err(format!(
            "{} figure(s) written to {}; problems: {}",
            c.written.len(),
            out_dir.display(),
            c.errors.join("; ")
        ))
    }
}

// ------------------------------------------------------------------------------------------------
// Single figures
// ------------------------------------------------------------------------------------------------

/// Kinds [`single`] draws from one file, with what the file must hold.
pub const SINGLE_KINDS: &[(&str, &str)] = &[
    ("raster", "T × N binary raster (first ≤ 1000 steps)"),
    ("scatter", "T × N binary raster (first ≤ 1000 steps)"),
    ("firing-rate", "T × N binary raster"),
    ("activity", "T × N binary raster (Binomial(N, mean rate) reference)"),
    ("weights", "weights: any .npy (flattened) or a state.npz (w_ee)"),
    ("lognormal", "weights: any .npy (flattened) or a state.npz (w_ee)"),
    ("in-degree", "square weight matrix (row = postsynaptic) .npy, or a state.npz"),
    ("out-degree", "square weight matrix (row = postsynaptic) .npy, or a state.npz"),
    (
        "correlation",
        "T × N binary raster (first ≤ 200 units, last ≤ 5000 steps) or a square correlation matrix",
    ),
    ("network", "like correlation; edges for the N strongest pairs"),
    ("isi", "T × N binary raster (most active unit) or a 1-D series of intervals"),
    ("connections", "connections.npy (T × 2, first column) or a 1-D count series"),
    ("connection-fraction", "1-D series of fractions"),
    ("hamming", "1-D series of distances"),
    ("avalanche-sizes", "1-D activity series or T × N raster"),
    ("avalanche-durations", "1-D activity series or T × N raster"),
    ("mean-size", "1-D activity series or T × N raster"),
];

fn unknown_kind(kind: &str) -> String {
    let names: Vec<&str> = SINGLE_KINDS.iter().map(|k| k.0).collect();
    let mut msg = format!("unknown figure kind `{kind}`: expected one of {}", names.join(", "));
    if sorn_viz::kinds().iter().any(|k| k.0 == kind) {
        msg =
            format!("figure kind `{kind}` needs more than one file; use `sorn plot DIR` on a run directory");
    }
    msg
}

fn weights_from(input: &Path) -> Result<Vec<f64>, String> {
    if input.extension().is_some_and(|e| e.eq_ignore_ascii_case("npz")) {
        return state_npz::load(input).map(|s| s.w_ee.data).map_err(|e| e.to_string());
    }
    let a = read_npy(input)?.into_f64();
    if a.is_empty() {
        return Err(format!(
            "{}: empty weight array of shape {}",
            input.display(),
            npy::shape_str(a.shape())
        ));
    }
    Ok(a.iter().copied().collect())
}

fn degrees_from(input: &Path) -> Result<(Vec<u32>, Vec<u32>), String> {
    if input.extension().is_some_and(|e| e.eq_ignore_ascii_case("npz")) {
        return state_npz::load(input).map(|s| degrees_of(&s.w_ee)).map_err(|e| e.to_string());
    }
    let a = read_npy(input)?.into_f64();
    let dims = a.shape().to_vec();
    let m =
        a.into_dimensionality::<Ix2>().ok().filter(|m| m.nrows() == m.ncols() && m.nrows() > 0).ok_or_else(
            || {
                format!(
                    "{}: expected a square weight matrix, got shape {}",
                    input.display(),
                    npy::shape_str(&dims)
                )
            },
        )?;
    let ind = m.rows().into_iter().map(|r| r.iter().filter(|&&w| w > 0.0).count() as u32).collect();
    let outd = m.columns().into_iter().map(|c| c.iter().filter(|&&w| w > 0.0).count() as u32).collect();
    Ok((ind, outd))
}

/// A correlation matrix from a raster, or a square non-binary matrix taken as one.
fn correlation_from(input: &Path) -> Result<Vec<Vec<f64>>, String> {
    let data = read_npy(input)?;
    let is_binary = match &data {
        NpyData::U8(_) => true,
        NpyData::F64(a) => a.iter().all(|&v| v == 0.0 || v == 1.0),
    };
    let s = data.shape().to_vec();
    if !is_binary && s.len() == 2 && s[0] == s[1] {
        let m = data.into_f64().into_dimensionality::<Ix2>().map_err(|e| e.to_string())?;
        return Ok(m.rows().into_iter().map(|r| r.to_vec()).collect());
    }
    let r = raster_from(data, input)?;
    Ok(raster_correlation(r.view()))
}

fn series_from(input: &Path) -> Result<Vec<f64>, String> {
    let v = read_series(input)?;
    if v.is_empty() {
        return Err(format!("{}: empty series", input.display()));
    }
    Ok(v)
}

/// Draws one figure of `kind` (see [`SINGLE_KINDS`]) from `input` into `out` (`.png` or `.svg`) at the
/// default size.
pub fn single(kind: &str, input: &Path, out: &Path) -> Result<(), String> {
    single_sized(kind, input, out, DEFAULT_SIZE)
}

/// [`single`] at a given image size.
pub fn single_sized(kind: &str, input: &Path, out: &Path, size: (u32, u32)) -> Result<(), String> {
    if !SINGLE_KINDS.iter().any(|k| k.0 == kind) {
        return Err(unknown_kind(kind));
    }
    Format::from_path(out).map_err(|e| e.to_string())?;
    viz::check_size(size).map_err(|e| e.to_string())?;
    if !input.is_file() {
        return Err(format!("{}: no such file", input.display()));
    }
    let head = |r: &Array2<u8>| rows_of(r.slice(ndarray::s![..r.nrows().min(RASTER_STEPS), ..]));
    let result = match kind {
        "raster" => viz::raster_plot(&head(&read_raster(input)?), out, size),
        "scatter" => viz::scatter_plot(&head(&read_raster(input)?), out, size),
        "firing-rate" => viz::firing_rate_histogram(&rows_of(read_raster(input)?.view()), 40, out, size),
        "activity" => {
            let r = read_raster(input)?;
            let a = row_counts(r.view());
            let mean = a.iter().sum::<f64>() / a.len() as f64 / r.ncols() as f64;
            viz::activity_binomial(&a, r.ncols() as u32, mean, out, size)
        }
        "weights" => draw_weights(&weights_from(input)?, out, size),
        "lognormal" => draw_lognormal(&weights_from(input)?, out, size),
        "in-degree" => draw_degrees(&degrees_from(input)?.0, Degree::In, out, size),
        "out-degree" => draw_degrees(&degrees_from(input)?.1, Degree::Out, out, size),
        "correlation" => viz::correlation_heatmap(&correlation_from(input)?, None, out, size),
        "network" => {
            let c = correlation_from(input)?;
            let n = c.len();
            let mut pairs: Vec<f64> =
                (0..n).flat_map(|i| (0..i).map(move |j| (i, j))).map(|(i, j)| c[i][j]).collect();
            pairs.sort_by(|a, b| b.total_cmp(a));
            let thr = pairs.get(n.saturating_sub(1)).copied().unwrap_or(0.0);
            viz::network_graph(&c, thr, out, size)
        }
        "isi" => {
            let data = read_npy(input)?;
            let isis = if data.shape().len() == 2 {
                most_active_isis(raster_from(data, input)?.view()).1
            } else {
                let v = series_from(input)?;
                if let Some(x) = v.iter().find(|&&x| !(x >= 1.0 && x.fract() == 0.0)) {
                    return Err(format!(
                        "{}: intervals must be whole numbers ≥ 1, found {x}",
                        input.display()
                    ));
                }
                v
            };
            draw_isi(&isis, out, size)
        }
        "connections" => {
            viz::connection_dynamics(&read_connections(input)?, viz::Steps::default(), out, size)
        }
        "connection-fraction" => {
            viz::connection_fraction(&series_from(input)?, viz::Steps::default(), out, size)
        }
        "hamming" => viz::hamming_distance(&series_from(input)?, viz::Steps::default(), out, size),
        "avalanche-sizes" | "avalanche-durations" | "mean-size" => {
            let a = read_activity(input)?;
            let opts = AvalancheReportOptions::default();
            let rep = avalanche_report(&a.values, &opts).map_err(|e| format!("{}: {e}", input.display()))?;
            let av = avalanches_pooled(&[a.values.as_slice()], &AvalancheOptions::default())
                .map_err(|e| format!("{}: {e}", input.display()))?;
            match kind {
                "avalanche-sizes" => avalanche_figure(&av, &rep, AvalancheKind::Size, out, size),
                "avalanche-durations" => avalanche_figure(&av, &rep, AvalancheKind::Duration, out, size),
                _ => mean_size_figure(&av, &rep, out, size),
            }
        }
        _ => return Err(unknown_kind(kind)),
    };
    result.map_err(|e| format!("{kind} from {}: {e}", input.display()))
}

/// θ rule from its command-line spelling: `half-mean`, `half-mean+1`, `pNN` (percentile) or a number.
pub fn parse_theta(s: &str) -> Result<ThresholdRule, String> {
    let s = s.trim();
    match s {
        "half-mean" => Ok(ThresholdRule::HalfMeanFloor),
        "half-mean+1" => Ok(ThresholdRule::HalfMeanFloorPlusOne),
        _ => {
            let bad = || {
                format!(
                    "invalid --theta `{s}`: expected half-mean, half-mean+1, pNN (percentile 0–100) or a number"
                )
            };
            if let Some(p) = s.strip_prefix('p') {
                let p: f64 = p.parse().map_err(|_| bad())?;
                if !(0.0..=100.0).contains(&p) {
                    return Err(bad());
                }
                Ok(ThresholdRule::Percentile(p))
            } else {
                let v: f64 = s.parse().map_err(|_| bad())?;
                if !v.is_finite() {
                    return Err(bad());
                }
                Ok(ThresholdRule::Value(v))
            }
        }
    }
}
