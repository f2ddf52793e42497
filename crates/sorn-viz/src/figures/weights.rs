//! Weight distribution and lognormal fit (Python `Plotter.weight_distribution`, `linear_lognormal_fit`).

use crate::axes::pal::{BAR, BLUE, GREEN, ORANGE, RED};
use crate::axes::*;
use crate::data::{invalid, series};
use crate::error::{ResultExt, VizError};
use crate::fits::LognormalOverlay;
use crate::hist::Histogram;
use crate::output::{Figure, save};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Weights below this are treated as absent connections (as in the Python package).
pub const WEIGHT_CUTOFF: f64 = 0.01;

fn kept_weights(weights: &[f64]) -> Result<Vec<f64>, VizError> {
    series("weights", weights)?;
    let kept: Vec<f64> = weights.iter().copied().filter(|&w| w >= WEIGHT_CUTOFF).collect();
    if kept.is_empty() {
        return Err(VizError::AllZeroWeights {
            what: "weights",
            count: weights.len(),
            cutoff: WEIGHT_CUTOFF,
        });
    }
    Ok(kept)
}

fn check_bins(bins: usize) -> Result<(), VizError> {
    if bins == 0 { Err(invalid("bins", "must be ≥ 1")) } else { Ok(()) }
}

struct WeightHist {
    hist: Histogram,
}

impl Figure for WeightHist {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), VizError>
    where
        DB::ErrorType: 'static,
    {
        let th = Theme::for_area(root);
        let h = &self.hist;
        let area = titled(root, &format!("Weight distribution (w ≥ {WEIGHT_CUTOFF}, n = {})", h.total), &th)?;
        let x = padded(h.edges[0], *h.edges.last().unwrap(), 0.02);
        let mut c = chart(&area, &th, x, from_zero(h.max_count(), 0.08))?;
        draw_mesh(&mut c, &th, "synaptic weight w", "number of synapses")?;
        c.draw_series(
            h.counts
                .iter()
                .enumerate()
                .map(|(i, &n)| Rectangle::new([(h.edges[i], 0.0), (h.edges[i + 1], n)], BAR.filled())),
        )
        .viz()?;
        c.draw_series(
            h.counts.iter().enumerate().map(|(i, &n)| Circle::new((h.edges[i], n), th.point, BLUE.filled())),
        )
        .viz()?
        .label("count at left bin edge")
        .legend(move |(x, y)| Circle::new((x + 8, y), 4, BLUE.filled()));
        draw_legend(&mut c, &th)
    }
}

/// Histogram of the weights ≥ [`WEIGHT_CUTOFF`] with `bins` equal-width bins: bars plus points at the left
/// bin edges. `weights` is a flattened weight matrix (zeros, i.e. absent synapses, are skipped).
pub fn weight_distribution(
    weights: &[f64],
    bins: usize,
    path: &Path,
    size: (u32, u32),
) -> Result<(), VizError> {
    check_bins(bins)?;
    let kept = kept_weights(weights)?;
    save(&WeightHist { hist: Histogram::linear(&kept, bins) }, path, size)
}

struct Lognormal {
    weights: Vec<f64>,
    fit: LognormalOverlay,
    num_points: usize,
}

