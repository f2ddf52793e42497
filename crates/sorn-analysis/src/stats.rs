//! Spike-raster and activity statistics (SPEC §6.3), with the definitions of the Python `sorn`
//! package's `Statistics` class where those are correct and documented fixes where they are not.
//!
//! Rasters are `T × N` views of `u8` with rows = time steps and columns = neurons; every entry
//! must be 0 or 1.

use crate::error::{AnalysisError, Result};
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

/// Checks that a raster is non-empty and binary.
///
/// Returns [`AnalysisError::EmptyInput`] for zero rows or columns and
/// [`AnalysisError::NonBinaryRaster`] for the first entry that is not 0 or 1.
pub fn validate_raster(raster: ArrayView2<u8>) -> Result<()> {
    if raster.nrows() == 0 || raster.ncols() == 0 {
        return Err(AnalysisError::EmptyInput { what: "raster (T×N, rows = time steps)" });
    }
    for ((row, col), &v) in raster.indexed_iter() {
        if v > 1 {
            return Err(AnalysisError::NonBinaryRaster { row, col, value: v });
        }
    }
    Ok(())
}

fn check_series(fr: &[f64], what: &'static str, needed: usize) -> Result<()> {
    if fr.len() < needed {
        return Err(AnalysisError::TooFewSamples { what, needed, got: fr.len() });
    }
    if let Some(index) = fr.iter().position(|x| !x.is_finite()) {
        return Err(AnalysisError::NonFinite { what, index });
    }
    Ok(())
}

fn check_neuron(raster: ArrayView2<u8>, neuron: usize) -> Result<()> {
    if neuron >= raster.ncols() {
        return Err(AnalysisError::IndexOutOfRange { what: "neuron", index: neuron, len: raster.ncols() });
    }
    Ok(())
}

/// Mean and population standard deviation (divisor n).
pub(crate) fn mean_std(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n;
    (m, v.sqrt())
}

/// Mean number of spikes of `neuron` per bin of `bin_size` steps:
/// `rate = (total spike count) · bin_size / T`.
///
/// Same value as `sorn.Statistics.firing_rate_neuron`, which returns the tuple
/// `(T, bin_size, rate)`; here only the rate is returned. Unlike the package, a trailing partial
/// bin needs no special handling because the formula does not depend on the chunking.
///
/// Errors: non-binary or empty raster, neuron out of range, `bin_size == 0`.
pub fn firing_rate_neuron(raster: ArrayView2<u8>, neuron: usize, bin_size: usize) -> Result<f64> {
    validate_raster(raster)?;
    check_neuron(raster, neuron)?;
    if bin_size == 0 {
        return Err(AnalysisError::InvalidParameter {
            name: "bin_size",
            value: "0".into(),
            expected: "a positive number of steps",
        });
    }
    let count: u64 = raster.column(neuron).iter().map(|&v| v as u64).sum();
    Ok(count as f64 * bin_size as f64 / raster.nrows() as f64)
}

/// Number of active neurons per time step: `a(t) = Σ_i raster[t, i]` (length T).
///
/// Same as `sorn.Statistics.firing_rate_network` (non-zero entries per row).
pub fn firing_rate_network(raster: ArrayView2<u8>) -> Result<Vec<u32>> {
    validate_raster(raster)?;
    Ok(raster.rows().into_iter().map(|r| r.iter().map(|&v| v as u32).sum()).collect())
}

/// Scale-dependent smoothness: population standard deviation (`np.std`, divisor = number of
/// differences L−1) of the
/// first differences `fr[t+1] − fr[t]`.
///
/// Same as `sorn.Statistics.scale_dependent_smoothness_measure`. Needs at least 2 values.
pub fn scale_dependent_smoothness(fr: &[f64]) -> Result<f64> {
    check_series(fr, "firing-rate series", 2)?;
    let d: Vec<f64> = fr.windows(2).map(|w| w[1] - w[0]).collect();
    Ok(mean_std(&d).1)
}

