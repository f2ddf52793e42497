//! Every figure renders to a non-blank PNG of the requested size with drawn title pixels, and to an SVG
//! holding its axis labels; no stray files are left.

mod common;
use common::*;
use sorn_viz::*;
use std::path::{Path, PathBuf};

/// Render `f` to .png and .svg in a scratch dir, check both, and return the dir.
fn both(name: &str, svg_texts: &[&str], f: impl Fn(&Path) -> Result<(), VizError>) -> PathBuf {
    let d = scratch(name);
    let png = d.join(format!("{name}.png"));
    f(&png).unwrap_or_else(|e| panic!("{name}.png: {e}"));
    check_png(&png, SIZE);
    let svg = d.join(format!("{name}.svg"));
    f(&svg).unwrap_or_else(|e| panic!("{name}.svg: {e}"));
    check_svg(&svg, svg_texts);
    assert_eq!(files(&d), vec![format!("{name}.png"), format!("{name}.svg")]);
    d
}

fn correlation_matrix(n: usize, seed: u64) -> Vec<Vec<f64>> {
    // Correlations from a shared latent signal for units in the same group of 5.
    let mut r = Rng::new(seed);
    let t = 400;
    let x: Vec<Vec<f64>> = (0..n).map(|_| (0..t).map(|_| r.normal()).collect()).collect();
    let z: Vec<Vec<f64>> = (0..n / 5 + 1).map(|_| (0..t).map(|_| r.normal()).collect()).collect();
    let y: Vec<Vec<f64>> = (0..n).map(|i| (0..t).map(|k| x[i][k] + 0.8 * z[i / 5][k]).collect()).collect();
    let norm: Vec<Vec<f64>> = y
        .iter()
        .map(|v| {
            let m = v.iter().sum::<f64>() / t as f64;
            let s = (v.iter().map(|a| (a - m) * (a - m)).sum::<f64>()).sqrt();
            v.iter().map(|a| (a - m) / s).collect()
        })
        .collect();
    (0..n).map(|i| (0..n).map(|j| norm[i].iter().zip(&norm[j]).map(|(a, b)| a * b).sum()).collect()).collect()
}

fn avalanches(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut r = Rng::new(seed);
    let d: Vec<f64> = (0..n).map(|_| r.power_law(1.5).min(400.0)).collect();
    let s: Vec<f64> = d.iter().map(|&t| (t.powf(1.3) * (0.6 + 0.8 * r.uniform())).round().max(1.0)).collect();
    (s, d)
}

#[test]
fn weight_distribution_renders() {
    let w = lognormal_weights(5000, 1);
    both("weights", &["synaptic weight w", "number of synapses", "Weight distribution"], |p| {
        weight_distribution(&w, 40, p, SIZE)
    });
}

#[test]
fn lognormal_fit_renders() {
    let w = lognormal_weights(5000, 2);
    let fit = LognormalOverlay::estimate(&w, WEIGHT_CUTOFF).unwrap();
    assert!((fit.mu + 2.5).abs() < 0.1 && (fit.sigma - 0.8).abs() < 0.1, "{fit:?}");
    both(
        "lognormal",
        &["synaptic weight w", "probability density", "median", "mode", "mean", "log scale"],
        |p| lognormal_fit(&w, fit, 200, p, SIZE),
    );
}

#[test]
fn raster_and_scatter_render() {
    let train = spike_train(300, 60, 0.08, 3);
    both("raster", &["time step", "neuron index", "Raster plot"], |p| raster_plot(&train, p, SIZE));
    both("scatter", &["time step", "neuron index", "active units", "population count"], |p| {
        scatter_plot(&train, p, SIZE)
    });
    // u8 trains work too.
    let t8: Vec<Vec<u8>> = train.iter().map(|r| r.iter().map(|&b| u8::from(b)).collect()).collect();
    both("raster-u8", &["time step"], |p| raster_plot(&t8, p, SIZE));
}

#[test]
fn degree_histograms_render() {
    let mut r = Rng::new(4);
    let n = 200;
    let w: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| if i != j && r.uniform() < 0.1 { r.uniform() } else { 0.0 }).collect())
        .collect();
    for (deg, name, label) in
        [(Degree::In, "in-degree", "in-degree"), (Degree::Out, "out-degree", "out-degree")]
    {
        let d = degrees(&w, Layout::PostPre, deg);
        assert_eq!(d.len(), n);
        let fit = NormalOverlay::estimate(&d.iter().map(|&x| f64::from(x)).collect::<Vec<_>>()).unwrap();
        both(name, &[label, "probability density", "normal pdf"], |p| {
            degree_histogram(&d, deg, 15, Some(fit), p, SIZE)
        });
    }
    // In-degree in post×pre storage is the out-degree in pre×post storage.
    assert_eq!(degrees(&w, Layout::PostPre, Degree::In), degrees(&w, Layout::PrePost, Degree::Out));
}

#[test]
fn firing_rate_and_isi_render() {
    let train = spike_train(2000, 100, 0.05, 5);
    both("firing-rate", &["active units per step", "number of steps"], |p| {
        firing_rate_histogram(&train, 20, p, SIZE)
    });
    let isi = inter_spike_intervals(&train, 7);
    assert!(isi.len() > 50);
    let fit = ExponentialOverlay { a: isi.len() as f64 * 0.2, b: 0.05, c: 0.0 };
    both("isi", &["inter-spike interval (steps)", "count", "exp("], |p| {
        isi_histogram(&isi, 25, Some(fit), p, SIZE)
    });
}

