//! Sparse synaptic weight matrices: CSR by postsynaptic row, with slack per row and a
//! column ("push") index.
//!
//! Architecture invariant: the sparsity *structure* only changes through [`SparseWeights::insert`],
//! [`SparseWeights::remove`] and [`SparseWeights::prune_row`]; every other method touches values only.
//!
//! Layout. Row `i` (postsynaptic unit) owns the slot range `row_start[i] .. row_start[i+1]`; its first
//! `row_len[i]` slots hold the presynaptic indices (`cols`) and weights (`vals`) of its synapses, the rest is
//! slack, so that structural plasticity appends in O(1) instead of shifting the whole matrix (sprs'
//! `CsMat::insert` is O(nnz)). Rows are *not* sorted by column: the order of a row is the order in which its
//! synapses were created (swap-removal moves the last synapse into the hole). That order is deterministic,
//! which is all bitwise reproducibility needs. Conversions to `sprs::CsMat` sort.
//!
//! The column index lists, for every presynaptic unit `j`, the rows and value slots of its outgoing synapses.
//! `COLUMNS_SORTED`: each column lists its rows in increasing order — a rebuild fills the columns row by
//! row, an insertion puts the new row at its place, a removal closes the gap (both O(column length)) —
//! so that a push cut into blocks of rows finds each block's part of a column by binary search. The
//! order inside a column never changes a result (each row appears once per column).
//! The network drive is computed by *pushing* from the ~10 % active presynaptic units through this index,
//! which costs O(active synapses) instead of O(nnz). Within one postsynaptic row the additions happen in
//! increasing presynaptic order, so the result is bit-identical to a dense row-by-row dot product.

use crate::hugepages;
use crate::precision::Weight;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Minimum slack slots reserved per row and per column when a matrix is (re)built.
const MIN_SLACK: usize = 4;

/// Slack reserved behind a row or column of `len` synapses: at least [`MIN_SLACK`], else 1/16 of the length.
#[inline]
fn slack(len: usize) -> usize {
    MIN_SLACK.max(len / 16)
}

/// `n` zeroed elements, advised for huge pages before anything touches them.
fn advised_zeros<T: Clone + Default>(n: usize) -> Vec<T> {
    let v = vec![T::default(); n];
    hugepages::advise(&v);
    v
}

/// Value arrays above this many slots are not expected to stay in cache: the gather in [`SparseWeights::push_add`]
/// then prefetches ahead.
const PREFETCH_MIN_SLOTS: usize = 1 << 17;

/// A sparse weight matrix `W[post, pre]` with O(1) synapse insertion and removal, its weights stored as
/// `V` (f64, or f32 for half the value memory: see [`Weight`]; scalar arguments and results are f64, slices
/// handed to kernels are `V`).
///
/// Memory: 20 bytes per synapse slot with f64 weights, 16 with f32 (`cols` u32 + `vals` V on the row side,
/// `col_rows` u32 + `col_slot` u32 on the column side) plus 1/16 slack. A matrix with a push cache (see
/// [`Self::build_push_cache`]) holds its values in column order only and releases the rows' values and
/// the column slots: 16 (12) bytes per slot, and 12 (8) when it also releases the rows' presynaptic
/// indices (a fixed structure with sorted rows, such as W^IE and W^EI).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(from = "CsrParts", into = "CsrParts")]
pub struct SparseWeights<V: Weight = f64> {
    n_rows: usize,
    n_cols: usize,
    row_start: Vec<usize>,
    row_len: Vec<u32>,
    cols: Vec<u32>,
    vals: Vec<V>,
    col_start: Vec<usize>,
    col_len: Vec<u32>,
    col_rows: Vec<u32>,
    col_slot: Vec<u32>,
    nnz: usize,
    /// Column-ordered copy of `vals` (`col_vals[q] = vals[col_slot[q]]`), valid while `cache_valid`
    /// (empty otherwise).
    col_vals: Vec<V>,
    cache_valid: bool,
    /// `ROWS_RELEASED`: the column-ordered copy is the only store of the values. The rows' values and the
    /// column slots are released (`vals` and `col_slot` are empty; implies `cache_valid`), and so are the
    /// rows' presynaptic indices (`cols` empty) when the structure is fixed and every row sorted: the
    /// columns then determine the rows ([`Self::restore_rows`]). Set when the copy is built (the rows are
    /// then a duplicate) and by column updates of a cached matrix, which write only the copy. Readers take
    /// rows from the columns meanwhile, and anything that reads or writes the rows mutably restores them
    /// first ([`Self::restore_rows`]). A fixed W^IE, or a W^EI that only iSTDP changes, thus holds a column
    /// index and its values only.
    rows_stale: bool,
    /// Every column holds all rows `0..n_rows` in order (a full matrix): the push is a dense vector add.
    dense_cols: bool,
    /// Every row stores its presynaptic indices in increasing order, so a row-by-row pull adds the active
    /// weights in the push's order ([`Self::drive_add`]). Set by a rebuild, kept by appends in order,
    /// cleared by a removal that moves a synapse.
    rows_sorted: bool,
    /// Incremented by every method that can change a value or the structure.
    generation: u64,
    /// Whether a layout reserves slack behind rows and columns (for insertions). Off for a matrix whose
    /// structure no rule grows ([`Self::fix_structure`]); an insertion turns it back on.
    reserve_slack: bool,
}

/// Plain compressed-row form, used for serialisation: the column index is derived data and is rebuilt.
/// `indptr` has `n_rows + 1` entries; rows keep their internal (creation) order so a reloaded network
/// continues bit for bit.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CsrParts {
    pub n_rows: usize,
    pub n_cols: usize,
    pub indptr: Vec<usize>,
    pub indices: Vec<u32>,
    pub data: Vec<f64>,
}

impl<V: Weight> From<CsrParts> for SparseWeights<V> {
    fn from(p: CsrParts) -> Self {
        SparseWeights::from_csr_as(p.n_rows, p.n_cols, &p.indptr, &p.indices, &p.data, true)
    }
}

impl<V: Weight> From<SparseWeights<V>> for CsrParts {
    fn from(w: SparseWeights<V>) -> Self {
        w.to_parts()
    }
}

impl<V: Weight> PartialEq for SparseWeights<V> {
    /// Equal when the shapes and every row's synapses, in storage order, are identical.
    fn eq(&self, other: &Self) -> bool {
        self.to_parts() == other.to_parts()
    }
}

impl SparseWeights<f64> {
    /// Builds a matrix from per-row `(pre, weight)` lists, kept in the given order.
    ///
    /// Panics if an index is out of range or a row holds a duplicate index; callers that handle user data
    /// check with [`CsrParts::validate`] first.
    pub fn from_rows(n_rows: usize, n_cols: usize, rows: Vec<Vec<(u32, f64)>>) -> Self {
        assert_eq!(rows.len(), n_rows, "one entry list per row");
        let nnz = rows.iter().map(Vec::len).sum();
        let mut indptr = Vec::with_capacity(n_rows + 1);
        let mut indices = Vec::with_capacity(nnz);
        let mut data = Vec::with_capacity(nnz);
        indptr.push(0);
        for r in &rows {
            indices.extend(r.iter().map(|e| e.0));
            data.extend(r.iter().map(|e| e.1));
            indptr.push(indices.len());
        }
        Self::from_csr(n_rows, n_cols, &indptr, &indices, &data)
    }

    /// Builds a matrix from compressed-row arrays (`indptr` of length `n_rows + 1`), rows kept in the
    /// given order. O(nnz) without per-row allocation: the way large networks are built.
    ///
    /// Panics like [`Self::from_rows`].
    pub fn from_csr(n_rows: usize, n_cols: usize, indptr: &[usize], indices: &[u32], data: &[f64]) -> Self {
        Self::from_csr_as(n_rows, n_cols, indptr, indices, data, true)
    }

    /// An `n_rows × n_cols` matrix without synapses.
    pub fn empty(n_rows: usize, n_cols: usize) -> Self {
        Self::from_csr(n_rows, n_cols, &vec![0; n_rows + 1], &[], &[])
    }

    /// Builds from an `sprs` matrix of either storage; rows take sorted column order.
    pub fn from_csmat(m: &sprs::CsMat<f64>) -> Self {
        let csr = m.to_csr();
        let (n_rows, n_cols) = csr.shape();
        let rows = csr.outer_iterator().map(|r| r.iter().map(|(j, &w)| (j as u32, w)).collect()).collect();
        Self::from_rows(n_rows, n_cols, rows)
    }
}

impl<V: Weight> SparseWeights<V> {
    /// [`SparseWeights::from_csr`] with the weights stored as `V` (each rounded to nearest; exact for f64,
    /// and for f32 when `data` came from an f32 matrix); `slack`: whether rows and columns get room for
    /// insertions (see [`Self::fix_structure`]).
    pub fn from_csr_as<D: Weight>(
        n_rows: usize,
        n_cols: usize,
        indptr: &[usize],
        indices: &[u32],
        data: &[D],
        slack: bool,
    ) -> Self {
        assert_eq!(indices.len(), data.len(), "inconsistent CSR arrays");
        Self::build(n_rows, n_cols, indptr, indices, Some(data), slack)
    }

    /// A fixed matrix built straight in the form its push cache leaves it ([`Self::build_push_cache`] after
    /// [`Self::fix_structure`], see `ROWS_RELEASED`): the column index and the values in column order,
    /// without the rows' arrays, which are never allocated. `fill(i, weights)` writes the weights of row
    /// `i` in the row's order; rows come in increasing order. Each row's presynaptic indices must increase
    /// (the wiring of [`crate::init`] sorts them). Building the rows and folding them would hold 20 (f32)
    /// or 24 (f64) bytes per synapse for a moment; this holds the 8 or 12 of the result.
    ///
    /// Panics if an index is out of range or a row is not strictly increasing.
    pub fn folded_from_csr(
        n_rows: usize,
        n_cols: usize,
        indptr: &[usize],
        indices: &[u32],
        mut fill: impl FnMut(usize, &mut [V]),
    ) -> Self {
        assert_eq!(indptr.len(), n_rows + 1, "indptr needs n_rows + 1 entries");
        assert!(indptr[n_rows] == indices.len(), "inconsistent CSR arrays");
        assert!(indices.len() < u32::MAX as usize, "more than 2^32 synapse slots are not supported");
        let mut col_len = vec![0u32; n_cols];
        for row in indptr.windows(2).map(|w| &indices[w[0]..w[1]]) {
            assert!(row.windows(2).all(|p| p[0] < p[1]), "a folded row must be strictly increasing");
            for &j in row {
                assert!((j as usize) < n_cols, "presynaptic index {j} out of range");
                col_len[j as usize] += 1;
            }
        }
        let mut col_start = Vec::with_capacity(n_cols + 1);
        col_start.push(0usize);
        for (j, &c) in col_len.iter().enumerate() {
            col_start.push(col_start[j] + c as usize);
        }
        let mut col_rows = advised_zeros::<u32>(indices.len());
        let mut col_vals = advised_zeros::<V>(indices.len());
        let mut next: Vec<u32> = col_start[..n_cols].iter().map(|&q| q as u32).collect();
        let mut row = Vec::new();
        for i in 0..n_rows {
            let cols = &indices[indptr[i]..indptr[i + 1]];
            row.clear();
            row.resize(cols.len(), V::default());
            fill(i, &mut row);
            for (&j, &w) in cols.iter().zip(&row) {
                let q = next[j as usize] as usize;
                next[j as usize] += 1;
                col_rows[q] = i as u32;
                col_vals[q] = w;
            }
        }
        let mut w = SparseWeights {
            n_rows,
            n_cols,
            row_start: indptr.to_vec(),
            row_len: indptr.windows(2).map(|p| (p[1] - p[0]) as u32).collect(),
            cols: Vec::new(),
            vals: Vec::new(),
            col_start,
            col_len,
            col_rows,
            col_slot: Vec::new(),
            nnz: indices.len(),
            col_vals,
            cache_valid: true,
            rows_stale: true,
            dense_cols: false,
            rows_sorted: true,
            generation: 0,
            reserve_slack: false,
        };
        w.dense_cols = w.columns_dense();
        w
    }

    /// The structure of compressed-row arrays with every weight 0, for a caller that then sets the rows
    /// itself ([`Self::row_mut`]): the network's initialisation draws the weights into the matrix instead
    /// of into an array of nnz f64 first. `slack`: whether rows and columns get slack for insertions
    /// (see [`Self::fix_structure`]).
    pub fn zeros_with_structure(
        n_rows: usize,
        n_cols: usize,
        indptr: &[usize],
        indices: &[u32],
        slack: bool,
    ) -> Self {
        Self::build::<f64>(n_rows, n_cols, indptr, indices, None, slack)
    }