/// Scale-independent smoothness: `std(diff fr) / |mean(diff fr)|` (population std), the
/// coefficient of variation of the first differences.
///
/// Same formula as `sorn.Statistics.scale_independent_smoothness_measure`. Where the package
/// returns `inf`/`NaN` silently when the mean difference is 0 (e.g. `fr[0] == fr[L−1]`), this
/// function returns [`AnalysisError::Undefined`].
pub fn scale_independent_smoothness(fr: &[f64]) -> Result<f64> {
    check_series(fr, "firing-rate series", 2)?;
    let d: Vec<f64> = fr.windows(2).map(|w| w[1] - w[0]).collect();
    let (m, s) = mean_std(&d);
    if m == 0.0 {
        return Err(AnalysisError::Undefined {
            what: "scale-independent smoothness",
            reason: "the mean first difference is 0",
        });
    }
    Ok(s / m.abs())
}

/// Pearson correlation of two equally long slices; `None` if either is constant.
pub(crate) fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (da, db) = (a - mx, b - my);
        sxy += da * db;
        sxx += da * da;
        syy += db * db;
    }
    if sxx == 0.0 || syy == 0.0 { None } else { Some(sxy / (sxx * syy).sqrt()) }
}

/// Lag-`lag` autocorrelation: the Pearson correlation of `fr[0 .. L−lag]` and `fr[lag .. L]`.
///
/// Same as the off-diagonal entry of the 2×2 matrix returned by `sorn.Statistics.autocorr(fr, t)`
/// (whose docs call the lag a "window"). Needs `L − lag ≥ 2`; returns
/// [`AnalysisError::Undefined`] if either segment is constant (the package returns NaN).
pub fn autocorr(fr: &[f64], lag: usize) -> Result<f64> {
    check_series(fr, "firing-rate series", lag.saturating_add(2))?;
    let l = fr.len();
    pearson(&fr[..l - lag], &fr[lag..])
        .ok_or(AnalysisError::Undefined { what: "autocorrelation", reason: "a lagged segment is constant" })
}

/// Summary of the neuron-by-neuron Pearson correlation matrix.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CorrSummary {
    /// Mean over all K×K entries (diagonal included, as in the package) of the correlation matrix
    /// of the K non-constant neurons.
    pub mean_all: f64,
    /// Mean over the K(K−1) off-diagonal entries (the usual "average pairwise correlation");
    /// `NaN` if K < 2.
    pub mean_offdiag: f64,
    /// K: neurons whose column is not constant (they spiked at least once and were silent at
    /// least once).
    pub n_included: usize,
    /// N − K: constant neurons (silent or always firing), excluded because their correlation is
    /// undefined.
    pub n_excluded: usize,
}

/// Average Pearson correlation coefficient between neurons (columns).
///
/// Definition: let K be the neurons whose spike train is not constant, z_i their standardised
/// columns (population std) and C = ZᵀZ / T the K×K Pearson matrix. `mean_all = ΣC / K²`,
/// `mean_offdiag = (ΣC − K) / (K(K−1))`. Computed in O(N·T) via ΣC = Σ_t (Σ_i z_i(t))² / T.
///
/// Differences from `sorn.Statistics.avg_corr_coeff`: the package divides the sum by a hard-coded
/// 200·200 whatever N is, and becomes NaN as soon as one neuron is silent; here the divisor is K²
/// and constant neurons are excluded and counted. Errors if K = 0.
pub fn avg_corr_coeff(raster: ArrayView2<u8>) -> Result<CorrSummary> {
    validate_raster(raster)?;
    let (t, n) = raster.dim();
    let tf = t as f64;
    let mut means = Vec::with_capacity(n);
    let mut stds = Vec::with_capacity(n);
    for col in raster.columns() {
        let c = col.iter().map(|&v| v as f64).sum::<f64>();
        let p = c / tf;
        means.push(p);
        stds.push((p * (1.0 - p)).max(0.0).sqrt());
    }
    let included: Vec<usize> = (0..n).filter(|&i| stds[i] > 0.0).collect();
    let k = included.len();
    if k == 0 {
        return Err(AnalysisError::Undefined {
            what: "average correlation coefficient",
            reason: "every neuron is constant (silent or always firing)",
        });
    }
    let mut total = 0.0;
    for row in raster.rows() {
        let s: f64 = included.iter().map(|&i| (row[i] as f64 - means[i]) / stds[i]).sum();
        total += s * s;
    }
    let sum_c = total / tf;
    let kf = k as f64;
    Ok(CorrSummary {
        mean_all: sum_c / (kf * kf),
        mean_offdiag: if k >= 2 { (sum_c - kf) / (kf * (kf - 1.0)) } else { f64::NAN },
        n_included: k,
        n_excluded: n - k,
    })
}

