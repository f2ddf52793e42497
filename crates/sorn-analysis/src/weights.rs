//! Zheng-2013 style structural statistics on recorded weights (SPEC §5.8): connection fraction,
//! weight-distribution summary, lognormal fit, ISI exponential fit and synapse lifetimes.

use crate::error::{AnalysisError, Result};
use crate::stats::mean_std;
use serde::{Deserialize, Serialize};

fn check_finite(x: &[f64], what: &'static str) -> Result<()> {
    if let Some(index) = x.iter().position(|v| !v.is_finite()) {
        return Err(AnalysisError::NonFinite { what, index });
    }
    Ok(())
}

/// Connection-fraction series: `f(t) = count(t) / n_possible`.
///
/// H (`examples/zheng2013`) records the number of existing E→E synapses and divides by N_E²
/// (self-connections counted in the denominator although they never exist); pass
/// `n_possible = N_E²` to reproduce that, or `N_E (N_E − 1)` for the fraction of possible
/// synapses. Errors if `n_possible == 0` or a count exceeds it.
pub fn connection_fraction(counts: &[u64], n_possible: u64) -> Result<Vec<f64>> {
    if n_possible == 0 {
        return Err(AnalysisError::InvalidParameter {
            name: "n_possible",
            value: "0".into(),
            expected: "a positive number of possible synapses",
        });
    }
    if let Some(&c) = counts.iter().find(|&&c| c > n_possible) {
        return Err(AnalysisError::InvalidParameter {
            name: "counts",
            value: c.to_string(),
            expected: "counts no larger than n_possible",
        });
    }
    Ok(counts.iter().map(|&c| c as f64 / n_possible as f64).collect())
}

/// Summary of a weight matrix given as a flat slice (any order; zeros = absent synapses).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WeightSummary {
    /// Number of entries in the slice.
    pub n_total: usize,
    /// Number of entries > 0 (existing synapses).
    pub n_existing: usize,
    /// `n_existing / n_total`.
    pub fraction_existing: f64,
    /// Mean of the existing weights.
    pub mean: f64,
    /// Population standard deviation of the existing weights.
    pub std: f64,
    /// Smallest existing weight.
    pub min: f64,
    /// Median of the existing weights (mean of the two middle values for an even count).
    pub median: f64,
    /// Largest weight.
    pub max: f64,
    /// Mean of ln w over the existing weights.
    pub mean_log: f64,
    /// Population standard deviation of ln w over the existing weights.
    pub std_log: f64,
}

/// Summarises the existing (w > 0) weights. Errors on negative or non-finite entries and if no
/// weight is positive.
pub fn weight_summary(weights: &[f64]) -> Result<WeightSummary> {
    if weights.is_empty() {
        return Err(AnalysisError::EmptyInput { what: "weights" });
    }
    check_finite(weights, "weights")?;
    if let Some(&w) = weights.iter().find(|&&w| w < 0.0) {
        return Err(AnalysisError::InvalidParameter {
            name: "weights",
            value: w.to_string(),
            expected: "non-negative weights",
        });
    }
    let mut ex: Vec<f64> = weights.iter().copied().filter(|&w| w > 0.0).collect();
    if ex.is_empty() {
        return Err(AnalysisError::EmptyInput { what: "existing (positive) weights" });
    }
    ex.sort_by(f64::total_cmp);
    let (mean, std) = mean_std(&ex);
    let logs: Vec<f64> = ex.iter().map(|w| w.ln()).collect();
    let (mean_log, std_log) = mean_std(&logs);
    let m = ex.len();
    let median = if m % 2 == 1 { ex[m / 2] } else { 0.5 * (ex[m / 2 - 1] + ex[m / 2]) };
    Ok(WeightSummary {
        n_total: weights.len(),
        n_existing: m,
        fraction_existing: m as f64 / weights.len() as f64,
        mean,
        std,
        min: ex[0],
        median,
        max: ex[m - 1],
        mean_log,
        std_log,
    })
}

/// Lognormal fit of a weight distribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LognormalFit {
    /// μ = mean of ln w over the used weights.
    pub mu: f64,
    /// σ = population standard deviation (divisor n, `np.std`) of ln w.
    pub sigma: f64,
    /// Number of weights with w ≥ cutoff that were used.
    pub n_used: usize,
    /// Number of weights below the cutoff (including zeros) that were discarded.
    pub n_discarded: usize,
}

