//! Shared figure furniture: sizes scaled to the image, titles, axis meshes, tick-label formatting, axis
//! ranges and the colour palette.

use crate::error::{ResultExt, VizError};
use crate::font::FAMILY;
use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;

/// Line colours (matplotlib's "tab10" start) and the histogram bar colour.
pub(crate) mod pal {
    use plotters::style::RGBColor;
    pub const BLUE: RGBColor = RGBColor(31, 119, 180);
    pub const ORANGE: RGBColor = RGBColor(255, 127, 14);
    pub const GREEN: RGBColor = RGBColor(44, 160, 44);
    pub const RED: RGBColor = RGBColor(214, 39, 40);
    pub const GREY: RGBColor = RGBColor(110, 110, 110);
    pub const BAR: RGBColor = RGBColor(120, 160, 205);
}

/// Font sizes, margins and stroke widths scaled to the image size (800×600 → scale 1).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Theme {
    pub title: f64,
    pub label: f64,
    pub tick: f64,
    pub legend: f64,
    pub margin: u32,
    pub x_area: u32,
    pub y_area: u32,
    pub stroke: u32,
    pub point: u32,
}

impl Theme {
    pub fn for_area<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> Theme {
        let (w, h) = area.dim_in_pixel();
        let s = (f64::from(w) / 800.0).min(f64::from(h) / 600.0).clamp(0.4, 4.0);
        let px = |v: f64, lo: f64| (v * s).max(lo);
        Theme {
            title: px(26.0, 12.0),
            label: px(19.0, 10.0),
            tick: px(15.0, 9.0),
            legend: px(15.0, 9.0),
            margin: px(14.0, 4.0) as u32,
            x_area: px(58.0, 28.0) as u32,
            y_area: px(82.0, 38.0) as u32,
            stroke: px(2.0, 1.0) as u32,
            point: px(3.5, 1.5) as u32,
        }
    }
    pub fn font(&self, size: f64) -> FontDesc<'static> {
        (FAMILY, size).into_font()
    }
}

/// Draw the title at the top of `root` and return the area below it.
pub(crate) fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    th: &Theme,
) -> Result<DrawingArea<DB, Shift>, VizError>
where
    DB::ErrorType: 'static,
{
    root.titled(title, th.font(th.title)).viz()
}

/// A compact tick label: integers without decimals, powers of ten as 10ⁿ outside [0.01, 10⁴],
/// otherwise at most 3 significant digits, with a real minus sign.
pub fn fmt_tick(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    if v.abs() < 1e-12 {
        // Also swallows rounding noise such as −5.6e−17 at a symmetric axis centre.
        return "0".into();
    }
    let a = v.abs();
    let sign = if v < 0.0 { "\u{2212}" } else { "" };
    let e = a.log10().round();
    let is_pow10 = (a / 10f64.powf(e) - 1.0).abs() < 1e-9;
    let body = if is_pow10 && !(-2.0..=4.0).contains(&e) {
        format!("10{}", superscript(e as i32))
    } else if (1e-3..1e6).contains(&a) {
        let digits = (3 - 1 - a.log10().floor() as i32).max(0) as usize;
        let s = format!("{a:.digits$}");
        if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
    } else {
        let s = format!("{a:.1e}");
        s.replace(".0e", "e")
    };
    format!("{sign}{body}")
}

fn superscript(n: i32) -> String {
    const D: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut s = String::new();
    if n < 0 {
        s.push('⁻');
    }
    for c in n.unsigned_abs().to_string().chars() {
        s.push(D[c.to_digit(10).unwrap_or(0) as usize]);
    }
    s
}

/// Configure and draw the mesh (grid, ticks, axis descriptions) of an f64 × f64 chart.
pub(crate) fn draw_mesh<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    th: &Theme,
    x_desc: &str,
    y_desc: &str,
) -> Result<(), VizError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let fmt = |v: &f64| fmt_tick(*v);
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(th.font(th.tick))
        .axis_desc_style(th.font(th.label))
        .x_label_formatter(&fmt)
        .y_label_formatter(&fmt)
        .x_labels(8)
        .y_labels(8)
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .viz()
}

/// The chart type [`chart`] returns.
pub(crate) type Chart2d<'a, DB, X, Y> = ChartContext<
    'a,
    DB,
    Cartesian2d<
        <X as plotters::coord::ranged1d::AsRangedCoord>::CoordDescType,
        <Y as plotters::coord::ranged1d::AsRangedCoord>::CoordDescType,
    >,
>;

/// Build a chart with the usual margins and label areas.
pub(crate) fn chart<'a, DB, X, Y>(
    area: &'a DrawingArea<DB, Shift>,
    th: &Theme,
    x: X,
    y: Y,
) -> Result<Chart2d<'a, DB, X, Y>, VizError>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    X: plotters::coord::ranged1d::AsRangedCoord,
    Y: plotters::coord::ranged1d::AsRangedCoord,
{
    ChartBuilder::on(area)
        .margin(th.margin)
        .margin_right(th.margin * 2)
        .x_label_area_size(th.x_area)
        .y_label_area_size(th.y_area)
        .build_cartesian_2d(x, y)
        .viz()
}

/// Draw the legend of `chart` (series with a `.label(..)`), in the upper right corner.
pub(crate) fn draw_legend<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    th: &Theme,
) -> Result<(), VizError>
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    X: Ranged,
    Y: Ranged,
{
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(th.font(th.legend))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .draw()
        .viz()
}

/// A padded linear range covering `lo..hi` (a flat range is widened).
pub(crate) fn padded(lo: f64, hi: f64, frac: f64) -> std::ops::Range<f64> {
    if hi > lo {
        let p = (hi - lo) * frac;
        lo - p..hi + p
    } else {
        let p = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        lo - p..hi + p
    }
}

/// `0..hi·(1 + frac)` for non-negative quantities such as counts and densities.
pub(crate) fn from_zero(hi: f64, frac: f64) -> std::ops::Range<f64> {
    if hi > 0.0 { 0.0..hi * (1.0 + frac) } else { 0.0..1.0 }
}

/// A log range covering the positive `lo..hi`, widened by a factor `pad` on both ends.
pub(crate) fn log_span(lo: f64, hi: f64, pad: f64) -> std::ops::Range<f64> {
    let lo = lo / pad;
    let hi = if hi > lo * pad * pad { hi * pad } else { lo * pad * pad * 10.0 };
    lo..hi
}

/// Minimum and maximum of finite values (None if empty).
pub(crate) fn min_max(v: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    v.into_iter().fold(None, |acc, x| match acc {
        None => Some((x, x)),
        Some((a, b)) => Some((a.min(x), b.max(x))),
    })
}

/// Stroke width for a polyline of `points` points over `pixels` pixels: 1 when the line is dense,
/// because plotters' wide polylines use miter joins that spike at the sharp turns of a noisy series.
pub(crate) fn zigzag_stroke(points: usize, pixels: u32, wide: u32) -> u32 {
    if points as f64 > f64::from(pixels) / 6.0 { 1 } else { wide }
}
