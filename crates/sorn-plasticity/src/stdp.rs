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
//! Cost: only synapses whose postsynaptic unit spiked at t or t+1 can change, ~2 × 10 % of them; of those
//! only the ones whose presynaptic unit spiked at the other time do (≈ 2 × 1 %). [`apply`] visits them
//! through the rows or through the columns.

use crate::rowset::{RowSet, sorted_union};
use serde::{Deserialize, Serialize};
use sorn_core::error::{ParamError, check_range};
use sorn_core::sparse::ROW_FLAG;
use sorn_core::{Parallelism, PlasticParts, SparseWeights, Spikes, Weight, with_matrix};

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

/// [`apply`] takes the column pass for a W^EE of at most this many synapses, the row pass above.
///
/// Measured with the kernels alone (one thread; zheng2013-like networks, 20 synapses per row, rate 0.1,
/// with IP, SP, iSTDP and SN between the calls): the column pass takes about as long as the row pass at
/// N_E = 200 (≈ 2 300 synapses) and ≈ 5 % less at N_E = 1 000 to 2 000 (16 000 to 36 000 synapses); from
/// N_E ≈ 2 500 (≈ 46 000 synapses) on it gains nothing, as its scattered accesses to the values miss the
/// first-level cache more often, and at N_E = 10 000 it takes ≈ 1.5 times as long.
pub const COLUMN_PASS_MAX_SYNAPSES: usize = 40_000;

/// Applies STDP to `net.w_ee`; rows that were visited (postsynaptic unit active at t or t+1) are added to
/// `dirty` in increasing order. Returns the number of pruned synapses. `rows` is a scratch buffer.
///
/// With pruning, a visited row loses every synapse with w ≤ 0 or w < ε as soon as it holds one, whether
/// that weight changed in this step or not (SN can leave a weight that small); rows are pruned in
/// increasing order.
///
/// Two traversals give bitwise the same weights, structure, pruned count and `dirty` (every synapse gets
/// the same single update; the same rows are pruned, in the same order, and enter `dirty` in the same
/// order); the size of W^EE chooses ([`COLUMN_PASS_MAX_SYNAPSES`]):
/// * a small W^EE takes the column pass (`apply_columns`), on the calling thread whatever `par`: it reads
///   the outgoing synapses of the units active at t or t+1, updates only those whose other end spiked at
///   the other time (≈ 1 in 10 of them), then scans the values of the visited rows for weights to prune.
///   Fewer instructions than the row pass, which computes the update for every synapse of the visited
///   rows. (At these sizes and a rate of 0.1 the row pass would not be split over threads anyway: at
///   most ≈ 400 visited rows, fewer than two chunks of [`Parallelism::rayon`].)
/// * a larger one takes the row pass (`apply_rows`): it streams the visited rows (with prefetch hints
///   once the values outgrow the cache) and splits them over threads by `par`.
pub fn apply(
    p: &StdpParams,
    net: PlasticParts<'_>,
    dirty: &mut RowSet,
    rows: &mut Vec<u32>,
    par: Parallelism,
) -> usize {
    if net.w_ee.nnz() <= COLUMN_PASS_MAX_SYNAPSES {
        apply_columns(p, net, dirty, rows)
    } else {
        apply_rows(p, net, dirty, rows, par)
    }
}

/// The weight below or at which a weight ≥ 0 is pruned with threshold `eps`: a weight is pruned where
/// w ≤ 0 or w < ε, which for weights ≥ 0 is one comparison, w ≤ prune_at, with prune_at = 0 for ε = 0 and
/// the largest double below ε otherwise.
fn prune_at(eps: f64) -> f64 {
    if eps > 0.0 { f64::from_bits(eps.to_bits() - 1) } else { 0.0 }
}

/// The new weight of a synapse that changes by `dw` = η·d (d = ±1; where d = 0 the weight is kept as it
/// is, not passed through here): w + dw clamped to [0, upper]. The clamp compares instead of calling
/// f64::max/min: the same value for every non-NaN sum (weights and η are finite), without their NaN
/// fix-ups in the innermost loop. Both traversals use it, so that they agree bit for bit. The result is
/// computed in f64 from the stored weight and rounded when stored (see [`Weight`]).
#[inline(always)]
fn updated(w: f64, dw: f64, upper: f64) -> f64 {
    let v = w + dw;
    let v = if v < 0.0 { 0.0 } else { v };
    if v > upper { upper } else { v }
}

