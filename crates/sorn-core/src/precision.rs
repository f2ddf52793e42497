//! How synaptic weights are stored: as f64 (the default, and every reference run) or as f32, which halves
//! the memory of the values of every matrix (the "f32 weights where precision allows").
//!
//! The arithmetic is f64 in both cases: a rule reads a stored weight as f64, computes its change in f64
//! and stores the result rounded to the storage type (round to nearest); drives are summed in f64. With
//! f32 storage every stored weight thus carries a relative rounding error of at most 2⁻²⁴ ≈ 6·10⁻⁸ per
//! write, and a row normalised by SN sums to 1 within about 2⁻²⁴ (each quotient's relative error,
//! weighted by the quotients, which sum to 1) instead of a few 1e-16. The dynamics are chaotic, so runs
//! of the two precisions part ways after some hundred steps, like runs with different seeds;
//! BENCHMARKS.md ("f32 weights") compares their statistics.

use serde::{Deserialize, Serialize};

/// The storage type of the synaptic weights (`network.precision`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 8 bytes per weight; bitwise the results of every earlier version.
    #[default]
    F64,
    /// 4 bytes per weight, computed in f64 and rounded when stored.
    F32,
}

impl Precision {
    /// The name used in configuration files (`f64`, `f32`).
    pub fn name(self) -> &'static str {
        match self {
            Precision::F64 => "f64",
            Precision::F32 => "f32",
        }
    }
}

/// A storage type of weights. Sealed: implemented for `f64` and `f32` only.
pub trait Weight:
    Copy + Default + PartialEq + PartialOrd + Send + Sync + std::fmt::Debug + sealed::Sealed + 'static
{
    /// The storage type's precision.
    const PRECISION: Precision;
    /// The stored value, widened to f64 (exact).
    fn to_f64(self) -> f64;
    /// `x` rounded to the storage type (to nearest; the identity for f64).
    fn from_f64(x: f64) -> Self;
}

impl Weight for f64 {
    const PRECISION: Precision = Precision::F64;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x
    }
}

impl Weight for f32 {
    const PRECISION: Precision = Precision::F32;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x as f32
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f64 {}
    impl Sealed for f32 {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f64_is_the_identity_and_f32_rounds_to_nearest() {
        for x in [0.0, 1.0, 0.1, 1e-300, -2.5, f64::MAX] {
            assert_eq!(f64::from_f64(x).to_bits(), x.to_bits());
        }
        // 1 + 2⁻²⁴ lies halfway between 1 and the next f32: ties go to even (1); just above, up.
        assert_eq!(f32::from_f64(1.0 + 2f64.powi(-24)), 1.0);
        assert_eq!(f32::from_f64(1.0 + 2f64.powi(-24) + 2f64.powi(-40)), 1.0 + f32::EPSILON);
        assert_eq!(f32::from_f64(0.1).to_f64(), f64::from(0.1f32));
        assert!((f32::from_f64(0.1).to_f64() - 0.1).abs() <= 0.1 * 2f64.powi(-24));
    }
}
