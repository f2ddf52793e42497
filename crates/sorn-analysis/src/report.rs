//! Serialisable summary reports for the `sorn analyze` and `sorn avalanches` commands.

use crate::avalanche::{
    AvalancheOptions, SizeRule, ThresholdRule, avalanches_pooled, mean_size_per_duration,
};
use crate::error::{AnalysisError, Result};
use crate::powerlaw::{DiscreteFit, Distribution, TruncatedPowerLawFit};
use crate::stats::{self, CorrSummary};
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Window length (steps) used for the Fano factors in [`RasterReport`].
pub const FANO_WINDOW: usize = 100;

/// Summary statistics of a spike raster (T × N, rows = time steps). JSON keys = field names.
///
/// Quantities that are undefined for the given raster (e.g. a correlation when every neuron is
/// silent) are `null` in JSON / `None` here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RasterReport {
    /// `n_steps`: T, number of time steps (rows).
    pub n_steps: usize,
    /// `n_neurons`: N, number of neurons (columns).
    pub n_neurons: usize,
    /// `n_spikes`: total number of spikes.
    pub n_spikes: u64,
    /// `n_silent`: neurons that never spike.
    pub n_silent: usize,
    /// `mean_rate`: spikes per neuron per step, `n_spikes / (T N)`.
    pub mean_rate: f64,
    /// `rate_min`: smallest per-neuron rate (spikes per step).
    pub rate_min: f64,
    /// `rate_max`: largest per-neuron rate (spikes per step).
    pub rate_max: f64,
    /// `rate_std`: population std of the per-neuron rates.
    pub rate_std: f64,
    /// `activity_mean`: mean number of active neurons per step (mean of
    /// [`firing_rate_network`](crate::stats::firing_rate_network)).
    pub activity_mean: f64,
    /// `activity_std`: population std of the number of active neurons per step.
    pub activity_std: f64,
    /// `smoothness_scale_dependent`: [`scale_dependent_smoothness`](crate::stats::scale_dependent_smoothness)
    /// of the activity series.
    pub smoothness_scale_dependent: Option<f64>,
    /// `smoothness_scale_independent`: [`scale_independent_smoothness`](crate::stats::scale_independent_smoothness)
    /// of the activity series.
    pub smoothness_scale_independent: Option<f64>,
    /// `autocorr_lag1`: lag-1 [`autocorr`](crate::stats::autocorr) of the activity series.
    pub autocorr_lag1: Option<f64>,
    /// `correlation`: [`avg_corr_coeff`](crate::stats::avg_corr_coeff) summary
    /// (`mean_all`, `mean_offdiag`, `n_included`, `n_excluded`).
    pub correlation: Option<CorrSummary>,
    /// `spike_source_entropy`: normalised entropy in [0, 1]
    /// ([`spike_source_entropy`](crate::stats::spike_source_entropy)).
    pub spike_source_entropy: Option<f64>,
    /// `isi_mean`: mean inter-spike interval (steps), pooled over neurons.
    pub isi_mean: Option<f64>,
    /// `isi_cv`: coefficient of variation of the pooled inter-spike intervals.
    pub isi_cv: Option<f64>,
    /// `fano_window`: window length (steps) used for the Fano factors ([`FANO_WINDOW`]).
    pub fano_window: usize,
    /// `fano_mean`: mean [`fanofactor`](crate::stats::fanofactor) over neurons for which it is
    /// defined.
    pub fano_mean: Option<f64>,
}

