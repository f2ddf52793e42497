//! Neuronal avalanches from population-activity series (SPEC §5.6), with the semantics of the
//! DP17 analysis code (D `avalanches/data_analysis.py::avalanches`).
//!
//! Pipeline: threshold θ from the pooled, unbinned activity → optional temporal binning →
//! per series, maximal runs of steps with value above θ → (duration, size) per run, the run still
//! open at the end of each series dropped → avalanches of all series pooled.

use crate::error::{AnalysisError, Result};
use serde::{Deserialize, Serialize};

/// How the activity threshold θ is chosen. The statistics are taken over all steps of all
/// series pooled, before any binning (as in D).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdRule {
    /// θ = floor(⟨a⟩ / 2) (D `Threshold='half'`, DP17 Fig 2).
    HalfMeanFloor,
    /// θ = floor(⟨a⟩ / 2) + 1 (DP17 Figs 6–7, "for rounding purposes").
    HalfMeanFloorPlusOne,
    /// θ = p-th percentile of a (0 ≤ p ≤ 100), numpy's default linear interpolation, not
    /// rounded (D `Threshold='percent'`, robustness shading uses p = 5…25).
    Percentile(f64),
    /// θ given explicitly.
    Value(f64),
}

/// What an avalanche's size measures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeRule {
    /// S = Σ_run floor(a(t) − θ): the area above threshold (DP17 main text). For integral θ and
    /// integer activity this is exactly Σ (a − θ).
    #[default]
    AboveThreshold,
    /// S = Σ_run floor(a(t)): the total activity in the run (DP17 Fig S1, D `fullS=True`).
    Total,
}

/// Options of [`avalanches`] / [`avalanches_pooled`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AvalancheOptions {
    /// Threshold rule.
    pub theta: ThresholdRule,
    /// Temporal bin width in steps (1 = no binning). With `bin > 1` each series is cut into
    /// consecutive bins of `bin` steps (a trailing partial bin is dropped), the activity is
    /// averaged per bin and the binned value is `floor(mean − θ)` (D, binsize 2/5/10).
    pub bin: usize,
    /// Size definition.
    pub size_rule: SizeRule,
}

impl Default for AvalancheOptions {
    fn default() -> Self {
        Self { theta: ThresholdRule::HalfMeanFloor, bin: 1, size_rule: SizeRule::AboveThreshold }
    }
}

/// Pooled avalanches of one or several activity series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Avalanches {
    /// The threshold θ that was used.
    pub theta: f64,
    /// Mean activity ⟨a⟩ over all pooled, unbinned steps.
    pub mean_activity: f64,
    /// Duration T of each avalanche (number of (binned) steps in the run), in order of
    /// occurrence, series after series.
    pub durations: Vec<u64>,
    /// Size S of each avalanche (see [`SizeRule`]), aligned with `durations`.
    pub sizes: Vec<u64>,
    /// Number of (binned) steps analysed over all series.
    pub n_steps: usize,
    /// Number of series analysed.
    pub n_series: usize,
    /// Number of runs discarded because they were still open at the end of their series.
    pub n_open_dropped: usize,
}

fn to_f64_checked<T: Copy + Into<f64>>(s: &[T], out: &mut Vec<f64>) -> Result<()> {
    out.clear();
    out.reserve(s.len());
    for (i, &v) in s.iter().enumerate() {
        let x: f64 = v.into();
        if !x.is_finite() {
            return Err(AnalysisError::NonFinite { what: "activity series", index: i });
        }
        if x < 0.0 {
            return Err(AnalysisError::InvalidParameter {
                name: "activity",
                value: x.to_string(),
                expected: "non-negative activity values",
            });
        }
        out.push(x);
    }
    Ok(())
}

