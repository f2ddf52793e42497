//! [`WeightMatrix`]: a network's weight matrix in the storage precision of its parameters
//! (`network.precision`), behind one type, so that everything above the kernels reads weights as f64
//! whatever they are stored as.
//!
//! Readers (recorders, analysis, plots, snapshots) use the methods here, which take and return f64. A
//! kernel that works on stored values (a plasticity rule, the drive) is written once, generic over
//! [`Weight`], and reaches the typed matrix through [`with_matrix!`](crate::with_matrix): both
//! precisions then run their own compiled loop, and f64 runs exactly the code it ran before the choice
//! existed.

use crate::parallel::Parallelism;
use crate::precision::{Precision, Weight};
use crate::sparse::{CsrParts, SparseWeights};
use std::borrow::Cow;

/// A weight matrix stored in f64 or in f32 (see [`Precision`]).
#[derive(Clone, Debug, PartialEq)]
pub enum WeightMatrix {
    F64(SparseWeights<f64>),
    F32(SparseWeights<f32>),
}

/// Runs `$body` with `$m` bound to the typed matrix inside a [`WeightMatrix`] (by value, reference or
/// mutable reference, as `$w` is given); `$body` is compiled once per precision.
#[macro_export]
macro_rules! with_matrix {
    ($w:expr, $m:ident => $body:expr) => {
        match $w {
            $crate::WeightMatrix::F64($m) => $body,
            $crate::WeightMatrix::F32($m) => $body,
        }
    };
}

impl WeightMatrix {
    /// `w` stored in precision `p` (a copy with rounded weights for f32).
    pub fn new(w: SparseWeights<f64>, p: Precision) -> Self {
        match p {
            Precision::F64 => WeightMatrix::F64(w),
            Precision::F32 => WeightMatrix::F32(w.into_precision()),
        }
    }

    /// The structure of compressed-row arrays with every weight 0, stored in precision `p` (see
    /// [`SparseWeights::zeros_with_structure`]).
    pub fn zeros_with_structure(
        n_rows: usize,
        n_cols: usize,
        indptr: &[usize],
        indices: &[u32],
        p: Precision,
        slack: bool,
    ) -> Self {
        match p {
            Precision::F64 => {
                Self::F64(SparseWeights::zeros_with_structure(n_rows, n_cols, indptr, indices, slack))
            }
            Precision::F32 => {
                Self::F32(SparseWeights::zeros_with_structure(n_rows, n_cols, indptr, indices, slack))
            }
        }
    }

    /// The matrix of compressed-row parts (e.g. a snapshot's), stored in precision `p` straight from the
    /// parts' f64 values (no f64 matrix first); `slack` as in [`SparseWeights::from_csr_as`]. The parts
    /// must be valid ([`CsrParts::validate`]).
    pub fn from_parts(parts: CsrParts, p: Precision, slack: bool) -> Self {
        let CsrParts { n_rows, n_cols, indptr, indices, data } = parts;
        match p {
            Precision::F64 => {
                Self::F64(SparseWeights::from_csr_as(n_rows, n_cols, &indptr, &indices, &data, slack))
            }
            Precision::F32 => {
                Self::F32(SparseWeights::from_csr_as(n_rows, n_cols, &indptr, &indices, &data, slack))
            }
        }
    }

    /// This matrix stored in precision `p` (see [`SparseWeights::into_precision`]: same layout, values
    /// converted).
    pub fn into_precision(self, p: Precision) -> Self {
        match (self, p) {
            (WeightMatrix::F64(w), Precision::F32) => WeightMatrix::F32(w.into_precision()),
            (WeightMatrix::F32(w), Precision::F64) => WeightMatrix::F64(w.into_precision()),
            (same, _) => same,
        }
    }

    /// The storage precision.
    pub fn precision(&self) -> Precision {
        match self {
            WeightMatrix::F64(_) => Precision::F64,
            WeightMatrix::F32(_) => Precision::F32,
        }
    }

    /// See [`SparseWeights::compact_if_sparse`].
    pub fn compact_if_sparse(&mut self) -> bool {
        with_matrix!(self, w => w.compact_if_sparse())
    }

    /// See [`SparseWeights::fix_structure`].
    pub fn fix_structure(&mut self) {
        with_matrix!(self, w => w.fix_structure())
    }

    /// See [`SparseWeights::generation`].
    pub fn generation(&self) -> u64 {
        with_matrix!(self, w => w.generation())
    }

    /// See [`SparseWeights::has_push_cache`].
    pub fn has_push_cache(&self) -> bool {
        with_matrix!(self, w => w.has_push_cache())
    }

    /// See [`SparseWeights::build_push_cache`].
    pub fn build_push_cache(&mut self) {
        with_matrix!(self, w => w.build_push_cache())
    }

