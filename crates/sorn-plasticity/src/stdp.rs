//! Spike-timing-dependent plasticity on E←E (SPEC §2.1).
//!
//! For every existing synapse j → i (Lazar et al. 2009, eq. 3; Zheng et al. 2013; identical in the
//! package, D, H and V2):
//!
//! ```text
//! ΔW^EE_ij = η_STDP · ( x_i(t+1) · x_j(t) − x_i(t) · x_j(t+1) )
//! ```
//!
//! Negative results become 0; with `upper` the weight is capped (1 in the package and D, none in V2, where
//! SN bounds it). With `prune_below = Some(ε)` a synapse whose weight is ≤ 0 or < ε is removed from the
//! structure (D/V2: ε = 1e−10; the package: ε = 0, i.e. weights that reach 0 are never updated again,
//! SPEC §7.1.14). With `None` zero weights stay stored and can be re-potentiated (V2 Grammar/Text tasks).
//!
//! Cost: only rows whose postsynaptic unit spiked at t or t+1 are visited, ~2 × 10 % of the synapses.

use crate::rowset::{RowSet, sorted_union};
use serde::{Deserialize, Serialize};
use sorn_core::error::{ParamError, check_range};
use sorn_core::sparse::ROW_FLAG;
use sorn_core::{Parallelism, PlasticParts};

/// STDP parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StdpParams {
    /// η_STDP (0.004 in Z13/DP17 and the package, 0.001 in L09).
    pub eta: f64,
    /// Upper weight bound, or none.
    #[serde(default)]
    pub upper: Option<f64>,
    /// Pruning threshold ε: synapses with w ≤ 0 or w < ε are removed. None keeps zero weights stored.
    #[serde(default)]
    pub prune_below: Option<f64>,
}

impl StdpParams {
    pub(crate) fn check(&self) -> Result<(), ParamError> {
        check_range("plasticity.stdp.eta", self.eta, 0.0, 1.0)?;
        if let Some(u) = self.upper {
            check_range("plasticity.stdp.upper", u, f64::MIN_POSITIVE, 1e6)?;
        }
        if let Some(e) = self.prune_below {
            check_range("plasticity.stdp.prune_below", e, 0.0, 0.1)?;
        }
        Ok(())
    }
}

/// Applies STDP to `net.w_ee`; rows that were visited are added to `dirty`. Returns the number of pruned
/// synapses. `rows` is a scratch buffer.
pub fn apply(
    p: &StdpParams,
    net: PlasticParts<'_>,
    dirty: &mut RowSet,
    rows: &mut Vec<u32>,
    par: Parallelism,
) -> usize {
    sorted_union(net.x_prev.active(), net.x.active(), rows);
    let (x_prev, x) = (net.x_prev.bits(), net.x.bits());
    let eta = p.eta;
    let upper = p.upper.unwrap_or(f64::INFINITY);
    let do_prune = p.prune_below.is_some();
    let eps = p.prune_below.unwrap_or(0.0);
    // A weight is pruned where w ≤ 0 or w < ε; for weights ≥ 0 that is one comparison, w ≤ prune_at, with
    // prune_at = 0 for ε = 0 and the largest double below ε otherwise.
    let prune_at = if eps > 0.0 { f64::from_bits(eps.to_bits() - 1) } else { 0.0 };
    // One pass per row: update, and flag the row when it holds a weight to prune (changed this step or
    // not, exactly as a separate pruning pass over the visited rows would find).
    net.w_ee.for_rows_mut_flag(rows, par, |i, cols, vals| {
        let post_new = i32::from(x[i]);
        let post_old = i32::from(x_prev[i]);
        // d and η·d for the four (x_j(t), x_j(t+1)) of a presynaptic unit, indexed by x_j(t) + 2·x_j(t+1).
        let d_of = |c: i32| post_new * (c & 1) - post_old * (c >> 1);
        let change = [0, 1, 2, 3].map(|c| eta * f64::from(d_of(c)));
        let moves = [0, 1, 2, 3].map(|c| d_of(c) != 0);
        let mut prune = false;
        for (w, &j) in vals.iter_mut().zip(cols) {
            let j = j as usize;
            let c = usize::from(x_prev[j] | (x[j] << 1));
            // Branch-free: the new value is computed always and kept only where d ≠ 0. The clamp to
            // [0, upper] compares instead of calling f64::max/min: the same value for every non-NaN sum
            // (weights and η are finite), without their NaN fix-ups in the innermost loop.
            let v = *w + change[c];
            let v = if v < 0.0 { 0.0 } else { v };
            let v = if v > upper { upper } else { v };
            let v = if moves[c] { v } else { *w };
            *w = v;
            prune |= v <= prune_at;
        }
        do_prune && prune
    });
    let mut pruned = 0;
    for r in rows.iter_mut() {
        if *r & ROW_FLAG != 0 {
            *r &= !ROW_FLAG;
            pruned += net.w_ee.prune_row(*r as usize, |w| w <= 0.0 || w < eps);
        }
        dirty.insert(*r);
    }
    pruned
}