/// numpy `percentile(x, p)` with linear interpolation, O(n) via selection. `x` non-empty.
pub(crate) fn percentile(x: &mut [f64], p: f64) -> f64 {
    let n = x.len();
    let pos = p / 100.0 * (n - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let (_, &mut vlo, rest) = x.select_nth_unstable_by(lo, f64::total_cmp);
    let vhi = if hi > lo { rest.iter().copied().fold(f64::INFINITY, f64::min) } else { vlo };
    vlo + (vhi - vlo) * (pos - lo as f64)
}

/// The threshold θ of `rule` over all steps of all `runs` pooled (unbinned).
///
/// `HalfMeanFloor`: floor(⟨a⟩/2); `HalfMeanFloorPlusOne`: floor(⟨a⟩/2) + 1; `Percentile(p)`: numpy
/// linear-interpolation percentile; `Value(x)`: x. Errors on empty input, non-finite or negative
/// activity, p outside [0, 100] or non-finite x.
pub fn threshold<T: Copy + Into<f64>>(runs: &[&[T]], rule: ThresholdRule) -> Result<f64> {
    let total: usize = runs.iter().map(|r| r.len()).sum();
    if total == 0 {
        return Err(AnalysisError::EmptyInput { what: "activity series" });
    }
    let mut buf = Vec::new();
    let mut sum = 0.0;
    let mut all = Vec::new();
    let keep_all = matches!(rule, ThresholdRule::Percentile(_));
    for r in runs {
        to_f64_checked(r, &mut buf)?;
        sum += buf.iter().sum::<f64>();
        if keep_all {
            all.extend_from_slice(&buf);
        }
    }
    let mean = sum / total as f64;
    match rule {
        ThresholdRule::HalfMeanFloor => Ok((mean / 2.0).floor()),
        ThresholdRule::HalfMeanFloorPlusOne => Ok((mean / 2.0).floor() + 1.0),
        ThresholdRule::Percentile(p) => {
            if !(0.0..=100.0).contains(&p) {
                return Err(AnalysisError::InvalidParameter {
                    name: "percentile",
                    value: p.to_string(),
                    expected: "a percentile in [0, 100]",
                });
            }
            Ok(percentile(&mut all, p))
        }
        ThresholdRule::Value(x) => {
            if !x.is_finite() {
                return Err(AnalysisError::InvalidParameter {
                    name: "theta",
                    value: x.to_string(),
                    expected: "a finite threshold",
                });
            }
            Ok(x)
        }
    }
}

/// Averages consecutive bins of `bin` steps (trailing partial bin dropped). `bin == 1` copies.
pub fn bin_series(series: &[f64], bin: usize) -> Result<Vec<f64>> {
    if bin == 0 {
        return Err(AnalysisError::InvalidParameter {
            name: "bin",
            value: "0".into(),
            expected: "a positive bin width in steps",
        });
    }
    Ok(series.chunks_exact(bin).map(|c| c.iter().sum::<f64>() / bin as f64).collect())
}

/// Avalanches of a single activity series; see [`avalanches_pooled`].
pub fn avalanches<T: Copy + Into<f64>>(series: &[T], opts: &AvalancheOptions) -> Result<Avalanches> {
    avalanches_pooled(&[series], opts)
}

/// Avalanches of several independent series (runs), pooled.
///
/// θ is computed once by [`threshold`] from all unbinned steps. Then, per series, with
/// `v(t) = a(t) − θ` (or `floor(mean_bin − θ)` when binning), an avalanche is a maximal run of
/// consecutive steps with `v(t) > 0`; duration = run length; size = Σ floor(v(t))
/// ([`SizeRule::AboveThreshold`]) or Σ floor(a(t)) ([`SizeRule::Total`]). A run still open at
/// the end of a series is dropped (counted in `n_open_dropped`), as in D, where sizes are also
/// accumulated with `int()` truncation, equal to floor for the positive values involved.
///
/// Differences from V2 (`plot_nadistributions.py`): θ here follows the rule (V2 uses the
/// unrounded ⟨a⟩/2) and an avalanche closes whenever v drops to ≤ 0, even if its accumulated size
/// is 0 (V2 then merges it into the next one). Runs in O(total steps) (a 10⁶-step series takes
/// a few milliseconds).
pub fn avalanches_pooled<T: Copy + Into<f64>>(runs: &[&[T]], opts: &AvalancheOptions) -> Result<Avalanches> {
    let theta = threshold(runs, opts.theta)?;
    let total: usize = runs.iter().map(|r| r.len()).sum();
    let mut sum = 0.0;
    let mut out = Avalanches {
        theta,
        mean_activity: 0.0,
        durations: Vec::new(),
        sizes: Vec::new(),
        n_steps: 0,
        n_series: runs.len(),
        n_open_dropped: 0,
    };
    if opts.bin == 0 {
        return Err(AnalysisError::InvalidParameter {
            name: "bin",
            value: "0".into(),
            expected: "a positive bin width in steps",
        });
    }
    let mut buf = Vec::new();
    for r in runs {
        to_f64_checked(r, &mut buf)?;
        sum += buf.iter().sum::<f64>();
        let series = if opts.bin > 1 { bin_series(&buf, opts.bin)? } else { std::mem::take(&mut buf) };
        out.n_steps += series.len();
        let (mut dur, mut size) = (0u64, 0u64);
        for &a in &series {
            let v = if opts.bin > 1 { (a - theta).floor() } else { a - theta };
            if v > 0.0 {
                dur += 1;
                size += match opts.size_rule {
                    SizeRule::AboveThreshold => v.floor() as u64,
                    SizeRule::Total => a.floor() as u64,
                };
            } else if dur != 0 {
                out.durations.push(dur);
                out.sizes.push(size);
                dur = 0;
                size = 0;
            }
        }
        if dur != 0 {
            out.n_open_dropped += 1;
        }
        if opts.bin == 1 {
            buf = series;
        }
    }
    out.mean_activity = sum / total as f64;
    Ok(out)
}

/// Mean size per duration ⟨S⟩(T): `(T, mean of S over avalanches with duration T)`, sorted by T
/// (D `area_X_duration` returns the same pairs in order of first occurrence).
pub fn mean_size_per_duration(av: &Avalanches) -> Vec<(u64, f64)> {
    let mut m: std::collections::BTreeMap<u64, (f64, u64)> = Default::default();
    for (&d, &s) in av.durations.iter().zip(&av.sizes) {
        let e = m.entry(d).or_insert((0.0, 0));
        e.0 += s as f64;
        e.1 += 1;
    }
    m.into_iter().map(|(d, (s, c))| (d, s / c as f64)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_runs() {
        let a: Vec<u32> = vec![0, 3, 5, 0, 4, 0, 6, 6];
        let opts = AvalancheOptions { theta: ThresholdRule::Value(2.0), ..Default::default() };
        let av = avalanches(&a, &opts).unwrap();
        assert_eq!(av.durations, vec![2, 1]);
        assert_eq!(av.sizes, vec![4, 2]);
        assert_eq!(av.n_open_dropped, 1);
    }

    #[test]
    fn half_mean_rule() {
        let a: Vec<f64> = vec![2.0, 4.0, 6.0, 9.0];
        // mean 5.25 → floor(2.625) = 2
        assert_eq!(threshold(&[&a[..]], ThresholdRule::HalfMeanFloor).unwrap(), 2.0);
        assert_eq!(threshold(&[&a[..]], ThresholdRule::HalfMeanFloorPlusOne).unwrap(), 3.0);
        let mut x = vec![1.0, 2.0, 3.0, 4.0];
        assert!((percentile(&mut x, 25.0) - 1.75).abs() < 1e-12);
    }

    #[test]
    fn binning() {
        let a: Vec<u32> = vec![0, 0, 5, 4, 6, 7, 0, 1, 9];
        let opts = AvalancheOptions { theta: ThresholdRule::Value(2.0), bin: 2, ..Default::default() };
        // bins: 0, 4.5, 6.5, 0.5 (trailing 9 dropped) → v: -2, 2, 4, -2
        let av = avalanches(&a, &opts).unwrap();
        assert_eq!(av.durations, vec![2]);
        assert_eq!(av.sizes, vec![6]);
    }
}