    fn build<D: Weight>(
        n_rows: usize,
        n_cols: usize,
        indptr: &[usize],
        indices: &[u32],
        data: Option<&[D]>,
        slack: bool,
    ) -> Self {
        assert_eq!(indptr.len(), n_rows + 1, "indptr needs n_rows + 1 entries");
        assert!(indptr[n_rows] == indices.len(), "inconsistent CSR arrays");
        let mut w = SparseWeights {
            n_rows,
            n_cols,
            row_start: Vec::new(),
            row_len: Vec::new(),
            cols: Vec::new(),
            vals: Vec::new(),
            col_start: Vec::new(),
            col_len: Vec::new(),
            col_rows: Vec::new(),
            col_slot: Vec::new(),
            nnz: 0,
            col_vals: Vec::new(),
            cache_valid: false,
            rows_stale: false,
            dense_cols: false,
            rows_sorted: false,
            generation: 0,
            reserve_slack: slack,
        };
        w.rebuild(indptr, indices, data, None);
        w
    }

    /// Declares that no rule will grow this matrix (W^EI and W^IE, whose synapses only change weight or
    /// go): its layouts reserve no slack from now on, and it is laid out tight now if it has any slots
    /// to spare (rows keep their storage order, so results do not change). An insertion still works: it
    /// lays the matrix out again, with slack.
    pub fn fix_structure(&mut self) {
        self.reserve_slack = false;
        if self.n_slots() > self.nnz || self.col_rows.len() > self.nnz {
            self.relayout(None);
        }
    }

    /// This matrix with its weights stored as `U` (each rounded to nearest; exact when widened), in the
    /// same layout: the index arrays move over as they are (every synapse in its slot, slack, a fixed
    /// structure, a push cache and released rows stay), and only the values are converted, one array at a
    /// time. O(slots), without the rebuild a copy through compressed-row arrays would take.
    pub fn into_precision<U: Weight>(self) -> SparseWeights<U> {
        fn convert<V: Weight, U: Weight>(v: Vec<V>) -> Vec<U> {
            let u: Vec<U> = v.into_iter().map(|w| U::from_f64(w.to_f64())).collect();
            hugepages::advise(&u);
            u
        }
        let SparseWeights {
            n_rows,
            n_cols,
            row_start,
            row_len,
            cols,
            vals,
            col_start,
            col_len,
            col_rows,
            col_slot,
            nnz,
            col_vals,
            cache_valid,
            rows_stale,
            dense_cols,
            rows_sorted,
            generation,
            reserve_slack,
        } = self;
        let vals = convert(vals);
        let col_vals = convert(col_vals);
        SparseWeights {
            n_rows,
            n_cols,
            row_start,
            row_len,
            cols,
            vals,
            col_start,
            col_len,
            col_rows,
            col_slot,
            nnz,
            col_vals,
            cache_valid,
            rows_stale,
            dense_cols,
            rows_sorted,
            generation: generation.wrapping_add(1),
            reserve_slack,
        }
    }

    /// Lays the matrix out anew from CSR arrays; `extra = Some((post, pre, w))` appends one synapse to row
    /// `post` (used when a row or column ran out of slack).
    fn rebuild<D: Weight>(
        &mut self,
        indptr: &[usize],
        indices: &[u32],
        data: Option<&[D]>,
        extra: Option<(usize, u32, V)>,
    ) {
        let n_rows = self.n_rows;
        let reserve = self.reserve_slack;
        let slack = |len: usize| if reserve { slack(len) } else { 0 };
        let len_of = |i: usize| indptr[i + 1] - indptr[i] + usize::from(extra.is_some_and(|e| e.0 == i));
        let mut row_start = Vec::with_capacity(n_rows + 1);
        let mut row_len = Vec::with_capacity(n_rows);
        row_start.push(0usize);
        for i in 0..n_rows {
            let l = len_of(i);
            row_start.push(row_start[i] + l + slack(l));
            row_len.push(l as u32);
        }
        let cap = row_start[n_rows];
        assert!(cap < u32::MAX as usize, "more than 2^32 synapse slots are not supported");
        // Zeroed allocations: slack pages that are never written stay out of the resident set.
        let mut cols = vec![0u32; cap];
        let mut vals = vec![V::default(); cap];
        hugepages::advise(&cols);
        hugepages::advise(&vals);
        let mut col_count = vec![0u32; self.n_cols];
        let mut last_row = vec![u32::MAX; self.n_cols];
        for i in 0..n_rows {
            let (a, b) = (indptr[i], indptr[i + 1]);
            let s0 = row_start[i];
            cols[s0..s0 + b - a].copy_from_slice(&indices[a..b]);
            if let Some(data) = data {
                for (v, &d) in vals[s0..s0 + b - a].iter_mut().zip(&data[a..b]) {
                    *v = V::from_f64(d.to_f64());
                }
            }
            if let Some((p, j, v)) = extra
                && p == i
            {
                cols[s0 + b - a] = j;
                vals[s0 + b - a] = v;
            }
            for &j in &cols[s0..s0 + row_len[i] as usize] {
                let ju = j as usize;
                assert!(ju < self.n_cols, "presynaptic index {j} out of range");
                assert!(last_row[ju] != i as u32, "duplicate synapse in row {i}");
                last_row[ju] = i as u32;
                col_count[ju] += 1;
            }
        }
        drop(last_row);
        let mut col_start = Vec::with_capacity(self.n_cols + 1);
        col_start.push(0usize);
        for (j, &c) in col_count.iter().enumerate() {
            col_start.push(col_start[j] + c as usize + slack(c as usize));
        }
        let ccap = col_start[self.n_cols];
        assert!(ccap < u32::MAX as usize, "more than 2^32 synapse slots are not supported");
        let mut col_rows = vec![0u32; ccap];
        let mut col_slot = vec![0u32; ccap];
        hugepages::advise(&col_rows);
        hugepages::advise(&col_slot);
        let mut col_len = col_count;
        col_len.fill(0);
        for i in 0..n_rows {
            let s0 = row_start[i];
            for (s, &j) in (s0..).zip(&cols[s0..s0 + row_len[i] as usize]) {
                let j = j as usize;
                let q = col_start[j] + col_len[j] as usize;
                col_rows[q] = i as u32;
                col_slot[q] = s as u32;
                col_len[j] += 1;
            }
        }
        self.nnz = row_len.iter().map(|&l| l as usize).sum();
        self.rows_sorted = (0..n_rows).all(|i| {
            let s0 = row_start[i];
            cols[s0..s0 + row_len[i] as usize].windows(2).all(|w| w[0] < w[1])
        });
        // The columns were filled row by row above: sorted (`COLUMNS_SORTED`).
        self.row_start = row_start;
        self.row_len = row_len;
        self.cols = cols;
        self.vals = vals;
        self.col_start = col_start;
        self.col_len = col_len;
        self.col_rows = col_rows;
        self.col_slot = col_slot;
        let had_cache = self.cache_valid;
        self.col_vals = Vec::new();
        // The rows were just built from `data`, which the caller read through the stale-aware accessors.
        self.rows_stale = false;
        self.touch();
        if had_cache {
            self.build_push_cache();
        }
    }

    /// Lays the matrix out anew when removals have left most of its slots empty (e.g. W^EE of `large`,
    /// which prunes from 10⁷ to ≈ 3·10⁶ synapses in its first few thousand steps): more than
    /// twice (`COMPACT_FACTOR`) the slots a rebuild would reserve, on the row or on the column side. Only
    /// for matrices that outgrow the cache, where the empty slots cost cache and TLB misses. Every row
    /// keeps its storage order, so all results stay bitwise the same. Returns whether it compacted.
    /// O(1) when it does not; a compaction costs O(slots) and can only recur after the synapses halve again.
    pub fn compact_if_sparse(&mut self) -> bool {
        if !self.outgrows_cache() {
            return false;
        }
        let reserved = |lines: usize| self.nnz + self.nnz / 16 + MIN_SLACK * lines;
        if self.n_slots() <= COMPACT_FACTOR * reserved(self.n_rows)
            && self.col_rows.len() <= COMPACT_FACTOR * reserved(self.n_cols)
        {
            return false;
        }
        self.relayout(None);
        true
    }

    /// Lays the matrix out anew from its own rows (storage order kept), appending `extra` if given.
    fn relayout(&mut self, extra: Option<(usize, u32, V)>) {
        let (indptr, indices, data) = self.csr_arrays();
        self.rebuild(&indptr, &indices, Some(&data), extra);
    }

    /// Marks the values as changed: the push cache is stale. Restores the rows first if they are released
    /// (the copy holds newer values): every caller goes on to read or write the rows.
    #[inline]
    fn touch(&mut self) {
        // Released rows imply a valid cache (`ROWS_RELEASED`), so one test covers both.
        if self.cache_valid {
            self.drop_push_cache();
        }
        self.generation = self.generation.wrapping_add(1);
    }

    /// The column-ordered copy no longer matches the rows: it goes, with its memory (rebuilding it, once
    /// the matrix stays unchanged again, passes over every synapse anyway).
    fn invalidate_cache(&mut self) {
        self.cache_valid = false;
        self.col_vals = Vec::new();
    }

    /// Restores the rows (and the column slots) that a push cache released, from the column-ordered copy
    /// that column updates may have changed meanwhile ([`Self::update_column`]); the copy stays valid
    /// (pruning, which keeps it when it removes nothing). O(slots): it runs when something needs the rows,
    /// not once per update; what changes values drops the copy instead ([`Self::drop_push_cache`]).
    fn sync_rows(&mut self) {
        self.restore_rows(true);
    }

    /// [`Self::sync_rows`], keeping the copy (`keep_copy`) or freeing it as soon as the rows' values are
    /// back, before the column slots are rebuilt: one array less at the moment the values exist twice.
    /// In stages — the rows' indices (if released), the values, the slots — each one O(slots) pass
    /// ([`Self::released_cols`], [`Self::values_by_row`], [`Self::slots_by_column`]).
    fn restore_rows(&mut self, keep_copy: bool) {
        if !self.rows_stale {
            if !keep_copy {
                self.invalidate_cache();
            }
            return;
        }
        if self.cols_released() {
            self.cols = self.released_cols();
        }
        self.vals = self.values_by_row(&self.cols);
        if !keep_copy {
            self.invalidate_cache();
        }
        self.col_slot = self.slots_by_column(&self.cols);
        self.rows_stale = false;
    }

    /// Releases the rows' values and the column slots (and the rows' presynaptic indices, if the columns
    /// determine them) while the column-ordered copy holds every value (see `ROWS_RELEASED`).
    fn release_rows(&mut self) {
        debug_assert!(self.cache_valid);
        self.vals = Vec::new();
        self.col_slot = Vec::new();
        if self.releases_cols() {
            self.cols = Vec::new();
        }
        self.rows_stale = true;
    }

    /// Whether releasing the rows releases their presynaptic indices too: the structure is fixed and every
    /// row sorted, so the columns determine them.
    #[inline]
    fn releases_cols(&self) -> bool {
        self.rows_sorted && !self.reserve_slack
    }

    /// Whether the rows' presynaptic indices are released (see `ROWS_RELEASED`).
    #[inline]
    fn cols_released(&self) -> bool {
        self.cols.len() != self.n_slots()
    }

    /// Slots on the row side (synapses and slack): the length of `cols` and `vals` unless released.
    #[inline(always)]
    fn n_slots(&self) -> usize {
        self.row_start[self.n_rows]
    }

    /// The rows' presynaptic indices while they are released (sorted rows: see `ROWS_RELEASED`), from the
    /// columns: visiting the columns in increasing order fills each row's slots in increasing presynaptic
    /// order, which is the row's storage order (0 in the slots that hold no synapse).
    fn released_cols(&self) -> Vec<u32> {
        debug_assert!(self.rows_sorted);
        let mut cols = advised_zeros::<u32>(self.n_slots());
        let mut next: Vec<u32> = self.row_start[..self.n_rows].iter().map(|&s| s as u32).collect();
        for j in 0..self.n_cols {
            let (s, e) = self.col_range(j);
            for &i in &self.col_rows[s..e] {
                cols[next[i as usize] as usize] = j as u32;
                next[i as usize] += 1;
            }
        }
        cols
    }

    /// Calls `f(slot, q)` for every synapse, rows in increasing order: `slot` its place in the rows
    /// (whose presynaptic indices are `cols`), `q` its place in the columns. One cursor per column:
    /// visiting the rows in increasing order meets each column's entries in their order
    /// (`COLUMNS_SORTED`), so column `j`'s next entry belongs to the current row.
    fn for_each_slot_pair(&self, cols: &[u32], mut f: impl FnMut(usize, usize)) {
        let mut next: Vec<u32> = self.col_start[..self.n_cols].iter().map(|&q| q as u32).collect();
        for i in 0..self.n_rows {
            let (s, e) = self.row_range(i);
            for (slot, &j) in (s..e).zip(&cols[s..e]) {
                f(slot, next[j as usize] as usize);
                next[j as usize] += 1;
            }
        }
    }

    /// Every slot's value from the column-ordered copy (0 in the slots that hold no synapse, as in the
    /// rows: a rebuild and a removal leave 0 there).
    fn values_by_row(&self, cols: &[u32]) -> Vec<V> {
        let mut vals = advised_zeros::<V>(self.n_slots());
        self.for_each_slot_pair(cols, |slot, q| vals[slot] = self.col_vals[q]);
        vals
    }

