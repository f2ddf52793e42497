//! Readouts trained on recorded states: least squares by Moore–Penrose pseudo-inverse, ridge
//! regression, and L2-regularised (multinomial) logistic regression matching scikit-learn's
//! `LogisticRegression()` defaults.
//!
//! Inputs are `X: T × N` (`ArrayView2<f64>`, rows = samples, e.g. time steps; columns =
//! features, e.g. neurons) and integer labels.

use crate::error::{AnalysisError, Result};
use faer::linalg::solvers::Solve;
use faer::{Mat, Side};
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

fn check_x(x: ArrayView2<f64>, n_labels: usize) -> Result<()> {
    if x.nrows() == 0 || x.ncols() == 0 {
        return Err(AnalysisError::EmptyInput { what: "feature matrix X (T×N, rows = samples)" });
    }
    if x.nrows() != n_labels {
        return Err(AnalysisError::ShapeMismatch {
            what: "labels",
            expected: format!("{} labels (one per row of X)", x.nrows()),
            got: format!("{n_labels}"),
        });
    }
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(AnalysisError::NonFinite { what: "feature matrix X", index: i });
    }
    Ok(())
}

fn one_hot(labels: &[usize], n_classes: usize) -> Result<Mat<f64>> {
    if let Some(&l) = labels.iter().find(|&&l| l >= n_classes) {
        return Err(AnalysisError::IndexOutOfRange { what: "class label", index: l, len: n_classes });
    }
    Ok(Mat::from_fn(labels.len(), n_classes, |i, j| if labels[i] == j { 1.0 } else { 0.0 }))
}

fn to_mat(x: ArrayView2<f64>) -> Mat<f64> {
    Mat::from_fn(x.nrows(), x.ncols(), |i, j| x[[i, j]])
}

/// A linear readout without bias: `score = W · x`, prediction = argmax of the scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearReadout {
    /// Weights, `C × N` (one row per output/class).
    pub weights: Array2<f64>,
}

impl LinearReadout {
    /// Scores `X · Wᵀ` (T × C).
    pub fn scores(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        if x.ncols() != self.weights.ncols() {
            return Err(AnalysisError::ShapeMismatch {
                what: "feature matrix X",
                expected: format!("{} columns", self.weights.ncols()),
                got: format!("{} columns", x.ncols()),
            });
        }
        Ok(x.dot(&self.weights.t()))
    }

    /// Predicted class per row: argmax of the scores (first maximum on ties, as `np.argmax`).
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Vec<usize>> {
        Ok(argmax_rows(&self.scores(x)?))
    }
}

fn argmax_rows(s: &Array2<f64>) -> Vec<usize> {
    s.rows()
        .into_iter()
        .map(|r| {
            let mut b = 0;
            for (j, &v) in r.iter().enumerate() {
                if v > r[b] {
                    b = j;
                }
            }
            b
        })
        .collect()
}

/// Least-squares readout `W = Y · X⁺` for one-hot targets Y (C × T) and states X (N × T), i.e.
/// the minimum-norm solution of `min ‖W X − Y‖_F`, no bias (the L09/DP17 readout).
///
/// `x` here is T × N (rows = samples), so this computes `Wᵀ = pinv(x) · onehot(labels)` with
/// the pseudo-inverse from a thin SVD, singular values below `1e-15 · s_max` treated as zero
/// (numpy's `pinv` default). Labels must be `< n_classes`.
pub fn fit_least_squares(x: ArrayView2<f64>, labels: &[usize], n_classes: usize) -> Result<LinearReadout> {
    check_x(x, labels.len())?;
    let y = one_hot(labels, n_classes)?;
    fit_least_squares_targets_mat(x, y)
}

/// As [`fit_least_squares`] with arbitrary real targets `y` (T × C).
pub fn fit_least_squares_targets(x: ArrayView2<f64>, y: ArrayView2<f64>) -> Result<LinearReadout> {
    check_x(x, y.nrows())?;
    fit_least_squares_targets_mat(x, to_mat(y))
}

