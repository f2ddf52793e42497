//! The single error type of the crate.

use thiserror::Error;

/// Everything that can go wrong in `sorn-analysis`. Every variant names the problem and what was
/// expected, so that a CLI can print it unchanged.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum AnalysisError {
    /// An input that must hold data was empty.
    #[error("empty input: {what} must not be empty")]
    EmptyInput {
        /// What was empty.
        what: &'static str,
    },
    /// Two inputs (or one input and a parameter) have incompatible shapes.
    #[error("wrong shape for {what}: expected {expected}, got {got}")]
    ShapeMismatch {
        /// The offending input.
        what: &'static str,
        /// The shape that was expected, human readable.
        expected: String,
        /// The shape that was given, human readable.
        got: String,
    },
    /// A raster entry is neither 0 nor 1.
    #[error("non-binary raster: entry at (step {row}, neuron {col}) is {value}, expected 0 or 1")]
    NonBinaryRaster {
        /// Time step (row).
        row: usize,
        /// Neuron (column).
        col: usize,
        /// The offending value.
        value: u8,
    },
    /// A scalar parameter is out of its valid range.
    #[error("invalid parameter {name} = {value}: expected {expected}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// The given value, formatted.
        value: String,
        /// The valid range, human readable.
        expected: &'static str,
    },
    /// An index (neuron, class label, ...) is out of range.
    #[error("{what} index {index} out of range: expected < {len}")]
    IndexOutOfRange {
        /// What kind of index.
        what: &'static str,
        /// The given index.
        index: usize,
        /// The exclusive upper bound.
        len: usize,
    },
    /// A value in the data is not finite (NaN or infinite).
    #[error("non-finite value in {what} at position {index}")]
    NonFinite {
        /// The offending input.
        what: &'static str,
        /// Position of the first non-finite value.
        index: usize,
    },
    /// Too few samples for the requested quantity.
    #[error("too few samples for {what}: need at least {needed}, got {got}")]
    TooFewSamples {
        /// The quantity that could not be computed.
        what: &'static str,
        /// The minimum number needed.
        needed: usize,
        /// The number available.
        got: usize,
    },
    /// The quantity is mathematically undefined for this input (e.g. a correlation of a
    /// constant series, a Fano factor of a silent neuron).
    #[error("{what} is undefined: {reason}")]
    Undefined {
        /// The quantity.
        what: &'static str,
        /// Why it is undefined.
        reason: &'static str,
    },
    /// A numerical method failed (singular matrix, SVD did not converge, ...).
    #[error("numerical failure in {what}: {reason}")]
    Numerical {
        /// The method.
        what: &'static str,
        /// What failed.
        reason: String,
    },
}

/// Shorthand result type.
pub type Result<T> = std::result::Result<T, AnalysisError>;