    /// Every column entry's slot in the rows.
    fn slots_by_column(&self, cols: &[u32]) -> Vec<u32> {
        let mut col_slot = advised_zeros::<u32>(self.col_rows.len());
        self.for_each_slot_pair(cols, |slot, q| col_slot[q] = slot as u32);
        col_slot
    }

    /// Every slot's presynaptic index and value: the rows themselves, or rebuilt from the columns while
    /// they are released.
    fn row_arrays(&self) -> (Cow<'_, [u32]>, Cow<'_, [V]>) {
        if !self.rows_stale {
            return (Cow::Borrowed(&self.cols), Cow::Borrowed(&self.vals));
        }
        let cols = if self.cols_released() {
            Cow::Owned(self.released_cols())
        } else {
            Cow::Borrowed(&self.cols[..])
        };
        let vals = self.values_by_row(&cols);
        (cols, Cow::Owned(vals))
    }

    /// A counter that changes whenever a value or the structure may have changed (any `&mut` method).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether [`Self::push_add`] currently reads the column-ordered value copy.
    pub fn has_push_cache(&self) -> bool {
        self.cache_valid
    }

    /// Builds a column-ordered copy of the values, so that [`Self::push_add`] streams contiguous memory
    /// instead of gathering from the rows; for a full matrix the push becomes a dense vector add.
    /// O(nnz); any change of a value drops it. The copy then holds the values once: the rows' values and
    /// the column slots are released, and the rows' presynaptic indices too for a fixed structure with
    /// sorted rows (see `ROWS_RELEASED`). With f32 values the copy takes the memory of the slots it
    /// replaces, so building it needs no more memory than the matrix held. Worth it for matrices that do
    /// not change: W^IE, and every matrix while the plasticity is frozen. On a matrix that has a copy, it
    /// only releases what the copy stands for (the copy matches the rows: any change drops it).
    pub fn build_push_cache(&mut self) {
        if self.cache_valid {
            if !self.rows_stale {
                self.release_rows();
            }
            return;
        }
        // No copy, so the rows are there (`ROWS_RELEASED` implies a copy).
        let slots = std::mem::take(&mut self.col_slot);
        let vals = std::mem::take(&mut self.vals);
        // A column's slack entries hold stale slots or 0 (read as whatever is there, or 0 past the rows):
        // no push or reader looks past a column's length.
        let value = |s: u32| vals.get(s as usize).copied().unwrap_or_default();
        let slots_left = if std::mem::size_of::<V>() == std::mem::size_of::<u32>() {
            // `collect` reuses the slots' allocation: the copy costs no memory beside the rows (f32).
            self.col_vals = slots.into_iter().map(value).collect();
            None
        } else {
            // Values of another size need a new array beside the rows' values. The rows' indices follow
            // from the slots, so they go first and come back after: 24 instead of 28 bytes per slot at
            // that moment in f64.
            self.cols = Vec::new();
            self.col_vals = slots.iter().map(|&s| value(s)).collect();
            hugepages::advise(&self.col_vals);
            Some(slots)
        };
        drop(vals);
        if let Some(slots) = slots_left
            && !self.releases_cols()
        {
            self.cols = self.cols_from_slots(&slots);
        }
        self.dense_cols = self.columns_dense();
        self.cache_valid = true;
        self.release_rows();
    }

    /// Whether every column holds all rows `0..n_rows` in order (see `dense_cols`).
    fn columns_dense(&self) -> bool {
        self.n_rows > 0
            && (0..self.n_cols).all(|j| {
                let (s, e) = self.col_range(j);
                e - s == self.n_rows && self.col_rows[s..e].iter().enumerate().all(|(k, &i)| i as usize == k)
            })
    }

    /// Drops the push cache and its memory (restoring the rows it released).
    #[cold]
    pub fn drop_push_cache(&mut self) {
        self.restore_rows(false);
    }

    /// The rows' presynaptic indices from the column slots (0 in the slots that hold no synapse).
    fn cols_from_slots(&self, slots: &[u32]) -> Vec<u32> {
        let mut cols = advised_zeros::<u32>(self.n_slots());
        for j in 0..self.n_cols {
            let (s, e) = self.col_range(j);
            for &slot in &slots[s..e] {
                cols[slot as usize] = j as u32;
            }
        }
        cols
    }

    /// Bytes held by this matrix's arrays (capacity, including slack and the push cache).
    pub fn heap_bytes(&self) -> usize {
        self.row_start.capacity() * 8
            + self.col_start.capacity() * 8
            + (self.row_len.capacity() + self.col_len.capacity()) * 4
            + (self.cols.capacity() + self.col_rows.capacity() + self.col_slot.capacity()) * 4
            + (self.vals.capacity() + self.col_vals.capacity()) * std::mem::size_of::<V>()
    }

    /// Number of postsynaptic units (rows).
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Number of presynaptic units (columns).
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// Number of stored synapses (including stored zero weights, which exist only when pruning is off).
    pub fn nnz(&self) -> usize {
        self.nnz
    }

    /// Number of synapses with a weight > 0: the "connection count" of the papers and the package.
    /// O(nnz): meant for recorders, not for the step.
    pub fn count_positive(&self) -> usize {
        let positive = |v: &[V]| v.iter().filter(|&&v| v.to_f64() > 0.0).count();
        if self.rows_stale {
            // The copy holds every synapse's value once, column by column.
            return (0..self.n_cols)
                .map(|j| self.col_range(j))
                .map(|(s, e)| positive(&self.col_vals[s..e]))
                .sum();
        }
        (0..self.n_rows).map(|i| self.row_range(i)).map(|(s, e)| positive(&self.vals[s..e])).sum()
    }

    /// Presynaptic indices and weights of row `i`, in storage order, borrowed from the rows. While a push
    /// cache has released the rows (see `ROWS_RELEASED`) they are collected from the columns instead:
    /// O(row length × log column length), or O(columns × log column length) when the presynaptic indices
    /// are released too. Row kernels restore the rows instead; [`Self::to_parts`] and
    /// [`Self::triplets`] rebuild all rows in one O(synapses) pass.
    #[inline]
    pub fn row(&self, i: usize) -> (Cow<'_, [u32]>, Cow<'_, [V]>) {
        (self.row_cols(i), self.row_values(i))
    }