/// Column entries [`update_where`] sorts out at a time (most columns have fewer: one block).
const BLOCK: usize = 128;

/// Applies `updated(w, dw, upper)` to the weights `vals[slots[k]]` of the column entries whose
/// postsynaptic unit `posts[k]` satisfies `moves`. Which entries move depends on the spikes (≈ 1 in 10),
/// so a branch on `moves` would often be mispredicted (measured: with a branching loop the column pass
/// runs ≈ 20 % fewer instructions but takes ≈ 7 % longer): the positions of the moving entries are first
/// written to `buf` without a branch, a block at a time, then updated.
#[inline(always)]
fn update_where<V: Weight>(
    posts: &[u32],
    slots: &[u32],
    vals: &mut [V],
    dw: f64,
    upper: f64,
    buf: &mut [u8; 256],
    moves: impl Fn(usize) -> bool,
) {
    let mut start = 0;
    while start < posts.len() {
        let end = posts.len().min(start + BLOCK);
        // Always write, advance only for a moving entry: m ≤ k < BLOCK < 256, so neither the u8 nor the
        // index into the 256 bytes can overflow (no bounds check needed), and k fits a byte.
        let mut m = 0u8;
        for (k, &i) in posts[start..end].iter().enumerate() {
            buf[usize::from(m)] = k as u8;
            m += u8::from(moves(i as usize));
        }
        let ss = &slots[start..end];
        for &k in &buf[..usize::from(m)] {
            let w = &mut vals[ss[usize::from(k)] as usize];
            *w = V::from_f64(updated(w.to_f64(), dw, upper));
        }
        start = end;
    }
}

/// Whether a row holds a weight to prune (a plain reduction, which the compiler can vectorise).
#[inline]
fn holds_prunable<V: Weight>(vals: &[V], prune_at: f64) -> bool {
    vals.iter().fold(false, |any, &w| any | (w.to_f64() <= prune_at))
}

/// STDP through the column index (see [`apply`]): for every presynaptic unit j active at t or t+1, the
/// outgoing synapses j → i with d = x_i(t+1)·x_j(t) − x_i(t)·x_j(t+1) ≠ 0 are updated; that needs only
/// the postsynaptic bit at the other time, or both when j spiked at t and t+1. Every such i is active at
/// t or t+1 itself, so these are exactly the synapses the row pass changes. Then the visited rows are
/// scanned for weights to prune, pruned in increasing order and added to `dirty` in increasing order.
fn apply_columns(p: &StdpParams, net: PlasticParts<'_>, dirty: &mut RowSet, rows: &mut Vec<u32>) -> usize {
    let PlasticParts { w_ee, x_prev, x, .. } = net;
    with_matrix!(w_ee, w => column_pass(p, w, [x_prev, x], dirty, rows))
}

/// [`apply_columns`] on the typed matrix.
fn column_pass<V: Weight>(
    p: &StdpParams,
    w_ee: &mut SparseWeights<V>,
    [x_prev, x]: [&Spikes; 2],
    dirty: &mut RowSet,
    rows: &mut Vec<u32>,
) -> usize {
    sorted_union(x_prev.active(), x.active(), rows);
    let (x_prev, x) = (x_prev.bits(), x.bits());
    let upper = p.upper.unwrap_or(f64::INFINITY);
    // η·d for d = +1 and d = −1: the row pass's `eta * f64::from(d)` (a product with ±1 is exact).
    let (up, down) = (p.eta, -p.eta);
    let mut buf = [0u8; 256];
    w_ee.update_columns(rows, |j, posts, slots, vals| {
        let buf = &mut buf;
        match (x_prev[j] != 0, x[j] != 0) {
            // x_j(t) = 1, x_j(t+1) = 0: d = x_i(t+1).
            (true, false) => update_where(posts, slots, vals, up, upper, buf, |i| x[i] != 0),
            // x_j(t) = 0, x_j(t+1) = 1: d = −x_i(t).
            (false, true) => update_where(posts, slots, vals, down, upper, buf, |i| x_prev[i] != 0),
            // Both: d = x_i(t+1) − x_i(t), +1 and −1 on two disjoint sets of synapses.
            (true, true) => {
                update_where(posts, slots, vals, up, upper, buf, |i| x[i] > x_prev[i]);
                update_where(posts, slots, vals, down, upper, buf, |i| x_prev[i] > x[i]);
            }
            // Not in the union.
            (false, false) => {}
        }
    });
    let eps = p.prune_below.unwrap_or(0.0);
    let prune_at = prune_at(eps);
    let mut pruned = 0;
    for &i in rows.iter() {
        if p.prune_below.is_some() && holds_prunable(&w_ee.row_values(i as usize), prune_at) {
            pruned += w_ee.prune_row(i as usize, |w| w <= 0.0 || w < eps);
        }
        dirty.insert(i);
    }
    pruned
}

