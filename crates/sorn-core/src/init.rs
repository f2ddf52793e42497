//! Initialisation of weights, thresholds, states and input pools (SPEC §3).
//!
//! All draws come from the `Init` stream, in a fixed order: W^EE, W^EI, W^IE, W^EU, T^E, T^I, x(0), y(0).

use crate::matrix::WeightMatrix;
use crate::params::{Connectivity, InitialState, ThresholdInit};
use crate::precision::{Precision, Weight};
use crate::rng::SornRng;
use crate::sparse::SparseWeights;
use crate::with_matrix;
use rand::RngExt;
use rand::seq::index;
use rand_distr::{Binomial, Distribution, StandardNormal};

/// Draws the presynaptic partners of one postsynaptic unit: `k` distinct indices from `0..n_pre`
/// excluding `exclude`.
fn partners(rng: &mut SornRng, n_pre: usize, exclude: Option<usize>, k: usize) -> Vec<u32> {
    let avail = n_pre - usize::from(exclude.is_some());
    let k = k.min(avail);
    let mut v: Vec<u32> = index::sample(rng, avail, k)
        .into_iter()
        .map(|j| match exclude {
            Some(e) if j >= e => (j + 1) as u32,
            _ => j as u32,
        })
        .collect();
    v.sort_unstable();
    v
}

/// The indices `j < n` that pass independent Bernoulli(p) trials, without `exclude`. Uses geometric
/// skips, so the cost is O(expected count) rather than O(n): large sparse networks build fast.
fn bernoulli_row(rng: &mut SornRng, n: usize, p: f64, exclude: Option<usize>) -> Vec<u32> {
    if p >= 1.0 {
        return (0..n).filter(|&j| Some(j) != exclude).map(|j| j as u32).collect();
    }
    let log_q = (1.0 - p).ln();
    let mut out = Vec::new();
    let mut j = 0usize;
    loop {
        let u: f64 = rng.random();
        let skip = ((1.0 - u).ln() / log_q).floor();
        if !skip.is_finite() || skip >= (n - j) as f64 {
            return out;
        }
        j += skip as usize;
        if Some(j) != exclude {
            out.push(j as u32);
        }
        j += 1;
    }
}

/// trunc(N(mean, 1)), redrawn until it is at least 1.
fn normal_count(rng: &mut SornRng, mean: f64, max: usize) -> usize {
    loop {
        let z: f64 = rng.sample(StandardNormal);
        let n = (mean + z).trunc();
        if n >= 1.0 {
            return (n as usize).min(max);
        }
    }
}

/// The wiring of an `n_post × n_pre` matrix as sorted partner lists; `no_self` excludes the diagonal.
pub fn wiring(
    rng: &mut SornRng,
    c: &Connectivity,
    n_post: usize,
    n_pre: usize,
    no_self: bool,
) -> Vec<Vec<u32>> {
    let (indptr, indices) = wiring_csr(rng, c, n_post, n_pre, no_self);
    indptr.windows(2).map(|w| indices[w[0]..w[1]].to_vec()).collect()
}