    /// The weights of row `i` in storage order (see [`Self::row`]).
    #[inline]
    pub fn row_values(&self, i: usize) -> Cow<'_, [V]> {
        if !self.rows_stale {
            let (s, e) = self.row_range(i);
            return Cow::Borrowed(&self.vals[s..e]);
        }
        Cow::Owned(self.row_cols(i).iter().map(|&j| self.stored_of(i, j as usize)).collect())
    }

    /// The presynaptic indices of row `i` in storage order: borrowed from the rows, or while those are
    /// released (sorted rows), the columns that hold row `i`, found by binary search in each.
    #[inline]
    fn row_cols(&self, i: usize) -> Cow<'_, [u32]> {
        if !self.cols_released() {
            let (s, e) = self.row_range(i);
            return Cow::Borrowed(&self.cols[s..e]);
        }
        let holds = |j: usize| {
            let (a, b) = self.col_block(j, i, i + 1, false);
            a < b
        };
        Cow::Owned((0..self.n_cols).filter(|&j| holds(j)).map(|j| j as u32).collect())
    }

    /// The stored value of synapse `j → i` (which must exist) while the rows are released: its entry in
    /// the sorted column (`COLUMNS_SORTED`), found by binary search.
    #[inline]
    fn stored_of(&self, i: usize, j: usize) -> V {
        let (q, _) = self.col_block(j, i, i + 1, false);
        self.col_vals[q]
    }

    /// Presynaptic indices and mutable weights of row `i` (values only; the structure cannot change).
    #[inline]
    pub fn row_mut(&mut self, i: usize) -> (&[u32], &mut [V]) {
        self.touch();
        let (s, e) = self.row_range(i);
        (&self.cols[s..e], &mut self.vals[s..e])
    }

    /// Number of synapses in row `i`.
    #[inline]
    pub fn row_nnz(&self, i: usize) -> usize {
        self.row_len[i] as usize
    }

    /// Postsynaptic rows of column `j` (outgoing synapses of presynaptic unit `j`), increasing.
    #[inline]
    pub fn column_rows(&self, j: usize) -> &[u32] {
        let (s, e) = self.col_range(j);
        &self.col_rows[s..e]
    }

    /// Postsynaptic rows and value slots of column `j` (outgoing synapses of presynaptic unit `j`). While a
    /// push cache has released the slots (see `ROWS_RELEASED`), each is found in its row ([`Self::find`]).
    #[inline]
    pub fn column(&self, j: usize) -> (&[u32], Cow<'_, [u32]>) {
        let (s, e) = self.col_range(j);
        let rows = self.column_rows(j);
        if !self.rows_stale {
            return (rows, Cow::Borrowed(&self.col_slot[s..e]));
        }
        let slot = |i: u32| self.find(i as usize, j).expect("column index out of sync with the rows");
        (rows, Cow::Owned(rows.iter().map(|&i| slot(i)).collect()))
    }

    /// The weight stored in value slot `slot` (as returned by [`Self::column`]).
    #[inline]
    pub fn value_at(&self, slot: u32) -> f64 {
        self.stored_at(slot).to_f64()
    }

    /// The stored value of slot `slot`, from the column-ordered copy while the rows are released (the
    /// slot's row found by binary search in the row starts).
    #[inline]
    fn stored_at(&self, slot: u32) -> V {
        if self.rows_stale {
            let s = slot as usize;
            let i = self.row_start.partition_point(|&start| start <= s) - 1;
            let j = self.row_cols(i)[s - self.row_start[i]];
            return self.stored_of(i, j as usize);
        }
        self.vals[slot as usize]
    }

    /// Sets the weight in value slot `slot` to `w` (rounded to the storage type).
    #[inline]
    pub fn set_value(&mut self, slot: u32, w: f64) {
        self.touch();
        self.vals[slot as usize] = V::from_f64(w);
    }

    /// Calls `f(post, &mut weight)` for every outgoing synapse of presynaptic unit `j` (values only).
    ///
    /// A valid push cache stays valid: `f` then works on the column-ordered copy only (read and written
    /// contiguously, where storing each value in its row would be a scattered write per synapse), and
    /// the rows become stale until something needs them mutably (they are stored back first; readers such as
    /// [`Self::row`] and [`Self::to_parts`] see the new values meanwhile). A rule that changes a matrix
    /// only column by column (iSTDP on E←I when no SN follows) thus keeps the streamed push of
    /// [`Self::build_push_cache`] while plastic, and never touches the rows.
    #[inline]
    pub fn update_column(&mut self, j: usize, mut f: impl FnMut(u32, &mut V)) {
        let cached = self.begin_column_updates();
        let (vals, copy) = (SharedSlice::of(&mut self.vals), SharedSlice::of(&mut self.col_vals));
        let mut part = |rows: &[u32], ws: &mut [V]| {
            for (&i, w) in rows.iter().zip(ws) {
                f(i, w);
            }
        };
        // SAFETY: the slices are this matrix's, and nothing else borrows them during the call.
        unsafe { self.update_column_raw(j, cached, &vals, &copy, &mut part) };
    }

    /// Marks the values as changed by column updates and returns whether those work on the push cache
    /// (which then stays valid and ahead of the rows) or on the rows.
    fn begin_column_updates(&mut self) -> bool {
        if self.cache_valid {
            if !self.rows_stale {
                // Restored since the copy was built (e.g. for pruning that removed nothing).
                self.release_rows();
            }
            self.generation = self.generation.wrapping_add(1);
            true
        } else {
            self.touch();
            false
        }
    }

    /// [`Self::update_column`] for every column in `cols` (strictly increasing), split over threads by
    /// `par`: `f(rows, weights)` updates `weights[k]`, the weight of the synapse to `rows[k]`, for a whole
    /// column at a time (or for consecutive parts of it), so that its loop keeps the rule's constants in
    /// registers. Every synapse belongs to exactly one column, so the columns touch disjoint values and
    /// their order cannot matter: the result is bitwise that of updating them one after the other.
    pub fn update_columns_par(
        &mut self,
        cols: &[u32],
        par: crate::Parallelism,
        f: impl Fn(&[u32], &mut [V]) + Sync + Send,
    ) {
        // Soundness: the unsafe slices below are disjoint only for distinct columns (O(cols), negligible).
        assert!(cols.windows(2).all(|w| w[0] < w[1]), "columns must be strictly increasing");
        let cached = self.begin_column_updates();
        let (vals, copy) = (SharedSlice::of(&mut self.vals), SharedSlice::of(&mut self.col_vals));
        let this = &*self;
        // Each column starts at a random place in memory, too short for the hardware prefetcher: hint the
        // columns a few ahead, as the push does.
        let prefetch = cached && self.outgrows_cache();
        crate::parallel::for_each_chunk(cols, par, |chunk| {
            for (c, &j) in chunk.iter().enumerate() {
                if prefetch && let Some(&ahead) = chunk.get(c + COL_PREFETCH_AHEAD) {
                    this.prefetch_cached_column(ahead as usize, copy.base());
                }
                // SAFETY: distinct columns own disjoint ranges of the column arrays and disjoint value
                // slots (each slot is listed in exactly one column), and the columns are distinct.
                unsafe { this.update_column_raw(j as usize, cached, &vals, &copy, &mut |r, w| f(r, w)) };
            }
        });
    }

    /// The body of [`Self::update_column`]: `f(rows, weights)` on column `j`'s weights, on the
    /// column-ordered copy's range when `cached` (the rows are then stale), else on parts of the column
    /// gathered from the rows into a buffer and stored back.
    ///
    /// # Safety
    /// `vals` and `copy` must be `self.vals` and `self.col_vals`, and no other live reference may overlap
    /// column `j`'s range of `col_vals` or its value slots.
    #[inline(always)]
    unsafe fn update_column_raw(
        &self,
        j: usize,
        cached: bool,
        vals: &SharedSlice<V>,
        copy: &SharedSlice<V>,
        f: &mut impl FnMut(&[u32], &mut [V]),
    ) {
        let (s, e) = self.col_range(j);
        if cached {
            // SAFETY: the caller's contract; s..e is column j's range of the copy.
            f(&self.col_rows[s..e], unsafe { copy.slice_mut(s, e) });
            return;
        }
        const PART: usize = 64;
        let mut buf = [V::default(); PART];
        for (rows, slots) in self.col_rows[s..e].chunks(PART).zip(self.col_slot[s..e].chunks(PART)) {
            let buf = &mut buf[..rows.len()];
            for (w, &slot) in buf.iter_mut().zip(slots) {
                // SAFETY: every slot in the column index is < vals.len() (`ROWS_IN_RANGE` at
                // `push_rows`), and this one belongs to column j only.
                *w = unsafe { *vals.at(slot as usize) };
            }
            f(rows, buf);
            for (&w, &slot) in buf.iter().zip(slots) {
                // SAFETY: as above.
                unsafe { *vals.at(slot as usize) = w };
            }
        }
    }

    /// Calls `f(j, rows, slots, vals)` for every presynaptic unit `j` in `cols`, in the given order:
    /// `rows` and `slots` are the postsynaptic rows and value slots of `j`'s outgoing synapses (as
    /// [`Self::column`]) and `vals` holds every value of the matrix, so that `vals[slots[k] as usize]` is
    /// the weight of synapse `j → rows[k]` (values only; the structure cannot change). The values are
    /// marked as changed once for the whole call, not once per column as with [`Self::update_column`], and
    /// `f` reads a column's rows without touching the weights of synapses it leaves alone: the way to
    /// update a few of the synapses of many columns.
    pub fn update_columns(&mut self, cols: &[u32], mut f: impl FnMut(usize, &[u32], &[u32], &mut [V])) {
        self.touch();
        for &j in cols {
            let j = j as usize;
            let (s, e) = self.col_range(j);
            f(j, &self.col_rows[s..e], &self.col_slot[s..e], &mut self.vals);
        }
    }

    /// The value slot of synapse `pre → post`, if it exists.
    pub fn find(&self, post: usize, pre: usize) -> Option<u32> {
        let s = self.row_start[post];
        self.row_cols(post).iter().position(|&c| c as usize == pre).map(|k| (s + k) as u32)
    }

    /// Calls `f(post, weight)` for every outgoing synapse of presynaptic unit `j`, in column order: from
    /// the column-ordered copy when there is one, else from the rows.
    pub fn for_column(&self, j: usize, mut f: impl FnMut(usize, f64)) {
        let (s, e) = self.col_range(j);
        let rows = &self.col_rows[s..e];
        if self.cache_valid {
            for (&i, &w) in rows.iter().zip(&self.col_vals[s..e]) {
                f(i as usize, w.to_f64());
            }
        } else {
            for (&i, &slot) in rows.iter().zip(&self.col_slot[s..e]) {
                f(i as usize, self.vals[slot as usize].to_f64());
            }
        }
    }

    /// The weight of synapse `pre → post` (0 when absent).
    pub fn get(&self, post: usize, pre: usize) -> f64 {
        if self.rows_stale {
            let (a, b) = self.col_block(pre, post, post + 1, false);
            return if a < b { self.col_vals[a].to_f64() } else { 0.0 };
        }
        self.find(post, pre).map_or(0.0, |s| self.vals[s as usize].to_f64())
    }

    /// `out[post] += Σ_{pre ∈ active} W[post, pre]`, pushed through the column index.
    ///
    /// `active` must be sorted increasingly for the bitwise equality with a dense dot product.
    #[inline]
    pub fn push_add(&self, active: &[u32], out: &mut [f64]) {
        self.push_rows(active, 0, out);
    }

    /// [`Self::push_add`], with the rows split into contiguous blocks that run in parallel when `par` asks
    /// for it. Every row still receives its additions in increasing presynaptic order, so the result is
    /// bitwise the same for any thread count.
    ///
    /// A push that streams short columns from the push cache stays on one thread: every block visits
    /// every active column, and a block of a column of a few dozen synapses costs about what the whole
    /// column does (its cache lines and its bookkeeping), so splitting only adds work. Measured on W^IE of
    /// `large` (20 synapses per column): 0.64 ms on one thread, 1.0 ms split over two.
    pub fn push_add_par(&self, active: &[u32], out: &mut [f64], par: crate::Parallelism) {
        match par {
            crate::Parallelism::Rayon { min_rows } if self.drive_splits(out.len(), par) => {
                use rayon::prelude::*;
                let block = out.len().div_ceil(rayon::current_num_threads()).max(min_rows.max(1));
                out.par_chunks_mut(block)
                    .enumerate()
                    .for_each(|(b, chunk)| self.push_rows(active, b * block, chunk));
            }
            _ => self.push_rows(active, 0, out),
        }
    }

    /// Whether [`Self::drive_add`] (and [`Self::push_add_par`]) into `n` rows with `par` cuts the rows into
    /// blocks for the threads of the pool: with more than one thread and at least 4 096 rows, unless a
    /// cached push of short columns keeps to one thread. Depends on the layout and `par` only, not on the
    /// spikes, so that a caller can plan what to run beside it.
    pub fn drive_splits(&self, n: usize, par: crate::Parallelism) -> bool {
        let short_cached = self.cache_valid && !self.dense_cols && self.nnz < SPLIT_MIN_COLUMN * self.n_cols;
        match par {
            crate::Parallelism::Rayon { min_rows } => {
                rayon::current_num_threads() > 1 && !short_cached && n >= 2 * min_rows.max(1) && n >= 4096
            }
            crate::Parallelism::Sequential => false,
        }
    }

    /// Whether one pass over every row is expected to cost less than visiting the outgoing synapses of the
    /// presynaptic units `active` through the column index: a row pass streams memory, the column visit
    /// gathers one value per synapse from a random place (a cache miss once the values outgrow the cache).
    /// Only a cost estimate: kernels that use it give the same results either way.
    pub fn rows_cheaper_than_columns(&self, active: &[u32]) -> bool {
        if self.nnz == 0 {
            return false;
        }
        let visited: usize = active.iter().map(|&j| self.col_len[j as usize] as usize).sum();
        let factor = if self.outgrows_cache() { ROW_PASS_FACTOR_LARGE } else { ROW_PASS_FACTOR_SMALL };
        visited * factor >= self.nnz
    }

    /// `out[post] += Σ_{pre ∈ active} W[post, pre]` like [`Self::push_add_par`], where `bits[pre] != 0`
    /// exactly for the units in `active` (sorted increasingly). When every row is sorted and the active
    /// synapses are a large enough share of the matrix ([`Self::rows_cheaper_than_columns`]), the sum is
    /// *pulled* row by row instead: each row then adds the weights of its active presynaptic units in
    /// increasing presynaptic order, the push's order, so the result is bitwise the same.
    pub fn drive_add(&self, active: &[u32], bits: &[u8], out: &mut [f64], par: crate::Parallelism) {
        if self.cache_valid || !self.rows_sorted || !self.rows_cheaper_than_columns(active) {
            self.push_add_par(active, out, par);
            return;
        }
        assert!(bits.len() >= self.n_cols, "one spike flag per presynaptic unit");
        let n = out.len().min(self.n_rows);
        let out = &mut out[..n];
        match par {
            crate::Parallelism::Rayon { min_rows } if self.drive_splits(n, par) => {
                use rayon::prelude::*;
                let block = PULL_BLOCK.max(min_rows);
                out.par_chunks_mut(block)
                    .enumerate()
                    .for_each(|(b, chunk)| self.pull_rows(bits, b * block, chunk));
            }
            _ => self.pull_rows(bits, 0, out),
        }
    }

    /// The pull for rows `lo .. lo + out.len()`: `out[k] += Σ_{j in row, bits[j] ≠ 0} W[lo + k, j]` in storage
    /// order.
    fn pull_rows(&self, bits: &[u8], lo: usize, out: &mut [f64]) {
        debug_assert!(!self.rows_stale, "stale rows imply a push cache, and a cached matrix pushes");
        const CHUNK: usize = 32;
        let mut buf = [V::default(); CHUNK];
        for (k, o) in out.iter_mut().enumerate() {
            let (s, e) = self.row_range(lo + k);
            let mut acc = *o;
            for (cc, vv) in self.cols[s..e].chunks(CHUNK).zip(self.vals[s..e].chunks(CHUNK)) {
                // Branch-free compaction of the active weights (always write, advance on a spike), then
                // the additions in order: the same sequence of additions as the push.
                let mut m = 0;
                for (&j, &w) in cc.iter().zip(vv) {
                    buf[m] = w;
                    m += usize::from(bits[j as usize] != 0);
                }
                for &w in &buf[..m] {
                    acc += w.to_f64();
                }
            }
            *o = acc;
        }
    }

    /// The push restricted to rows `lo .. lo + out.len()` (`out[k]` is row `lo + k`).
    ///
    /// `ROWS_IN_RANGE`: the sequential push (all rows in one block) indexes without bounds checks, on the
    /// layout's invariant that every entry of `col_rows` is < `n_rows` and every entry of `col_slot` is <
    /// `vals.len()`. [`Self::rebuild`] establishes it (rows come from `0..n_rows`, slots from the row
    /// ranges, presynaptic indices are checked), `insert` keeps it (it indexes the row arrays with `post`
    /// first, and slots come from the row's range), and removal only moves existing entries. The checks
    /// cost ≈ 4 of ≈ 11 instructions per synapse in the drive of a small network. Debug builds (and the
    /// test profile) still check every index (`get_unchecked`'s precondition checks).
    fn push_rows(&self, active: &[u32], lo: usize, out: &mut [f64]) {
        let hi = (lo + out.len()).min(self.n_rows);
        let full = lo == 0 && out.len() >= self.n_rows;
        if self.cache_valid && self.dense_cols {
            crate::dense::add_columns(&self.col_vals, &self.col_start, active, lo, &mut out[..hi - lo]);
            return;
        }
        let large = self.outgrows_cache();
        if !self.cache_valid && large {
            self.push_rows_prefetch(active, lo, out);
            return;
        }
        let vals: &[V] = if self.cache_valid { &self.col_vals } else { &self.vals };
        let direct = self.cache_valid;
        for (c, &j) in active.iter().enumerate() {
            if direct
                && large
                && let Some(&ahead) = active.get(c + COL_PREFETCH_AHEAD)
            {
                self.prefetch_cached_column(ahead as usize, self.col_vals.as_ptr());
            }
            let (s, e) = self.col_block(j as usize, lo, hi, full);
            let rows = &self.col_rows[s..e];
            if full {
                if direct {
                    for (&i, &w) in rows.iter().zip(&vals[s..e]) {
                        // SAFETY: `full` means `out.len() >= n_rows`, and every row in the column index
                        // is < n_rows (see `ROWS_IN_RANGE`).
                        unsafe { *out.get_unchecked_mut(i as usize) += w.to_f64() };
                    }
                } else {
                    for (&i, &slot) in rows.iter().zip(&self.col_slot[s..e]) {
                        // SAFETY: as above for `i`; `vals` is `self.vals` here (no cache), and every slot
                        // in the column index is < vals.len() (see `ROWS_IN_RANGE`).
                        unsafe {
                            *out.get_unchecked_mut(i as usize) += vals.get_unchecked(slot as usize).to_f64()
                        };
                    }
                }
            } else if direct {
                for (&i, &w) in rows.iter().zip(&vals[s..e]) {
                    out[i as usize - lo] += w.to_f64();
                }
            } else {
                for (&i, &slot) in rows.iter().zip(&self.col_slot[s..e]) {
                    out[i as usize - lo] += vals[slot as usize].to_f64();
                }
            }
        }
    }

    /// Slot range of column `j` in the column arrays.
    #[inline(always)]
    fn col_range(&self, j: usize) -> (usize, usize) {
        let s = self.col_start[j];
        (s, s + self.col_len[j] as usize)
    }

    /// The part of column `j`'s range that holds rows `lo .. hi`, found by binary search in the sorted
    /// column (`COLUMNS_SORTED`): a push cut into blocks of rows (one per thread) reads only its block's
    /// share of each column. The whole range when `full` (the block is every row).
    #[inline(always)]
    fn col_block(&self, j: usize, lo: usize, hi: usize, full: bool) -> (usize, usize) {
        let (s, e) = self.col_range(j);
        if full {
            return (s, e);
        }
        let rows = &self.col_rows[s..e];
        // A block that starts at row 0 or runs to the last row (each of two threads' blocks) has that end
        // without a search: one binary search per column instead of two, in a push that gathers.
        let a = if lo == 0 { 0 } else { rows.partition_point(|&i| (i as usize) < lo) };
        let b = if hi >= self.n_rows {
            rows.len()
        } else {
            a + rows[a..].partition_point(|&i| (i as usize) < hi)
        };
        (s + a, s + b)
    }

    /// The gathering push of a large matrix (values not in cache): a second cursor runs
    /// [`GATHER_PREFETCH_AHEAD`] synapses ahead over the same sequence of (column, synapse) and prefetches
    /// the value it will need, across column boundaries; the column arrays are prefetched a few columns
    /// ahead of that cursor. Same additions in the same order as the plain loop.
    fn push_rows_prefetch(&self, active: &[u32], lo: usize, out: &mut [f64]) {
        let hi = (lo + out.len()).min(self.n_rows);
        let full = lo == 0 && out.len() >= self.n_rows;
        let mut lead = ColCursor::new(self, active, lo, hi, full);
        let hint = |q: usize| prefetch_read(&self.vals[self.col_slot[q] as usize]);
        for _ in 0..GATHER_PREFETCH_AHEAD {
            match lead.next() {
                Some(q) => hint(q),
                None => break,
            }
        }
        for (c, &j) in active.iter().enumerate() {
            if let Some(&ahead) = active.get(c + COL_PREFETCH_AHEAD) {
                self.prefetch_column_index(ahead as usize);
            }
            let (s, e) = self.col_block(j as usize, lo, hi, full);
            for (&i, &slot) in self.col_rows[s..e].iter().zip(&self.col_slot[s..e]) {
                if let Some(q) = lead.next() {
                    hint(q);
                }
                out[i as usize - lo] += self.vals[slot as usize].to_f64();
            }
        }
    }

    /// Sum of the weights of row `i`, in storage order.
    pub fn row_sum(&self, i: usize) -> f64 {
        self.row_values(i).iter().map(|w| w.to_f64()).sum()
    }

    /// Inserts synapse `pre → post` with weight `w`, or sets its weight if it exists.
    /// O(1) unless the row or the column has no slack left, in which case the matrix is rebuilt with new
    /// slack (amortised, rare).
    pub fn insert(&mut self, post: usize, pre: usize, w: f64) {
        assert!(post < self.n_rows && pre < self.n_cols, "synapse ({post}, {pre}) out of range");
        self.touch();
        if let Some(s) = self.find(post, pre) {
            self.vals[s as usize] = V::from_f64(w);
            return;
        }
        let row_full = self.row_start[post] + self.row_len[post] as usize == self.row_start[post + 1];
        let col_full = self.col_start[pre] + self.col_len[pre] as usize == self.col_start[pre + 1];
        if row_full || col_full {
            self.reserve_slack = true;
            self.relayout(Some((post, pre as u32, V::from_f64(w))));
            return;
        }
        let s = self.row_start[post] + self.row_len[post] as usize;
        self.rows_sorted &= self.row_len[post] == 0 || self.cols[s - 1] < pre as u32;
        self.cols[s] = pre as u32;
        self.vals[s] = V::from_f64(w);
        // The column takes the new row at its place in increasing order (`COLUMNS_SORTED`).
        let (c0, q_end) = self.col_range(pre);
        let q = c0 + self.col_rows[c0..q_end].partition_point(|&i| (i as usize) < post);
        self.col_rows.copy_within(q..q_end, q + 1);
        self.col_slot.copy_within(q..q_end, q + 1);
        self.col_rows[q] = post as u32;
        self.col_slot[q] = s as u32;
        self.row_len[post] += 1;
        self.col_len[pre] += 1;
        self.nnz += 1;
    }

    /// Position in column `j`'s range of the column arrays of the synapse in value slot `s` (a scan of the
    /// column: removals are rare, and not storing this back-pointer saves 4 bytes per synapse).
    fn col_pos(&self, j: usize, s: u32) -> usize {
        let c0 = self.col_start[j];
        let k = self.col_slot[c0..c0 + self.col_len[j] as usize]
            .iter()
            .position(|&x| x == s)
            .expect("column index out of sync with the rows");
        c0 + k
    }

    /// Removes the synapse in value slot `slot` of row `post`. The last synapse of the row moves into the
    /// freed slot.
    pub fn remove(&mut self, post: usize, slot: u32) {
        self.touch();
        let s = slot as usize;
        let row_end = self.row_start[post] + self.row_len[post] as usize;
        assert!(s >= self.row_start[post] && s < row_end, "slot {s} is not a synapse of row {post}");
        let (dropped, moved) = self.remove_from_row(post, s);
        self.edit_column(dropped);
        if let Some(m) = moved {
            self.edit_column(m);
        }
    }

    /// The row side of removing the synapse in slot `s` of row `post` (which must hold it): the row's last
    /// synapse moves into slot s. Returns the edits the column index needs: the dropped entry, and the
    /// moved synapse's new slot if one moved. Rows and columns are separate arrays, so a batch of removals
    /// can do all row sides first and the column edits after, in the same order, with the same result.
    fn remove_from_row(&mut self, post: usize, s: usize) -> (ColumnEdit, Option<ColumnEdit>) {
        let dropped = ColumnEdit { col: self.cols[s], slot: s as u32, to: None };
        let s_last = self.row_start[post] + self.row_len[post] as usize - 1;
        let moved = (s != s_last).then(|| {
            self.rows_sorted = false;
            self.cols[s] = self.cols[s_last];
            self.vals[s] = self.vals[s_last];
            ColumnEdit { col: self.cols[s_last], slot: s_last as u32, to: Some(s as u32) }
        });
        self.vals[s_last] = V::default();
        self.row_len[post] -= 1;
        self.nnz -= 1;
        (dropped, moved)
    }

    /// Applies one [`ColumnEdit`]. A dropped entry's successors move up by one, so the column stays sorted
    /// (`COLUMNS_SORTED`; O(column length), like finding the entry).
    fn edit_column(&mut self, e: ColumnEdit) {
        let j = e.col as usize;
        let q = self.col_pos(j, e.slot);
        match e.to {
            Some(to) => self.col_slot[q] = to,
            None => {
                let q_end = self.col_start[j] + self.col_len[j] as usize;
                self.col_rows.copy_within(q + 1..q_end, q);
                self.col_slot.copy_within(q + 1..q_end, q);
                self.col_len[j] -= 1;
            }
        }
    }

    /// Removes every synapse of row `post` whose weight satisfies `remove`; returns how many went.
    pub fn prune_row(&mut self, post: usize, remove: impl FnMut(f64) -> bool) -> usize {
        self.prune_rows(&[post as u32], remove)
    }

    /// [`Self::prune_row`] for each of `rows` in turn, with the same result, faster for many rows of a large
    /// matrix: each removal edits one or two columns at random places in memory, a chain of cache misses
    /// when done one at a time. Here the rows give up their synapses first and the column edits follow in
    /// the same order, each hinted to the CPU a few edits ahead (`EDIT_PREFETCH_AHEAD`), so that the misses
    /// overlap. At N_E = 10⁶ (`large`, ≈ 5 700 removals per step) the removals took 9 of ≈ 100 ms a step.
    pub fn prune_rows(&mut self, rows: &[u32], mut remove: impl FnMut(f64) -> bool) -> usize {
        if rows.is_empty() {
            return 0;
        }
        self.sync_rows();
        let hint = self.outgrows_cache();
        let mut edits = Vec::new();
        for (k, &post) in rows.iter().enumerate() {
            if hint {
                // Two stages, as for the column edits below: a row's start and length, then its synapses.
                if let Some(&r) = rows.get(k + 2 * EDIT_PREFETCH_AHEAD) {
                    prefetch_read(&self.row_start[r as usize]);
                    prefetch_read(&self.row_len[r as usize]);
                }
                if let Some(&r) = rows.get(k + EDIT_PREFETCH_AHEAD) {
                    self.prefetch_row(self.vals.as_ptr(), r as usize);
                }
            }
            let post = post as usize;
            let mut s = self.row_start[post];
            while s < self.row_start[post] + self.row_len[post] as usize {
                if remove(self.vals[s].to_f64()) {
                    let (dropped, moved) = self.remove_from_row(post, s);
                    edits.push(dropped);
                    edits.extend(moved);
                } else {
                    s += 1;
                }
            }
        }
        let removed = edits.iter().filter(|e| e.to.is_none()).count();
        if removed == 0 {
            return 0;
        }
        // What `remove` does per synapse: the values changed.
        self.invalidate_cache();
        self.generation = self.generation.wrapping_add(removed as u64);
        for k in 0..edits.len() {
            if hint {
                // Two stages: a column's start and length, then (once they are likely in cache) its slots.
                if let Some(e) = edits.get(k + 2 * EDIT_PREFETCH_AHEAD) {
                    prefetch_read(&self.col_start[e.col as usize]);
                    prefetch_read(&self.col_len[e.col as usize]);
                }
                if let Some(e) = edits.get(k + EDIT_PREFETCH_AHEAD) {
                    self.prefetch_column_index(e.col as usize);
                }
            }
            self.edit_column(edits[k]);
        }
        removed
    }

    /// Mutable row slices for a set of *distinct* rows, processed by `f(row, cols, vals)` possibly in
    /// parallel. Each row's arithmetic is sequential, so results do not depend on the thread count.
    pub fn for_rows_mut<F>(&mut self, rows: &[u32], par: crate::Parallelism, f: F)
    where
        F: Fn(usize, &[u32], &mut [V]) + Sync + Send,
    {
        // Soundness: the unsafe row slices below are disjoint only for distinct rows (O(rows), negligible).
        assert!(rows.windows(2).all(|w| w[0] < w[1]), "rows must be strictly increasing");
        self.touch();
        let vals = SharedSlice::of(&mut self.vals);
        let this = &*self;
        // Rows of a matrix that fits in the cache need no hints (they only cost instructions).
        let prefetch = self.outgrows_cache();
        crate::parallel::for_each_chunk(rows, par, |chunk| {
            for k in 0..chunk.len() {
                // SAFETY: rows are distinct (strictly increasing), see `kernel_row`.
                let (i, c, v) = unsafe { this.kernel_row(&vals, chunk, k, prefetch) };
                f(i, c, v);
            }
        });
    }

    /// Like [`Self::for_rows_mut`], for rows given with the flag bit [`ROW_FLAG`] clear; when `f` returns
    /// true the bit is set in `rows[k]`, so that a sequential pass afterwards (e.g. pruning) visits only the
    /// flagged rows. Needs no buffer besides `rows` itself.
    pub fn for_rows_mut_flag<F>(&mut self, rows: &mut [u32], par: crate::Parallelism, f: F)
    where
        F: Fn(usize, &[u32], &mut [V]) -> bool + Sync + Send,
    {
        self.for_rows_mut_mark(rows, par, |i, c, v| if f(i, c, v) { ROW_FLAG } else { 0 });
    }

    /// Like [`Self::for_rows_mut_flag`] with two flag bits: `f` returns a subset of
    /// `ROW_FLAG | ROW_FLAG2`, which is OR-ed into `rows[k]`. Rows must be below 2^30.
    pub fn for_rows_mut_mark<F>(&mut self, rows: &mut [u32], par: crate::Parallelism, f: F)
    where
        F: Fn(usize, &[u32], &mut [V]) -> u32 + Sync + Send,
    {
        // Soundness: the unsafe row slices below are disjoint only for distinct rows (O(rows), negligible).
        assert!(rows.windows(2).all(|w| w[0] < w[1]), "rows must be strictly increasing");
        assert!(self.n_rows <= ROW_FLAG2 as usize, "row flags need fewer than 2^30 rows");
        debug_assert!(rows.iter().all(|&r| r & ROW_MARKS == 0));
        self.touch();
        let vals = SharedSlice::of(&mut self.vals);
        let this = &*self;
        // Rows of a matrix that fits in the cache need no hints (they only cost instructions).
        let prefetch = self.outgrows_cache();
        crate::parallel::for_each_chunk_mut(rows, par, |chunk| {
            for k in 0..chunk.len() {
                // SAFETY: rows are distinct (strictly increasing), see `kernel_row`.
                let (i, c, v) = unsafe { this.kernel_row(&vals, chunk, k, prefetch) };
                chunk[k] |= f(i, c, v) & ROW_MARKS;
            }
        });
    }

    /// Row `chunk[k]` of a row kernel: its index, presynaptic indices and mutable values; first hints the
    /// row [`ROW_PREFETCH_AHEAD`] further on in `chunk` when `prefetch`.
    ///
    /// # Safety
    /// `vals` must be `self.vals`, and no other live reference may overlap this row's values: true when the
    /// kernel's rows are distinct (row slot ranges never overlap) and nothing else reads `vals` while the
    /// kernel runs (`prefetch_row` only hints).
    #[inline(always)]
    #[allow(clippy::mut_from_ref)] // the values come from `vals`, as in `SharedSlice::slice_mut`
    unsafe fn kernel_row<'s>(
        &'s self,
        vals: &'s SharedSlice<V>,
        chunk: &[u32],
        k: usize,
        prefetch: bool,
    ) -> (usize, &'s [u32], &'s mut [V]) {
        if prefetch && let Some(&ahead) = chunk.get(k + ROW_PREFETCH_AHEAD) {
            self.prefetch_row(vals.base(), ahead as usize);
        }
        // Entries from k on carry no mark yet (a kernel marks `chunk[k]` after this call).
        let i = chunk[k] as usize;
        let (s, e) = self.row_range(i);
        // SAFETY: the caller's contract above.
        (i, &self.cols[s..e], unsafe { vals.slice_mut(s, e) })
    }

    /// Whether the values outgrow the cache, so that hints and streamed passes pay off.
    #[inline(always)]
    fn outgrows_cache(&self) -> bool {
        self.n_slots() >= PREFETCH_MIN_SLOTS
    }

    /// Slot range `start .. end` of the synapses of row `i`.
    #[inline(always)]
    fn row_range(&self, i: usize) -> (usize, usize) {
        let s = self.row_start[i];
        (s, s + self.row_len[i] as usize)
    }

    /// Hints the CPU to fetch the index of column `j`: its rows and value slots.
    #[inline(always)]
    fn prefetch_column_index(&self, j: usize) {
        let (s, e) = self.col_range(j);
        prefetch_lines(self.col_rows[s..].as_ptr().cast(), (e - s) * 4);
        prefetch_lines(self.col_slot[s..].as_ptr().cast(), (e - s) * 4);
    }

    /// Hints the CPU to fetch the rows and the column-ordered values of column `j`; `copy` is the base of
    /// `self.col_vals` (a raw pointer: other columns may be written meanwhile; nothing is read).
    #[inline(always)]
    fn prefetch_cached_column(&self, j: usize, copy: *const V) {
        let (s, e) = self.col_range(j);
        prefetch_lines(self.col_rows[s..].as_ptr().cast(), (e - s) * 4);
        prefetch_lines(copy.wrapping_add(s).cast(), (e - s) * std::mem::size_of::<V>());
    }

    /// Hints the CPU to fetch the indices and values of row `i` (a row of a large matrix sits at a random
    /// place in memory and is too short for the hardware prefetcher to pick it up in time). `vals` is the
    /// base of `self.vals` (a raw pointer: other rows may be borrowed mutably meanwhile; nothing is read).
    #[inline(always)]
    fn prefetch_row(&self, vals: *const V, i: usize) {
        let (s, e) = self.row_range(i);
        prefetch_lines(self.cols[s..].as_ptr().cast(), (e - s) * 4);
        prefetch_lines(vals.wrapping_add(s).cast(), (e - s) * std::mem::size_of::<V>());
    }

    /// The first synapse `(post, pre, weight)`, rows in increasing order and each in storage order, for
    /// which `pred` holds. O(synapses) without allocating (unless the rows are released: see
    /// [`Self::build_push_cache`]): the way to check a large matrix.
    pub fn find_synapse(
        &self,
        mut pred: impl FnMut(usize, usize, f64) -> bool,
    ) -> Option<(usize, usize, f64)> {
        let (cols, vals) = self.row_arrays();
        (0..self.n_rows).find_map(|i| {
            let (s, e) = self.row_range(i);
            cols[s..e]
                .iter()
                .zip(&vals[s..e])
                .map(|(&j, &w)| (i, j as usize, w.to_f64()))
                .find(|&(i, j, w)| pred(i, j, w))
        })
    }

    /// All synapses as `(post, pre, weight)`, rows in order, columns sorted.
    pub fn triplets(&self) -> Vec<(usize, usize, f64)> {
        let mut out = Vec::with_capacity(self.nnz);
        let mut r: Vec<(u32, f64)> = Vec::new();
        let (cols, vals) = self.row_arrays();
        for i in 0..self.n_rows {
            let (s, e) = self.row_range(i);
            let (c, v) = (&cols[s..e], &vals[s..e]);
            r.clear();
            r.extend(c.iter().copied().zip(v.iter().map(|w| w.to_f64())));
            r.sort_by_key(|e| e.0);
            out.extend(r.iter().map(|&(j, w)| (i, j as usize, w)));
        }
        out
    }

    /// Dense row-major copy (`n_rows × n_cols`), for tests and small networks.
    pub fn to_dense(&self) -> Vec<f64> {
        let mut d = vec![0.0; self.n_rows * self.n_cols];
        for (i, j, w) in self.triplets() {
            d[i * self.n_cols + j] = w;
        }
        d
    }

    /// Compressed-row parts in storage order (what snapshots store; weights widened to f64, exactly).
    pub fn to_parts(&self) -> CsrParts {
        let (indptr, indices, data) = self.csr_arrays();
        // For f64 this collects in place (same element size): no copy.
        let data = data.into_iter().map(Weight::to_f64).collect();
        CsrParts { n_rows: self.n_rows, n_cols: self.n_cols, indptr, indices, data }
    }

    /// `indptr`, `indices` and the stored values of the rows, in storage order.
    fn csr_arrays(&self) -> (Vec<usize>, Vec<u32>, Vec<V>) {
        let mut indptr = Vec::with_capacity(self.n_rows + 1);
        let mut indices = Vec::with_capacity(self.nnz);
        let mut data = Vec::with_capacity(self.nnz);
        indptr.push(0);
        let (cols, vals) = self.row_arrays();
        for i in 0..self.n_rows {
            let (s, e) = self.row_range(i);
            indices.extend_from_slice(&cols[s..e]);
            data.extend_from_slice(&vals[s..e]);
            indptr.push(indices.len());
        }
        (indptr, indices, data)
    }

    /// Canonical `sprs` CSR matrix (columns sorted within rows), row = postsynaptic.
    pub fn to_csmat(&self) -> sprs::CsMat<f64> {
        let mut tri = sprs::TriMat::with_capacity((self.n_rows, self.n_cols), self.nnz);
        for (i, j, w) in self.triplets() {
            tri.add_triplet(i, j, w);
        }
        tri.to_csr()
    }
}