/// Lognormal fit as in the `sorn` package's weight plot: keep `w ≥ cutoff` (the package uses
/// `cutoff = 0.01`), `μ = mean(ln w)`, `σ = std(ln w)` (population std). This is the maximum
/// likelihood lognormal fit of the kept weights. `cutoff` must be > 0; at least 2 weights must
/// remain.
pub fn lognormal_fit(weights: &[f64], cutoff: f64) -> Result<LognormalFit> {
    check_finite(weights, "weights")?;
    if cutoff.is_nan() || cutoff <= 0.0 {
        return Err(AnalysisError::InvalidParameter {
            name: "cutoff",
            value: cutoff.to_string(),
            expected: "a positive weight cutoff (the package uses 0.01)",
        });
    }
    let logs: Vec<f64> = weights.iter().filter(|&&w| w >= cutoff).map(|w| w.ln()).collect();
    if logs.len() < 2 {
        return Err(AnalysisError::TooFewSamples {
            what: "lognormal fit (weights >= cutoff)",
            needed: 2,
            got: logs.len(),
        });
    }
    let (mu, sigma) = mean_std(&logs);
    Ok(LognormalFit { mu, sigma, n_used: logs.len(), n_discarded: weights.len() - logs.len() })
}

/// Exponential fit of inter-spike intervals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IsiExponentialFit {
    /// Mean interval (steps).
    pub mean: f64,
    /// Continuous exponential MLE rate λ = 1 / mean (per step).
    pub rate: f64,
    /// Discrete (geometric on {1, 2, …}) MLE: per-step spike probability p = 1 / mean, the
    /// distribution of intervals of a Bernoulli(p) process.
    pub geometric_p: f64,
    /// Coefficient of variation std/mean (population std); 1 for an exponential,
    /// sqrt(1 − p) for a geometric distribution.
    pub cv: f64,
    /// Number of intervals used.
    pub n: usize,
}

/// Fits an exponential (and its discrete analogue, the geometric distribution) to pooled
/// inter-spike intervals, e.g. the flattened output of
/// [`spike_time_intervals`](crate::stats::spike_time_intervals). Intervals must be ≥ 1.
pub fn isi_exponential_fit(intervals: &[usize]) -> Result<IsiExponentialFit> {
    if intervals.is_empty() {
        return Err(AnalysisError::EmptyInput { what: "inter-spike intervals" });
    }
    if intervals.contains(&0) {
        return Err(AnalysisError::InvalidParameter {
            name: "intervals",
            value: "0".into(),
            expected: "intervals of at least one step",
        });
    }
    let x: Vec<f64> = intervals.iter().map(|&v| v as f64).collect();
    let (mean, std) = mean_std(&x);
    Ok(IsiExponentialFit { mean, rate: 1.0 / mean, geometric_p: 1.0 / mean, cv: std / mean, n: x.len() })
}

/// Synapse lifetimes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SynapseLifetimes {
    /// Lifetimes (in steps) of synapses that were both born and removed inside the record.
    pub completed: Vec<u64>,
    /// Number of synapses still alive at the end of the record (right-censored; not in
    /// `completed`).
    pub alive_at_end: usize,
    /// Number of synapses already present at the start of the record whose birth is unknown
    /// (left-censored; not in `completed`, whether or not they die later).
    pub present_at_start: usize,
}

