//! Fit overlays passed in as plain numbers (fitting itself is done elsewhere, e.g. in sorn-analysis),
//! and the density / mass functions that draw them.

use crate::data::param;
use crate::error::VizError;

/// A power law p(x) ∝ x^(−exponent), drawn over [xmin, xmax] (xmax = None: up to the largest value).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PowerLawOverlay {
    pub exponent: f64,
    pub xmin: f64,
    pub xmax: Option<f64>,
}

/// A truncated power law p(x) ∝ x^(−exponent)·e^(−lambda·x), x ≥ xmin.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TruncatedOverlay {
    pub exponent: f64,
    pub lambda: f64,
    pub xmin: f64,
}

/// A lognormal with ln w ~ N(mu, sigma²).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LognormalOverlay {
    pub mu: f64,
    pub sigma: f64,
}

/// A normal distribution N(mean, std²).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NormalOverlay {
    pub mean: f64,
    pub std: f64,
}

/// The curve a·exp(−b·x) − c (the ISI fit of the Python `sorn` package).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExponentialOverlay {
    pub a: f64,
    pub b: f64,
    pub c: f64,
}

/// Avalanche exponents: durations ∝ T^(−alpha), sizes ∝ S^(−tau); the crackling-noise relation
/// predicts ⟨S⟩(T) ∝ T^((alpha−1)/(tau−1)).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExponentRelation {
    pub alpha: f64,
    pub tau: f64,
}

impl LognormalOverlay {
    /// μ = mean(ln w), σ = population std of ln w over the weights ≥ `cutoff` (as the Python package does).
    pub fn estimate(weights: &[f64], cutoff: f64) -> Option<LognormalOverlay> {
        let l: Vec<f64> =
            weights.iter().filter(|&&w| w >= cutoff && w > 0.0 && w.is_finite()).map(|w| w.ln()).collect();
        let (mean, std) = mean_std(&l)?;
        Some(LognormalOverlay { mu: mean, sigma: std })
    }
    pub fn pdf(&self, w: f64) -> f64 {
        if w <= 0.0 {
            return 0.0;
        }
        let z = (w.ln() - self.mu) / self.sigma;
        (-0.5 * z * z).exp() / (w * self.sigma * (2.0 * std::f64::consts::PI).sqrt())
    }
    pub fn mode(&self) -> f64 {
        (self.mu - self.sigma * self.sigma).exp()
    }
    pub fn median(&self) -> f64 {
        self.mu.exp()
    }
    pub fn mean(&self) -> f64 {
        (self.mu + 0.5 * self.sigma * self.sigma).exp()
    }
    pub(crate) fn check(&self) -> Result<(), VizError> {
        param("lognormal mu", self.mu)?;
        param("lognormal sigma", self.sigma)?;
        if self.sigma <= 0.0 {
            return Err(crate::data::invalid("lognormal sigma", format!("must be > 0, got {}", self.sigma)));
        }
        Ok(())
    }
}

impl NormalOverlay {
    /// Mean and population standard deviation of `data`.
    pub fn estimate(data: &[f64]) -> Option<NormalOverlay> {
        mean_std(data).map(|(mean, std)| NormalOverlay { mean, std })
    }
    pub fn pdf(&self, x: f64) -> f64 {
        let z = (x - self.mean) / self.std;
        (-0.5 * z * z).exp() / (self.std * (2.0 * std::f64::consts::PI).sqrt())
    }
    pub(crate) fn check(&self) -> Result<(), VizError> {
        param("normal mean", self.mean)?;
        param("normal std", self.std)?;
        if self.std <= 0.0 {
            return Err(crate::data::invalid("normal std", format!("must be > 0, got {}", self.std)));
        }
        Ok(())
    }
}

impl ExponentialOverlay {
    pub fn eval(&self, x: f64) -> f64 {
        self.a * (-self.b * x).exp() - self.c
    }
    pub(crate) fn check(&self) -> Result<(), VizError> {
        param("exponential a", self.a)?;
        param("exponential b", self.b)?;
        param("exponential c", self.c)
    }
}

