//! Network-structure figures: in/out-degree histograms, correlation heat map, correlation graph
//! (Python `Plotter.hist_incoming_conn`, `hist_outgoing_conn`, `correlation`, `plot_network`).

use crate::axes::pal::{BLUE, GREY};
use crate::axes::*;
use crate::data::{Degree, invalid, non_empty, param, square};
use crate::error::{ResultExt, VizError};
use crate::figures::spikes::density_bars;
use crate::fits::NormalOverlay;
use crate::output::{Figure, save};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Density histogram (`bins` bins) of in- or out-degrees (see [`crate::degrees`]) with the normal pdf
/// `normal` overlaid when given ([`NormalOverlay::estimate`] gives the Python package's Gaussian fit).
pub fn degree_histogram(
    degrees: &[u32],
    degree: Degree,
    bins: usize,
    normal: Option<NormalOverlay>,
    path: &Path,
    size: (u32, u32),
) -> Result<(), VizError> {
    non_empty("degrees", degrees)?;
    if bins == 0 {
        return Err(invalid("bins", "must be ≥ 1"));
    }
    let d: Vec<f64> = degrees.iter().map(|&x| f64::from(x)).collect();
    let curve = match normal {
        Some(nm) => {
            nm.check()?;
            let (lo, hi) = min_max(d.iter().copied()).unwrap();
            let (lo, hi) = (
                lo.min(nm.mean - 3.0 * nm.std).max(lo - 0.5 * (hi - lo + 1.0)),
                hi.max(nm.mean + 3.0 * nm.std).min(hi + 0.5 * (hi - lo + 1.0)),
            );
            let pts =
                (0..=200).map(|i| lo + (hi - lo) * f64::from(i) / 200.0).map(|x| (x, nm.pdf(x))).collect();
            Some((pts, format!("normal pdf, mean {:.2}, std {:.2}", nm.mean, nm.std)))
        }
        None => None,
    };
    let (title, x_desc) = match degree {
        Degree::In => ("Distribution of incoming connections", "in-degree (incoming connections per unit)"),
        Degree::Out => ("Distribution of outgoing connections", "out-degree (outgoing connections per unit)"),
    };
    save(&density_bars(title.to_string(), x_desc, &d, bins, curve), path, size)
}

/// Diverging colour map: −1 → blue, 0 → white, +1 → red (values clamped to [−1, 1]).
pub(crate) fn diverging(t: f64) -> RGBColor {
    let t = if t.is_finite() { t.clamp(-1.0, 1.0) } else { 0.0 };
    let (end, a) = if t < 0.0 { ((59.0, 76.0, 192.0), -t) } else { ((180.0, 4.0, 38.0), t) };
    let mix = |e: f64| (247.0 + (e - 247.0) * a).round() as u8;
    RGBColor(mix(end.0), mix(end.1), mix(end.2))
}

struct Heatmap {
    /// Block-averaged lower triangle: cells[i][j] for j < i, in blocks of `block` units.
    cells: Vec<Vec<f64>>,
    n: usize,
    block: usize,
    vmax: f64,
}

impl Figure for Heatmap {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), VizError>
    where
        DB::ErrorType: 'static,
    {
        let th = Theme::for_area(root);
        let area = titled(root, "Pairwise correlation (lower triangle)", &th)?;
        let (w, _) = area.dim_in_pixel();
        let (main, bar) = area.split_horizontally(w * 82 / 100);
        let n = self.n as f64;
        let b = self.block as f64;
        // y is drawn as n − row so that row 0 is at the top, as in a matrix.
        let mut c = chart(&main, &th, 0.0..n, 0.0..n)?;
        let fmt_row = |v: &f64| fmt_tick(n - *v);
        let fmt = |v: &f64| fmt_tick(*v);
        c.configure_mesh()
            .disable_mesh()
            .x_desc("neuron j")
            .y_desc("neuron i")
            .label_style(th.font(th.tick))
            .axis_desc_style(th.font(th.label))
            .x_label_formatter(&fmt)
            .y_label_formatter(&fmt_row)
            .draw()
            .viz()?;
        c.draw_series(self.cells.iter().enumerate().flat_map(|(bi, row)| {
            row.iter().enumerate().map(move |(bj, &v)| {
                let (x0, y0) = (bj as f64 * b, n - bi as f64 * b);
                Rectangle::new(
                    [(x0, y0), ((x0 + b).min(n), (y0 - b).max(0.0))],
                    diverging(v / self.vmax).filled(),
                )
            })
        }))
        .viz()?;
        // Colour bar.
        let mut cb = ChartBuilder::on(&bar)
            .margin(th.margin)
            .margin_left(th.margin / 2)
            .x_label_area_size(th.x_area)
            .y_label_area_size(th.y_area)
            .build_cartesian_2d(0.0..1.0, -self.vmax..self.vmax)
            .viz()?;
        cb.configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_desc("correlation")
            .label_style(th.font(th.tick))
            .axis_desc_style(th.font(th.label))
            .y_label_formatter(&fmt)
            .y_labels(5)
            .draw()
            .viz()?;
        let steps = 100;
        cb.draw_series((0..steps).map(|k| {
            let y0 = -self.vmax + 2.0 * self.vmax * k as f64 / steps as f64;
            let y1 = y0 + 2.0 * self.vmax / steps as f64;
            Rectangle::new([(0.0, y0), (1.0, y1)], diverging((y0 + y1) / 2.0 / self.vmax).filled())
        }))
        .viz()?;
        Ok(())
    }
}