/// Lifetimes from a sequence of weight snapshots taken every `interval` steps.
///
/// `snapshots[k]` is the flattened weight matrix at step `k · interval` (all snapshots the same
/// length; entry > 0 = synapse exists). A synapse is *born* at snapshot k if it exists at k but
/// not at k−1, and *dies* at the first later snapshot where it is absent; its lifetime is
/// `(k_death − k_birth) · interval` steps. The resolution is therefore `interval`; synapses that
/// appear and vanish between two snapshots are invisible. Synapses existing in the first snapshot
/// are counted in `present_at_start` and never in `completed`.
pub fn synapse_lifetimes_from_snapshots(snapshots: &[&[f64]], interval: u64) -> Result<SynapseLifetimes> {
    let first = snapshots.first().ok_or(AnalysisError::EmptyInput { what: "weight snapshots" })?;
    if interval == 0 {
        return Err(AnalysisError::InvalidParameter {
            name: "interval",
            value: "0".into(),
            expected: "a positive number of steps between snapshots",
        });
    }
    let m = first.len();
    for s in snapshots {
        if s.len() != m {
            return Err(AnalysisError::ShapeMismatch {
                what: "weight snapshot",
                expected: format!("{m} entries (as the first snapshot)"),
                got: format!("{} entries", s.len()),
            });
        }
        check_finite(s, "weight snapshot")?;
    }
    // birth[k] = Some(snapshot index of birth) or None for left-censored / absent.
    let mut born: Vec<Option<usize>> = vec![None; m];
    let mut alive: Vec<bool> = first.iter().map(|&w| w > 0.0).collect();
    let mut out =
        SynapseLifetimes { present_at_start: alive.iter().filter(|&&a| a).count(), ..Default::default() };
    for (k, s) in snapshots.iter().enumerate().skip(1) {
        for j in 0..m {
            let now = s[j] > 0.0;
            match (alive[j], now) {
                (false, true) => born[j] = Some(k),
                (true, false) => {
                    if let Some(b) = born[j].take() {
                        out.completed.push((k - b) as u64 * interval);
                    }
                }
                _ => {}
            }
            alive[j] = now;
        }
    }
    out.alive_at_end = born.iter().filter(|b| b.is_some()).count();
    Ok(out)
}

/// Lifetimes from event lists: `births` and `deaths` hold `(synapse_id, step)` pairs (any order).
///
/// For each synapse the events are sorted by step and matched in order: a birth followed by the
/// next death of the same synapse gives lifetime `death − birth`. A death without a preceding
/// birth counts as `present_at_start`; a birth without a later death counts as `alive_at_end`.
/// Errors if a synapse has two births without a death in between (or vice versa) or a death at
/// the same step as its birth is ordered before it.
pub fn synapse_lifetimes_from_events(
    births: &[(usize, u64)],
    deaths: &[(usize, u64)],
) -> Result<SynapseLifetimes> {
    // (synapse, step, is_birth)
    let mut ev: Vec<(usize, u64, bool)> =
        births.iter().map(|&(s, t)| (s, t, true)).chain(deaths.iter().map(|&(s, t)| (s, t, false))).collect();
    // At equal steps a death sorts before a birth (a synapse removed and re-created in one step).
    ev.sort_by_key(|&(s, t, b)| (s, t, b));
    let mut out = SynapseLifetimes::default();
    let mut i = 0;
    while i < ev.len() {
        let syn = ev[i].0;
        let mut open: Option<u64> = None;
        let mut first = true;
        while i < ev.len() && ev[i].0 == syn {
            let (_, t, is_birth) = ev[i];
            match (is_birth, open) {
                (true, None) => open = Some(t),
                (false, Some(b)) => {
                    out.completed.push(t - b);
                    open = None;
                }
                (false, None) if first => out.present_at_start += 1,
                _ => {
                    return Err(AnalysisError::InvalidParameter {
                        name: "synapse events",
                        value: format!("synapse {syn} at step {t}"),
                        expected: "alternating births and deaths per synapse",
                    });
                }
            }
            first = false;
            i += 1;
        }
        if open.is_some() {
            out.alive_at_end += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_snapshots() {
        let s0 = [1.0, 0.0, 0.0];
        let s1 = [1.0, 0.5, 0.0];
        let s2 = [0.0, 0.5, 0.2];
        let s3 = [0.0, 0.0, 0.2];
        let l = synapse_lifetimes_from_snapshots(&[&s0, &s1, &s2, &s3], 10).unwrap();
        assert_eq!(l.completed, vec![20]);
        assert_eq!(l.alive_at_end, 1);
        assert_eq!(l.present_at_start, 1);
    }

    #[test]
    fn lifetimes_events() {
        let l = synapse_lifetimes_from_events(&[(1, 5), (2, 7), (1, 20)], &[(1, 9), (3, 4)]).unwrap();
        assert_eq!(l.completed, vec![4]);
        assert_eq!(l.alive_at_end, 2);
        assert_eq!(l.present_at_start, 1);
    }

    #[test]
    fn lognormal() {
        let w = [0.0, 0.005, 1.0, std::f64::consts::E];
        let f = lognormal_fit(&w, 0.01).unwrap();
        assert_eq!(f.n_used, 2);
        assert!((f.mu - 0.5).abs() < 1e-12 && (f.sigma - 0.5).abs() < 1e-12);
    }
}
