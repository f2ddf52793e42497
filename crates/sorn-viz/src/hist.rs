//! Histograms: equal-width bins, logarithmic bins, and the empirical pmf of positive integer data.

/// Equal-width bins over the data range.
#[derive(Clone, Debug)]
pub(crate) struct Histogram {
    /// Bin edges, `counts.len() + 1` of them.
    pub edges: Vec<f64>,
    pub counts: Vec<f64>,
    pub total: f64,
}

impl Histogram {
    /// `bins` equal-width bins from min to max of `data` (finite, non-empty); the last bin is closed.
    /// A constant sample gets one unit-width bin around its value.
    pub fn linear(data: &[f64], bins: usize) -> Histogram {
        let bins = bins.max(1);
        let (lo, hi) = crate::axes::min_max(data.iter().copied()).unwrap_or((0.0, 1.0));
        let (lo, hi) = if hi > lo { (lo, hi) } else { (lo - 0.5, hi + 0.5) };
        let w = (hi - lo) / bins as f64;
        let mut counts = vec![0.0; bins];
        for &x in data {
            let i = (((x - lo) / w) as usize).min(bins - 1);
            counts[i] += 1.0;
        }
        let edges = (0..=bins).map(|i| lo + w * i as f64).collect();
        Histogram { edges, counts, total: data.len() as f64 }
    }

    /// One bin per integer from min to max of `data` (rounded), centred on the integer.
    pub fn integer(data: &[f64]) -> Histogram {
        let (lo, hi) = crate::axes::min_max(data.iter().map(|x| x.round())).unwrap_or((0.0, 0.0));
        let n = (hi - lo) as usize + 1;
        let mut counts = vec![0.0; n];
        for &x in data {
            counts[(x.round() - lo) as usize] += 1.0;
        }
        let edges = (0..=n).map(|i| lo - 0.5 + i as f64).collect();
        Histogram { edges, counts, total: data.len() as f64 }
    }

    /// Bin width of bin `i`.
    pub fn width(&self, i: usize) -> f64 {
        self.edges[i + 1] - self.edges[i]
    }

    pub fn max_count(&self) -> f64 {
        self.counts.iter().copied().fold(0.0, f64::max)
    }
}

/// An empirical probability mass function estimated from positive data: (x, p) points with p > 0.
#[derive(Clone, Debug)]
pub(crate) struct Pmf {
    pub points: Vec<(f64, f64)>,
}

/// How an empirical pmf is binned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Binning {
    /// One point per distinct value (the pmf of integer data, as DP17 Fig 1 shows it).
    Exact,
    /// Logarithmic bins with the given number of bins per decade; for integer data the probability of
    /// a bin is divided by the number of integers it holds, so points stay comparable to the pmf.
    Log { bins_per_decade: u32 },
}

impl Pmf {
    /// The pmf of the positive values of `data` (all values are counted in the normalisation).
    pub fn new(data: &[f64], binning: Binning) -> Pmf {
        let total = data.len() as f64;
        let mut v: Vec<f64> = data.iter().copied().filter(|&x| x > 0.0).collect();
        v.sort_by(f64::total_cmp);
        let mut points = Vec::new();
        match binning {
            Binning::Exact => {
                let mut i = 0;
                while i < v.len() {
                    let mut j = i;
                    while j < v.len() && v[j] == v[i] {
                        j += 1;
                    }
                    points.push((v[i], (j - i) as f64 / total));
                    i = j;
                }
            }
            Binning::Log { bins_per_decade } => {
                if let (Some(&lo), Some(&hi)) = (v.first(), v.last()) {
                    let integer = v.iter().all(|x| x.fract() == 0.0);
                    let step = 1.0 / f64::from(bins_per_decade.max(1));
                    let l0 = lo.log10().floor();
                    let nb = ((hi.log10() - l0) / step).floor() as usize + 1;
                    let edge = |k: usize| 10f64.powf(l0 + step * k as f64);
                    let mut counts = vec![0usize; nb];
                    for &x in &v {
                        let k = (((x.log10() - l0) / step).floor().max(0.0) as usize).min(nb - 1);
                        counts[k] += 1;
                    }
                    for (k, &c) in counts.iter().enumerate() {
                        if c == 0 {
                            continue;
                        }
                        let (a, b) = (edge(k), edge(k + 1));
                        let width = if integer { (b.ceil() - a.ceil()).max(1.0) } else { b - a };
                        points.push(((a * b).sqrt(), c as f64 / total / width));
                    }
                }
            }
        }
        Pmf { points }
    }
}