/// [`wiring`] in compressed-row form (`indptr`, `indices`), with the same draws from `rng`; no per-row
/// lists are kept, so networks with 10⁸ synapses build without the overhead of 10⁶ small vectors.
pub fn wiring_csr(
    rng: &mut SornRng,
    c: &Connectivity,
    n_post: usize,
    n_pre: usize,
    no_self: bool,
) -> (Vec<usize>, Vec<u32>) {
    let excl = |i: usize| if no_self { Some(i) } else { None };
    let avail = n_pre - usize::from(no_self);
    let mut indptr = Vec::with_capacity(n_post + 1);
    indptr.push(0);
    let mut indices: Vec<u32> = Vec::new();
    let mut push_row = |indices: &mut Vec<u32>, row: &[u32]| {
        indices.extend_from_slice(row);
        indptr.push(indices.len());
    };
    match *c {
        Connectivity::Full => {
            indices.reserve(n_post * avail);
            for i in 0..n_post {
                let row: Vec<u32> = (0..n_pre as u32).filter(|&j| excl(i) != Some(j as usize)).collect();
                push_row(&mut indices, &row);
            }
        }
        Connectivity::Bernoulli { lambda } => {
            let p = (lambda / n_pre as f64).min(1.0);
            indices.reserve((n_post as f64 * lambda * 1.05) as usize);
            for i in 0..n_post {
                let row = loop {
                    let row = bernoulli_row(rng, n_pre, p, excl(i));
                    if !row.is_empty() {
                        break row;
                    }
                };
                push_row(&mut indices, &row);
            }
        }
        Connectivity::InDegreeNormal { lambda } => {
            indices.reserve((n_post as f64 * lambda) as usize + n_post);
            for i in 0..n_post {
                let k = normal_count(rng, lambda, avail);
                push_row(&mut indices, &partners(rng, n_pre, excl(i), k));
            }
        }
        Connectivity::OutDegreeNormal { lambda } => {
            let mut rows = vec![Vec::new(); n_post];
            for j in 0..n_pre {
                let k = normal_count(rng, lambda, n_post);
                for i in index::sample(rng, n_post, k) {
                    if excl(i) != Some(j) {
                        rows[i].push(j as u32);
                    }
                }
            }
            for (i, r) in rows.iter_mut().enumerate() {
                if r.is_empty() {
                    *r = partners(rng, n_pre, excl(i), 1);
                }
                r.sort_unstable();
            }
            for r in &rows {
                push_row(&mut indices, r);
            }
        }
        Connectivity::Binomial { lambda } => {
            let bin = Binomial::new(n_pre as u64, (lambda / n_pre as f64).min(1.0));
            for i in 0..n_post {
                let mut k = 0;
                if let Ok(b) = &bin {
                    while k == 0 {
                        k = b.sample(rng) as usize;
                    }
                }
                if no_self {
                    k = k.saturating_sub(1).max(1);
                }
                push_row(&mut indices, &partners(rng, n_pre, excl(i), k));
            }
        }
        Connectivity::FixedInDegree { k } => {
            indices.reserve(n_post * k.min(avail));
            for i in 0..n_post {
                push_row(&mut indices, &partners(rng, n_pre, excl(i), k));
            }
        }
    }
    (indptr, indices)
}

/// A wired matrix with weights U(0, 1), each row normalised to sum 1 (SPEC §3.2; the scale of the draw
/// is irrelevant after normalisation), in two parts: the wiring now, the matrix and its weights later
/// ([`Wired::into_weights`], [`Wired::into_folded`]). All partners are drawn first, then all weights,
/// row by row; `rng` moves past the weights' draws at once (one U(0, 1) number per synapse), so that it
/// goes on as after drawing them and the weights can be drawn after later matrices are built: a network
/// builds its fixed matrices before the large W^EE exists, and so peaks lower.
pub fn wire(rng: &mut SornRng, c: &Connectivity, [n_post, n_pre]: [usize; 2], no_self: bool) -> Wired {
    let (indptr, indices) = wiring_csr(rng, c, n_post, n_pre, no_self);
    let weight_rng = rng.clone();
    for _ in 0..indices.len() {
        let _: f64 = rng.random();
    }
    Wired { dims: [n_post, n_pre], indptr, indices, weight_rng }
}

/// The wiring of a matrix, and the stream its weights come from (see [`wire`]).
pub struct Wired {
    dims: [usize; 2],
    indptr: Vec<usize>,
    indices: Vec<u32>,
    weight_rng: SornRng,
}

