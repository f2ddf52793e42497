//! Errors of the core crate.

use thiserror::Error;

/// A parameter outside its allowed range. The message names the field, the value and what is allowed.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("invalid value {value} for `{field}`: expected {expected}")]
pub struct ParamError {
    /// Dotted path of the field, e.g. `network.ne`.
    pub field: String,
    /// The offending value, as written.
    pub value: String,
    /// The allowed range or set.
    pub expected: String,
}

impl ParamError {
    pub fn new(field: impl Into<String>, value: impl ToString, expected: impl Into<String>) -> Self {
        ParamError { field: field.into(), value: value.to_string(), expected: expected.into() }
    }
}

/// Checks `lo <= v <= hi` (and finiteness), naming `field` on failure.
pub fn check_range(field: &str, v: f64, lo: f64, hi: f64) -> Result<(), ParamError> {
    if v.is_finite() && v >= lo && v <= hi {
        Ok(())
    } else {
        Err(ParamError::new(field, v, format!("a number in [{lo}, {hi}]")))
    }
}

/// Errors when building a network from user-supplied state.
#[derive(Debug, Error)]
pub enum CoreError {
    #[error(transparent)]
    Param(#[from] ParamError),
    #[error("invalid state: {0}")]
    State(String),
}