/// Builds a [`RasterReport`]. Errors only on an empty or non-binary raster.
pub fn raster_report(raster: ArrayView2<u8>) -> Result<RasterReport> {
    stats::validate_raster(raster)?;
    let (t, n) = raster.dim();
    let counts: Vec<f64> = raster.columns().into_iter().map(|c| c.iter().map(|&v| v as f64).sum()).collect();
    let rates: Vec<f64> = counts.iter().map(|c| c / t as f64).collect();
    let (_, rate_std) = stats::mean_std(&rates);
    let act: Vec<f64> = stats::firing_rate_network(raster)?.into_iter().map(|v| v as f64).collect();
    let (activity_mean, activity_std) = stats::mean_std(&act);
    let n_spikes: f64 = counts.iter().sum();
    let isis: Vec<f64> =
        stats::spike_time_intervals(raster)?.into_iter().flatten().map(|v| v as f64).collect();
    let (isi_mean, isi_cv) = if isis.is_empty() {
        (None, None)
    } else {
        let (m, s) = stats::mean_std(&isis);
        (Some(m), Some(s / m))
    };
    let fanos: Vec<f64> = (0..n)
        .filter_map(|i| stats::fanofactor_unchecked(raster, i, FANO_WINDOW).ok())
        .map(|f| f.fano)
        .collect();
    Ok(RasterReport {
        n_steps: t,
        n_neurons: n,
        n_spikes: n_spikes as u64,
        n_silent: counts.iter().filter(|&&c| c == 0.0).count(),
        mean_rate: n_spikes / (t as f64 * n as f64),
        rate_min: rates.iter().copied().fold(f64::INFINITY, f64::min),
        rate_max: rates.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        rate_std,
        activity_mean,
        activity_std,
        smoothness_scale_dependent: stats::scale_dependent_smoothness(&act).ok(),
        smoothness_scale_independent: stats::scale_independent_smoothness(&act).ok(),
        autocorr_lag1: stats::autocorr(&act, 1).ok(),
        correlation: stats::avg_corr_coeff(raster).ok(),
        spike_source_entropy: stats::spike_source_entropy(raster).ok(),
        isi_mean,
        isi_cv,
        fano_window: FANO_WINDOW,
        fano_mean: if fanos.is_empty() { None } else { Some(fanos.iter().sum::<f64>() / fanos.len() as f64) },
    })
}

fn opt(x: Option<f64>) -> String {
    x.map_or("n/a".into(), |v| format!("{v:.4}"))
}

impl fmt::Display for RasterReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "raster: {} steps x {} neurons, {} spikes, {} silent neurons",
            self.n_steps, self.n_neurons, self.n_spikes, self.n_silent
        )?;
        writeln!(
            f,
            "rate per neuron: mean {:.4}, min {:.4}, max {:.4}, std {:.4} (spikes/step)",
            self.mean_rate, self.rate_min, self.rate_max, self.rate_std
        )?;
        writeln!(
            f,
            "active neurons per step: mean {:.3}, std {:.3}; lag-1 autocorrelation {}",
            self.activity_mean,
            self.activity_std,
            opt(self.autocorr_lag1)
        )?;
        writeln!(
            f,
            "smoothness: scale-dependent {}, scale-independent {}",
            opt(self.smoothness_scale_dependent),
            opt(self.smoothness_scale_independent)
        )?;
        match &self.correlation {
            Some(c) => writeln!(
                f,
                "pairwise correlation: mean off-diagonal {:.4}, mean incl. diagonal {:.4} ({} neurons, {} constant excluded)",
                c.mean_offdiag, c.mean_all, c.n_included, c.n_excluded
            )?,
            None => writeln!(f, "pairwise correlation: n/a")?,
        }
        writeln!(
            f,
            "spike-source entropy {}; ISI mean {} CV {}; Fano factor (window {}) mean {}",
            opt(self.spike_source_entropy),
            opt(self.isi_mean),
            opt(self.isi_cv),
            self.fano_window,
            opt(self.fano_mean)
        )
    }
}

/// Options of [`avalanche_report`]. Defaults: θ = floor(⟨a⟩/2), no binning, area sizes,
/// durations fitted on [6, 60], sizes on [10, 1500] (DP17).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AvalancheReportOptions {
    /// Threshold rule.
    pub theta: ThresholdRule,
    /// Temporal bin width (1 = none).
    pub bin: usize,
    /// Size definition.
    pub size_rule: SizeRule,
    /// xmin of the duration power-law fit.
    pub xmin_t: u64,
    /// xmax of the duration power-law fit.
    pub xmax_t: u64,
    /// xmin of the size power-law fit.
    pub xmin_s: u64,
    /// xmax of the size power-law fit.
    pub xmax_s: u64,
}

impl Default for AvalancheReportOptions {
    fn default() -> Self {
        Self {
            theta: ThresholdRule::HalfMeanFloor,
            bin: 1,
            size_rule: SizeRule::AboveThreshold,
            xmin_t: 6,
            xmax_t: 60,
            xmin_s: 10,
            xmax_s: 1500,
        }
    }
}

