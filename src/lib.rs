//! # sorn
//!
//! Self-Organizing Recurrent Neural Networks (Lazar et al. 2009, Zheng et al. 2013, Del Papa et al. 2017):
//! the facade of the workspace. It re-exports the layers ([`core`], [`plasticity`], [`analysis`], [`viz`])
//! and holds the simulator, its configuration and presets, input sources and recorders.
//!
//! ```
//! use sorn::prelude::*;
//!
//! // Zheng et al. 2013, seeded; 2 000 steps without input, recording the excitatory raster.
//! let config = sorn::Config::from_toml("preset = \"zheng2013\"\nseed = 7").unwrap().check().unwrap();
//! let mut sim = Sorn::new(&config);
//! let mut raster = Raster::new(Population::Excitatory, 1);
//! sim.run(2_000, &mut NoInput, &mut raster);
//! assert_eq!(raster.rows, 2_000);
//! let rate = raster.data.iter().map(|&b| b as f64).sum::<f64>() / raster.data.len() as f64;
//! assert!(rate > 0.0 && rate < 0.5);
//! ```

pub mod config;
pub mod experiments;
pub mod figures;
pub mod input;
pub mod io;
pub mod memory;
pub mod presets;
pub mod record;
pub mod runner;
pub mod simulator;
pub mod text;

pub use config::{CheckedConfig, Config, ConfigError, InputSpec, Phase, Record, RecordSpec, RunParams};
pub use simulator::Sorn;
pub use sorn_analysis as analysis;
pub use sorn_core as core;
pub use sorn_plasticity as plasticity;
pub use sorn_viz as viz;

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The names most programs need.
pub mod prelude {
    pub use crate::config::{CheckedConfig, Config, Phase};
    pub use crate::input::{InputSource, Matrix, NoInput, RandomSymbols, SymbolSequence, UniformRandom};
    pub use crate::record::{
        Activity, ConnectionCounts, ObserveFn, Observer, Population, Raster, RecurrentDrive, Thresholds,
        Weights,
    };
    pub use crate::simulator::Sorn;
    pub use sorn_core::{Input, Network, Parallelism};
    pub use sorn_plasticity::{Freeze, Rule};
}