impl Wired {
    /// The matrix with its weights drawn and normalised in f64 and stored in `precision` (rounded to
    /// nearest for f32), straight into the matrix (no array of every weight besides it). `slack`: room for
    /// synapses that structural plasticity adds (see [`SparseWeights::fix_structure`]).
    pub fn into_weights(mut self, precision: Precision, slack: bool) -> WeightMatrix {
        let [n_post, n_pre] = self.dims;
        let mut w =
            WeightMatrix::zeros_with_structure(n_post, n_pre, &self.indptr, &self.indices, precision, slack);
        drop((self.indptr, self.indices));
        with_matrix!(&mut w, m => draw_normalised_rows(&mut self.weight_rng, m));
        w
    }

    /// The matrix with its weights drawn as by [`Self::into_weights`], fixed (no slack) and built straight
    /// into its push cache ([`SparseWeights::folded_from_csr`]): the same matrix as building it and then
    /// folding it, without holding its rows for a moment. For W^EI and W^IE, which no rule grows.
    pub fn into_folded(self, precision: Precision) -> WeightMatrix {
        let Wired { dims, indptr, indices, mut weight_rng } = self;
        match precision {
            Precision::F64 => WeightMatrix::F64(folded(&mut weight_rng, dims, &indptr, &indices)),
            Precision::F32 => WeightMatrix::F32(folded(&mut weight_rng, dims, &indptr, &indices)),
        }
    }
}

/// Fills every row of `w` with U(0, 1) draws divided by their sum (a row summing to 0 keeps its draws),
/// in row order; each quotient is computed in f64 and stored as `V`.
fn draw_normalised_rows<V: Weight>(rng: &mut SornRng, w: &mut SparseWeights<V>) {
    let mut draws = Vec::new();
    for i in 0..w.n_rows() {
        draw_normalised_row(rng, &mut draws, w.row_mut(i).1);
    }
}

/// One row of [`draw_normalised_rows`]: `vals.len()` U(0, 1) draws (kept in `draws`) divided by their sum.
fn draw_normalised_row<V: Weight>(rng: &mut SornRng, draws: &mut Vec<f64>, vals: &mut [V]) {
    draws.clear();
    draws.extend((0..vals.len()).map(|_| rng.random::<f64>()));
    let s: f64 = draws.iter().sum();
    for (v, &d) in vals.iter_mut().zip(draws.iter()) {
        *v = V::from_f64(if s > 0.0 { d / s } else { d });
    }
}

/// The matrix of [`Wired::into_folded`] in storage type `V`.
fn folded<V: Weight>(
    rng: &mut SornRng,
    [n_post, n_pre]: [usize; 2],
    indptr: &[usize],
    indices: &[u32],
) -> SparseWeights<V> {
    let mut draws = Vec::new();
    SparseWeights::folded_from_csr(n_post, n_pre, indptr, indices, |_, vals| {
        draw_normalised_row(rng, &mut draws, vals)
    })
}

/// Binary input pools W^EU (N_E × symbols): column `s` marks the units of symbol `s`.
pub fn pools(rng: &mut SornRng, ne: usize, symbols: usize, size: usize, overlap: bool) -> SparseWeights {
    let mut rows = vec![Vec::new(); ne];
    if overlap {
        for s in 0..symbols {
            for i in index::sample(rng, ne, size) {
                rows[i].push((s as u32, 1.0));
            }
        }
    } else {
        let perm = index::sample(rng, ne, symbols * size).into_vec();
        for (k, &i) in perm.iter().enumerate() {
            rows[i].push(((k / size) as u32, 1.0));
        }
    }
    SparseWeights::from_rows(ne, symbols, rows)
}

/// Thresholds for `n` units; `shuffle` applies to the ordered variant (excitatory units).
pub fn thresholds(rng: &mut SornRng, t: &ThresholdInit, n: usize, shuffle: bool) -> Vec<f64> {
    match *t {
        ThresholdInit::Uniform { min, max } => {
            (0..n).map(|_| min + (max - min) * rng.random::<f64>()).collect()
        }
        ThresholdInit::Ordered { min, max } => {
            let mut v: Vec<f64> = (0..n).map(|k| min + (k as f64 + 0.5) * (max - min) / n as f64).collect();
            if shuffle {
                use rand::seq::SliceRandom;
                v.shuffle(rng);
            }
            v
        }
    }
}

