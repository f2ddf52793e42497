//! Inhibitory STDP on E←I (SPEC §2.4).
//!
//! ```text
//! ΔW^EI_ik = − η_inhib · y_k(t) · [ 1 − x_i(t+1) · (1 + 1/μ) ]
//! ```
//!
//! (Zheng et al. 2013; every code has the leading minus sign, the package's JOSS paper lacks it.) A firing
//! E unit gets η·y_k/μ more inhibition, a silent one η·y_k less, so its firing probability is driven to μ.
//! With `floor = Some(f)` (D, H, V2: 0.001) a weight that reaches ≤ 0 is set to f and the synapse stays;
//! with `None` (the package) weights are clipped to [0, upper] and a synapse reaching 0 is removed
//! (SPEC §7.1.6). Only the outgoing synapses of inhibitory units active at t are visited.

use crate::rowset::RowSet;
use serde::{Deserialize, Serialize};
use sorn_core::error::{ParamError, check_range};
use sorn_core::sparse::{ROW_FLAG, ROW_FLAG2, ROW_MARKS};
use sorn_core::{Parallelism, PlasticParts, SparseWeights, Spikes, Weight, with_matrix};

/// iSTDP parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IstdpParams {
    /// η_inhib (0.001).
    pub eta: f64,
    /// Target rate μ (0.1; the package's `mu_ip`).
    pub mu: f64,
    /// Weight floor f (0.001), or None for the package's pruning at 0.
    #[serde(default)]
    pub floor: Option<f64>,
    /// Upper bound (1).
    pub upper: f64,
}

impl IstdpParams {
    /// Whether a synapse can be pruned: with a positive floor every updated weight stays > 0.
    fn can_prune(&self) -> bool {
        !self.floor.is_some_and(|f| f > 0.0)
    }

    pub(crate) fn check(&self) -> Result<(), ParamError> {
        check_range("plasticity.istdp.eta", self.eta, 0.0, 1.0)?;
        check_range("plasticity.istdp.mu", self.mu, 1e-6, 1.0)?;
        check_range("plasticity.istdp.upper", self.upper, f64::MIN_POSITIVE, 1e6)?;
        if let Some(f) = self.floor {
            check_range("plasticity.istdp.floor", f, 0.0, self.upper)?;
        }
        Ok(())
    }
}

/// Applies iSTDP to `net.w_ei`; changed rows go to `dirty`. Returns the number of pruned synapses.
/// Sequential; see [`apply_par`].
pub fn apply(p: &IstdpParams, net: PlasticParts<'_>, dirty: &mut RowSet, prune_rows: &mut Vec<u32>) -> usize {
    apply_par(p, net, dirty, prune_rows, Parallelism::Sequential, false)
}

/// [`apply`] with a choice of traversal. Visiting the outgoing synapses of the active inhibitory units
/// (the columns) gathers one weight per synapse from a random place; when those are a large share of
/// W^EI, one pass over every row (streamed, split over threads by `par`) is cheaper. Every synapse gets
/// the same single update either way, and rows are pruned in increasing order either way, so the weights
/// are bitwise the same; only the order in which rows enter `dirty` can differ. The row pass is
/// therefore taken only when that order cannot matter: `dirty` already holds every row, or the caller
/// says it is drained (sorted) before anything else reads it (`dirty_drained_after`, e.g. SN on E←I later
/// in the same step).
pub fn apply_par(
    p: &IstdpParams,
    net: PlasticParts<'_>,
    dirty: &mut RowSet,
    prune_rows: &mut Vec<u32>,
    par: Parallelism,
    dirty_drained_after: bool,
) -> usize {
    // When nothing but this rule changes W^EI (no SN on E←I drains `dirty` after it, and a positive floor
    // means nothing is pruned), the column pass keeps a push cache valid (`SparseWeights::update_column`):
    // it then reads and writes only the active columns, contiguously (the rows are left stale until
    // something needs them), and the next step's E←I drive streams the same columns instead of passing
    // over every row. Built once (O(synapses)); anything else that changes W^EI drops it. It holds the
    // values in place of the rows (which are released), so it costs no memory once built.
    let only_writer = !dirty_drained_after && !p.can_prune();
    if only_writer && !net.w_ei.has_push_cache() {
        net.w_ei.build_push_cache();
    }
    let order_free = dirty_drained_after || dirty.len() == dirty.universe();
    if order_free && !net.w_ei.has_push_cache() && net.w_ei.rows_cheaper_than_columns(net.y_prev.active()) {
        apply_rows(p, net, dirty, prune_rows, par)
    } else {
        apply_columns(p, net, dirty, prune_rows, par)
    }
}