/// Normalised log-likelihood ratio test of the power law against an alternative.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LlrTest {
    /// `r`: normalised ratio R/sqrt(n var); > 0 favours the power law.
    pub r: f64,
    /// `p`: significance of the sign of R.
    pub p: f64,
}

/// Power-law analysis of one avalanche quantity (durations or sizes), as in DP17: the exponent
/// from `Fit(x, xmin, xmax)`, and the truncated power law plus likelihood-ratio tests (against the
/// exponential, stretched exponential, lognormal and truncated power law) from `Fit(x, xmin)`
/// (no xmax).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PowerLawSummary {
    /// `xmin`: lower fit bound.
    pub xmin: u64,
    /// `xmax`: upper bound of the exponent fit.
    pub xmax: u64,
    /// `n_in_range`: avalanches with xmin ≤ x ≤ xmax.
    pub n_in_range: usize,
    /// `exponent`: power-law exponent on [xmin, xmax] (α for durations, τ for sizes); `null` if
    /// the fit failed (see `error`).
    pub exponent: Option<f64>,
    /// `exponent_err`: its standard error (α − 1)/sqrt(n).
    pub exponent_err: Option<f64>,
    /// `exponent_valid`: whether the exponent is a result: the `powerlaw` package's flag, and not at
    /// the bounds (1, 3] of the numerical fit (α → 1⁺ means the likelihood kept rising toward the
    /// bound: a flat or too short tail, not an exponent). `false` when there is no exponent.
    #[serde(default)]
    pub exponent_valid: bool,
    /// `ks_d`: KS distance of that fit.
    pub ks_d: Option<f64>,
    /// `n_tail`: avalanches with x ≥ xmin (used for the fits without xmax).
    pub n_tail: usize,
    /// `truncated`: truncated power law fitted on x ≥ xmin (`alpha`, `lambda`, `loglikelihood`);
    /// DP17's α*, β*.
    pub truncated: Option<TruncatedPowerLawFit>,
    /// `vs_exponential`: power law vs exponential on x ≥ xmin.
    pub vs_exponential: Option<LlrTest>,
    /// `vs_stretched_exponential`: power law vs stretched exponential on x ≥ xmin (not nested; DP17
    /// Table S1). Absent in reports written before it existed, read back as `null`.
    #[serde(default)]
    pub vs_stretched_exponential: Option<LlrTest>,
    /// `vs_lognormal`: power law vs lognormal on x ≥ xmin.
    pub vs_lognormal: Option<LlrTest>,
    /// `vs_truncated`: power law vs truncated power law on x ≥ xmin (nested test).
    pub vs_truncated: Option<LlrTest>,
    /// `error`: why a fit is missing, if one is.
    pub error: Option<String>,
}

/// An exponent closer than this to a bound of the fit, 1 or 3, is the optimiser stopped at the bound.
const BOUND_MARGIN: f64 = 0.01;

fn summarise(data: &[u64], xmin: u64, xmax: u64) -> PowerLawSummary {
    let mut s = PowerLawSummary {
        xmin,
        xmax,
        n_in_range: data.iter().filter(|&&x| x >= xmin && x <= xmax).count(),
        exponent: None,
        exponent_err: None,
        exponent_valid: false,
        ks_d: None,
        n_tail: data.iter().filter(|&&x| x >= xmin).count(),
        truncated: None,
        vs_exponential: None,
        vs_stretched_exponential: None,
        vs_lognormal: None,
        vs_truncated: None,
        error: None,
    };
    let mut errs = Vec::new();
    match DiscreteFit::new(data, Some(xmin), Some(xmax)) {
        Ok(fit) => {
            let pl = fit.power_law();
            s.exponent = Some(pl.alpha);
            s.exponent_err = Some(pl.standard_err);
            s.exponent_valid = pl.valid && pl.alpha - 1.0 > BOUND_MARGIN && 3.0 - pl.alpha > BOUND_MARGIN;
            s.ks_d = Some(pl.ks_d);
        }
        Err(e) => errs.push(format!("[xmin, xmax] fit: {e}")),
    }
    match DiscreteFit::new(data, Some(xmin), None) {
        Ok(fit) => {
            match fit.truncated_power_law() {
                Ok(t) => s.truncated = Some(t),
                Err(e) => errs.push(format!("truncated fit: {e}")),
            }
            let llr = |d| fit.compare(Distribution::PowerLaw, d).ok().map(|c| LlrTest { r: c.r, p: c.p });
            s.vs_exponential = llr(Distribution::Exponential);
            s.vs_stretched_exponential = llr(Distribution::StretchedExponential);
            s.vs_lognormal = llr(Distribution::Lognormal);
            s.vs_truncated = llr(Distribution::TruncatedPowerLaw);
        }
        Err(e) => errs.push(format!("x >= xmin fit: {e}")),
    }
    if !errs.is_empty() {
        s.error = Some(errs.join("; "));
    }
    s
}