/// STDP row by row (see [`apply`]): every synapse of every visited row is updated branch-free, and a row
/// is flagged for pruning in the same pass; rows are split over threads by `par`. Then flagged rows are
/// pruned in increasing order and every visited row is added to `dirty` in increasing order.
fn apply_rows(
    p: &StdpParams,
    net: PlasticParts<'_>,
    dirty: &mut RowSet,
    rows: &mut Vec<u32>,
    par: Parallelism,
) -> usize {
    let PlasticParts { w_ee, x_prev, x, .. } = net;
    sorted_union(x_prev.active(), x.active(), rows);
    let codes = pair_codes(x_prev.active(), x.active(), x.bits().len());
    with_matrix!(w_ee, w => row_pass(p, w, dirty, rows, par, &codes))
}

/// x_j(t) + 2·x_j(t+1) for each of the `n` presynaptic units, packed two bits per unit (32 per word), from
/// the increasing lists of units active at t and at t+1. The row pass looks up one code per synapse at a
/// random j: packed, the codes of 10⁶ units take 250 kB and stay in the second-level cache, where the
/// two one-byte spike flags per unit (2 MB) did not. Allocated per call (N/256 bytes, small next to the
/// pass); a buffer kept in a thread-local would be re-entered when a rayon worker waiting inside one
/// network's row pass steals another network's step.
fn pair_codes(old: &[u32], new: &[u32], n: usize) -> Vec<u64> {
    // A power of two of words (zeros past the last unit), for `pair_code`'s mask.
    let mut codes = vec![0u64; n.div_ceil(32).next_power_of_two()];
    for (list, bit) in [(old, 1u64), (new, 2u64)] {
        for &j in list {
            codes[j as usize >> 5] |= bit << (2 * (j & 31));
        }
    }
    codes
}

/// The code of unit `j` in [`pair_codes`]' array. The word index is masked instead of bounds-checked
/// (a check would keep the row loop from becoming vector code): `codes` holds a power of two of words,
/// at least one per 32 units, so the mask changes no index of a unit.
#[inline(always)]
fn pair_code(codes: &[u64], j: usize) -> usize {
    // SAFETY: `codes` is not empty, so `(j >> 5) & (len − 1)` ≤ len − 1 < len.
    let word = unsafe { *codes.get_unchecked((j >> 5) & (codes.len() - 1)) };
    ((word >> (2 * (j & 31))) & 3) as usize
}

sorn_core::avx2_kernel! {
    /// One row of [`row_pass`]: each synapse j → i changes by `change[c]` where `keep_new[c]` is all ones
    /// (c = j's code), and the row's result tells whether it holds a weight to prune. Branch-free: the new
    /// value is computed always and kept only where d ≠ 0 (the compiler turned `if moves[c] { v } else
    /// { w }` into a branch, mispredicted for the ≈ 1 in 10 synapses that move). The synapses are
    /// independent, so the loop runs as vector code, compiled for AVX2 as well (`avx2_kernel!`: four
    /// synapses per instruction where the codes are loaded one by one), with the same value for each.
    #[allow(clippy::too_many_arguments)]
    fn update_row<V: Weight>(
        vals: &mut [V],
        cols: &[u32],
        codes: &[u64],
        change: &[f64; 4],
        keep_new: &[u64; 4],
        upper: f64,
        prune_at: f64,
    ) -> bool {
        let mut prune = false;
        for (w, &j) in vals.iter_mut().zip(cols) {
            let c = pair_code(codes, j as usize);
            let old = w.to_f64();
            let v = updated(old, change[c], upper);
            let kept = (v.to_bits() & keep_new[c]) | (old.to_bits() & !keep_new[c]);
            let v = V::from_f64(f64::from_bits(kept));
            *w = v;
            // The stored value decides, as in the pruning pass that follows.
            prune |= v.to_f64() <= prune_at;
        }
        prune
    }
}

