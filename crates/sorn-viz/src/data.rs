//! Input validation and the small data transforms the figures need (spike counts, inter-spike
//! intervals, in/out degrees). Spike trains are T × N: one row per time step, one column per unit.

use crate::error::VizError;

/// An element of a spike train: any non-zero value is a spike.
pub trait Spike: Copy {
    fn is_spike(self) -> bool;
}
impl Spike for bool {
    fn is_spike(self) -> bool {
        self
    }
}
macro_rules! spike_num {
    ($($t:ty),*) => {$(impl Spike for $t { fn is_spike(self) -> bool { self != (0 as $t) } })*};
}
spike_num!(u8, i8, u16, i16, u32, i32, u64, i64, usize, f32, f64);

/// Storage convention of a weight matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `w[i][j]` is the weight from presynaptic `j` to postsynaptic `i` (sorn-core, D, H, V2).
    PostPre,
    /// `w[i][j]` is the weight from presynaptic `i` to postsynaptic `j` (the Python `sorn` package).
    PrePost,
}

/// Which degree a degree histogram shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Degree {
    In,
    Out,
}

pub(crate) fn non_empty<T>(what: &'static str, v: &[T]) -> Result<(), VizError> {
    if v.is_empty() { Err(VizError::EmptyData { what }) } else { Ok(()) }
}

pub(crate) fn finite(what: &'static str, v: &[f64]) -> Result<(), VizError> {
    match v.iter().position(|x| !x.is_finite()) {
        Some(index) => Err(VizError::NonFinite { what, index, value: v[index] }),
        None => Ok(()),
    }
}

/// Non-empty and finite.
pub(crate) fn series(what: &'static str, v: &[f64]) -> Result<(), VizError> {
    non_empty(what, v)?;
    finite(what, v)
}

/// A finite parameter.
pub(crate) fn param(what: &'static str, v: f64) -> Result<(), VizError> {
    if v.is_finite() { Ok(()) } else { Err(VizError::NonFinite { what, index: 0, value: v }) }
}

pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> VizError {
    VizError::InvalidParameter { what, reason: reason.into() }
}

/// Rows of equal, non-zero length; returns (rows, cols).
pub(crate) fn rect<T>(what: &'static str, m: &[Vec<T>]) -> Result<(usize, usize), VizError> {
    non_empty(what, m)?;
    let cols = m[0].len();
    if cols == 0 {
        return Err(VizError::EmptyData { what });
    }
    if let Some(i) = m.iter().position(|r| r.len() != cols) {
        return Err(VizError::BadShape {
            what,
            reason: format!("row {i} has {} columns, row 0 has {cols}", m[i].len()),
        });
    }
    Ok((m.len(), cols))
}

/// A finite square f64 matrix; returns n.
pub(crate) fn square(what: &'static str, m: &[Vec<f64>]) -> Result<usize, VizError> {
    let (r, c) = rect(what, m)?;
    if r != c {
        return Err(VizError::BadShape { what, reason: format!("{r}×{c} is not square") });
    }
    for (i, row) in m.iter().enumerate() {
        if let Some(j) = row.iter().position(|x| !x.is_finite()) {
            return Err(VizError::NonFinite { what, index: i * c + j, value: row[j] });
        }
    }
    Ok(r)
}

/// Number of active units at every step of a T × N spike train.
pub fn population_activity<S: Spike>(train: &[Vec<S>]) -> Vec<u32> {
    train.iter().map(|row| row.iter().filter(|s| s.is_spike()).count() as u32).collect()
}

/// Inter-spike intervals (in steps) of unit `neuron` of a T × N spike train.
pub fn inter_spike_intervals<S: Spike>(train: &[Vec<S>], neuron: usize) -> Vec<f64> {
    let mut last = None;
    let mut out = Vec::new();
    for (t, row) in train.iter().enumerate() {
        if row.get(neuron).is_some_and(|s| s.is_spike()) {
            if let Some(l) = last {
                out.push((t - l) as f64);
            }
            last = Some(t);
        }
    }
    out
}

/// Number of non-zero (> 0) incoming or outgoing connections of every unit of a square weight matrix.
pub fn degrees(w: &[Vec<f64>], layout: Layout, degree: Degree) -> Vec<u32> {
    let n = w.len();
    let by_row = matches!((layout, degree), (Layout::PostPre, Degree::In) | (Layout::PrePost, Degree::Out));
    if by_row {
        w.iter().map(|r| r.iter().filter(|&&x| x > 0.0).count() as u32).collect()
    } else {
        let cols = w.iter().map(Vec::len).max().unwrap_or(0).max(if n == 0 { 0 } else { 1 });
        (0..cols).map(|j| w.iter().filter(|r| r.get(j).is_some_and(|&x| x > 0.0)).count() as u32).collect()
    }
}