impl Lognormal {
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        th: &Theme,
        log_x: bool,
    ) -> Result<(), VizError>
    where
        DB::ErrorType: 'static,
    {
        let (lo, hi) = min_max(self.weights.iter().copied()).unwrap();
        let (lo, hi) = if hi > lo { (lo, hi) } else { (lo * 0.8, hi * 1.25) };
        let n = self.num_points.max(2);
        let grid: Vec<f64> = (0..n)
            .map(|i| {
                let t = i as f64 / (n - 1) as f64;
                if log_x { lo * (hi / lo).powf(t) } else { lo + (hi - lo) * t }
            })
            .collect();
        let curve: Vec<(f64, f64)> = grid.iter().map(|&w| (w, self.fit.pdf(w))).collect();
        // Density histogram of the data: linear bins, or log-spaced bins on the log axis.
        let bins = 40usize;
        let edges: Vec<f64> = (0..=bins)
            .map(|i| {
                let t = i as f64 / bins as f64;
                if log_x { lo * (hi / lo).powf(t) } else { lo + (hi - lo) * t }
            })
            .collect();
        let mut counts = vec![0.0; bins];
        for &w in &self.weights {
            let k = edges.partition_point(|&e| e <= w).saturating_sub(1).min(bins - 1);
            counts[k] += 1.0;
        }
        let total = self.weights.len() as f64;
        let dens: Vec<f64> = (0..bins).map(|k| counts[k] / (total * (edges[k + 1] - edges[k]))).collect();
        let ymax = dens
            .iter()
            .chain(curve.iter().map(|p| &p.1))
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let ys = from_zero(ymax, 0.12);
        let lines = [
            (self.fit.mode(), "mode", GREEN),
            (self.fit.median(), "median", ORANGE),
            (self.fit.mean(), "mean", RED),
        ];
        let x_desc = if log_x { "synaptic weight w (log scale)" } else { "synaptic weight w" };
        macro_rules! body {
            ($c:ident) => {{
                draw_mesh(&mut $c, th, x_desc, "probability density")?;
                $c.draw_series(dens.iter().enumerate().map(|(k, &d)| {
                    Rectangle::new([(edges[k], 0.0), (edges[k + 1], d)], BAR.mix(0.7).filled())
                }))
                .viz()?
                .label("weights (density)")
                .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], BAR.filled()));
                $c.draw_series(LineSeries::new(curve.iter().copied(), BLUE.stroke_width(th.stroke)))
                    .viz()?
                    .label(format!("lognormal μ = {:.3}, σ = {:.3}", self.fit.mu, self.fit.sigma))
                    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLUE.stroke_width(2)));
                for (v, name, col) in lines {
                    if v.is_finite() && v > $c.x_range().start && v < $c.x_range().end {
                        $c.draw_series(LineSeries::new([(v, 0.0), (v, ys.end)], col.stroke_width(th.stroke)))
                            .viz()?
                            .label(format!("{name} = {}", fmt_tick(v)))
                            .legend(move |(x, y)| {
                                PathElement::new(vec![(x, y), (x + 16, y)], col.stroke_width(2))
                            });
                    }
                }
                draw_legend(&mut $c, th)
            }};
        }
        if log_x {
            let mut c = chart(area, th, (lo / 1.1..hi * 1.1).log_scale(), ys.clone())?;
            body!(c)
        } else {
            let mut c = chart(area, th, padded(lo, hi, 0.03), ys.clone())?;
            body!(c)
        }
    }
}

impl Figure for Lognormal {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), VizError>
    where
        DB::ErrorType: 'static,
    {
        let th = Theme::for_area(root);
        let area = titled(root, "Lognormal fit of the weight distribution", &th)?;
        let (w, _) = area.dim_in_pixel();
        let (left, right) = area.split_horizontally(w / 2);
        let th2 = Theme { legend: th.legend * 0.85, y_area: th.y_area * 3 / 4, ..th };
        self.panel(&left, &th2, false)?;
        self.panel(&right, &th2, true)
    }
}

/// Lognormal pdf (parameters `fit`, see [`LognormalOverlay::estimate`]) on `num_points` points between the
/// smallest and largest weight ≥ [`WEIGHT_CUTOFF`], over a density histogram of those weights, with
/// vertical lines at the mode e^(μ−σ²), median e^μ and mean e^(μ+σ²/2); left panel linear x, right panel
/// log x.
pub fn lognormal_fit(
    weights: &[f64],
    fit: LognormalOverlay,
    num_points: usize,
    path: &Path,
    size: (u32, u32),
) -> Result<(), VizError> {
    fit.check()?;
    if num_points < 2 {
        return Err(invalid("num_points", "must be ≥ 2"));
    }
    let weights = kept_weights(weights)?;
    save(&Lognormal { weights, fit, num_points }, path, size)
}