#[test]
fn correlation_heatmap_renders() {
    let c = correlation_matrix(40, 6);
    both("correlation", &["neuron i", "neuron j", "correlation", "Pairwise correlation"], |p| {
        correlation_heatmap(&c, None, p, SIZE)
    });
    // A matrix larger than 400 is block-averaged and still renders.
    let big: Vec<Vec<f64>> = (0..900)
        .map(|i| {
            (0..900).map(|j| if i == j { 1.0 } else { ((i * 7 + j * 3) % 11) as f64 / 50.0 - 0.1 }).collect()
        })
        .collect();
    let d = scratch("correlation-big");
    correlation_heatmap(&big, Some(0.1), &d.join("big.png"), SIZE).unwrap();
    check_png(&d.join("big.png"), SIZE);
}

#[test]
fn network_graph_renders() {
    let c = correlation_matrix(30, 7);
    both("network", &["Correlation network", "edges with correlation", "30 neurons"], |p| {
        network_graph(&c, 0.3, p, SIZE)
    });
    let c = correlation_matrix(200, 8);
    let d = scratch("network-200");
    network_graph(&c, 0.3, &d.join("n.png"), SIZE).unwrap();
    check_png(&d.join("n.png"), SIZE);
}

#[test]
fn traces_render() {
    let counts: Vec<f64> = (0..5000).map(|t| 4000.0 - 1500.0 * (1.0 - (-(t as f64) / 800.0).exp())).collect();
    both("connections", &["time step", "number of connections"], |p| {
        connection_dynamics(&counts, Steps::default(), p, SIZE)
    });
    let frac: Vec<f64> = counts.iter().map(|c| c / 39800.0).collect();
    both("connection-fraction", &["time step", "fraction of possible E←E connections"], |p| {
        connection_fraction(&frac, Steps { first: 0.0, every: 100.0 }, p, SIZE)
    });
    let ham: Vec<f64> = (0..300).map(|t| (t as f64 * 0.3).min(40.0) + (t % 7) as f64).collect();
    both("hamming", &["time step", "Hamming distance (units)"], |p| {
        hamming_distance(&ham, Steps::default(), p, SIZE)
    });
    let mut r = Rng::new(9);
    let th: Vec<f64> =
        (0..20000).map(|t| 0.5 + 0.3 * (1.0 - (-(t as f64) / 3000.0).exp()) + 0.01 * r.normal()).collect();
    let rate: Vec<f64> = (0..20000).map(|_| 0.1 + 0.02 * r.normal()).collect();
    both("threshold-rate", &["time step", "mean threshold ⟨T^E⟩", "population rate"], |p| {
        threshold_rate_traces(&th, &rate, Steps::default(), p, SIZE)
    });
}

#[test]
fn avalanche_distributions_render() {
    let (s, d) = avalanches(20000, 10);
    both("avalanche-sizes", &["avalanche size S", "probability P", "power law τ", "truncated τ*"], |p| {
        avalanche_distribution(
            &s,
            AvalancheKind::Size,
            Binning::Exact,
            Some(PowerLawOverlay { exponent: 1.38, xmin: 10.0, xmax: Some(1500.0) }),
            Some(TruncatedOverlay { exponent: 1.3, lambda: 1e-3, xmin: 10.0 }),
            p,
            SIZE,
        )
    });
    both("avalanche-durations", &["avalanche duration T (steps)", "probability P", "power law α"], |p| {
        avalanche_distribution(
            &d,
            AvalancheKind::Duration,
            Binning::Log { bins_per_decade: 10 },
            Some(PowerLawOverlay { exponent: 1.5, xmin: 6.0, xmax: Some(60.0) }),
            Some(TruncatedOverlay { exponent: 1.45, lambda: 0.002, xmin: 6.0 }),
            p,
            SIZE,
        )
    });
    both(
        "mean-size",
        &["avalanche duration T (steps)", "mean size ⟨S⟩", "(α−1)/(τ−1)", "reference slope 1.3"],
        |p| {
            mean_size_vs_duration(
                &s,
                &d,
                Some(ExponentRelation { alpha: 1.5, tau: 1.38 }),
                Some(1.3),
                p,
                SIZE,
            )
        },
    );
}

#[test]
fn activity_binomial_renders() {
    let mut r = Rng::new(11);
    let a: Vec<f64> = (0..20000).map(|_| (20.0 + 6.0 * r.normal()).round().max(0.0)).collect();
    both("activity", &["active excitatory units a(t)", "probability", "Binomial(n = 200, p = 0.1)"], |p| {
        activity_binomial(&a, 200, 0.1, p, SIZE)
    });
}

#[test]
fn other_sizes_and_uppercase_extension() {
    let w = lognormal_weights(2000, 12);
    let d = scratch("sizes");
    for size in [(240, 180), (1920, 1080), (600, 900)] {
        let p = d.join(format!("w{}x{}.PNG", size.0, size.1));
        weight_distribution(&w, 30, &p, size).unwrap();
        check_png(&p, size);
    }
}

#[test]
fn kinds_are_listed_once() {
    let k = kinds();
    assert!(k.len() >= 18);
    let mut names: Vec<&str> = k.iter().map(|x| x.0).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), k.len());
}

#[test]
fn tick_labels_are_compact() {
    assert_eq!(fmt_tick(0.0), "0");
    assert_eq!(fmt_tick(1000.0), "1000");
    assert_eq!(fmt_tick(1e-5), "10⁻⁵");
    assert_eq!(fmt_tick(0.25), "0.25");
    assert_eq!(fmt_tick(-2.0), "−2");
}