/// Avalanche statistics and power-law fits of an activity series. JSON keys = field names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AvalancheReport {
    /// `options`: the options used.
    pub options: AvalancheReportOptions,
    /// `theta`: threshold θ used.
    pub theta: f64,
    /// `mean_activity`: ⟨a⟩ over all steps.
    pub mean_activity: f64,
    /// `n_steps`: (binned) steps analysed.
    pub n_steps: usize,
    /// `n_series`: number of series pooled.
    pub n_series: usize,
    /// `n_avalanches`: number of complete avalanches.
    pub n_avalanches: usize,
    /// `n_open_dropped`: runs dropped because still open at the end of a series.
    pub n_open_dropped: usize,
    /// `mean_duration`: mean avalanche duration (steps).
    pub mean_duration: f64,
    /// `max_duration`: longest avalanche.
    pub max_duration: u64,
    /// `mean_size`: mean avalanche size.
    pub mean_size: f64,
    /// `max_size`: largest avalanche size.
    pub max_size: u64,
    /// `durations`: power-law analysis of durations (exponent α).
    pub durations: PowerLawSummary,
    /// `sizes`: power-law analysis of sizes (exponent τ).
    pub sizes: PowerLawSummary,
    /// `gamma_predicted`: (α − 1)/(τ − 1), the exponent of ⟨S⟩(T) implied by α and τ; `null` unless both
    /// exponents are valid (`exponent_valid`).
    pub gamma_predicted: Option<f64>,
    /// `gamma_fitted`: least-squares slope of ln⟨S⟩(T) against ln T over durations in
    /// [xmin_t, xmax_t] (needs at least 2 distinct durations there).
    pub gamma_fitted: Option<f64>,
}

/// Builds an [`AvalancheReport`] from one activity series (e.g. active excitatory units per step).
pub fn avalanche_report<T: Copy + Into<f64>>(
    activity: &[T],
    opts: &AvalancheReportOptions,
) -> Result<AvalancheReport> {
    avalanche_report_pooled(&[activity], opts)
}

/// Builds an [`AvalancheReport`] from several independent series, avalanches pooled (DP17 pools
/// 50 runs). Errors on invalid input or when no complete avalanche is found; fits that cannot be
/// made (too few avalanches in range) are reported as `null` with `error` set.
pub fn avalanche_report_pooled<T: Copy + Into<f64>>(
    runs: &[&[T]],
    opts: &AvalancheReportOptions,
) -> Result<AvalancheReport> {
    let av = avalanches_pooled(
        runs,
        &AvalancheOptions { theta: opts.theta, bin: opts.bin, size_rule: opts.size_rule },
    )?;
    let n = av.durations.len();
    if n == 0 {
        return Err(AnalysisError::TooFewSamples {
            what: "avalanches (complete runs above threshold)",
            needed: 1,
            got: 0,
        });
    }
    let durations = summarise(&av.durations, opts.xmin_t, opts.xmax_t);
    let sizes = summarise(&av.sizes, opts.xmin_s, opts.xmax_s);
    // A ratio of exponents is only a prediction when both are results.
    let gamma_predicted = match (durations.exponent, sizes.exponent) {
        (Some(a), Some(t)) if durations.exponent_valid && sizes.exponent_valid => Some((a - 1.0) / (t - 1.0)),
        _ => None,
    };
    let pts: Vec<(f64, f64)> = mean_size_per_duration(&av)
        .into_iter()
        .filter(|&(d, s)| d >= opts.xmin_t && d <= opts.xmax_t && s > 0.0)
        .map(|(d, s)| ((d as f64).ln(), s.ln()))
        .collect();
    let gamma_fitted = if pts.len() >= 2 {
        let m = pts.len() as f64;
        let mx = pts.iter().map(|p| p.0).sum::<f64>() / m;
        let my = pts.iter().map(|p| p.1).sum::<f64>() / m;
        let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
        Some(sxy / sxx)
    } else {
        None
    };
    Ok(AvalancheReport {
        options: *opts,
        theta: av.theta,
        mean_activity: av.mean_activity,
        n_steps: av.n_steps,
        n_series: av.n_series,
        n_avalanches: n,
        n_open_dropped: av.n_open_dropped,
        mean_duration: av.durations.iter().sum::<u64>() as f64 / n as f64,
        max_duration: av.durations.iter().copied().max().unwrap_or(0),
        mean_size: av.sizes.iter().sum::<u64>() as f64 / n as f64,
        max_size: av.sizes.iter().copied().max().unwrap_or(0),
        durations,
        sizes,
        gamma_predicted,
        gamma_fitted,
    })
}

