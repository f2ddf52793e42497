//! Analysis of recorded SORN data: spike-raster statistics, Zheng-2013 weight statistics,
//! neuronal avalanches, discrete power-law fitting (as the Python `powerlaw` package), linear and
//! logistic readouts, and serialisable reports for the `sorn` command.
//!
//! The crate works on recorded data only: rasters are `T × N` [`ndarray::ArrayView2<u8>`] with
//! rows = time steps, activity series are slices, weights are flat `&[f64]`. It never needs the
//! simulator.

#![warn(missing_docs)]

pub mod avalanche;
pub mod error;
pub mod powerlaw;
pub mod readout;
pub mod report;
mod special;
pub mod stats;
pub mod weights;

pub use error::{AnalysisError, Result};