/// Heat map of the lower triangle (i > j) of a square correlation matrix with a diverging colour map
/// centred at 0 and clipped at ±`vmax` (None: the largest |value| of the lower triangle; the Python
/// package uses 0.1). Matrices larger than 400 units are block-averaged for drawing.
pub fn correlation_heatmap(
    corr: &[Vec<f64>],
    vmax: Option<f64>,
    path: &Path,
    size: (u32, u32),
) -> Result<(), VizError> {
    let n = square("correlation matrix", corr)?;
    if n < 2 {
        return Err(VizError::EmptyData { what: "correlation matrix lower triangle (needs ≥ 2 units)" });
    }
    let vmax = match vmax {
        Some(v) => {
            param("vmax", v)?;
            if v <= 0.0 {
                return Err(invalid("vmax", "must be > 0"));
            }
            v
        }
        None => {
            let m = (1..n)
                .flat_map(|i| (0..i).map(move |j| (i, j)))
                .map(|(i, j)| corr[i][j].abs())
                .fold(0.0, f64::max);
            if m > 0.0 { m } else { 1.0 }
        }
    };
    let block = n.div_ceil(400);
    let nb = n.div_ceil(block);
    #[allow(clippy::needless_range_loop)]
    let cells = (0..nb)
        .map(|bi| {
            (0..=bi)
                .filter_map(|bj| {
                    let (mut s, mut k) = (0.0, 0usize);
                    for i in bi * block..((bi + 1) * block).min(n) {
                        for j in bj * block..((bj + 1) * block).min(n) {
                            if j < i {
                                s += corr[i][j];
                                k += 1;
                            }
                        }
                    }
                    (k > 0).then(|| s / k as f64)
                })
                .collect()
        })
        .collect();
    save(&Heatmap { cells, n, block, vmax }, path, size)
}

struct Graph {
    n: usize,
    edges: Vec<(usize, usize, f64)>,
    degree: Vec<usize>,
    threshold: f64,
}

impl Figure for Graph {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), VizError>
    where
        DB::ErrorType: 'static,
    {
        let th = Theme::for_area(root);
        let area = titled(root, "Correlation network (circular layout)", &th)?;
        let (w, h) = area.dim_in_pixel();
        let caption_h = (th.legend * 2.2) as u32;
        let (plot, caption) = area.split_vertically(h - caption_h);
        let (pw, ph) = plot.dim_in_pixel();
        let side = pw.min(ph) as f64;
        let (cx, cy) = (pw as f64 / 2.0, ph as f64 / 2.0);
        let radius = side / 2.0 - th.label * 1.8 - 4.0;
        let pos = |i: usize| {
            let a = std::f64::consts::TAU * i as f64 / self.n as f64 - std::f64::consts::FRAC_PI_2;
            ((cx + radius * a.cos()) as i32, (cy + radius * a.sin()) as i32)
        };
        let wmax = self.edges.iter().map(|e| e.2.abs()).fold(0.0, f64::max).max(1e-12);
        for &(i, j, c) in &self.edges {
            let a = 0.25 + 0.6 * (c.abs() / wmax);
            plot.draw(&PathElement::new(vec![pos(i), pos(j)], GREY.mix(a).stroke_width(1))).viz()?;
        }
        let r = ((std::f64::consts::PI * radius / self.n as f64) * 0.6).clamp(2.0, 12.0) as i32;
        let dmax = self.degree.iter().copied().max().unwrap_or(0).max(1) as f64;
        for i in 0..self.n {
            let t = self.degree[i] as f64 / dmax;
            let col = if self.degree[i] == 0 { RGBColor(190, 190, 190) } else { diverging(0.25 + 0.75 * t) };
            plot.draw(&Circle::new(pos(i), r, col.filled())).viz()?;
            plot.draw(&Circle::new(pos(i), r, BLUE.mix(0.6).stroke_width(1))).viz()?;
        }
        if self.n <= 40 {
            let font = th.font(th.tick);
            for i in 0..self.n {
                let a = std::f64::consts::TAU * i as f64 / self.n as f64 - std::f64::consts::FRAC_PI_2;
                let d = radius + r as f64 + th.tick * 0.9;
                let p = ((cx + d * a.cos()) as i32, (cy + d * a.sin()) as i32);
                let style = TextStyle::from(font.clone()).pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Center,
                ));
                plot.draw(&Text::new(i.to_string(), p, style)).viz()?;
            }
        }
        let text = format!(
            "{} neurons, {} edges with correlation > {}; node colour: degree (max {})",
            self.n,
            self.edges.len(),
            fmt_tick(self.threshold),
            dmax as usize
        );
        let style = TextStyle::from(th.font(th.legend)).pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Center,
        ));
        caption.draw(&Text::new(text, ((w / 2) as i32, (caption_h / 2) as i32), style)).viz()?;
        Ok(())
    }
}

/// Graph of a square correlation matrix: an edge for every pair i < j whose correlation
/// (corr\[i\]\[j\] + corr\[j\]\[i\])/2 exceeds `threshold`; nodes on a circle, coloured by degree, labelled when
/// there are at most 40.
pub fn network_graph(
    corr: &[Vec<f64>],
    threshold: f64,
    path: &Path,
    size: (u32, u32),
) -> Result<(), VizError> {
    let n = square("correlation matrix", corr)?;
    param("threshold", threshold)?;
    let mut edges = Vec::new();
    let mut degree = vec![0usize; n];
    for i in 0..n {
        for j in i + 1..n {
            let c = 0.5 * (corr[i][j] + corr[j][i]);
            if c > threshold {
                edges.push((i, j, c));
                degree[i] += 1;
                degree[j] += 1;
            }
        }
    }
    save(&Graph { n, edges, degree, threshold }, path, size)
}
