//! A small SVG line chart for experiment curves (accuracy vs n, error vs lag, episode length vs
//! episode), with optional error bars and a logarithmic x axis. `sorn-viz` draws the avalanche figures;
//! this covers the plain x–y curves it has no function for. Output is SVG text only.

use std::fmt::Write as _;
use std::path::Path;

/// One curve. `lo`/`hi`, when given, are drawn as vertical error bars at each point.
#[derive(Clone, Debug, Default)]
pub struct Series {
    pub label: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub lo: Option<Vec<f64>>,
    pub hi: Option<Vec<f64>>,
    /// Draw markers at the points.
    pub markers: bool,
}

/// Axes and title of a [`line_chart`].
#[derive(Clone, Debug, Default)]
pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub log_x: bool,
    /// Fixed y range; `None` = from the data.
    pub y_range: Option<(f64, f64)>,
    /// Horizontal reference lines (value, label).
    pub hlines: Vec<(f64, String)>,
}

const COLORS: [&str; 8] =
    ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn nice_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let span = (hi - lo).max(1e-12);
    let raw = span / n as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|&s| s >= raw).unwrap_or(10.0 * mag);
    let mut t = (lo / step).ceil() * step;
    let mut v = Vec::new();
    while t <= hi + 1e-9 * span {
        v.push(if t.abs() < 1e-12 * span { 0.0 } else { t });
        t += step;
    }
    v
}