/// Spike times per neuron: `result[i]` holds the steps t (ascending) with `raster[t, i] == 1`.
///
/// The package returns numpy's `np.where` tuple (row indices, column indices); this is the same
/// information grouped by neuron.
pub fn spike_times(raster: ArrayView2<u8>) -> Result<Vec<Vec<usize>>> {
    validate_raster(raster)?;
    let mut out = vec![Vec::new(); raster.ncols()];
    for (t, row) in raster.rows().into_iter().enumerate() {
        for (i, &v) in row.iter().enumerate() {
            if v == 1 {
                out[i].push(t);
            }
        }
    }
    Ok(out)
}

/// Inter-spike intervals per neuron: `result[i][k] = s_i[k+1] − s_i[k]` for the spike times
/// `s_i` of neuron i (empty for neurons with fewer than two spikes).
///
/// Fixes `sorn.Statistics.spike_time_intervals`, which differences the *last* index array of
/// `np.where` and so, for a 2-D raster, returns differences of neuron indices.
pub fn spike_time_intervals(raster: ArrayView2<u8>) -> Result<Vec<Vec<usize>>> {
    Ok(spike_times(raster)?.into_iter().map(|s| s.windows(2).map(|w| w[1] - w[0]).collect()).collect())
}

/// Hamming distance per time step: `d(t) = #{i : a[t, i] ≠ b[t, i]}`.
///
/// Same as `sorn.Statistics.hamming_distance`. Errors on different shapes or non-binary input.
pub fn hamming_distance(a: ArrayView2<u8>, b: ArrayView2<u8>) -> Result<Vec<u32>> {
    validate_raster(a)?;
    validate_raster(b)?;
    if a.dim() != b.dim() {
        return Err(AnalysisError::ShapeMismatch {
            what: "second raster",
            expected: format!("{:?} (same as the first)", a.dim()),
            got: format!("{:?}", b.dim()),
        });
    }
    Ok(a.rows()
        .into_iter()
        .zip(b.rows())
        .map(|(ra, rb)| ra.iter().zip(rb).filter(|(x, y)| x != y).count() as u32)
        .collect())
}

/// Result of [`fanofactor`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FanoFactor {
    /// Mean spike count per window.
    pub mean: f64,
    /// Population variance (divisor = number of windows) of the spike count per window.
    pub variance: f64,
    /// `variance / mean`.
    pub fano: f64,
    /// Number of complete windows used.
    pub n_windows: usize,
}

/// Fano factor of one neuron's spike counts in consecutive windows of `window_len` steps.
///
/// The train is cut into `W = floor(T / window_len)` complete windows (a trailing partial window
/// is dropped); the result holds the mean, population variance and variance/mean of the W counts.
///
/// Difference from `sorn.Statistics.fanofactor(train, neuron, window_size)`: there the argument
/// is the **number of windows** (`np.split` into equal parts, which fails unless T is divisible
/// by it); here it is the **window length in steps**. Package call `fanofactor(x, i, W)` equals
/// `fanofactor(x, i, T / W)` here. Errors: W < 2, or no spike in the used windows
/// ([`AnalysisError::Undefined`]).
pub fn fanofactor(raster: ArrayView2<u8>, neuron: usize, window_len: usize) -> Result<FanoFactor> {
    validate_raster(raster)?;
    check_neuron(raster, neuron)?;
    if window_len == 0 {
        return Err(AnalysisError::InvalidParameter {
            name: "window_len",
            value: "0".into(),
            expected: "a positive number of steps",
        });
    }
    fanofactor_unchecked(raster, neuron, window_len)
}