/// The new weight of a synapse updated by iSTDP, and whether it is to be pruned: w + Δ, capped at
/// `upper`; a result ≤ 0 becomes the floor (D) or 0 (the package's clip to [0, upper]; pruned). One formula
/// for both (clip and the floor agree on every non-NaN value up to the sign of a zero, and a zero is
/// pruned), so the per-synapse loop has no branch on the variant. The cap compares instead of calling
/// f64::min (same value for every non-NaN v; weights and η are finite). Computed in f64 from the stored
/// weight; the pruning test reads the value as stored (rounded, see [`Weight`]), as the pruning pass does.
#[inline(always)]
fn updated<V: Weight>(lo: f64, upper: f64, dw: &[f64; 2], w: V, post_fired: bool) -> (V, bool) {
    let w = changed(lo, upper, w, dw[usize::from(post_fired)]);
    (w, w.to_f64() <= 0.0)
}

/// [`updated`]'s weight for a change `d`: w + d, a result ≤ 0 replaced by `lo`, one above `upper` by
/// `upper`.
#[inline(always)]
fn changed<V: Weight>(lo: f64, upper: f64, w: V, d: f64) -> V {
    let v = w.to_f64() + d;
    V::from_f64(if v <= 0.0 {
        lo
    } else if v > upper {
        upper
    } else {
        v
    })
}

/// The two possible changes, for a silent and for a firing E unit (same arithmetic as −η·(1 − x·gain)
/// evaluated per synapse).
fn changes(p: &IstdpParams) -> [f64; 2] {
    let gain = 1.0 + 1.0 / p.mu;
    [-p.eta * (1.0 - 0.0 * gain), -p.eta * (1.0 - 1.0 * gain)]
}

/// iSTDP through the column index: the outgoing synapses of each active inhibitory unit. Rows enter
/// `dirty` in the order they are first reached.
fn apply_columns(
    p: &IstdpParams,
    net: PlasticParts<'_>,
    dirty: &mut RowSet,
    prune_rows: &mut Vec<u32>,
    par: Parallelism,
) -> usize {
    let PlasticParts { w_ei, x, y_prev, .. } = net;
    // Without pruning the loop needs no test for it.
    with_matrix!(w_ei, w => if p.can_prune() {
        columns_pass::<true, _>(p, w, [x, y_prev], dirty, prune_rows, par)
    } else {
        columns_pass::<false, _>(p, w, [x, y_prev], dirty, prune_rows, par)
    })
}

/// [`apply_columns`] for a variant that can (`PRUNES`) or cannot prune; `x` is x(t+1), `y_prev` y(t).
fn columns_pass<const PRUNES: bool, V: Weight>(
    p: &IstdpParams,
    w_ei: &mut SparseWeights<V>,
    [x, y_prev]: [&Spikes; 2],
    dirty: &mut RowSet,
    prune_rows: &mut Vec<u32>,
    par: Parallelism,
) -> usize {
    let x = x.bits();
    let dw = changes(p);
    let lo = p.floor.unwrap_or(0.0);
    prune_rows.clear();
    // Once every row is in `dirty` (e.g. when nothing normalises E←I and so drains it), inserting is a no-op.
    let track = dirty.len() < dirty.universe();
    if !PRUNES {
        // Nothing to prune: the columns can be updated in parallel (each synapse is in one column), a whole
        // column per call (`update_columns_par`; sequential below its threshold), by the vector kernel.
        debug_assert_eq!(w_ei.n_rows(), x.len());
        let (upper, table) = (p.upper, change_table(&dw, x));
        w_ei.update_columns_par(y_prev.active(), par, |rows, ws| update_column(rows, ws, &table, lo, upper));
        // Then the rows enter `dirty` as the loop below would add them: column by column, in row order.
        if track {
            for &k in y_prev.active() {
                for &i in w_ei.column_rows(k as usize) {
                    dirty.insert(i);
                }
            }
        }
        return 0;
    }
    for &k in y_prev.active() {
        w_ei.update_column(k as usize, |i, w| {
            let (v, prune) = updated(lo, p.upper, &dw, *w, x[i as usize] != 0);
            *w = v;
            if prune {
                prune_rows.push(i);
            }
            if track {
                dirty.insert(i);
            }
        });
    }
    prune_rows.sort_unstable();
    prune_rows.dedup();
    w_ei.prune_rows(prune_rows, |w| w <= 0.0)
}

/// Δ for every E unit i by its spike x_i(t+1) (`dw[x_i]`), padded with zeros to a power of two, so that
/// [`update_column`] can look it up as `table[i & (len − 1)]` without a bounds check (every row index is
/// < N_E, so the mask changes none), which lets the compiler turn its loop into vector code.
fn change_table(dw: &[f64; 2], x: &[u8]) -> Vec<f64> {
    let n = x.len().next_power_of_two();
    let mut table = Vec::with_capacity(n);
    table.extend(x.iter().map(|&b| dw[usize::from(b != 0)]));
    table.resize(n, 0.0);
    table
}

sorn_core::avx2_kernel! {
    /// The column pass's update of one column (`rows`, `ws`): [`updated`]'s value for each synapse, with
    /// Δ from [`change_table`]. Compiled for AVX2 as well (`avx2_kernel!`): four synapses per instruction
    /// (loading Δ, comparing and blending), the same value for each.
    fn update_column<V: Weight>(rows: &[u32], ws: &mut [V], table: &[f64], lo: f64, upper: f64) {
        assert!(table.len().is_power_of_two());
        let mask = table.len() - 1;
        for (&i, w) in rows.iter().zip(ws) {
            // SAFETY: `i & mask` ≤ mask < table.len().
            *w = changed(lo, upper, *w, unsafe { *table.get_unchecked(i as usize & mask) });
        }
    }
}