fn fmt_num(v: f64) -> String {
    if v != 0.0 && (v.abs() >= 1e5 || v.abs() < 1e-3) {
        format!("{v:.0e}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Renders the chart as an SVG file (800 × 500).
pub fn line_chart(path: &Path, chart: &Chart, series: &[Series]) -> std::io::Result<()> {
    let (w, h) = (800.0, 500.0);
    let (ml, mr, mt, mb) = (80.0, 200.0, 50.0, 60.0);
    let tx = |x: f64| if chart.log_x { x.max(1e-300).log10() } else { x };
    let pts = series.iter().flat_map(|s| s.x.iter().copied().filter(|x| x.is_finite()));
    let (mut x0, mut x1) =
        pts.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(tx(x)), b.max(tx(x))));
    if !x0.is_finite() {
        (x0, x1) = (0.0, 1.0);
    }
    if x1 - x0 < 1e-12 {
        x0 -= 0.5;
        x1 += 0.5;
    }
    let pad = 0.04 * (x1 - x0);
    let (x0, x1) = (x0 - pad, x1 + pad);
    let (y0, y1) = chart.y_range.unwrap_or_else(|| {
        let ys = series.iter().flat_map(|s| {
            s.y.iter()
                .chain(s.lo.iter().flatten())
                .chain(s.hi.iter().flatten())
                .copied()
                .filter(|v| v.is_finite())
        });
        let (a, b) = ys
            .chain(chart.hlines.iter().map(|h| h.0))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| (a.min(y), b.max(y)));
        if !a.is_finite() {
            (0.0, 1.0)
        } else if b - a < 1e-12 {
            (a - 0.5, b + 0.5)
        } else {
            (a - 0.05 * (b - a), b + 0.05 * (b - a))
        }
    });
    let px = |x: f64| ml + (tx(x) - x0) / (x1 - x0) * (w - ml - mr);
    let py = |y: f64| h - mb - (y - y0) / (y1 - y0) * (h - mt - mb);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans, Arial, sans-serif" font-size="13">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{}" y="28" font-size="16" text-anchor="middle">{}</text>"#,
        (ml + w - mr) / 2.0,
        esc(&chart.title)
    );
    // axes and ticks
    let _ = writeln!(
        s,
        r#"<rect x="{ml}" y="{mt}" width="{}" height="{}" fill="none" stroke="black"/>"#,
        w - ml - mr,
        h - mt - mb
    );
    let xt: Vec<f64> = if chart.log_x {
        let (a, b) = (x0.ceil() as i32, x1.floor() as i32);
        let mut v = Vec::new();
        for e in a - 1..=b {
            for m in [1.0, 2.0, 5.0] {
                let t = m * 10f64.powi(e);
                if t.log10() >= x0 && t.log10() <= x1 {
                    v.push(t);
                }
            }
        }
        v
    } else {
        nice_ticks(x0, x1, 8)
    };
    for t in xt {
        let x = px(t);
        let _ = writeln!(
            s,
            r#"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{}" stroke="black"/>"#,
            h - mb,
            h - mb + 5.0
        );
        let _ = writeln!(
            s,
            r#"<text x="{x:.1}" y="{}" text-anchor="middle">{}</text>"#,
            h - mb + 20.0,
            fmt_num(t)
        );
    }
    for t in nice_ticks(y0, y1, 6) {
        let y = py(t);
        let _ =
            writeln!(s, r##"<line x1="{ml}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#e0e0e0"/>"##, w - mr);
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            ml - 8.0,
            y + 4.0,
            fmt_num(t)
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
        (ml + w - mr) / 2.0,
        h - 15.0,
        esc(&chart.x_label)
    );
    let _ = writeln!(
        s,
        r#"<text x="20" y="{0}" text-anchor="middle" transform="rotate(-90 20 {0})">{1}</text>"#,
        (mt + h - mb) / 2.0,
        esc(&chart.y_label)
    );
    for (v, label) in &chart.hlines {
        if *v >= y0 && *v <= y1 {
            let y = py(*v);
            let _ = writeln!(
                s,
                r##"<line x1="{ml}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#555" stroke-dasharray="6,4"/>"##,
                w - mr
            );
            let _ = writeln!(
                s,
                r##"<text x="{}" y="{:.1}" fill="#555">{}</text>"##,
                w - mr + 6.0,
                y + 4.0,
                esc(label)
            );
        }
    }
    let clip = |y: f64| y.clamp(y0, y1);
    for (k, se) in series.iter().enumerate() {
        let c = COLORS[k % COLORS.len()];
        let path: Vec<String> =
            se.x.iter()
                .zip(&se.y)
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .map(|(&x, &y)| format!("{:.1},{:.1}", px(x), py(clip(y))))
                .collect();
        if !path.is_empty() {
            let _ = writeln!(
                s,
                r#"<polyline points="{}" fill="none" stroke="{c}" stroke-width="2"/>"#,
                path.join(" ")
            );
        }
        if let (Some(lo), Some(hi)) = (&se.lo, &se.hi) {
            for ((&x, &l), &u) in se.x.iter().zip(lo).zip(hi) {
                if l.is_finite() && u.is_finite() {
                    let xx = px(x);
                    let (a, b) = (py(clip(l)), py(clip(u)));
                    let _ = writeln!(
                        s,
                        r#"<line x1="{xx:.1}" y1="{a:.1}" x2="{xx:.1}" y2="{b:.1}" stroke="{c}" stroke-width="1.5"/>"#
                    );
                    for yy in [a, b] {
                        let _ = writeln!(
                            s,
                            r#"<line x1="{:.1}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="{c}"/>"#,
                            xx - 4.0,
                            xx + 4.0
                        );
                    }
                }
            }
        }
        if se.markers {
            for (&x, &y) in se.x.iter().zip(&se.y) {
                if x.is_finite() && y.is_finite() {
                    let _ = writeln!(
                        s,
                        r#"<circle cx="{:.1}" cy="{:.1}" r="4" fill="{c}"/>"#,
                        px(x),
                        py(clip(y))
                    );
                }
            }
        }
        let ly = mt + 10.0 + 22.0 * k as f64;
        let _ = writeln!(
            s,
            r#"<line x1="{}" y1="{ly}" x2="{}" y2="{ly}" stroke="{c}" stroke-width="3"/>"#,
            w - mr + 10.0,
            w - mr + 34.0
        );
        let _ = writeln!(s, r#"<text x="{}" y="{}">{}</text>"#, w - mr + 40.0, ly + 4.0, esc(&se.label));
    }
    s.push_str("</svg>\n");
    std::fs::write(path, s)
}
