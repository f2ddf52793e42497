//! One module per group of figures.

pub mod avalanches;
pub mod network;
pub mod spikes;
pub mod traces;
pub mod weights;