/// The flag bit [`SparseWeights::for_rows_mut_flag`] sets in a row index (row indices stay below 2^30).
pub const ROW_FLAG: u32 = 1 << 31;
/// The second flag bit of [`SparseWeights::for_rows_mut_mark`].
pub const ROW_FLAG2: u32 = 1 << 30;
/// Both flag bits.
pub const ROW_MARKS: u32 = ROW_FLAG | ROW_FLAG2;

/// [`SparseWeights::rows_cheaper_than_columns`]: a synapse visited through the column index costs about
/// this many streamed synapses when the values do not fit in the cache …
const ROW_PASS_FACTOR_LARGE: usize = 8;
/// … and this many when they do.
const ROW_PASS_FACTOR_SMALL: usize = 2;
/// [`SparseWeights::compact_if_sparse`] lays a matrix out anew once it holds more than this many times
/// the slots a rebuild would reserve.
const COMPACT_FACTOR: usize = 2;
/// Rows per parallel task of the pull in [`SparseWeights::drive_add`].
const PULL_BLOCK: usize = 2048;

/// Rows and column edits [`SparseWeights::prune_rows`] hints ahead (and twice as far ahead, where they start).
const EDIT_PREFETCH_AHEAD: usize = 8;

/// A change the column index needs after a synapse left a row (see `SparseWeights::remove_from_row`):
/// column `col`'s entry for value slot `slot` goes (`to = None`) or now points to slot `to`.
#[derive(Clone, Copy, Debug)]
struct ColumnEdit {
    col: u32,
    slot: u32,
    to: Option<u32>,
}

