//! Avalanche figures (DP17): size/duration distributions with power-law fits, ⟨S⟩(T), and the activity
//! histogram against the Binomial reference for independent units.

use crate::axes::pal::{BAR, BLUE, GREEN, GREY, ORANGE, RED};
use crate::axes::*;
use crate::data::{invalid, param, series};
use crate::error::{ResultExt, VizError};
use crate::fits::{ExponentRelation, PowerLawOverlay, TruncatedOverlay, binomial_pmf, scaled_discrete_curve};
use crate::hist::{Binning, Histogram, Pmf};
use crate::output::{Figure, save};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Which avalanche quantity a distribution shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AvalancheKind {
    /// Size S (area above threshold); fitted exponent τ.
    Size,
    /// Duration T (steps); fitted exponent α.
    Duration,
}

impl AvalancheKind {
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            AvalancheKind::Size => ("Avalanche size distribution", "avalanche size S", "τ"),
            AvalancheKind::Duration => {
                ("Avalanche duration distribution", "avalanche duration T (steps)", "α")
            }
        }
    }
}

type Curve = (Vec<(f64, f64)>, String, RGBColor);

struct Distribution {
    kind: AvalancheKind,
    n: usize,
    pmf: Vec<(f64, f64)>,
    curves: Vec<Curve>,
    marks: Vec<f64>,
}

impl Figure for Distribution {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), VizError>
    where
        DB::ErrorType: 'static,
    {
        let th = Theme::for_area(root);
        let (title, x_desc, _) = self.kind.names();
        let area = titled(root, &format!("{title} ({} avalanches)", self.n), &th)?;
        let all = self.pmf.iter().chain(self.curves.iter().flat_map(|c| c.0.iter()));
        let (xlo, xhi) = min_max(all.clone().map(|p| p.0)).unwrap();
        let (ylo, yhi) = min_max(all.map(|p| p.1)).unwrap();
        let xr = log_span(xlo.max(1e-12), xhi, 1.25);
        let yr = log_span(ylo.max(1e-300), yhi, 2.0);
        let mut c = chart(&area, &th, xr.log_scale(), yr.clone().log_scale())?;
        draw_mesh(&mut c, &th, x_desc, "probability P")?;
        for &m in &self.marks {
            c.draw_series(DashedLineSeries::new(
                [(m, yr.start), (m, yr.end)],
                6,
                4,
                GREY.mix(0.7).stroke_width(1),
            ))
            .viz()?;
        }
        c.draw_series(self.pmf.iter().map(|&p| Circle::new(p, th.point, BLUE.mix(0.75).filled())))
            .viz()?
            .label("data (empirical pmf)")
            .legend(|(x, y)| Circle::new((x + 8, y), 4, BLUE.filled()));
        for (pts, label, col) in &self.curves {
            let col = *col;
            c.draw_series(LineSeries::new(pts.iter().copied(), col.stroke_width(th.stroke + 1)))
                .viz()?
                .label(label.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], col.stroke_width(3)));
        }
        draw_legend(&mut c, &th)
    }
}