/// [`fanofactor`] without re-validating the whole raster (for callers that validated it once and
/// loop over neurons); `neuron` in range and `window_len > 0` are still required.
pub(crate) fn fanofactor_unchecked(
    raster: ArrayView2<u8>,
    neuron: usize,
    window_len: usize,
) -> Result<FanoFactor> {
    let n_windows = raster.nrows() / window_len;
    if n_windows < 2 {
        return Err(AnalysisError::TooFewSamples { what: "Fano factor windows", needed: 2, got: n_windows });
    }
    let col = raster.column(neuron);
    let counts: Vec<f64> =
        (0..n_windows).map(|w| (w * window_len..(w + 1) * window_len).map(|t| col[t] as f64).sum()).collect();
    let (mean, std) = mean_std(&counts);
    if mean == 0.0 {
        return Err(AnalysisError::Undefined {
            what: "Fano factor",
            reason: "the neuron never spikes in the analysed windows",
        });
    }
    Ok(FanoFactor { mean, variance: std * std, fano: std * std / mean, n_windows })
}

/// Normalised spike-source entropy: with `p_i = c_i / Σ_j c_j` (c_i = spike count of neuron i),
/// `H = −Σ_i p_i ln p_i / ln N ∈ [0, 1]`, with `0 · ln 0 = 0`.
///
/// Same as `sorn.Statistics.spike_source_entropy(train, N)` except that silent neurons contribute 0
/// instead of turning the result into NaN, and N is the raster's column count. Errors if N < 2 or
/// there are no spikes at all.
pub fn spike_source_entropy(raster: ArrayView2<u8>) -> Result<f64> {
    validate_raster(raster)?;
    let n = raster.ncols();
    if n < 2 {
        return Err(AnalysisError::TooFewSamples {
            what: "spike-source entropy (neurons)",
            needed: 2,
            got: n,
        });
    }
    let counts: Vec<f64> = raster.columns().into_iter().map(|c| c.iter().map(|&v| v as f64).sum()).collect();
    let total: f64 = counts.iter().sum();
    if total == 0.0 {
        return Err(AnalysisError::Undefined {
            what: "spike-source entropy",
            reason: "the raster contains no spikes",
        });
    }
    let h: f64 = counts
        .iter()
        .filter(|&&c| c > 0.0)
        .map(|&c| {
            let p = c / total;
            -p * p.ln()
        })
        .sum();
    Ok((h / (n as f64).ln()).clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn basic_stats() {
        let r = array![[1u8, 0, 0], [1, 1, 0], [0, 1, 0], [1, 0, 0]];
        assert_eq!(firing_rate_network(r.view()).unwrap(), vec![1, 2, 1, 1]);
        assert_eq!(firing_rate_neuron(r.view(), 0, 2).unwrap(), 1.5);
        assert_eq!(spike_times(r.view()).unwrap()[0], vec![0, 1, 3]);
        assert_eq!(spike_time_intervals(r.view()).unwrap()[0], vec![1, 2]);
        let c = avg_corr_coeff(r.view()).unwrap();
        assert_eq!(c.n_excluded, 1);
        assert_eq!(c.n_included, 2);
        let e = spike_source_entropy(r.view()).unwrap();
        assert!(e > 0.0 && e < 1.0);
        let bad = array![[2u8]];
        assert!(matches!(validate_raster(bad.view()), Err(AnalysisError::NonBinaryRaster { .. })));
    }
}