fn fit_least_squares_targets_mat(x: ArrayView2<f64>, y: Mat<f64>) -> Result<LinearReadout> {
    let xm = to_mat(x);
    let svd = xm.thin_svd().map_err(|e| AnalysisError::Numerical {
        what: "least-squares readout (SVD)",
        reason: format!("{e:?}"),
    })?;
    let (u, s, v) = (svd.U(), svd.S().column_vector(), svd.V());
    let r = s.nrows();
    let smax = (0..r).map(|i| s[i]).fold(0.0, f64::max);
    let cutoff = 1e-15 * smax;
    // Uᵀ Y (r × C), scaled by 1/s
    let mut uty = u.transpose() * &y;
    for i in 0..r {
        let inv = if s[i] > cutoff { 1.0 / s[i] } else { 0.0 };
        for j in 0..uty.ncols() {
            uty[(i, j)] *= inv;
        }
    }
    let wt = v * &uty; // N × C
    Ok(LinearReadout { weights: Array2::from_shape_fn((wt.ncols(), wt.nrows()), |(c, n)| wt[(n, c)]) })
}

/// Ridge readout without bias: `Wᵀ = (XᵀX + λ I)⁻¹ Xᵀ Y` (Cholesky), Y one-hot, λ > 0.
pub fn fit_ridge(
    x: ArrayView2<f64>,
    labels: &[usize],
    n_classes: usize,
    lambda: f64,
) -> Result<LinearReadout> {
    check_x(x, labels.len())?;
    if lambda.is_nan() || lambda <= 0.0 {
        return Err(AnalysisError::InvalidParameter {
            name: "lambda",
            value: lambda.to_string(),
            expected: "a positive ridge penalty",
        });
    }
    let y = one_hot(labels, n_classes)?;
    let xm = to_mat(x);
    let mut g = xm.transpose() * &xm;
    for i in 0..g.nrows() {
        g[(i, i)] += lambda;
    }
    let rhs = xm.transpose() * &y;
    let llt = g.llt(Side::Lower).map_err(|e| AnalysisError::Numerical {
        what: "ridge readout (Cholesky)",
        reason: format!("{e:?}"),
    })?;
    let wt = llt.solve(&rhs);
    Ok(LinearReadout { weights: Array2::from_shape_fn((wt.ncols(), wt.nrows()), |(c, n)| wt[(n, c)]) })
}

/// Options of [`fit_logistic`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LogisticOptions {
    /// Inverse regularisation strength C (sklearn default 1.0).
    pub c: f64,
    /// Maximum number of L-BFGS iterations.
    pub max_iter: usize,
    /// Stop when the max-norm of the gradient of the objective divided by the number of samples is
    /// below this, or when the objective stops decreasing at machine precision (then the fit
    /// counts as converged if that normalised gradient is below 1e-6).
    pub gtol: f64,
}

impl Default for LogisticOptions {
    fn default() -> Self {
        Self { c: 1.0, max_iter: 1000, gtol: 1e-10 }
    }
}

/// A fitted logistic-regression classifier (sklearn layout).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticRegression {
    /// The distinct labels seen in training, ascending (sklearn `classes_`).
    pub classes: Vec<usize>,
    /// Coefficients: 1 × N for two classes (log-odds of `classes[1]`), K × N otherwise
    /// (sklearn `coef_`).
    pub coef: Array2<f64>,
    /// Intercepts, length 1 or K (sklearn `intercept_`).
    pub intercept: Vec<f64>,
    /// L-BFGS iterations used.
    pub n_iter: usize,
    /// Whether the gradient tolerance was reached.
    pub converged: bool,
}