fn fmt_summary(f: &mut fmt::Formatter<'_>, name: &str, sym: &str, s: &PowerLawSummary) -> fmt::Result {
    match (s.exponent, s.exponent_err) {
        (Some(e), Some(err)) => {
            writeln!(
                f,
                "{name}: {sym} = {e:.3} ± {err:.3} on [{}, {}] (n = {}, KS D = {}){}",
                s.xmin,
                s.xmax,
                s.n_in_range,
                opt(s.ks_d),
                if s.exponent_valid { "" } else { "  INVALID" }
            )?;
            if !s.exponent_valid {
                writeln!(
                    f,
                    "  not a result: the fit stopped at a bound of {sym} (1 or 3), as it does on a flat or short \
                     tail; more steps, or a lower xmin, give it avalanches to fit"
                )?;
            }
        }
        _ => writeln!(f, "{name}: no power-law fit on [{}, {}]", s.xmin, s.xmax)?,
    }
    if let Some(t) = &s.truncated {
        writeln!(
            f,
            "  truncated power law on x >= {} (n = {}): {sym}* = {:.3}, cut-off = {:.3e}",
            s.xmin, s.n_tail, t.alpha, t.lambda
        )?;
    }
    for (label, t) in [
        ("exponential", &s.vs_exponential),
        ("stretched exponential", &s.vs_stretched_exponential),
        ("lognormal", &s.vs_lognormal),
        ("truncated", &s.vs_truncated),
    ] {
        if let Some(t) = t {
            writeln!(f, "  power law vs {label}: R = {:.3}, p = {:.3e}", t.r, t.p)?;
        }
    }
    if let Some(e) = &s.error {
        writeln!(f, "  note: {e}")?;
    }
    Ok(())
}

impl fmt::Display for AvalancheReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "avalanches: {} from {} steps in {} series (theta = {}, <a> = {:.3}, {} open runs dropped)",
            self.n_avalanches,
            self.n_steps,
            self.n_series,
            self.theta,
            self.mean_activity,
            self.n_open_dropped
        )?;
        writeln!(
            f,
            "duration: mean {:.2}, max {}; size: mean {:.2}, max {}",
            self.mean_duration, self.max_duration, self.mean_size, self.max_size
        )?;
        fmt_summary(f, "durations", "alpha", &self.durations)?;
        fmt_summary(f, "sizes", "tau", &self.sizes)?;
        writeln!(
            f,
            "<S>(T) exponent: predicted (alpha-1)/(tau-1) = {}, fitted = {}",
            opt(self.gamma_predicted),
            opt(self.gamma_fitted)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exponent_at_the_bound_is_not_valid() {
        // Flat on [6, 60]: the fit runs to α → 1⁺.
        let flat: Vec<u64> = (0..20).flat_map(|_| 6..=60).collect();
        let s = summarise(&flat, 6, 60);
        assert!(s.exponent.is_some_and(|a| a - 1.0 < BOUND_MARGIN), "{:?}", s.exponent);
        assert!(!s.exponent_valid);
        // A steep, power-law-like tail: counts ∝ x^-2.
        let steep: Vec<u64> =
            (6..=60u64).flat_map(|x| std::iter::repeat_n(x, (360_000 / (x * x)) as usize)).collect();
        let s = summarise(&steep, 6, 60);
        assert!(s.exponent_valid, "{:?}", s.exponent);
        assert!(s.exponent.is_some_and(|a| (a - 2.0).abs() < 0.2), "{:?}", s.exponent);
    }
}
