//! Spike-train figures: raster, scatter with population count, firing-rate histogram, ISI histogram
//! (Python `Plotter.raster_plot`, `scatter_plot`, `hist_firing_rate_network`, `isi_exponential_fit`).

use crate::axes::pal::{BAR, BLUE, RED};
use crate::axes::*;
use crate::data::{Spike, invalid, population_activity, rect, series};
use crate::error::{ResultExt, VizError};
use crate::fits::ExponentialOverlay;
use crate::hist::Histogram;
use crate::output::{Figure, save};
use crate::series::envelope;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// (steps, units, spikes as (step, unit) pairs).
type Spikes = (usize, usize, Vec<(u32, u32)>);

/// Spikes as (step, unit) pairs, after checking the train is rectangular and has a spike.
fn spikes_of<S: Spike>(train: &[Vec<S>]) -> Result<Spikes, VizError> {
    let (t, n) = rect("spike train", train)?;
    let mut v = Vec::new();
    for (s, row) in train.iter().enumerate() {
        for (j, &x) in row.iter().enumerate() {
            if x.is_spike() {
                v.push((s as u32, j as u32));
            }
        }
    }
    if v.is_empty() {
        return Err(VizError::EmptyData { what: "spike train (it has no spikes)" });
    }
    Ok((t, n, v))
}

struct Raster {
    steps: usize,
    units: usize,
    spikes: Vec<(u32, u32)>,
    counts: Option<Vec<f64>>,
}

impl Figure for Raster {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), VizError>
    where
        DB::ErrorType: 'static,
    {
        let th = Theme::for_area(root);
        let title =
            if self.counts.is_some() { "Spike scatter and population activity" } else { "Raster plot" };
        let area = titled(root, title, &th)?;
        let (t, n) = (self.steps as f64, self.units as f64);
        let (_, h) = area.dim_in_pixel();
        let (top, bottom) = match &self.counts {
            Some(_) => {
                let (a, b) = area.split_vertically(h * 68 / 100);
                (a, Some(b))
            }
            None => (area, None),
        };
        let mut c = chart(&top, &th, -0.5..t - 0.5, -0.5..n - 0.5)?;
        draw_mesh(&mut c, &th, "time step", "neuron index")?;
        let (pw, ph) = c.plotting_area().dim_in_pixel();
        if let (Some(counts), Some(bottom)) = (&self.counts, bottom) {
            let r = (f64::from(pw.min(ph)) / t.max(n) * 0.35).clamp(1.0, th.point as f64) as u32;
            c.draw_series(
                self.spikes.iter().map(|&(s, j)| Circle::new((f64::from(s), f64::from(j)), r, BLUE.filled())),
            )
            .viz()?;
            let cmax = counts.iter().copied().fold(0.0, f64::max);
            let mut c2 = chart(&bottom, &th, -0.5..t - 0.5, from_zero(cmax, 0.1))?;
            draw_mesh(&mut c2, &th, "time step", "active units")?;
            let pts = envelope(counts, 1.0, pw as usize);
            let stroke = zigzag_stroke(pts.len(), pw, th.stroke);
            c2.draw_series(LineSeries::new(pts, RED.stroke_width(stroke)))
                .viz()?
                .label("population count (active units per step)")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], RED.stroke_width(2)));
            draw_legend(&mut c2, &th)?;
        } else {
            // '|' markers: a vertical tick per spike, at least 1 px wide.
            let half = 0.4;
            let stroke = ((f64::from(pw) / t * 0.5) as u32).clamp(1, th.stroke);
            c.draw_series(self.spikes.iter().map(|&(s, j)| {
                let (x, y) = (f64::from(s), f64::from(j));
                PathElement::new(vec![(x, y - half), (x, y + half)], BLACK.stroke_width(stroke))
            }))
            .viz()?;
        }
        Ok(())
    }
}

/// Raster plot of a T × N spike train (rows = time steps): a '|' mark at (step, unit) for every spike.
pub fn raster_plot<S: Spike>(train: &[Vec<S>], path: &Path, size: (u32, u32)) -> Result<(), VizError> {
    let (steps, units, spikes) = spikes_of(train)?;
    save(&Raster { steps, units, spikes, counts: None }, path, size)
}

/// Dots at (step, unit) for every spike of a T × N spike train, and below them the number of active
/// units per step (population count) on the same step axis.
pub fn scatter_plot<S: Spike>(train: &[Vec<S>], path: &Path, size: (u32, u32)) -> Result<(), VizError> {
    let (steps, units, spikes) = spikes_of(train)?;
    let counts = population_activity(train).into_iter().map(f64::from).collect();
    save(&Raster { steps, units, spikes, counts: Some(counts) }, path, size)
}

