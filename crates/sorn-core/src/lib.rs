//! # sorn-core
//!
//! The Self-Organizing Recurrent Neural Network's data and state update: sparse weight matrices stored by
//! postsynaptic row ([`SparseWeights`], stored in f64 or f32 behind [`WeightMatrix`], see [`Precision`]),
//! network parameters with their validation ([`NetworkParams`] →
//! [`CheckedNetworkParams`]), initialisation (SPEC §3), named random streams and one [`Network::step`]
//! (SPEC §1). Plasticity lives in `sorn-plasticity`; the simulator in the facade crate `sorn`.
//!
//! Architecture invariants: this crate depends on no other crate of the workspace and does no file or
//! terminal IO. Matrices are named by direction, row = postsynaptic: `w_ee` (E←E), `w_ei` (E←I),
//! `w_ie` (I←E), `w_eu` (E←input).

mod avx2;
mod dense;
pub mod error;
mod fire;
pub mod footprint;
mod heap;
mod hugepages;
pub mod init;
pub mod matrix;
pub mod network;
mod normal;
pub mod parallel;
pub mod params;
pub mod precision;
pub mod rng;
pub mod sparse;

pub use error::{CoreError, ParamError};
pub use matrix::WeightMatrix;
pub use network::{Input, Network, NetworkState, PlasticParts, Spikes};
pub use parallel::Parallelism;
pub use params::{
    CheckedNetworkParams, Connectivity, InhibitionInput, InitialState, InputParams, NetworkParams, Noise,
    ThresholdInit, ThresholdRule,
};
pub use precision::{Precision, Weight};
pub use rng::{SornRng, Stream, stream_rng};
pub use sparse::{CsrParts, SparseWeights};
