//! Synaptic normalisation (SPEC §2.3).
//!
//! ```text
//! W_ij ← W_ij / Σ_k W_ik        for each postsynaptic unit i
//! ```
//!
//! (Lazar et al. 2009, eq. 5.) Applied to E←E and, in every code base, to E←I as well (`ei`; Zheng's paper
//! does not scale E←I). Only rows changed since their last normalisation are visited: an untouched row
//! already sums to 1. A row whose sum is 0 (every synapse pruned) is skipped and counted, where the package
//! and V2 would produce 0/0 = NaN and D divides by 1e−6 (SPEC §7.1.7).

use crate::rowset::RowSet;
use serde::{Deserialize, Serialize};
use sorn_core::{Parallelism, SparseWeights, Weight, WeightMatrix, with_matrix};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Which matrices are normalised.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnParams {
    /// Normalise E←E rows.
    pub ee: bool,
    /// Normalise E←I rows.
    pub ei: bool,
}

/// Normalises the rows in `dirty` (then empties it). Returns the number of rows skipped for a zero sum.
/// The sum and the quotients are f64, each quotient rounded when stored (see [`Weight`]): with f32
/// weights a normalised row sums to 1 within about 2⁻²⁴ ≈ 6·10⁻⁸ (the quotients' relative errors,
/// weighted by the quotients).
pub fn apply(w: &mut WeightMatrix, dirty: &mut RowSet, par: Parallelism) -> usize {
    with_matrix!(w, w => normalise(w, dirty, par))
}

/// [`apply`] on the typed matrix.
fn normalise<V: Weight>(w: &mut SparseWeights<V>, dirty: &mut RowSet, par: Parallelism) -> usize {
    let zero = AtomicUsize::new(0);
    dirty.drain_sorted(|rows| {
        w.for_rows_mut(rows, par, |_, _, vals| {
            let s: f64 = vals.iter().map(|v| v.to_f64()).sum();
            if s > 0.0 {
                for v in vals.iter_mut() {
                    *v = V::from_f64(v.to_f64() / s);
                }
            } else {
                zero.fetch_add(1, Ordering::Relaxed);
            }
        });
    });
    zero.into_inner()
}