/// iSTDP as one pass over every row (in parallel with `par`), updating the synapses from inhibitory
/// units active at t. Rows enter `dirty` in increasing order.
fn apply_rows(
    p: &IstdpParams,
    net: PlasticParts<'_>,
    dirty: &mut RowSet,
    rows: &mut Vec<u32>,
    par: Parallelism,
) -> usize {
    let PlasticParts { w_ei, x, y_prev, .. } = net;
    with_matrix!(w_ei, w => row_pass(p, w, [x, y_prev], dirty, rows, par))
}

/// [`apply_rows`] on the typed matrix; `x` is x(t+1), `y_prev` y(t).
fn row_pass<V: Weight>(
    p: &IstdpParams,
    w_ei: &mut SparseWeights<V>,
    [x, y_prev]: [&Spikes; 2],
    dirty: &mut RowSet,
    rows: &mut Vec<u32>,
    par: Parallelism,
) -> usize {
    let (x, y) = (x.bits(), y_prev.bits());
    let dw = changes(p);
    let lo = p.floor.unwrap_or(0.0);
    rows.clear();
    rows.extend(0..w_ei.n_rows() as u32);
    // ROW_FLAG: a synapse of the row was updated; ROW_FLAG2: one of them is to be pruned.
    w_ei.for_rows_mut_mark(rows, par, |i, cols, vals| {
        let fired = x[i] != 0;
        let (mut touched, mut prune) = (false, false);
        for (w, &k) in vals.iter_mut().zip(cols) {
            if y[k as usize] != 0 {
                let (v, pr) = updated(lo, p.upper, &dw, *w, fired);
                *w = v;
                touched = true;
                prune |= pr;
            }
        }
        (if touched { ROW_FLAG } else { 0 }) | (if prune { ROW_FLAG2 } else { 0 })
    });
    let mut prunable = Vec::new();
    for &r in rows.iter() {
        let i = r & !ROW_MARKS;
        if r & ROW_FLAG != 0 {
            dirty.insert(i);
        }
        if r & ROW_FLAG2 != 0 {
            prunable.push(i);
        }
    }
    w_ei.prune_rows(&prunable, |w| w <= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testnet::{NE, network};
    use sorn_core::{Input, Stream, stream_rng};

    #[test]
    fn row_pass_equals_column_pass() {
        // `cached`: the column pass runs on a push cache, with every row already dirty, which is the
        // parallel pass that keeps the cache in step (`update_columns_par`).
        for (seed, floor, eta, cached) in [
            (1, Some(0.001), 0.001, false),
            (2, None, 0.001, false),
            (3, None, 0.02, false),
            (4, Some(0.0), 0.02, false),
            (5, Some(0.001), 0.001, true),
            (6, Some(0.001), 0.02, true),
        ] {
            let p = IstdpParams { eta, mu: 0.1, floor, upper: 1.0 };
            let mut a = network(seed, 10);
            // Every other case stores f32 weights: both traversals round the same f64 result.
            if seed % 2 == 0 {
                a.set_precision(sorn_core::Precision::F32);
            }
            // A network starts with W^EI folded into its push cache (`Network::new`).
            if !cached {
                a.w_ei.drop_push_cache();
            }
            assert!(a.w_ei.has_push_cache() == cached);
            let mut b = a.clone();
            let (mut da, mut db) = (RowSet::new(NE), RowSet::new(NE));
            let mut pa = 0;
            let mut pb = 0;
            for step in 0..40 {
                let par =
                    if step % 2 == 0 { Parallelism::Sequential } else { Parallelism::Rayon { min_rows: 4 } };
                if cached {
                    (da, db) = (RowSet::full(NE), RowSet::full(NE));
                }
                pa += apply_columns(&p, a.plastic_parts(), &mut da, &mut Vec::new(), par);
                assert_eq!(a.w_ei.has_push_cache(), cached, "seed {seed}, step {step}");
                pb += apply_rows(&p, b.plastic_parts(), &mut db, &mut Vec::new(), par);
                assert_eq!(a.w_ei, b.w_ei, "seed {seed}, step {step}");
                let (mut ra, mut rb) = (Vec::new(), Vec::new());
                da.drain_sorted(|r| ra.extend_from_slice(r));
                db.drain_sorted(|r| rb.extend_from_slice(r));
                assert_eq!(ra, rb);
                // Change the states (the weights stay equal: W^EI was just checked).
                let mut noise = stream_rng(seed + step, Stream::Noise);
                a.step(Input::None, &mut noise.clone());
                b.step(Input::None, &mut noise);
            }
            assert_eq!(pa, pb);
            if floor.is_none() && eta > 0.01 {
                assert!(pa > 0, "the test should prune some synapses");
            }
        }
    }
}