/// Initial binary state.
pub fn state(rng: &mut SornRng, s: &InitialState, n: usize) -> Vec<u8> {
    match *s {
        InitialState::Zeros => vec![0; n],
        InitialState::Bernoulli { p } => (0..n).map(|_| u8::from(rng.random::<f64>() < p)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream_rng};

    #[test]
    fn in_degree_models_have_the_documented_means() {
        let mut rng = stream_rng(1, Stream::Init);
        let n = 400;
        let mean = |rows: &Vec<Vec<u32>>| rows.iter().map(Vec::len).sum::<usize>() as f64 / rows.len() as f64;
        let b = wiring(&mut rng, &Connectivity::Bernoulli { lambda: 20.0 }, n, n, true);
        assert!((mean(&b) - 20.0 * 399.0 / 400.0).abs() < 1.0, "{}", mean(&b));
        let s = wiring(&mut rng, &Connectivity::InDegreeNormal { lambda: 20.0 }, n, n, true);
        assert!((mean(&s) - 19.5).abs() < 0.3, "{}", mean(&s));
        let d = wiring(&mut rng, &Connectivity::Binomial { lambda: 20.0 }, n, n, true);
        assert!((mean(&d) - 19.0).abs() < 1.0, "{}", mean(&d));
        let f = wiring(&mut rng, &Connectivity::FixedInDegree { k: 7 }, n, n, true);
        assert!(f.iter().all(|r| r.len() == 7));
        for rows in [&b, &s, &d, &f] {
            for (i, r) in rows.iter().enumerate() {
                assert!(!r.is_empty());
                assert!(!r.contains(&(i as u32)), "self-synapse");
                assert!(r.windows(2).all(|w| w[0] < w[1]));
            }
        }
        let o = wiring(&mut rng, &Connectivity::OutDegreeNormal { lambda: 40.0 }, 200, 40, false);
        let total: usize = o.iter().map(Vec::len).sum();
        assert!((total as f64 / 40.0 - 39.5).abs() < 1.5, "{total}");
    }

    /// Drawing the weights later (`wire`, then `into_weights` after other draws) gives the matrix of
    /// drawing them at once, and leaves the stream where drawing them at once does.
    #[test]
    fn weights_drawn_later_equal_weights_drawn_at_once() {
        let c = Connectivity::Bernoulli { lambda: 12.0 };
        for p in [Precision::F64, Precision::F32] {
            let mut at_once = stream_rng(4, Stream::Init);
            let (indptr, indices) = wiring_csr(&mut at_once, &c, 300, 300, true);
            let mut w = WeightMatrix::zeros_with_structure(300, 300, &indptr, &indices, p, true);
            with_matrix!(&mut w, m => draw_normalised_rows(&mut at_once, m));
            let mut later = stream_rng(4, Stream::Init);
            let wired = wire(&mut later, &c, [300, 300], true);
            assert_eq!(
                later.random::<u64>(),
                at_once.random::<u64>(),
                "the stream goes on after the weights"
            );
            assert_eq!(wired.into_weights(p, true), w);
        }
    }

    #[test]
    fn disjoint_pools_do_not_overlap() {
        let mut rng = stream_rng(2, Stream::Init);
        let w = pools(&mut rng, 200, 6, 10, false);
        assert_eq!(w.nnz(), 60);
        assert!((0..200).all(|i| w.row_nnz(i) <= 1));
        assert!((0..6).all(|s| w.column(s).0.len() == 10));
    }

    #[test]
    fn ordered_thresholds_cover_the_range() {
        let mut rng = stream_rng(3, Stream::Init);
        let t = thresholds(&mut rng, &ThresholdInit::Ordered { min: 0.0, max: 1.0 }, 4, false);
        assert_eq!(t, vec![0.125, 0.375, 0.625, 0.875]);
    }
}
