//! Experiments that reproduce the papers' tasks (see `EXPERIMENTS.md` at the repository root and
//! SPEC §4–5): each module has a parameter struct with `full()` (the SPEC's sizes) and `quick()` (a
//! few seconds, for tests), a `run` function returning serialisable results, and a `write` function
//! that puts `results.json` and figures into a run directory. `sorn experiment NAME` is the command
//! line front end; `examples/NAME.rs` shows the library use.
//!
//! Every seed builds its own [`crate::Sorn`]; seeds run in parallel (rayon) and each seed's result
//! depends on its seed only.

pub mod avalanches;
pub mod cartpole;
pub mod common;
pub mod counting;
pub mod frozen_plasticity;
pub mod noise_sweep;
pub mod plot;
pub mod random_sequence;
pub mod tasks;