    /// See [`SparseWeights::drop_push_cache`].
    pub fn drop_push_cache(&mut self) {
        with_matrix!(self, w => w.drop_push_cache())
    }

    /// See [`SparseWeights::heap_bytes`].
    pub fn heap_bytes(&self) -> usize {
        with_matrix!(self, w => w.heap_bytes())
    }

    /// Number of postsynaptic units (rows).
    pub fn n_rows(&self) -> usize {
        with_matrix!(self, w => w.n_rows())
    }

    /// Number of presynaptic units (columns).
    pub fn n_cols(&self) -> usize {
        with_matrix!(self, w => w.n_cols())
    }

    /// See [`SparseWeights::nnz`].
    pub fn nnz(&self) -> usize {
        with_matrix!(self, w => w.nnz())
    }

    /// See [`SparseWeights::count_positive`].
    pub fn count_positive(&self) -> usize {
        with_matrix!(self, w => w.count_positive())
    }

    /// Presynaptic indices and weights of row `i`, in storage order (see [`SparseWeights::row`], also for
    /// its cost while a push cache holds the values); f32 weights are widened into a new vector.
    pub fn row(&self, i: usize) -> (Cow<'_, [u32]>, Cow<'_, [f64]>) {
        match self {
            WeightMatrix::F64(w) => w.row(i),
            WeightMatrix::F32(w) => {
                let (c, v) = w.row(i);
                (c, Cow::Owned(v.iter().map(|w| w.to_f64()).collect()))
            }
        }
    }

    /// See [`SparseWeights::find_synapse`].
    pub fn find_synapse(&self, pred: impl FnMut(usize, usize, f64) -> bool) -> Option<(usize, usize, f64)> {
        with_matrix!(self, w => w.find_synapse(pred))
    }

    /// Number of synapses in row `i`.
    pub fn row_nnz(&self, i: usize) -> usize {
        with_matrix!(self, w => w.row_nnz(i))
    }

    /// See [`SparseWeights::column`].
    pub fn column(&self, j: usize) -> (&[u32], Cow<'_, [u32]>) {
        with_matrix!(self, w => w.column(j))
    }

    /// See [`SparseWeights::for_column`].
    pub fn for_column(&self, j: usize, f: impl FnMut(usize, f64)) {
        with_matrix!(self, w => w.for_column(j, f))
    }

    /// See [`SparseWeights::value_at`].
    pub fn value_at(&self, slot: u32) -> f64 {
        with_matrix!(self, w => w.value_at(slot))
    }

    /// See [`SparseWeights::set_value`].
    pub fn set_value(&mut self, slot: u32, value: f64) {
        with_matrix!(self, w => w.set_value(slot, value))
    }

    /// See [`SparseWeights::find`].
    pub fn find(&self, post: usize, pre: usize) -> Option<u32> {
        with_matrix!(self, w => w.find(post, pre))
    }

    /// See [`SparseWeights::get`].
    pub fn get(&self, post: usize, pre: usize) -> f64 {
        with_matrix!(self, w => w.get(post, pre))
    }

    /// See [`SparseWeights::push_add`].
    pub fn push_add(&self, active: &[u32], out: &mut [f64]) {
        with_matrix!(self, w => w.push_add(active, out))
    }

    /// See [`SparseWeights::push_add_par`].
    pub fn push_add_par(&self, active: &[u32], out: &mut [f64], par: Parallelism) {
        with_matrix!(self, w => w.push_add_par(active, out, par))
    }

    /// See [`SparseWeights::drive_splits`].
    pub fn drive_splits(&self, n: usize, par: Parallelism) -> bool {
        with_matrix!(self, w => w.drive_splits(n, par))
    }

    /// See [`SparseWeights::rows_cheaper_than_columns`].
    pub fn rows_cheaper_than_columns(&self, active: &[u32]) -> bool {
        with_matrix!(self, w => w.rows_cheaper_than_columns(active))
    }

    /// See [`SparseWeights::drive_add`].
    pub fn drive_add(&self, active: &[u32], bits: &[u8], out: &mut [f64], par: Parallelism) {
        with_matrix!(self, w => w.drive_add(active, bits, out, par))
    }

    /// See [`SparseWeights::row_sum`].
    pub fn row_sum(&self, i: usize) -> f64 {
        with_matrix!(self, w => w.row_sum(i))
    }

    /// See [`SparseWeights::insert`] (`value` is rounded to the storage precision).
    pub fn insert(&mut self, post: usize, pre: usize, value: f64) {
        with_matrix!(self, w => w.insert(post, pre, value))
    }

    /// See [`SparseWeights::remove`].
    pub fn remove(&mut self, post: usize, slot: u32) {
        with_matrix!(self, w => w.remove(post, slot))
    }

    /// See [`SparseWeights::prune_row`].
    pub fn prune_row(&mut self, post: usize, remove: impl FnMut(f64) -> bool) -> usize {
        with_matrix!(self, w => w.prune_row(post, remove))
    }

