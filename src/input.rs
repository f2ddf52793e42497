//! Input sources: what the network receives at each step.

use rand::RngExt;
use sorn_core::SornRng;

/// What an [`InputSource`] produced for one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// No input.
    None,
    /// Raw values, written into the buffer the source was handed.
    Raw,
    /// This symbol's pool is driven.
    Symbol(usize),
}

/// A stream of inputs. `t` is the global step index (0 for the network's first step), so a source that
/// depends only on `t` and the `Input` random stream resumes exactly.
pub trait InputSource {
    /// The input of step `t`: either a symbol, or raw values written into `raw` (length `nu`).
    fn next(&mut self, t: u64, rng: &mut sorn_core::SornRng, raw: &mut [f64]) -> InputKind;
}

/// No input at all.
pub struct NoInput;

impl InputSource for NoInput {
    fn next(&mut self, _: u64, _: &mut SornRng, _: &mut [f64]) -> InputKind {
        InputKind::None
    }
}

/// Each raw value U[0, 1) afresh every step (the package README's `np.random.rand(nu, T)`).
pub struct UniformRandom;

impl InputSource for UniformRandom {
    fn next(&mut self, _: u64, rng: &mut SornRng, raw: &mut [f64]) -> InputKind {
        for v in raw.iter_mut() {
            *v = rng.random::<f64>();
        }
        InputKind::Raw
    }
}

/// A uniformly random symbol out of `symbols` every step.
pub struct RandomSymbols(pub usize);

impl InputSource for RandomSymbols {
    fn next(&mut self, _: u64, rng: &mut SornRng, _: &mut [f64]) -> InputKind {
        InputKind::Symbol(rng.random_range(0..self.0))
    }
}

/// Raw input from a matrix of shape nu × T stored column-major by step (`columns[t]` is the input at
/// step `offset + t`), cycling when the run is longer than T.
pub struct Matrix {
    columns: Vec<Vec<f64>>,
    offset: u64,
}

impl Matrix {
    /// `columns[t]` is the input vector of step `offset + t`; `offset` is the network's step count when
    /// the matrix starts to be used.
    pub fn new(columns: Vec<Vec<f64>>, offset: u64) -> Self {
        Matrix { columns, offset }
    }
}

impl InputSource for Matrix {
    fn next(&mut self, t: u64, _: &mut SornRng, raw: &mut [f64]) -> InputKind {
        if self.columns.is_empty() {
            return InputKind::None;
        }
        let k = (t.saturating_sub(self.offset) % self.columns.len() as u64) as usize;
        for (r, v) in raw.iter_mut().zip(&self.columns[k]) {
            *r = *v;
        }
        InputKind::Raw
    }
}

/// A fixed sequence of symbols, one per step, cycling.
pub struct SymbolSequence {
    symbols: Vec<usize>,
    offset: u64,
}

impl SymbolSequence {
    pub fn new(symbols: Vec<usize>, offset: u64) -> Self {
        SymbolSequence { symbols, offset }
    }
}

impl InputSource for SymbolSequence {
    fn next(&mut self, t: u64, _: &mut SornRng, _: &mut [f64]) -> InputKind {
        if self.symbols.is_empty() {
            return InputKind::None;
        }
        InputKind::Symbol(self.symbols[(t.saturating_sub(self.offset) % self.symbols.len() as u64) as usize])
    }
}