/// Mean synapses per column from which a cached push is split into row blocks (see
/// [`SparseWeights::push_add_par`]).
const SPLIT_MIN_COLUMN: usize = 128;

/// Synapses ahead of the current one whose value the gathering push prefetches.
const GATHER_PREFETCH_AHEAD: usize = 32;
/// Columns ahead of the current one whose index arrays the push prefetches.
const COL_PREFETCH_AHEAD: usize = 4;

/// Walks the column positions of the outgoing synapses of `active` to rows `lo .. hi`, column after
/// column (as [`SparseWeights::col_block`]).
struct ColCursor<'a, V: Weight> {
    w: &'a SparseWeights<V>,
    active: &'a [u32],
    lo: usize,
    hi: usize,
    full: bool,
    c: usize,
    q: usize,
    e: usize,
}

impl<'a, V: Weight> ColCursor<'a, V> {
    fn new(w: &'a SparseWeights<V>, active: &'a [u32], lo: usize, hi: usize, full: bool) -> Self {
        ColCursor { w, active, lo, hi, full, c: 0, q: 0, e: 0 }
    }
}

impl<V: Weight> Iterator for ColCursor<'_, V> {
    type Item = usize;
    #[inline(always)]
    fn next(&mut self) -> Option<usize> {
        while self.q == self.e {
            let &j = self.active.get(self.c)?;
            self.c += 1;
            (self.q, self.e) = self.w.col_block(j as usize, self.lo, self.hi, self.full);
        }
        self.q += 1;
        Some(self.q - 1)
    }
}

/// Rows ahead of the current one whose memory [`SparseWeights::for_rows_mut`] prefetches.
const ROW_PREFETCH_AHEAD: usize = 2;
/// [`prefetch_lines`] hints at most this many bytes of a row or column: its first lines start the
/// hardware's own stream prefetcher, while hinting every line of rows of 100 synapses (19 lines per row,
/// two rows ahead) kept the core waiting for free line-fill buffers (N_E = 10⁶: STDP −12 to −21 %).
const PREFETCH_MAX_BYTES: usize = 256;

/// Hints the CPU to fetch the cache line of `v` (no effect on results).
#[inline(always)]
fn prefetch_read<T>(v: &T) {
    prefetch_ptr((v as *const T).cast());
}

