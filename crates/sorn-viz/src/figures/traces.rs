//! Time-series figures: connection counts, connection fraction, Hamming distance, mean threshold and
//! population rate (Python `Plotter.network_connection_dynamics`, `hamming_distance`; DP17/L09 traces).

use crate::axes::pal::{BLUE, GREEN, RED};
use crate::axes::*;
use crate::data::{invalid, param, series};
use crate::error::{ResultExt, VizError};
use crate::output::{Figure, save};
use crate::series::envelope;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Where the samples of a trace sit on the step axis: sample i is at step `first + i·every`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Steps {
    pub first: f64,
    pub every: f64,
}

impl Default for Steps {
    /// One sample per step, starting at step 0.
    fn default() -> Steps {
        Steps { first: 0.0, every: 1.0 }
    }
}

impl Steps {
    fn check(&self) -> Result<(), VizError> {
        param("first step", self.first)?;
        param("step interval", self.every)?;
        if self.every <= 0.0 { Err(invalid("step interval", "must be > 0")) } else { Ok(()) }
    }
}

struct Panel {
    values: Vec<f64>,
    y_desc: &'static str,
    label: &'static str,
    color: RGBColor,
    y_range: Option<(f64, f64)>,
}

struct Traces {
    title: String,
    steps: Steps,
    panels: Vec<Panel>,
}

impl Figure for Traces {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), VizError>
    where
        DB::ErrorType: 'static,
    {
        let th = Theme::for_area(root);
        let area = titled(root, &self.title, &th)?;
        let areas = area.split_evenly((self.panels.len(), 1));
        for (p, a) in self.panels.iter().zip(&areas) {
            let n = p.values.len();
            let x0 = self.steps.first;
            let x1 = x0 + self.steps.every * (n.max(2) - 1) as f64;
            let (lo, hi) = p.y_range.unwrap_or_else(|| min_max(p.values.iter().copied()).unwrap());
            let yr = if p.y_range.is_some() { lo..hi } else { padded(lo, hi, 0.06) };
            let mut c = chart(a, &th, x0..x1, yr)?;
            draw_mesh(&mut c, &th, "time step", p.y_desc)?;
            let (pw, _) = c.plotting_area().dim_in_pixel();
            let pts: Vec<(f64, f64)> = envelope(&p.values, self.steps.every, pw as usize)
                .into_iter()
                .map(|(x, y)| (x + x0, y))
                .collect();
            if n == 1 {
                c.draw_series(pts.iter().map(|&q| Circle::new(q, th.point, p.color.filled()))).viz()?;
            }
            let stroke = zigzag_stroke(pts.len(), pw, th.stroke);
            c.draw_series(LineSeries::new(pts, p.color.stroke_width(stroke)))
                .viz()?
                .label(p.label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], p.color.stroke_width(2)));
            draw_legend(&mut c, &th)?;
        }
        Ok(())
    }
}

fn one(
    title: &str,
    what: &'static str,
    panel: Panel,
    steps: Steps,
    path: &Path,
    size: (u32, u32),
) -> Result<(), VizError> {
    series(what, &panel.values)?;
    steps.check()?;
    save(&Traces { title: title.to_string(), steps, panels: vec![panel] }, path, size)
}

fn blue(values: &[f64], y_desc: &'static str, label: &'static str, y_range: Option<(f64, f64)>) -> Panel {
    Panel { values: values.to_vec(), y_desc, label, color: BLUE, y_range }
}

/// Number of existing E→E connections vs step (structural plasticity at work).
pub fn connection_dynamics(
    counts: &[f64],
    steps: Steps,
    path: &Path,
    size: (u32, u32),
) -> Result<(), VizError> {
    one(
        "Network connection dynamics",
        "connection counts",
        blue(counts, "number of connections", "connections", None),
        steps,
        path,
        size,
    )
}

/// Fraction of possible E→E connections that exist, vs step (y axis 0…max).
pub fn connection_fraction(
    fraction: &[f64],
    steps: Steps,
    path: &Path,
    size: (u32, u32),
) -> Result<(), VizError> {
    series("connection fraction", fraction)?;
    let hi = fraction.iter().copied().fold(0.0, f64::max);
    let hi = if hi > 0.0 { hi * 1.1 } else { 1.0 };
    let panel =
        blue(fraction, "fraction of possible E←E connections", "E←E connection fraction", Some((0.0, hi)));
    one("E←E connection fraction over time", "E←E connection fraction", panel, steps, path, size)
}

/// Hamming distance between two runs' states vs step (perturbation spreading).
pub fn hamming_distance(
    distance: &[f64],
    steps: Steps,
    path: &Path,
    size: (u32, u32),
) -> Result<(), VizError> {
    one(
        "Hamming distance",
        "Hamming distance",
        blue(distance, "Hamming distance (units)", "Hamming distance", None),
        steps,
        path,
        size,
    )
}

/// Two stacked panels sharing the step axis: the mean excitatory threshold ⟨T^E⟩ and the population rate
/// (fraction of E units active) per step.
pub fn threshold_rate_traces(
    mean_threshold: &[f64],
    rate: &[f64],
    steps: Steps,
    path: &Path,
    size: (u32, u32),
) -> Result<(), VizError> {
    series("mean threshold", mean_threshold)?;
    series("population rate", rate)?;
    steps.check()?;
    let panels = vec![
        Panel {
            values: mean_threshold.to_vec(),
            y_desc: "mean threshold ⟨T^E⟩",
            label: "mean threshold",
            color: RED,
            y_range: None,
        },
        Panel {
            values: rate.to_vec(),
            y_desc: "population rate",
            label: "rate (fraction active)",
            color: GREEN,
            y_range: None,
        },
    ];
    save(&Traces { title: "Mean threshold and population rate".into(), steps, panels }, path, size)
}