/// Objective and gradient over a parameter vector laid out as K blocks of (N weights, 1 bias).
fn logistic_obj(
    x: ArrayView2<f64>,
    y: &[usize],
    k: usize,
    binary: bool,
    c: f64,
    w: &[f64],
) -> (f64, Vec<f64>) {
    let n = x.ncols();
    let stride = n + 1;
    let kk = if binary { 1 } else { k };
    let chunk = 2048;
    let rows: Vec<usize> = (0..x.nrows()).collect();
    let (mut f, mut g) = rows
        .par_chunks(chunk)
        .map(|idx| {
            let mut f = 0.0;
            let mut g = vec![0.0; w.len()];
            let mut z = vec![0.0; k];
            for &i in idx {
                let xi = x.row(i);
                for (c_, zc) in z.iter_mut().enumerate().take(kk) {
                    let b = &w[c_ * stride..c_ * stride + n];
                    *zc = w[c_ * stride + n] + xi.iter().zip(b).map(|(a, b)| a * b).sum::<f64>();
                }
                if binary {
                    let s = if y[i] == 1 { 1.0 } else { -1.0 };
                    let m = s * z[0];
                    // log(1 + e^{-m}) stably
                    f += if m > 0.0 { (-m).exp().ln_1p() } else { -m + m.exp().ln_1p() };
                    let p = 1.0 / (1.0 + (-z[0]).exp());
                    let r = p - if y[i] == 1 { 1.0 } else { 0.0 };
                    for (gj, xj) in g[..n].iter_mut().zip(xi.iter()) {
                        *gj += r * xj;
                    }
                    g[n] += r;
                } else {
                    let zmax = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let se: f64 = z.iter().map(|v| (v - zmax).exp()).sum();
                    let lse = zmax + se.ln();
                    f += lse - z[y[i]];
                    for c_ in 0..k {
                        let p = (z[c_] - lse).exp();
                        let r = p - if y[i] == c_ { 1.0 } else { 0.0 };
                        let gb = &mut g[c_ * stride..(c_ + 1) * stride];
                        for (gj, xj) in gb[..n].iter_mut().zip(xi.iter()) {
                            *gj += r * xj;
                        }
                        gb[n] += r;
                    }
                }
            }
            (f, g)
        })
        .reduce(
            || (0.0, vec![0.0; w.len()]),
            |(fa, mut ga), (fb, gb)| {
                for (a, b) in ga.iter_mut().zip(gb) {
                    *a += b;
                }
                (fa + fb, ga)
            },
        );
    for c_ in 0..kk {
        for j in 0..n {
            let wj = w[c_ * stride + j];
            f += 0.5 / c * wj * wj;
            g[c_ * stride + j] += wj / c;
        }
    }
    (f, g)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// L2-regularised logistic regression with intercept, the same optimisation problem as
/// scikit-learn's `LogisticRegression()` default (`penalty='l2'`, `C=1`, `fit_intercept=True`,
/// `solver='lbfgs'`):
///
/// minimise `C · Σ_i −ln p(y_i | x_i) + ½ ‖W‖²_F` (intercepts not penalised), with the
/// multinomial softmax for K ≥ 3 classes and, as sklearn does, a single sigmoid coefficient
/// vector for K = 2 (which is *not* the same optimum as a 2-class softmax).
///
/// Solved by L-BFGS (memory 10, Armijo backtracking) to gradient max-norm / T < `gtol`
/// (1e-10 by default), i.e. to the optimum rather than sklearn's looser default stopping rule
/// (`tol=1e-4`, `max_iter=100`). Multinomial intercepts are defined up to a common shift; starting
/// from zero they sum to zero, as in sklearn. Classes are the sorted distinct labels; at least
/// two are needed.
pub fn fit_logistic(
    x: ArrayView2<f64>,
    labels: &[usize],
    opts: &LogisticOptions,
) -> Result<LogisticRegression> {
    check_x(x, labels.len())?;
    if opts.c.is_nan() || opts.c <= 0.0 {
        return Err(AnalysisError::InvalidParameter {
            name: "c",
            value: opts.c.to_string(),
            expected: "a positive inverse regularisation strength",
        });
    }
    let mut classes: Vec<usize> = labels.to_vec();
    classes.sort_unstable();
    classes.dedup();
    if classes.len() < 2 {
        return Err(AnalysisError::TooFewSamples {
            what: "logistic regression (distinct classes)",
            needed: 2,
            got: classes.len(),
        });
    }
    let y: Vec<usize> = labels.iter().map(|l| classes.binary_search(l).unwrap_or(0)).collect();
    let k = classes.len();
    let binary = k == 2;
    let n = x.ncols();
    let kk = if binary { 1 } else { k };
    let dim = kk * (n + 1);
    let obj = |w: &[f64]| logistic_obj(x, &y, k, binary, opts.c, w);
    let mut w = vec![0.0; dim];
    let (mut f, mut g) = obj(&w);
    let t = x.nrows() as f64;
    let m = 10;
    let mut s_hist: Vec<Vec<f64>> = Vec::new();
    let mut y_hist: Vec<Vec<f64>> = Vec::new();
    let mut converged = false;
    let mut it = 0;
    while it < opts.max_iter {
        let gmax = g.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        if gmax / t < opts.gtol {
            converged = true;
            break;
        }
        it += 1;
        // two-loop recursion
        let mut q = g.clone();
        let mut alphas = vec![0.0; s_hist.len()];
        for i in (0..s_hist.len()).rev() {
            let rho = 1.0 / dot(&y_hist[i], &s_hist[i]);
            alphas[i] = rho * dot(&s_hist[i], &q);
            for (qj, yj) in q.iter_mut().zip(&y_hist[i]) {
                *qj -= alphas[i] * yj;
            }
        }
        let gamma = if let (Some(s), Some(yv)) = (s_hist.last(), y_hist.last()) {
            dot(s, yv) / dot(yv, yv)
        } else {
            1.0 / g.iter().map(|v| v * v).sum::<f64>().sqrt().max(1e-300)
        };
        for qj in q.iter_mut() {
            *qj *= gamma;
        }
        for i in 0..s_hist.len() {
            let rho = 1.0 / dot(&y_hist[i], &s_hist[i]);
            let beta = rho * dot(&y_hist[i], &q);
            for (qj, sj) in q.iter_mut().zip(&s_hist[i]) {
                *qj += (alphas[i] - beta) * sj;
            }
        }
        let mut d: Vec<f64> = q.iter().map(|v| -v).collect();
        let mut slope = dot(&g, &d);
        if slope >= 0.0 {
            d = g.iter().map(|v| -v).collect();
            slope = dot(&g, &d);
            s_hist.clear();
            y_hist.clear();
        }
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..60 {
            let wn: Vec<f64> = w.iter().zip(&d).map(|(a, b)| a + step * b).collect();
            let (fnew, gnew) = obj(&wn);
            if fnew <= f + 1e-4 * step * slope {
                accepted = Some((wn, fnew, gnew));
                break;
            }
            step *= 0.5;
        }
        let Some((wn, fnew, gnew)) = accepted else {
            let gmax = g.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            converged = gmax / t < 1e-6;
            break; // no progress possible at machine precision
        };
        let s: Vec<f64> = wn.iter().zip(&w).map(|(a, b)| a - b).collect();
        let yv: Vec<f64> = gnew.iter().zip(&g).map(|(a, b)| a - b).collect();
        if dot(&s, &yv) > 1e-12 * dot(&yv, &yv).max(1e-300) {
            s_hist.push(s);
            y_hist.push(yv);
            if s_hist.len() > m {
                s_hist.remove(0);
                y_hist.remove(0);
            }
        }
        let stalled = f - fnew <= 1e-15 * f.abs();
        w = wn;
        f = fnew;
        g = gnew;
        if stalled {
            // no further decrease at machine precision: accept if the gradient is small
            let gmax = g.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            converged = gmax / t < 1e-6;
            break;
        }
    }
    let stride = n + 1;
    let coef = Array2::from_shape_fn((kk, n), |(c, j)| w[c * stride + j]);
    let intercept = (0..kk).map(|c| w[c * stride + n]).collect();
    Ok(LogisticRegression { classes, coef, intercept, n_iter: it, converged })
}

impl LogisticRegression {
    /// Class probabilities (T × K, columns in the order of `classes`), as sklearn's
    /// `predict_proba`.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        if x.ncols() != self.coef.ncols() {
            return Err(AnalysisError::ShapeMismatch {
                what: "feature matrix X",
                expected: format!("{} columns", self.coef.ncols()),
                got: format!("{} columns", x.ncols()),
            });
        }
        let mut z = x.dot(&self.coef.t());
        for mut row in z.rows_mut() {
            for (v, b) in row.iter_mut().zip(&self.intercept) {
                *v += b;
            }
        }
        let k = self.classes.len();
        let mut p = Array2::zeros((x.nrows(), k));
        for (i, row) in z.rows().into_iter().enumerate() {
            if k == 2 {
                let p1 = 1.0 / (1.0 + (-row[0]).exp());
                p[[i, 0]] = 1.0 - p1;
                p[[i, 1]] = p1;
            } else {
                let zmax = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let se: f64 = row.iter().map(|v| (v - zmax).exp()).sum();
                for c in 0..k {
                    p[[i, c]] = (row[c] - zmax).exp() / se;
                }
            }
        }
        Ok(p)
    }

    /// Predicted labels (values from `classes`).
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Vec<usize>> {
        let p = self.predict_proba(x)?;
        Ok(argmax_rows(&p).into_iter().map(|c| self.classes[c]).collect())
    }
}

/// Fraction of positions where `pred == labels`. Errors on different lengths or empty input.
pub fn accuracy(pred: &[usize], labels: &[usize]) -> Result<f64> {
    if pred.is_empty() {
        return Err(AnalysisError::EmptyInput { what: "predictions" });
    }
    if pred.len() != labels.len() {
        return Err(AnalysisError::ShapeMismatch {
            what: "labels",
            expected: format!("{} (as predictions)", pred.len()),
            got: labels.len().to_string(),
        });
    }
    Ok(pred.iter().zip(labels).filter(|(a, b)| a == b).count() as f64 / pred.len() as f64)
}