impl PowerLawOverlay {
    pub(crate) fn check(&self) -> Result<(), VizError> {
        param("power-law exponent", self.exponent)?;
        param("power-law xmin", self.xmin)?;
        if self.xmin <= 0.0 {
            return Err(crate::data::invalid("power-law xmin", format!("must be > 0, got {}", self.xmin)));
        }
        if let Some(x) = self.xmax {
            param("power-law xmax", x)?;
            if x <= self.xmin {
                return Err(crate::data::invalid(
                    "power-law xmax",
                    format!("must be > xmin = {}, got {x}", self.xmin),
                ));
            }
        }
        Ok(())
    }
}

impl TruncatedOverlay {
    pub(crate) fn check(&self) -> Result<(), VizError> {
        param("truncated exponent", self.exponent)?;
        param("truncated lambda", self.lambda)?;
        param("truncated xmin", self.xmin)?;
        if self.xmin <= 0.0 || self.lambda < 0.0 {
            return Err(crate::data::invalid("truncated power law", "needs xmin > 0 and lambda ≥ 0"));
        }
        Ok(())
    }
}

impl ExponentRelation {
    /// (alpha − 1)/(tau − 1).
    pub fn slope(&self) -> f64 {
        (self.alpha - 1.0) / (self.tau - 1.0)
    }
    pub(crate) fn check(&self) -> Result<(), VizError> {
        param("alpha", self.alpha)?;
        param("tau", self.tau)?;
        if (self.tau - 1.0).abs() < 1e-12 {
            return Err(crate::data::invalid("tau", "must differ from 1"));
        }
        Ok(())
    }
}

/// Mean and population standard deviation (None if empty or the std is zero).
pub(crate) fn mean_std(v: &[f64]) -> Option<(f64, f64)> {
    if v.is_empty() {
        return None;
    }
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let s = (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n).sqrt();
    (s > 0.0 && s.is_finite()).then_some((m, s))
}

/// Binomial(n, p) pmf for k = 0..=n, computed in log space (no underflow for large n).
pub fn binomial_pmf(n: u32, p: f64) -> Vec<f64> {
    if p <= 0.0 || p >= 1.0 {
        let mut v = vec![0.0; n as usize + 1];
        v[if p <= 0.0 { 0 } else { n as usize }] = 1.0;
        return v;
    }
    let (lp, lq) = (p.ln(), (1.0 - p).ln());
    let mut out = Vec::with_capacity(n as usize + 1);
    let mut lc = 0.0f64; // ln C(n, k)
    for k in 0..=n {
        if k > 0 {
            lc += f64::from(n - k + 1).ln() - f64::from(k).ln();
        }
        out.push((lc + f64::from(k) * lp + f64::from(n - k) * lq).exp());
    }
    out
}

/// Points (x, y) of `f` scaled so that its sum over the integers in [lo, hi] equals `mass`, on a log grid
/// of about `points` x values in [lo, hi].
pub(crate) fn scaled_discrete_curve(
    f: impl Fn(f64) -> f64,
    lo: f64,
    hi: f64,
    mass: f64,
    points: usize,
) -> Vec<(f64, f64)> {
    let (a, b) = (lo.ceil().max(1.0), hi.floor());
    let norm: f64 = if b - a <= 5e6 {
        let mut s = 0.0;
        let mut x = a;
        while x <= b {
            s += f(x);
            x += 1.0;
        }
        s
    } else {
        // Too many integers: trapezoid on a log grid.
        let m = 20_000;
        let mut s = 0.0;
        for i in 0..m {
            let x0 = a * (b / a).powf(i as f64 / m as f64);
            let x1 = a * (b / a).powf((i + 1) as f64 / m as f64);
            s += 0.5 * (f(x0) + f(x1)) * (x1 - x0);
        }
        s
    };
    if !(norm > 0.0 && norm.is_finite()) || b < a {
        return Vec::new();
    }
    let k = mass / norm;
    (0..points)
        .map(|i| {
            let x = lo * (hi / lo).powf(i as f64 / (points - 1).max(1) as f64);
            (x, k * f(x))
        })
        .filter(|&(_, y)| y > 0.0 && y.is_finite())
        .collect()
}