/// Hints the CPU to fetch the cache line holding `p`. Portable no-op outside x86_64.
#[inline(always)]
fn prefetch_ptr(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching is a hint; it never faults, even on invalid addresses, and reads nothing.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Hints the CPU to fetch the cache lines of the `bytes` bytes at `p`, the first [`PREFETCH_MAX_BYTES`] of
/// them at most (nothing is read).
#[inline(always)]
fn prefetch_lines(p: *const u8, bytes: usize) {
    if bytes == 0 {
        return;
    }
    let bytes = bytes.min(PREFETCH_MAX_BYTES);
    // One hint per 64-byte line touched; the first line may start before `p`.
    let skew = (p as usize) & 63;
    let mut off = 0;
    while off < bytes + skew {
        prefetch_ptr(p.wrapping_add(off).wrapping_sub(skew));
        off += 64;
    }
}

impl CsrParts {
    /// Checks that the parts describe a valid matrix: `indptr` monotone from 0 to `nnz` with
    /// `n_rows + 1` entries, indices in range and unique per row, weights finite. `what` names the matrix
    /// in the error message.
    pub fn validate(&self, what: &str) -> Result<(), String> {
        if self.indptr.len() != self.n_rows + 1 {
            return Err(format!(
                "{what}: indptr has {} entries, expected n_rows + 1 = {}",
                self.indptr.len(),
                self.n_rows + 1
            ));
        }
        if self.indptr[0] != 0 || self.indptr.windows(2).any(|w| w[0] > w[1]) {
            return Err(format!("{what}: indptr must start at 0 and never decrease"));
        }
        if self.indptr[self.n_rows] != self.indices.len() || self.indices.len() != self.data.len() {
            return Err(format!(
                "{what}: indptr ends at {}, indices has {} and data {} entries; all three must agree",
                self.indptr[self.n_rows],
                self.indices.len(),
                self.data.len()
            ));
        }
        for i in 0..self.n_rows {
            let mut r = self.indices[self.indptr[i]..self.indptr[i + 1]].to_vec();
            r.sort_unstable();
            if let Some(&j) = r.iter().find(|&&j| j as usize >= self.n_cols) {
                return Err(format!("{what}: row {i} has column index {j}, expected < {}", self.n_cols));
            }
            if r.windows(2).any(|w| w[0] == w[1]) {
                return Err(format!("{what}: row {i} holds a duplicate column index"));
            }
        }
        if let Some(w) = self.data.iter().find(|w| !w.is_finite()) {
            return Err(format!("{what}: weight {w} is not finite"));
        }
        Ok(())
    }
}

/// A raw view of a slice for handing disjoint subslices to parallel workers.
#[derive(Clone, Copy)]
struct SharedSlice<T>(*mut T, usize);

// SAFETY: only used to create disjoint subslices from distinct rows (see `for_rows_mut`).
unsafe impl<T: Send> Send for SharedSlice<T> {}
unsafe impl<T: Sync> Sync for SharedSlice<T> {}

impl<T> SharedSlice<T> {
    /// A shared view of `v` (the caller keeps `v` otherwise unused while the view is).
    fn of(v: &mut [T]) -> Self {
        SharedSlice(v.as_mut_ptr(), v.len())
    }

    /// The base pointer (for prefetch hints; a method so that closures capture the whole `SharedSlice`).
    #[inline(always)]
    fn base(&self) -> *const T {
        self.0
    }

    /// # Safety
    /// `k` must be in bounds and no other live reference may point to element `k`.
    #[allow(clippy::mut_from_ref)]
    #[inline(always)]
    unsafe fn at(&self, k: usize) -> &mut T {
        debug_assert!(k < self.1);
        unsafe { &mut *self.0.add(k) }
    }

    /// # Safety
    /// `s..e` must be in bounds and no other live reference may overlap it.
    #[allow(clippy::mut_from_ref)]
    unsafe fn slice_mut(&self, s: usize, e: usize) -> &mut [T] {
        debug_assert!(s <= e && e <= self.1);
        unsafe { std::slice::from_raw_parts_mut(self.0.add(s), e - s) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dense_check(w: &SparseWeights) {
        // Column index agrees with the rows.
        let mut from_cols = vec![0.0; w.n_rows() * w.n_cols()];
        for j in 0..w.n_cols() {
            let (rows, slots) = w.column(j);
            assert!(rows.windows(2).all(|p| p[0] < p[1]), "column {j} is not sorted by row");
            for (&i, &s) in rows.iter().zip(slots.iter()) {
                assert_eq!(w.find(i as usize, j), Some(s));
                from_cols[i as usize * w.n_cols() + j] = w.value_at(s);
            }
        }
        assert_eq!(from_cols, w.to_dense());
        let total: usize = (0..w.n_cols()).map(|j| w.column(j).0.len()).sum();
        assert_eq!(total, w.nnz());
    }

    #[test]
    fn insert_remove_keep_both_indices_consistent() {
        let mut w = SparseWeights::from_rows(3, 4, vec![vec![(1, 0.5), (3, 0.5)], vec![], vec![(0, 1.0)]]);
        dense_check(&w);
        for k in 0..12 {
            w.insert(1, k % 4, k as f64);
            dense_check(&w);
        }
        assert_eq!(w.row_nnz(1), 4);
        let s = w.find(1, 2).unwrap();
        w.remove(1, s);
        dense_check(&w);
        assert_eq!(w.get(1, 2), 0.0);
        let removed = w.prune_row(0, |v| v > 0.4);
        assert_eq!(removed, 2);
        dense_check(&w);
        assert_eq!(w.nnz(), 4);
        let mut a = vec![0.0; 3];
        w.push_add(&[0, 1, 3], &mut a);
        assert_eq!(a, vec![0.0, 9.0 + 11.0 + 8.0, 1.0]);
    }

    #[test]
    fn grows_past_slack_and_round_trips() {
        let mut w = SparseWeights::empty(2, 100);
        for j in 0..100 {
            w.insert(0, j, j as f64);
        }
        dense_check(&w);
        let parts = w.to_parts();
        assert!(parts.validate("w").is_ok());
        let back = SparseWeights::from(parts);
        assert_eq!(back, w);
        let cs = w.to_csmat();
        assert_eq!(SparseWeights::from_csmat(&cs).to_dense(), w.to_dense());
    }

    #[test]
    fn pull_and_push_add_the_same_bits() {
        use rand::RngExt;
        let mut rng = crate::rng::stream_rng(5, crate::rng::Stream::Init);
        for (n_rows, n_cols, p_syn, p_act) in [(300, 200, 0.1, 0.6), (5000, 300, 0.05, 0.55)] {
            let rows: Vec<Vec<(u32, f64)>> = (0..n_rows)
                .map(|_| {
                    let mut r = Vec::new();
                    for j in 0..n_cols as u32 {
                        if rng.random::<f64>() < p_syn {
                            r.push((j, rng.random::<f64>() * 10f64.powi(rng.random_range(-8..3))));
                        }
                    }
                    r
                })
                .collect();
            let mut w = SparseWeights::from_rows(n_rows, n_cols, rows);
            assert!(w.rows_sorted);
            let bits: Vec<u8> = (0..n_cols).map(|_| u8::from(rng.random::<f64>() < p_act)).collect();
            let active: Vec<u32> = (0..n_cols as u32).filter(|&j| bits[j as usize] != 0).collect();
            let mut push = vec![0.0; n_rows];
            w.push_add(&active, &mut push);
            let mut pull = vec![0.0; n_rows];
            w.pull_rows(&bits, 0, &mut pull);
            let same = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
            assert!(same(&push, &pull));
            assert!(w.rows_cheaper_than_columns(&active));
            for par in [crate::Parallelism::Sequential, crate::Parallelism::Rayon { min_rows: 16 }] {
                let mut d = vec![0.0; n_rows];
                w.drive_add(&active, &bits, &mut d, par);
                assert!(same(&push, &d));
            }
            // An append in order keeps the rows sorted, a removal that moves a synapse does not.
            let last = w.row(0).0.last().copied().unwrap_or(0);
            if (last as usize) + 1 < n_cols {
                w.insert(0, last as usize + 1, 0.5);
                assert!(w.rows_sorted);
            }
            let i = (0..n_rows).find(|&i| w.row_nnz(i) >= 2).unwrap();
            w.remove(i, w.row_start[i] as u32);
            assert!(!w.rows_sorted);
            let mut push = vec![0.0; n_rows];
            w.push_add(&active, &mut push);
            let mut d = vec![0.0; n_rows];
            w.drive_add(&active, &bits, &mut d, crate::Parallelism::Sequential);
            assert!(same(&push, &d));
        }
    }

    /// An `n_rows × n_cols` matrix with each synapse present with probability `p`, weights U(0, 1).
    fn random_matrix(rng: &mut crate::SornRng, n_rows: usize, n_cols: usize, p: f64) -> SparseWeights {
        use rand::RngExt;
        let mut rows = vec![Vec::new(); n_rows];
        for row in rows.iter_mut() {
            for j in 0..n_cols as u32 {
                if rng.random::<f64>() < p {
                    row.push((j, rng.random::<f64>()));
                }
            }
        }
        SparseWeights::from_rows(n_rows, n_cols, rows)
    }

    /// A push cache holds the values alone (the rows' values and the column slots are released when it
    /// is built, and the rows' indices too for a fixed structure with sorted rows), and `update_column` on
    /// a cached matrix keeps it so: every reader (rows, columns, single values, triplets, parts, counts,
    /// pushes, a cache built afresh) agrees bit for bit with the same updates made without a cache, and
    /// so do the rows once a row kernel, pruning or dropping the cache has restored them.
    #[test]
    fn column_updates_keep_a_push_cache_in_step() {
        for fixed in [false, true] {
            column_updates_keep_a_push_cache_in_step_for(fixed);
        }
    }

    fn column_updates_keep_a_push_cache_in_step_for(fixed: bool) {
        use rand::RngExt;
        let mut rng = crate::rng::stream_rng(9, crate::rng::Stream::Init);
        let (n_rows, n_cols) = (400, 120);
        let mut plain = random_matrix(&mut rng, n_rows, n_cols, 0.1);
        if fixed {
            plain.fix_structure();
        }
        let mut cached = plain.clone();
        cached.build_push_cache();
        assert_eq!(cached.cols.is_empty(), fixed, "the rows' indices go with a fixed structure only");
        let same = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
        for step in 0..20u32 {
            let active: Vec<u32> = (0..n_cols as u32).filter(|_| rng.random::<f64>() < 0.3).collect();
            let change = |i: u32, w: &mut f64| *w = (*w + f64::from(i % 7) * 1e-3 - 3e-3).max(1e-3);
            for &j in &active {
                plain.update_column(j as usize, change);
                cached.update_column(j as usize, change);
            }
            assert!(cached.has_push_cache(), "step {step}");
            assert!(!plain.has_push_cache());
            assert!(cached.rows_stale && cached.vals.is_empty() && cached.col_slot.is_empty(), "step {step}");
            assert_eq!(plain.triplets(), cached.triplets(), "step {step}: row storage");
            assert_eq!(plain.to_parts(), cached.to_parts(), "step {step}: parts");
            assert_eq!(plain.count_positive(), cached.count_positive(), "step {step}");
            for i in (0..n_rows).step_by(37) {
                let ((ca, va), (cb, vb)) = (plain.row(i), cached.row(i));
                assert!(ca == cb && same(&va, &vb), "step {step}: row {i}");
                assert_eq!(plain.row_sum(i).to_bits(), cached.row_sum(i).to_bits());
                for (k, &j) in ca.iter().enumerate() {
                    assert_eq!(plain.get(i, j as usize).to_bits(), cached.get(i, j as usize).to_bits());
                    let slot = plain.find(i, j as usize);
                    assert_eq!(slot, cached.find(i, j as usize));
                    assert_eq!(slot, Some((plain.row_start[i] + k) as u32));
                    assert_eq!(
                        plain.value_at(slot.unwrap()).to_bits(),
                        cached.value_at(slot.unwrap()).to_bits()
                    );
                }
                assert_eq!(plain.get(i, n_cols - 1).to_bits(), cached.get(i, n_cols - 1).to_bits());
            }
            for j in (0..n_cols).step_by(11) {
                assert_eq!(plain.column(j), cached.column(j), "step {step}: column {j}");
            }
            let (mut a, mut b, mut c) = (vec![0.0; n_rows], vec![0.0; n_rows], vec![0.0; n_rows]);
            plain.push_add(&active, &mut a);
            cached.push_add(&active, &mut b);
            let mut fresh = cached.clone();
            fresh.drop_push_cache();
            fresh.build_push_cache();
            fresh.push_add(&active, &mut c);
            assert!(same(&a, &b) && same(&a, &c), "step {step}: pushes");
            assert!(
                fresh.rows_stale && fresh.row_arrays() == cached.row_arrays(),
                "step {step}: built afresh"
            );
        }
        // Anything that needs the rows mutably stores the copy's values in them first.
        let mut dropped = cached.clone();
        dropped.drop_push_cache();
        let mut kernel = cached.clone();
        kernel.for_rows_mut(&[3, 7], crate::Parallelism::Sequential, |_, _, _| {});
        let mut pruned = cached.clone();
        assert_eq!(pruned.prune_row(5, |_| false), 0);
        for w in [&dropped, &kernel, &pruned] {
            assert!(!w.rows_stale);
            assert!(same(&w.vals, &cached.row_arrays().1));
            assert_eq!(w, &plain);
        }
    }

    /// A fixed matrix built folded (`folded_from_csr`, through `init::Wired::into_folded`) is the matrix
    /// built and then folded, array for array, and pushes the same bits.
    #[test]
    fn a_matrix_built_folded_equals_one_folded_after_its_build() {
        use crate::init::wire;
        use crate::matrix::WeightMatrix;
        use crate::params::Connectivity;
        use crate::precision::Precision;
        use crate::rng::{Stream, stream_rng};
        fn same<V: Weight>(a: &SparseWeights<V>, b: &SparseWeights<V>) -> bool {
            let bits = |v: &[V]| v.iter().map(|w| w.to_f64().to_bits()).collect::<Vec<_>>();
            (a.n_rows, a.n_cols, a.nnz) == (b.n_rows, b.n_cols, b.nnz)
                && (&a.row_start, &a.row_len, &a.cols, &a.col_start)
                    == (&b.row_start, &b.row_len, &b.cols, &b.col_start)
                && (&a.col_len, &a.col_rows, &a.col_slot) == (&b.col_len, &b.col_rows, &b.col_slot)
                && (bits(&a.vals), bits(&a.col_vals)) == (bits(&b.vals), bits(&b.col_vals))
                && (a.cache_valid, a.rows_stale, a.dense_cols, a.rows_sorted, a.reserve_slack)
                    == (b.cache_valid, b.rows_stale, b.dense_cols, b.rows_sorted, b.reserve_slack)
        }
        for (c, dims) in [
            (Connectivity::FixedInDegree { k: 7 }, [120, 300]),
            (Connectivity::Bernoulli { lambda: 9.0 }, [300, 80]),
            (Connectivity::Full, [40, 50]),
        ] {
            for p in [Precision::F64, Precision::F32] {
                let mut built =
                    wire(&mut stream_rng(8, Stream::Init), &c, dims, false).into_weights(p, false);
                built.build_push_cache();
                let folded = wire(&mut stream_rng(8, Stream::Init), &c, dims, false).into_folded(p);
                let equal = match (&built, &folded) {
                    (WeightMatrix::F64(a), WeightMatrix::F64(b)) => same(a, b),
                    (WeightMatrix::F32(a), WeightMatrix::F32(b)) => same(a, b),
                    _ => false,
                };
                assert!(equal, "{c:?} {p:?}");
                let active: Vec<u32> = (0..dims[1] as u32).step_by(3).collect();
                let (mut a, mut b) = (vec![0.0; dims[0]], vec![0.0; dims[0]]);
                built.push_add(&active, &mut a);
                folded.push_add(&active, &mut b);
                assert_eq!(a, b);
            }
        }
    }

    /// Restoring released rows gives back the layout they had, slot for slot (indices, values, column
    /// slots), for sorted rows of a fixed structure (rebuilt from the columns) and for rows that removals
    /// left unsorted (their indices kept); a cached fixed matrix holds its column index and values only,
    /// and an f32 copy takes the allocation of the slots it replaces.
    #[test]
    fn released_rows_are_restored_slot_for_slot() {
        let mut rng = crate::rng::stream_rng(17, crate::rng::Stream::Init);
        let sorted = random_large(&mut rng);
        let mut unsorted = sorted.clone();
        for i in (0..unsorted.n_rows()).step_by(3) {
            unsorted.remove(i, unsorted.row_start[i] as u32);
        }
        assert!(sorted.rows_sorted && !unsorted.rows_sorted);
        for (mut w, fixed) in
            [(sorted.clone(), true), (sorted, false), (unsorted.clone(), true), (unsorted, false)]
        {
            if fixed {
                w.fix_structure();
            }
            let mut cached = w.clone();
            cached.build_push_cache();
            assert_eq!(cached.cols.is_empty(), fixed && w.rows_sorted);
            cached.drop_push_cache();
            for i in 0..w.n_rows {
                let (s, e) = w.row_range(i);
                assert_eq!(w.cols[s..e], cached.cols[s..e], "row {i}");
                assert!(w.vals[s..e].iter().zip(&cached.vals[s..e]).all(|(a, b)| a.to_bits() == b.to_bits()));
            }
            for j in 0..w.n_cols {
                let (s, e) = w.col_range(j);
                assert_eq!(w.col_slot[s..e], cached.col_slot[s..e], "column {j}");
            }
            assert_eq!(w.vals.len(), cached.vals.len());
        }
        let mut f32w: SparseWeights<f32> = random_large(&mut rng).into_precision();
        f32w.fix_structure();
        // A released matrix converts as it is: still released, the same weights as converting it unreleased.
        let mut wide = f32w.clone().into_precision::<f64>();
        wide.build_push_cache();
        let narrow = wide.into_precision::<f32>();
        assert!(narrow.rows_stale && narrow.cols.is_empty() && narrow.has_push_cache());
        assert_eq!(narrow, f32w);
        let active: Vec<u32> = (0..3000).step_by(7).collect();
        let (mut a, mut b) = (vec![0.0; 4000], vec![0.0; 4000]);
        narrow.push_add(&active, &mut a);
        f32w.push_add(&active, &mut b);
        assert_eq!(a, b);
        let (slots, before) = (f32w.col_slot.as_ptr() as usize, f32w.heap_bytes());
        f32w.build_push_cache();
        assert_eq!(f32w.col_vals.as_ptr() as usize, slots, "the copy reuses the slots' allocation");
        let index =
            8 * (f32w.row_start.len() + f32w.col_start.len()) + 4 * (f32w.row_len.len() + f32w.col_len.len());
        assert_eq!(f32w.heap_bytes(), index + 8 * f32w.nnz());
        assert_eq!(before, index + 16 * f32w.nnz());
    }

    /// `update_columns_par` (a whole column per call, parts of it without a push cache) gives the bits of
    /// `update_column` (one synapse per call), with and without a push cache, for any thread count.
    #[test]
    fn column_updates_in_parts_equal_updates_by_synapse() {
        use rand::RngExt;
        let mut rng = crate::rng::stream_rng(21, crate::rng::Stream::Init);
        let (n_rows, n_cols) = (600, 90);
        // Columns of ≈ 120 synapses: longer than one part of the uncached path.
        let base = random_matrix(&mut rng, n_rows, n_cols, 0.2);
        let change = |i: u32, w: &mut f64| *w = (*w * 0.97 + f64::from(i % 5) * 1e-3).min(1.0);
        for cached in [false, true] {
            for par in [crate::Parallelism::Sequential, crate::Parallelism::Rayon { min_rows: 4 }] {
                let (mut by_synapse, mut by_column) = (base.clone(), base.clone());
                if cached {
                    by_synapse.build_push_cache();
                    by_column.build_push_cache();
                }
                for _ in 0..5 {
                    let active: Vec<u32> = (0..n_cols as u32).filter(|_| rng.random::<f64>() < 0.4).collect();
                    for &j in &active {
                        by_synapse.update_column(j as usize, change);
                    }
                    by_column.update_columns_par(&active, par, |rows, ws| {
                        for (&i, w) in rows.iter().zip(ws) {
                            change(i, w);
                        }
                    });
                    assert_eq!(by_column.has_push_cache(), cached);
                    assert_eq!(by_synapse, by_column, "cached {cached}, {par:?}");
                }
            }
        }
    }

    /// A push split into blocks of rows (one per thread) reads each column's block by binary search: the
    /// same bits as the push over all rows, from the rows, from the push cache and with the prefetching
    /// gather, also after insertions and removals (which keep every column sorted).
    #[test]
    fn block_push_equals_the_whole_push_after_insertions_and_removals() {
        use rand::RngExt;
        let mut rng = crate::rng::stream_rng(13, crate::rng::Stream::Init);
        let (n_rows, n_cols) = (9000, 150);
        let mut w = random_matrix(&mut rng, n_rows, n_cols, 0.05);
        let same = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
        let active: Vec<u32> = (0..n_cols as u32).filter(|j| j % 3 != 0).collect();
        let par = crate::Parallelism::Rayon { min_rows: 16 };
        let check = |w: &SparseWeights| {
            let (mut whole, mut blocks, mut gathered) =
                (vec![0.0; n_rows], vec![0.0; n_rows], vec![0.0; n_rows]);
            w.push_add(&active, &mut whole);
            // Blocks as the threads cut them, whatever the size of the rayon pool here.
            for (b, chunk) in blocks.chunks_mut(1000).enumerate() {
                w.push_rows(&active, b * 1000, chunk);
            }
            assert!(same(&whole, &blocks));
            if !w.has_push_cache() {
                for (b, chunk) in gathered.chunks_mut(700).enumerate() {
                    w.push_rows_prefetch(&active, b * 700, chunk);
                }
                assert!(same(&whole, &gathered));
            }
            let mut p = vec![0.0; n_rows];
            w.push_add_par(&active, &mut p, par);
            assert!(same(&whole, &p));
        };
        check(&w);
        w.build_push_cache();
        check(&w);
        for round in 0..3 {
            // Insertions land at their row's place in the column, removals close the gap.
            for _ in 0..400 {
                let (i, j) = (rng.random_range(0..n_rows), rng.random_range(0..n_cols));
                if let Some(slot) = w.find(i, j) {
                    w.remove(i, slot);
                } else {
                    w.insert(i, j, rng.random::<f64>());
                }
            }
            for j in 0..n_cols {
                assert!(w.column(j).0.windows(2).all(|p| p[0] < p[1]), "round {round}, column {j}");
            }
            check(&w);
            w.build_push_cache();
            check(&w);
        }
    }

    /// 4 000 × 3 000 with up to 40 random synapses per row (sorted, no duplicates) of U(0, 1) weights:
    /// 1.6·10⁵ slots, enough to outgrow the cache (hints, compaction).
    fn random_large(rng: &mut crate::rng::SornRng) -> SparseWeights {
        use rand::RngExt;
        let (n_rows, n_cols, k) = (4000, 3000, 40);
        let rows: Vec<Vec<(u32, f64)>> = (0..n_rows)
            .map(|_| (0..k).map(|_| (rng.random_range(0..n_cols as u32), rng.random::<f64>())).collect())
            .map(|mut r: Vec<(u32, f64)>| {
                r.sort_by_key(|e| e.0);
                r.dedup_by_key(|e| e.0);
                r
            })
            .collect();
        SparseWeights::from_rows(n_rows, n_cols, rows)
    }

    /// A matrix declared fixed is laid out without slack (same rows, same pushes, fewer bytes) and still
    /// takes an insertion, after which it reserves slack again.
    #[test]
    fn a_fixed_structure_has_no_slack_and_still_takes_insertions() {
        let mut rng = crate::rng::stream_rng(4, crate::rng::Stream::Init);
        let slack = random_matrix(&mut rng, 300, 200, 0.05);
        let mut tight = slack.clone();
        tight.fix_structure();
        assert_eq!((tight.cols.len(), tight.col_rows.len()), (tight.nnz, tight.nnz));
        assert!(tight.heap_bytes() < slack.heap_bytes());
        assert_eq!(tight, slack, "same rows in the same order");
        let narrow = tight.clone().into_precision::<f32>();
        assert_eq!((narrow.cols.len(), narrow.reserve_slack), (narrow.nnz, false), "stays fixed in f32");
        let active: Vec<u32> = (0..200).step_by(3).collect();
        let (mut a, mut b) = (vec![0.0; 300], vec![0.0; 300]);
        slack.push_add(&active, &mut a);
        tight.push_add(&active, &mut b);
        assert_eq!(a, b);
        let mut grown = slack.clone();
        let free = (0..200).find(|&j| grown.find(7, j).is_none()).unwrap();
        grown.insert(7, free, 0.25);
        tight.insert(7, free, 0.25);
        assert_eq!(tight, grown);
        assert!(tight.reserve_slack && tight.cols.len() > tight.nnz, "slack again after an insertion");
        dense_check(&tight);
    }

    #[test]
    fn compaction_keeps_rows_and_frees_slots() {
        use rand::RngExt;
        let mut rng = crate::rng::stream_rng(9, crate::rng::Stream::Init);
        let mut w = random_large(&mut rng);
        let (n_rows, n_cols) = (w.n_rows, w.n_cols);
        assert!(w.outgrows_cache());
        assert!(!w.compact_if_sparse(), "a freshly built matrix is not sparse");
        // Prune three synapses in four (swap-removal reorders rows), and grow a few back.
        for i in 0..n_rows {
            w.prune_row(i, |_| rng.random::<f64>() < 0.75);
        }
        for _ in 0..500 {
            w.insert(rng.random_range(0..n_rows), rng.random_range(0..n_cols), 0.5);
        }
        let before = w.clone();
        let slots = w.cols.len();
        assert!(w.compact_if_sparse());
        assert!(w.cols.len() * 2 < slots);
        dense_check(&w);
        // Same synapses in the same storage order, so every kernel sees the same sequence.
        assert_eq!(w.to_parts(), before.to_parts());
        let active: Vec<u32> = (0..n_cols as u32).filter(|j| j % 3 == 0).collect();
        let (mut a, mut b) = (vec![0.0; n_rows], vec![0.0; n_rows]);
        w.push_add(&active, &mut a);
        before.push_add(&active, &mut b);
        assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
        assert!(!w.compact_if_sparse(), "a compacted matrix stays until it halves again");
    }

    /// `prune_rows` (rows first, then the column edits, hinted ahead) leaves exactly the layout that removing
    /// the same synapses one at a time with `remove` does, on a matrix large enough for the hints.
    #[test]
    fn pruning_many_rows_at_once_equals_removing_one_synapse_at_a_time() {
        use rand::RngExt;
        let mut rng = crate::rng::stream_rng(11, crate::rng::Stream::Init);
        let original = random_large(&mut rng);
        let (n_rows, n_cols) = (original.n_rows, original.n_cols);
        assert!(original.outgrows_cache());
        let doomed = |w: f64| w < 0.3;
        let picked: Vec<u32> = (0..n_rows as u32).filter(|_| rng.random::<f64>() < 0.5).collect();
        let mut one_by_one = original.clone();
        for &i in &picked {
            let i = i as usize;
            let mut s = one_by_one.row_start[i];
            while s < one_by_one.row_start[i] + one_by_one.row_len[i] as usize {
                if doomed(one_by_one.vals[s]) {
                    one_by_one.remove(i, s as u32);
                } else {
                    s += 1;
                }
            }
        }
        let mut batch = original.clone();
        let removed = batch.prune_rows(&picked, doomed);
        assert_eq!(removed, original.nnz - one_by_one.nnz);
        assert!(removed > 10_000, "the test must remove many synapses ({removed})");
        assert_eq!(batch.nnz, one_by_one.nnz);
        assert_eq!(batch.row_len, one_by_one.row_len);
        assert_eq!(batch.cols, one_by_one.cols);
        assert!(batch.vals.iter().zip(&one_by_one.vals).all(|(a, b)| a.to_bits() == b.to_bits()));
        assert_eq!(batch.col_len, one_by_one.col_len);
        assert_eq!(batch.col_rows, one_by_one.col_rows);
        assert_eq!(batch.col_slot, one_by_one.col_slot);
        assert_eq!(batch.rows_sorted, one_by_one.rows_sorted);
        assert_eq!(batch.generation, one_by_one.generation);
        dense_check(&batch);
        for j in 0..n_cols {
            assert!(batch.column(j).0.windows(2).all(|p| p[0] < p[1]), "column {j} unsorted");
        }
        // Nothing to remove: nothing changes, not even the generation (a push cache would stay valid).
        let before = batch.generation;
        assert_eq!(batch.prune_rows(&picked, doomed), 0);
        assert_eq!(batch.generation, before);
    }

    #[test]
    fn validate_names_the_problem() {
        let p = CsrParts { n_rows: 1, n_cols: 2, indptr: vec![0, 1], indices: vec![5], data: vec![1.0] };
        assert!(p.validate("w_ee").unwrap_err().contains("column index 5"));
    }
}
