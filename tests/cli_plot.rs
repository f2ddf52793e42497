//! `sorn plot DIR` and `sorn plot KIND FILE -o OUT` run as a user would, on a small run directory.

mod common;

use common::cli::{scratch, small_run, stderr};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

fn sorn(args: &[&str]) -> Output {
    common::cli::sorn_in(args, None)
}

fn work() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = scratch("plot");
        small_run(&dir, 5);
        dir
    })
}

fn run_dir() -> PathBuf {
    work().join("run")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn plot_dir_writes_the_standard_set() {
    let o = sorn(&["plot", s(&run_dir())]);
    assert!(o.status.success(), "{}", stderr(&o));
    let plots = run_dir().join("plots");
    for name in [
        "raster",
        "scatter",
        "firing_rate",
        "activity",
        "connections",
        "connection_fraction",
        "threshold_rate",
        "weights",
        "lognormal",
        "in_degree",
        "out_degree",
        "correlation",
        "isi",
    ] {
        let p = plots.join(format!("{name}.png"));
        let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert!(bytes.len() > 1000 && bytes.starts_with(PNG_MAGIC), "{name}.png is not a PNG");
        assert_eq!(png_size(&bytes), (800, 600), "{name}.png");
    }
    let listed = String::from_utf8_lossy(&o.stdout);
    assert!(listed.contains("raster.png") && listed.contains("figures in"), "{listed}");
    // No temporary files are left behind.
    for e in std::fs::read_dir(&plots).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with('.'), "left over: {name}");
    }
}

#[test]
fn plot_dir_as_svg_into_another_directory_with_missing_series() {
    // A copy of the run without the raster: raster figures are skipped, the others drawn.
    let partial = work().join("partial");
    std::fs::create_dir_all(&partial).unwrap();
    for f in ["config.toml", "summary.json", "state.npz", "rate.npy", "threshold_mean.npy"] {
        std::fs::copy(run_dir().join(f), partial.join(f)).unwrap();
    }
    let out = work().join("svg-out");
    let o = sorn(&[
        "plot",
        s(&partial),
        "--out",
        s(&out),
        "--format",
        "svg",
        "--width",
        "640",
        "--height",
        "480",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!out.join("raster.svg").exists());
    assert!(!out.join("connections.svg").exists());
    for name in ["threshold_rate", "weights", "lognormal", "in_degree", "out_degree", "activity"] {
        let text = std::fs::read_to_string(out.join(format!("{name}.svg"))).unwrap();
        assert!(text.starts_with("<svg") && text.contains("width=\"640\""), "{name}.svg");
    }
}

#[test]
fn plot_single_figures() {
    let raster = run_dir().join("e_raster.npy");
    let svg = work().join("raster.svg");
    let o = sorn(&["plot", "raster", s(&raster), "-o", s(&svg)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg"));
    for label in ["time step", "neuron index", "Raster plot"] {
        assert!(text.contains(label), "the SVG lacks {label:?}");
    }
    let png = work().join("corr.png");
    let o = sorn(&["plot", "correlation", s(&raster), "-o", s(&png), "--width", "400", "--height", "300"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(PNG_MAGIC));
    assert_eq!(png_size(&bytes), (400, 300));
    for (kind, input) in [
        ("connections", run_dir().join("connections.npy")),
        ("weights", run_dir().join("state.npz")),
        ("in-degree", run_dir().join("state.npz")),
        ("isi", raster.clone()),
        ("activity", raster.clone()),
        ("firing-rate", raster.clone()),
    ] {
        let out = work().join(format!("{kind}.png"));
        let o = sorn(&["plot", kind, s(&input), "-o", s(&out)]);
        assert!(o.status.success(), "{kind}: {}", stderr(&o));
        assert!(std::fs::read(&out).unwrap().starts_with(PNG_MAGIC), "{kind}");
    }
}

#[test]
fn plot_errors_exit_2_with_one_line() {
    let raster = run_dir().join("e_raster.npy");
    let check = |o: &Output, needles: &[&str]| {
        let err = stderr(o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        for n in needles {
            assert!(err.contains(n), "{err:?} lacks {n:?}");
        }
    };
    let out = work().join("x.png");
    check(
        &sorn(&["plot", "spaghetti", s(&raster), "-o", s(&out)]),
        &["unknown figure kind `spaghetti`", "raster", "mean-size"],
    );
    assert!(!out.exists());
    check(&sorn(&["plot", "raster", s(&raster)]), &["needs -o"]);
    check(&sorn(&["plot", "raster", s(&raster), "-o", s(&work().join("x.jpg"))]), &[".png or .svg"]);
    check(&sorn(&["plot", "threshold-rate", s(&raster), "-o", s(&out)]), &["sorn plot DIR"]);
    check(&sorn(&["plot", s(&work().join("nothing-here"))]), &["not a run directory"]);
    check(&sorn(&["plot", "raster", s(&run_dir().join("rate.npy")), "-o", s(&out)]), &["2-D"]);
}