/// DP17 Fig 1 style: the empirical pmf of avalanche sizes or durations (`binning`: one point per value,
/// or log bins) on log-log axes, with the fitted power law drawn over [xmin, xmax] and the truncated power
/// law from its xmin to the largest value. Fit curves are discrete pmfs scaled to the empirical
/// probability mass of their range, so they lie on the data they were fitted to. Values ≤ 0 are not shown.
pub fn avalanche_distribution(
    values: &[f64],
    kind: AvalancheKind,
    binning: Binning,
    power_law: Option<PowerLawOverlay>,
    truncated: Option<TruncatedOverlay>,
    path: &Path,
    size: (u32, u32),
) -> Result<(), VizError> {
    series("avalanche values", values)?;
    if let Binning::Log { bins_per_decade: 0 } = binning {
        return Err(invalid("bins_per_decade", "must be ≥ 1"));
    }
    let pmf = Pmf::new(values, binning).points;
    if pmf.is_empty() {
        return Err(VizError::EmptyData { what: "avalanche values (none is > 0)" });
    }
    let vmax = values.iter().copied().fold(0.0, f64::max);
    let total = values.len() as f64;
    let mass = |lo: f64, hi: f64| values.iter().filter(|&&v| v >= lo && v <= hi).count() as f64 / total;
    let sym = kind.names().2;
    let mut curves = Vec::new();
    let mut marks = Vec::new();
    if let Some(pl) = power_law {
        pl.check()?;
        let hi = pl.xmax.unwrap_or(vmax).min(vmax.max(pl.xmin * 1.01));
        let a = pl.exponent;
        let pts = scaled_discrete_curve(|x| x.powf(-a), pl.xmin, hi, mass(pl.xmin, hi), 100);
        let range = match pl.xmax {
            Some(x) if x > vmax => {
                format!("[{}, {}], largest {}", fmt_tick(pl.xmin), fmt_tick(x), fmt_tick(vmax))
            }
            Some(x) => format!("[{}, {}]", fmt_tick(pl.xmin), fmt_tick(x)),
            None => format!("≥ {}", fmt_tick(pl.xmin)),
        };
        curves.push((pts, format!("power law {sym} = {a:.3}, {range}"), RED));
        marks.push(pl.xmin);
        marks.extend(pl.xmax);
    }
    if let Some(tr) = truncated {
        tr.check()?;
        let (a, l) = (tr.exponent, tr.lambda);
        let hi = vmax.max(tr.xmin * 1.01);
        let pts = scaled_discrete_curve(|x| x.powf(-a) * (-l * x).exp(), tr.xmin, hi, mass(tr.xmin, hi), 150);
        curves.push((pts, format!("truncated {sym}* = {a:.3}, λ = {}", fmt_tick(l)), ORANGE));
        if !marks.contains(&tr.xmin) {
            marks.push(tr.xmin);
        }
    }
    save(&Distribution { kind, n: values.len(), pmf, curves, marks }, path, size)
}

struct MeanSize {
    points: Vec<(f64, f64)>,
    lines: Vec<Curve>,
}

impl Figure for MeanSize {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), VizError>
    where
        DB::ErrorType: 'static,
    {
        let th = Theme::for_area(root);
        let area = titled(root, "Mean avalanche size vs duration ⟨S⟩(T)", &th)?;
        let (xlo, xhi) = min_max(self.points.iter().map(|p| p.0)).unwrap();
        let (ylo, yhi) = min_max(self.points.iter().map(|p| p.1)).unwrap();
        let mut c =
            chart(&area, &th, log_span(xlo, xhi, 1.3).log_scale(), log_span(ylo, yhi, 1.6).log_scale())?;
        draw_mesh(&mut c, &th, "avalanche duration T (steps)", "mean size ⟨S⟩")?;
        c.draw_series(self.points.iter().map(|&p| Circle::new(p, th.point, BLUE.mix(0.75).filled())))
            .viz()?
            .label("data ⟨S⟩(T)")
            .legend(|(x, y)| Circle::new((x + 8, y), 4, BLUE.filled()));
        for (pts, label, col) in &self.lines {
            let col = *col;
            c.draw_series(LineSeries::new(pts.iter().copied(), col.stroke_width(th.stroke)))
                .viz()?
                .label(label.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], col.stroke_width(3)));
        }
        c.configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(th.font(th.legend))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .draw()
            .viz()
    }
}