    /// See [`SparseWeights::prune_rows`].
    pub fn prune_rows(&mut self, rows: &[u32], remove: impl FnMut(f64) -> bool) -> usize {
        with_matrix!(self, w => w.prune_rows(rows, remove))
    }

    /// See [`SparseWeights::triplets`].
    pub fn triplets(&self) -> Vec<(usize, usize, f64)> {
        with_matrix!(self, w => w.triplets())
    }

    /// See [`SparseWeights::to_dense`].
    pub fn to_dense(&self) -> Vec<f64> {
        with_matrix!(self, w => w.to_dense())
    }

    /// See [`SparseWeights::to_parts`].
    pub fn to_parts(&self) -> CsrParts {
        with_matrix!(self, w => w.to_parts())
    }

    /// See [`SparseWeights::to_csmat`].
    pub fn to_csmat(&self) -> sprs::CsMat<f64> {
        with_matrix!(self, w => w.to_csmat())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream_rng};
    use rand::RngExt;

    /// A random `n × n` matrix whose weights are multiples of 2⁻¹⁰ in (0, 1): exact in f32, so that both
    /// precisions must agree bit for bit on everything but the bytes they take.
    fn exact_matrix(seed: u64, n: usize) -> SparseWeights<f64> {
        let mut rng = stream_rng(seed, Stream::Init);
        let mut rows = vec![Vec::new(); n];
        for (i, row) in rows.iter_mut().enumerate() {
            for j in 0..n as u32 {
                if j as usize != i && rng.random::<f64>() < 0.2 {
                    row.push((j, f64::from(rng.random_range(1..1024u32)) / 1024.0));
                }
            }
        }
        SparseWeights::from_rows(n, n, rows)
    }

    #[test]
    fn f32_storage_equals_f64_on_exact_values_and_takes_less_memory() {
        for n in [40, 1000] {
            let w = exact_matrix(n as u64, n);
            let mut a = WeightMatrix::new(w.clone(), Precision::F64);
            let mut b = WeightMatrix::new(w, Precision::F32);
            assert_eq!(b.precision(), Precision::F32);
            assert!(b.heap_bytes() < a.heap_bytes(), "f32 values take half the bytes");
            let mut rng = stream_rng(7, Stream::Noise);
            for step in 0..30 {
                let active: Vec<u32> = (0..n as u32).filter(|_| rng.random::<f64>() < 0.3).collect();
                let bits: Vec<u8> =
                    (0..n as u32).map(|j| u8::from(active.binary_search(&j).is_ok())).collect();
                let (mut da, mut db) = (vec![0.0; n], vec![0.0; n]);
                a.drive_add(&active, &bits, &mut da, Parallelism::Sequential);
                b.drive_add(&active, &bits, &mut db, Parallelism::Sequential);
                assert_eq!(da, db, "n = {n}, step {step}: drives differ");
                // Structure changes: an insertion, a removal, pruning of small weights; every few steps a
                // push cache (the column-ordered copy) that the next change drops.
                let (i, j) = (rng.random_range(0..n), rng.random_range(0..n));
                if i != j {
                    let v = f64::from(rng.random_range(1..1024u32)) / 1024.0;
                    a.insert(i, j, v);
                    b.insert(i, j, v);
                }
                if let Some(slot) = a.find(i, (i + 1) % n) {
                    a.remove(i, slot);
                    b.remove(i, b.find(i, (i + 1) % n).expect("same structure"));
                }
                let rows: Vec<u32> = (0..n as u32).step_by(7).collect();
                let cut = 0.02 * step as f64;
                assert_eq!(a.prune_rows(&rows, |v| v < cut), b.prune_rows(&rows, |v| v < cut));
                if step % 5 == 4 {
                    a.build_push_cache();
                    b.build_push_cache();
                }
                assert_eq!(a.to_parts(), b.to_parts(), "n = {n}, step {step}");
                assert_eq!(a.count_positive(), b.count_positive());
            }
        }
    }

    #[test]
    fn f32_rounds_each_weight_to_nearest_and_widening_is_exact() {
        let w = SparseWeights::from_rows(2, 3, vec![vec![(1, 0.1), (2, 1.0 / 3.0)], vec![(0, 0.7)]]);
        let b = WeightMatrix::new(w.clone(), Precision::F32);
        for (i, j, v) in w.triplets() {
            assert_eq!(b.get(i, j), f64::from(v as f32), "({i}, {j})");
        }
        // Back to f64: the rounded values, exactly; and f32 again changes nothing.
        let back = b.clone().into_precision(Precision::F64);
        assert_eq!(back.to_parts(), b.to_parts());
        assert_eq!(back.clone().into_precision(Precision::F32), b);
        assert_ne!(back.to_parts(), w.to_parts(), "0.1 and 1/3 are not f32 numbers");
    }
}