/// The body of [`apply_rows`], with the spike pairs of the E units packed by [`pair_codes`] (pre- and
/// postsynaptic units alike: W^EE is square).
fn row_pass<V: Weight>(
    p: &StdpParams,
    w_ee: &mut SparseWeights<V>,
    dirty: &mut RowSet,
    rows: &mut [u32],
    par: Parallelism,
    codes: &[u64],
) -> usize {
    let eta = p.eta;
    let upper = p.upper.unwrap_or(f64::INFINITY);
    let do_prune = p.prune_below.is_some();
    let eps = p.prune_below.unwrap_or(0.0);
    let prune_at = prune_at(eps);
    // One pass per row: update, and flag the row when it holds a weight to prune (changed this step or
    // not, exactly as a separate pruning pass over the visited rows would find).
    w_ee.for_rows_mut_flag(rows, par, |i, cols, vals| {
        let post = pair_code(codes, i) as i32;
        let (post_old, post_new) = (post & 1, post >> 1);
        // d and η·d for the four (x_j(t), x_j(t+1)) of a presynaptic unit, indexed by x_j(t) + 2·x_j(t+1).
        let d_of = |c: i32| post_new * (c & 1) - post_old * (c >> 1);
        let change = [0, 1, 2, 3].map(|c| eta * f64::from(d_of(c)));
        // All ones where d ≠ 0: a bitwise select keeps the loop free of branches (the compiler turned
        // `if moves[c] { v } else { w }` into a branch, mispredicted for the ≈ 1 in 10 synapses that move).
        let keep_new = [0, 1, 2, 3].map(|c| if d_of(c) != 0 { u64::MAX } else { 0 });
        let prune = update_row(vals, cols, codes, &change, &keep_new, upper, prune_at);
        do_prune && prune
    });
    let mut flagged = Vec::new();
    for r in rows.iter_mut() {
        if *r & ROW_FLAG != 0 {
            *r &= !ROW_FLAG;
            flagged.push(*r);
        }
        dirty.insert(*r);
    }
    w_ee.prune_rows(&flagged, |w| w <= 0.0 || w < eps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testnet::{NE, network};
    use sorn_core::{Input, Network, Stream, stream_rng};

    /// Sets to 1e-12 one weight in every third row that STDP visits now, on a synapse it cannot change
    /// (presynaptic unit silent at t and t+1), so that only the scan for weights to prune can find it.
    /// Returns how many weights it set.
    fn plant_tiny_weights(net: &mut Network) -> usize {
        let mut visited = Vec::new();
        sorted_union(net.x_prev().active(), net.x().active(), &mut visited);
        let (old, new) = (net.x_prev().bits().to_vec(), net.x().bits().to_vec());
        let mut planted = 0;
        for &i in visited.iter().step_by(3) {
            let (cols, _) = net.w_ee.row(i as usize);
            let Some(k) = cols.iter().position(|&j| old[j as usize] == 0 && new[j as usize] == 0) else {
                continue;
            };
            let slot = net.w_ee.find(i as usize, cols[k] as usize).unwrap();
            net.w_ee.set_value(slot, 1e-12);
            planted += 1;
        }
        planted
    }

    #[test]
    fn row_pass_equals_column_pass() {
        let cases = [
            (1, 15, 0.004, Some(1.0), Some(1e-10)),
            (2, 15, 0.05, Some(1.0), Some(1e-10)),
            (3, 15, 0.05, None, Some(1e-10)),
            (4, 15, 0.05, Some(1.0), Some(0.0)),
            (5, 15, 0.05, None, Some(0.0)),
            (6, 15, 0.05, Some(1.0), None),
            (7, 15, 0.05, None, None),
            (8, 200, 0.002, Some(1.0), Some(1e-10)),
            (9, 200, 0.002, None, None),
        ];
        // Both precisions: with f32 weights each traversal rounds the same f64 result once per update.
        let precisions = [sorn_core::Precision::F64, sorn_core::Precision::F32];
        for ((seed, k, eta, upper, prune_below), precision) in
            cases.into_iter().flat_map(|c| precisions.map(|p| (c, p)))
        {
            let p = StdpParams { eta, upper, prune_below };
            let mut a = network(seed, k);
            a.set_precision(precision);
            assert!(k < BLOCK || (0..NE).any(|j| a.w_ee.column(j).0.len() > BLOCK));
            let mut b = a.clone();
            let (mut da, mut db) = (RowSet::new(NE), RowSet::new(NE));
            let (mut pa, mut pb) = (0, 0);
            let mut planted = 0;
            for step in 0..40 {
                let planted_now = if step % 4 == 0 { plant_tiny_weights(&mut a) } else { 0 };
                if planted_now > 0 {
                    plant_tiny_weights(&mut b);
                    assert_eq!(a.w_ee, b.w_ee);
                }
                planted += planted_now;
                let par =
                    if step % 2 == 0 { Parallelism::Sequential } else { Parallelism::Rayon { min_rows: 4 } };
                let before = pa;
                pa += apply_columns(&p, a.plastic_parts(), &mut da, &mut Vec::new());
                pb += apply_rows(&p, b.plastic_parts(), &mut db, &mut Vec::new(), par);
                assert_eq!(a.w_ee, b.w_ee, "seed {seed}, step {step}");
                assert_eq!(pa, pb, "seed {seed}, step {step}");
                assert_eq!(da, db, "seed {seed}, step {step}: dirty rows in the same order");
                if prune_below == Some(1e-10) {
                    assert!(
                        pa - before >= planted_now,
                        "seed {seed}, step {step}: planted weights are pruned"
                    );
                }
                if step % 3 == 0 {
                    let (mut ra, mut rb) = (Vec::new(), Vec::new());
                    da.drain_sorted(|r| ra.extend_from_slice(r));
                    db.drain_sorted(|r| rb.extend_from_slice(r));
                    assert_eq!(ra, rb);
                }
                // Change the states (the weights stay equal: W^EE was just checked).
                let mut noise = stream_rng(seed + step, Stream::Noise);
                a.step(Input::None, &mut noise.clone());
                b.step(Input::None, &mut noise);
            }
            assert!(planted > 0, "the test should plant tiny weights in visited rows");
            if prune_below.is_some() && (eta > 0.01 || k > BLOCK) {
                assert!(
                    pa > planted,
                    "seed {seed}: STDP itself should prune synapses, not only planted ones"
                );
            }
            if prune_below.is_none() {
                assert_eq!(pa, 0);
            }
        }
    }

    #[test]
    fn tiny_unchanged_weight_in_a_visited_row_is_pruned() {
        let p = StdpParams { eta: 0.004, upper: Some(1.0), prune_below: Some(1e-10) };
        let mut a = network(11, 15);
        let planted = plant_tiny_weights(&mut a);
        assert!(planted > 0);
        let mut b = a.clone();
        let (mut da, mut db) = (RowSet::new(NE), RowSet::new(NE));
        let pa = apply_columns(&p, a.plastic_parts(), &mut da, &mut Vec::new());
        let pb = apply_rows(&p, b.plastic_parts(), &mut db, &mut Vec::new(), Parallelism::Sequential);
        assert!(pa >= planted, "every planted weight goes ({pa} pruned, {planted} planted)");
        assert_eq!((pa, &a.w_ee, &da), (pb, &b.w_ee, &db));
        assert!((0..NE).all(|i| a.w_ee.row(i).1.iter().all(|&w| w >= 1e-10)));
    }

    #[test]
    fn apply_takes_either_pass_by_size() {
        let p = StdpParams { eta: 0.05, upper: Some(1.0), prune_below: Some(1e-10) };
        // 300 × 15 synapses take the column pass, 300 × 200 the row pass.
        for (seed, k) in [(12, 15), (13, 200)] {
            let mut a = network(seed, k);
            assert_eq!(a.w_ee.nnz() <= COLUMN_PASS_MAX_SYNAPSES, k == 15);
            let mut b = a.clone();
            let (mut da, mut db) = (RowSet::new(NE), RowSet::new(NE));
            let pa = apply(&p, a.plastic_parts(), &mut da, &mut Vec::new(), Parallelism::rayon());
            let pb = if k == 15 {
                apply_rows(&p, b.plastic_parts(), &mut db, &mut Vec::new(), Parallelism::Sequential)
            } else {
                apply_columns(&p, b.plastic_parts(), &mut db, &mut Vec::new())
            };
            assert!(pa > 0);
            assert_eq!((pa, &a.w_ee, &da), (pb, &b.w_ee, &db));
        }
    }
}
