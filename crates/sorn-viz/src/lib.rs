//! SORN figures rendered in pure Rust: plotters with an embedded DejaVu Sans subset (Latin, Greek, math
//! symbols; Bitstream Vera licence in `assets/DejaVuSans-LICENSE.txt`), no fontconfig at build or run time.
//!
//! Every figure is a function taking plain data, fit parameters as plain numbers, an output path and an
//! image size `(width, height)` in pixels. The format follows the extension (`.png`, `.svg`). Data are
//! validated before anything is written; the figure is rendered in memory, checked to be non-blank,
//! written to a temporary file in the same directory and renamed, so an error never leaves a file behind.
//!
//! Conventions: spike trains are T × N (`train[t][i]`, rows = time steps, any non-zero value = spike);
//! weight matrices for [`degrees`] say their [`Layout`]; `weights` slices are flattened matrices.

mod axes;
mod data;
mod error;
mod figures;
mod fits;
mod font;
mod hist;
mod output;
mod series;

pub use axes::fmt_tick;
pub use data::{Degree, Layout, Spike, degrees, inter_spike_intervals, population_activity};
pub use error::VizError;
pub use figures::avalanches::*;
pub use figures::network::*;
pub use figures::spikes::{firing_rate_histogram, isi_histogram, raster_plot, scatter_plot};
pub use figures::traces::*;
pub use figures::weights::*;
pub use fits::*;
pub use font::{FONT_BYTES, ensure_font};
pub use hist::Binning;
pub use output::{Format, MAX_SIDE, MIN_SIZE, check_size};

/// Figure kinds (name, description), for a `sorn plot KIND …` command. Each name maps to one function.
pub fn kinds() -> &'static [(&'static str, &'static str)] {
    &[
        ("weights", "weight_distribution: histogram of weights ≥ 0.01 (flattened weight matrix)"),
        (
            "lognormal",
            "lognormal_fit: weight density with lognormal pdf, mode/median/mean lines; linear and log x",
        ),
        ("raster", "raster_plot: '|' per spike of a T × N spike train"),
        ("scatter", "scatter_plot: spike dots plus active units per step (secondary axis)"),
        ("in-degree", "degree_histogram(In): density of incoming connections per unit with normal pdf"),
        ("out-degree", "degree_histogram(Out): density of outgoing connections per unit with normal pdf"),
        ("firing-rate", "firing_rate_histogram: active units per step, silent steps removed"),
        (
            "correlation",
            "correlation_heatmap: lower triangle of a correlation matrix, diverging colours centred at 0",
        ),
        ("isi", "isi_histogram: inter-spike intervals of one unit with a·exp(−b·x) − c"),
        ("network", "network_graph: correlation graph above a threshold, circular layout"),
        ("connections", "connection_dynamics: number of connections vs step"),
        ("connection-fraction", "connection_fraction: fraction of possible connections vs step"),
        ("hamming", "hamming_distance: Hamming distance vs step"),
        ("avalanche-sizes", "avalanche_distribution(Size): log-log pmf with power-law and truncated fits"),
        (
            "avalanche-durations",
            "avalanche_distribution(Duration): log-log pmf with power-law and truncated fits",
        ),
        ("mean-size", "mean_size_vs_duration: ⟨S⟩(T) on log-log with slope (α−1)/(τ−1) and reference slope"),
        ("activity", "activity_binomial: activity histogram against Binomial(N_E, h_IP)"),
        ("threshold-rate", "threshold_rate_traces: mean threshold and population rate vs step"),
    ]
}
