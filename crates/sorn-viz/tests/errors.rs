//! Every error case returns the named error and leaves no file (not even a temporary one) behind.

mod common;
use common::*;
use sorn_viz::*;
use std::path::Path;

fn fails(name: &str, f: impl Fn(&Path) -> Result<(), VizError>, check: impl Fn(&VizError) -> bool) {
    let d = scratch(&format!("err-{name}"));
    for ext in ["png", "svg"] {
        let p = d.join(format!("out.{ext}"));
        match f(&p) {
            Ok(()) => panic!("{name}.{ext}: expected an error"),
            Err(e) => assert!(check(&e), "{name}.{ext}: unexpected error {e:?}"),
        }
    }
    assert!(files(&d).is_empty(), "{name}: files left behind: {:?}", files(&d));
}

#[test]
fn empty_data() {
    let e = |e: &VizError| matches!(e, VizError::EmptyData { .. });
    fails("empty-weights", |p| weight_distribution(&[], 10, p, SIZE), e);
    let empty: Vec<Vec<bool>> = vec![];
    fails("empty-train", |p| raster_plot(&empty, p, SIZE), e);
    let silent = vec![vec![false; 10]; 20];
    fails("silent-train", |p| scatter_plot(&silent, p, SIZE), e);
    fails("silent-rate", |p| firing_rate_histogram(&silent, 10, p, SIZE), e);
    fails("empty-isi", |p| isi_histogram(&[], 10, None, p, SIZE), e);
    fails("empty-degrees", |p| degree_histogram(&[], Degree::In, 10, None, p, SIZE), e);
    fails("empty-corr", |p| correlation_heatmap(&[], None, p, SIZE), e);
    fails("empty-trace", |p| hamming_distance(&[], Steps::default(), p, SIZE), e);
    fails(
        "empty-aval",
        |p| avalanche_distribution(&[], AvalancheKind::Size, Binning::Exact, None, None, p, SIZE),
        e,
    );
    fails(
        "zero-aval",
        |p| avalanche_distribution(&[0.0, 0.0], AvalancheKind::Size, Binning::Exact, None, None, p, SIZE),
        e,
    );
    fails("empty-activity", |p| activity_binomial(&[], 200, 0.1, p, SIZE), e);
    fails("empty-meansize", |p| mean_size_vs_duration(&[], &[], None, None, p, SIZE), e);
}

#[test]
fn all_zero_weights() {
    let z = vec![0.0; 100];
    let e = |e: &VizError| matches!(e, VizError::AllZeroWeights { .. });
    fails("zero-weights", |p| weight_distribution(&z, 10, p, SIZE), e);
    let fit = LognormalOverlay { mu: -2.0, sigma: 0.5 };
    fails("zero-lognormal", |p| lognormal_fit(&z, fit, 100, p, SIZE), e);
    assert!(LognormalOverlay::estimate(&z, WEIGHT_CUTOFF).is_none());
}

#[test]
fn non_finite_values() {
    let e = |e: &VizError| matches!(e, VizError::NonFinite { .. });
    fails("nan-weights", |p| weight_distribution(&[0.1, f64::NAN, 0.2], 10, p, SIZE), e);
    fails("inf-trace", |p| connection_dynamics(&[1.0, f64::INFINITY], Steps::default(), p, SIZE), e);
    let c = vec![vec![1.0, f64::NAN], vec![0.5, 1.0]];
    fails("nan-corr", |p| correlation_heatmap(&c, None, p, SIZE), e);
    let fit = PowerLawOverlay { exponent: f64::NAN, xmin: 1.0, xmax: None };
    fails(
        "nan-fit",
        |p| {
            avalanche_distribution(
                &[1.0, 2.0, 3.0],
                AvalancheKind::Size,
                Binning::Exact,
                Some(fit),
                None,
                p,
                SIZE,
            )
        },
        e,
    );
    fails("nan-threshold", |p| network_graph(&[vec![1.0, 0.5], vec![0.5, 1.0]], f64::NAN, p, SIZE), e);
}

#[test]
fn size_too_small_or_large() {
    let w = lognormal_weights(100, 1);
    fails(
        "small",
        |p| weight_distribution(&w, 10, p, (100, 80)),
        |e| matches!(e, VizError::SizeTooSmall { .. }),
    );
    fails("zero", |p| weight_distribution(&w, 10, p, (0, 0)), |e| matches!(e, VizError::SizeTooSmall { .. }));
    fails(
        "large",
        |p| weight_distribution(&w, 10, p, (100_000, 600)),
        |e| matches!(e, VizError::SizeTooLarge { .. }),
    );
}

#[test]
fn unknown_extension() {
    let w = lognormal_weights(100, 1);
    let d = scratch("err-ext");
    for name in ["out.jpg", "out", "out.png.txt", "out.pdf"] {
        let e = weight_distribution(&w, 10, &d.join(name), SIZE).unwrap_err();
        assert!(matches!(e, VizError::UnknownExtension { .. }), "{name}: {e:?}");
    }
    assert!(files(&d).is_empty());
}

#[test]
fn invalid_parameters_and_shapes() {
    let w = lognormal_weights(100, 1);
    let inv = |e: &VizError| matches!(e, VizError::InvalidParameter { .. });
    fails("zero-bins", |p| weight_distribution(&w, 0, p, SIZE), inv);
    fails("bad-p", |p| activity_binomial(&[1.0, 2.0], 200, 1.5, p, SIZE), inv);
    fails("bad-sigma", |p| lognormal_fit(&w, LognormalOverlay { mu: 0.0, sigma: 0.0 }, 50, p, SIZE), inv);
    fails(
        "bad-xmax",
        |p| {
            avalanche_distribution(
                &[1.0, 2.0],
                AvalancheKind::Size,
                Binning::Exact,
                Some(PowerLawOverlay { exponent: 1.5, xmin: 10.0, xmax: Some(5.0) }),
                None,
                p,
                SIZE,
            )
        },
        inv,
    );
    let shape = |e: &VizError| matches!(e, VizError::BadShape { .. });
    fails("ragged", |p| raster_plot(&[vec![true, false], vec![true]], p, SIZE), shape);
    fails("not-square", |p| correlation_heatmap(&[vec![1.0, 0.0]], None, p, SIZE), shape);
    fails("len-mismatch", |p| mean_size_vs_duration(&[1.0, 2.0], &[1.0], None, None, p, SIZE), shape);
}

#[test]
fn missing_directory_is_an_io_error_without_leftovers() {
    let w = lognormal_weights(100, 1);
    let d = scratch("err-io");
    let e = weight_distribution(&w, 10, &d.join("no/such/dir/out.png"), SIZE).unwrap_err();
    assert!(matches!(e, VizError::Io { .. }), "{e:?}");
    assert!(files(&d).is_empty());
}

#[test]
fn failed_overwrite_keeps_old_file() {
    // An error while replacing an existing figure leaves the old file untouched.
    let w = lognormal_weights(500, 1);
    let d = scratch("err-keep");
    let p = d.join("w.png");
    weight_distribution(&w, 10, &p, SIZE).unwrap();
    let before = std::fs::read(&p).unwrap();
    assert!(weight_distribution(&[0.0; 10], 10, &p, SIZE).is_err());
    assert_eq!(std::fs::read(&p).unwrap(), before);
    assert_eq!(files(&d), vec!["w.png".to_string()]);
}