/// ⟨S⟩(T): mean avalanche size for every duration, on log-log axes, with lines of slope
/// (α−1)/(τ−1) (from `relation`) and `reference_slope` (DP17 uses 1.3). Each line's offset is the
/// least-squares fit in log space with the slope fixed. Pairs with a non-positive size or duration are
/// skipped.
pub fn mean_size_vs_duration(
    sizes: &[f64],
    durations: &[f64],
    relation: Option<ExponentRelation>,
    reference_slope: Option<f64>,
    path: &Path,
    size: (u32, u32),
) -> Result<(), VizError> {
    series("avalanche sizes", sizes)?;
    series("avalanche durations", durations)?;
    if sizes.len() != durations.len() {
        return Err(VizError::BadShape {
            what: "sizes/durations",
            reason: format!("{} sizes but {} durations", sizes.len(), durations.len()),
        });
    }
    let mut pairs: Vec<(f64, f64)> =
        durations.iter().copied().zip(sizes.iter().copied()).filter(|&(t, s)| t > 0.0 && s > 0.0).collect();
    if pairs.is_empty() {
        return Err(VizError::EmptyData { what: "avalanches with positive size and duration" });
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut points = Vec::new();
    let mut i = 0;
    while i < pairs.len() {
        let mut j = i;
        let mut s = 0.0;
        while j < pairs.len() && pairs[j].0 == pairs[i].0 {
            s += pairs[j].1;
            j += 1;
        }
        points.push((pairs[i].0, s / (j - i) as f64));
        i = j;
    }
    let (tlo, thi) = min_max(points.iter().map(|p| p.0)).unwrap();
    let thi = if thi > tlo { thi } else { tlo * 10.0 };
    let line = |slope: f64| {
        let k = points.iter().map(|&(t, s)| s.ln() - slope * t.ln()).sum::<f64>() / points.len() as f64;
        (0..=20)
            .map(|i| tlo * (thi / tlo).powf(f64::from(i) / 20.0))
            .map(|t| (t, (k + slope * t.ln()).exp()))
            .collect::<Vec<_>>()
    };
    let mut lines = Vec::new();
    if let Some(r) = relation {
        r.check()?;
        let s = r.slope();
        lines.push((line(s), format!("slope (α−1)/(τ−1) = {s:.3}"), RED));
    }
    if let Some(s) = reference_slope {
        param("reference slope", s)?;
        lines.push((line(s), format!("reference slope {s}"), GREEN));
    }
    save(&MeanSize { points, lines }, path, size)
}

struct ActivityBinomial {
    hist: Histogram,
    pmf: Vec<f64>,
    n: u32,
    p: f64,
}

impl Figure for ActivityBinomial {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), VizError>
    where
        DB::ErrorType: 'static,
    {
        let th = Theme::for_area(root);
        let area = titled(root, "Population activity vs independent units", &th)?;
        let h = &self.hist;
        let probs: Vec<f64> = h.counts.iter().map(|c| c / h.total).collect();
        // x range: the data plus the bulk (pmf > 1e-4 of its max) of the Binomial.
        let pmax = self.pmf.iter().copied().fold(0.0, f64::max);
        let bulk = self.pmf.iter().enumerate().filter(|&(_, &v)| v > pmax * 1e-4).map(|(k, _)| k as f64);
        let (blo, bhi) = min_max(bulk).unwrap_or((0.0, 1.0));
        let xr = padded(h.edges[0].min(blo), h.edges.last().unwrap().max(bhi), 0.03);
        let ymax = probs.iter().copied().fold(pmax, f64::max);
        let mut c = chart(&area, &th, xr.clone(), from_zero(ymax, 0.08))?;
        draw_mesh(&mut c, &th, "active excitatory units a(t)", "probability")?;
        c.draw_series(
            probs
                .iter()
                .enumerate()
                .map(|(i, &p)| Rectangle::new([(h.edges[i], 0.0), (h.edges[i + 1], p)], BAR.filled())),
        )
        .viz()?
        .label("SORN activity")
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], BAR.filled()));
        let lo = xr.start.max(0.0).floor() as usize;
        let hi = (xr.end.ceil() as usize).min(self.n as usize);
        let pts: Vec<(f64, f64)> = (lo..=hi).map(|k| (k as f64, self.pmf[k])).collect();
        c.draw_series(LineSeries::new(pts.iter().copied(), RED.stroke_width(th.stroke))).viz()?;
        c.draw_series(pts.iter().map(|&q| Circle::new(q, th.point.saturating_sub(1).max(1), RED.filled())))
            .viz()?
            .label(format!("Binomial(n = {}, p = {})", self.n, fmt_tick(self.p)))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], RED.stroke_width(2)));
        draw_legend(&mut c, &th)
    }
}

/// Histogram of the population activity a(t) (active E units per step, rounded to integers) as
/// probabilities, against the Binomial(`n_e`, `p`) pmf of `n_e` independent units firing with
/// probability `p` (DP17: n = 200, p = h_IP = 0.1).
pub fn activity_binomial(
    activity: &[f64],
    n_e: u32,
    p: f64,
    path: &Path,
    size: (u32, u32),
) -> Result<(), VizError> {
    series("activity", activity)?;
    param("p", p)?;
    if !(0.0..=1.0).contains(&p) {
        return Err(invalid("p", format!("must be in [0, 1], got {p}")));
    }
    if n_e == 0 {
        return Err(invalid("n_e", "must be ≥ 1"));
    }
    if let Some(i) = activity.iter().position(|&a| a < 0.0) {
        return Err(invalid("activity", format!("negative count {} at index {i}", activity[i])));
    }
    save(
        &ActivityBinomial { hist: Histogram::integer(activity), pmf: binomial_pmf(n_e, p), n: n_e, p },
        path,
        size,
    )
}