struct Bars {
    title: String,
    x_desc: &'static str,
    y_desc: &'static str,
    hist: Histogram,
    curve: Option<(Vec<(f64, f64)>, String)>,
}

impl Figure for Bars {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), VizError>
    where
        DB::ErrorType: 'static,
    {
        let th = Theme::for_area(root);
        let area = titled(root, &self.title, &th)?;
        let h = &self.hist;
        let mut ymax = h.max_count();
        if let Some((pts, _)) = &self.curve {
            ymax = pts.iter().map(|p| p.1).filter(|v| v.is_finite()).fold(ymax, f64::max);
        }
        let ymin = self.curve.as_ref().map_or(0.0, |(pts, _)| pts.iter().map(|p| p.1).fold(0.0, f64::min));
        let yr = if ymin < 0.0 { padded(ymin, ymax, 0.06) } else { from_zero(ymax, 0.08) };
        let mut c = chart(&area, &th, padded(h.edges[0], *h.edges.last().unwrap(), 0.02), yr)?;
        draw_mesh(&mut c, &th, self.x_desc, self.y_desc)?;
        c.draw_series(
            h.counts
                .iter()
                .enumerate()
                .map(|(i, &n)| Rectangle::new([(h.edges[i], 0.0), (h.edges[i + 1], n)], BAR.filled())),
        )
        .viz()?
        .label("data")
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], BAR.filled()));
        if let Some((pts, label)) = &self.curve {
            c.draw_series(LineSeries::new(pts.iter().copied(), RED.stroke_width(th.stroke)))
                .viz()?
                .label(label.as_str())
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], RED.stroke_width(2)));
        }
        draw_legend(&mut c, &th)
    }
}

/// Histogram (`bins` bins) of the number of active units per step of a T × N spike train, steps without
/// any spike removed (as the Python package does).
pub fn firing_rate_histogram<S: Spike>(
    train: &[Vec<S>],
    bins: usize,
    path: &Path,
    size: (u32, u32),
) -> Result<(), VizError> {
    rect("spike train", train)?;
    if bins == 0 {
        return Err(invalid("bins", "must be ≥ 1"));
    }
    let a: Vec<f64> = population_activity(train).into_iter().filter(|&c| c > 0).map(f64::from).collect();
    if a.is_empty() {
        return Err(VizError::EmptyData { what: "spike train (it has no spikes)" });
    }
    let title = format!("Network firing-rate distribution ({} steps with spikes)", a.len());
    let fig = Bars {
        title,
        x_desc: "active units per step",
        y_desc: "number of steps",
        hist: Histogram::linear(&a, bins),
        curve: None,
    };
    save(&fig, path, size)
}

/// Histogram (`bins` bins) of inter-spike intervals (see [`crate::inter_spike_intervals`]) with the curve
/// a·exp(−b·x) − c over the histogram range when `fit` is given.
pub fn isi_histogram(
    isis: &[f64],
    bins: usize,
    fit: Option<ExponentialOverlay>,
    path: &Path,
    size: (u32, u32),
) -> Result<(), VizError> {
    series("inter-spike intervals", isis)?;
    if bins == 0 {
        return Err(invalid("bins", "must be ≥ 1"));
    }
    let hist = Histogram::linear(isis, bins);
    let curve = match fit {
        Some(f) => {
            f.check()?;
            let (lo, hi) = (hist.edges[0], *hist.edges.last().unwrap());
            let pts =
                (0..=200).map(|i| lo + (hi - lo) * f64::from(i) / 200.0).map(|x| (x, f.eval(x))).collect();
            Some((pts, format!("{:.3}·exp(−{:.3}·x) − {:.3}", f.a, f.b, f.c)))
        }
        None => None,
    };
    let title = format!("Inter-spike intervals (n = {})", isis.len());
    save(&Bars { title, x_desc: "inter-spike interval (steps)", y_desc: "count", hist, curve }, path, size)
}

/// Shared by the degree histogram: density bars with an optional curve.
pub(crate) fn density_bars(
    title: String,
    x_desc: &'static str,
    data: &[f64],
    bins: usize,
    curve: Option<(Vec<(f64, f64)>, String)>,
) -> impl Figure {
    let mut hist = Histogram::linear(data, bins);
    let widths: Vec<f64> = (0..hist.counts.len()).map(|i| hist.width(i)).collect();
    for (c, w) in hist.counts.iter_mut().zip(widths) {
        *c /= hist.total * w;
    }
    Bars { title, x_desc, y_desc: "probability density", hist, curve }
}
