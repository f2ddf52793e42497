//! The push of a matrix whose every column holds every row (zheng2013's full I←E, cached by column):
//!
//! ```text
//! out[i − lo] += W[i, j]      for each active column j, then each row i in lo .. hi
//! ```
//!
//! Each output element receives its additions in the order of `active`, whichever instructions do them:
//! the loop runs over contiguous rows with no dependence between elements, so it is compiled for AVX2 as
//! well (four additions per instruction instead of SSE2's two, see [`crate::avx2`]). At N_E = 1 000 this
//! push is ≈ 20 000 additions per step, a sixth of the step's instructions.

use crate::precision::Weight;

crate::avx2_kernel! {
    /// Adds rows `lo .. lo + out.len()` of the columns `active` to `out`; column `j` is
    /// `vals[starts[j] .. starts[j] + n_rows]`.
    pub(crate) fn add_columns<V: Weight>(
        vals: &[V],
        starts: &[usize],
        active: &[u32],
        lo: usize,
        out: &mut [f64],
    ) {
        let n = out.len();
        for &j in active {
            let s = starts[j as usize] + lo;
            for (o, &w) in out.iter_mut().zip(&vals[s..s + n]) {
                *o += w.to_f64();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dispatched push (AVX2 on this machine) equals one addition at a time in `active`'s order, bit
    /// for bit, in both precisions and for row blocks whose length is no multiple of the vector width.
    #[test]
    fn equals_one_addition_at_a_time() {
        let (n_rows, n_cols) = (37, 11);
        let vals: Vec<f64> =
            (0..n_rows * n_cols).map(|k| ((k * 7919) % 1000) as f64 * 1e-3 + 1e-17).collect();
        let vals32: Vec<f32> = vals.iter().map(|&v| v as f32).collect();
        let starts: Vec<usize> = (0..n_cols).map(|j| j * n_rows).collect();
        let active = [0u32, 3, 4, 10, 3];
        for (lo, len) in [(0, n_rows), (5, 13), (36, 1), (1, 35)] {
            let want = |w: &dyn Fn(usize) -> f64| -> Vec<u64> {
                (lo..lo + len)
                    .map(|i| active.iter().fold(0.1, |s, &j| s + w(j as usize * n_rows + i)).to_bits())
                    .collect()
            };
            let bits = |v: Vec<f64>| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let mut a = vec![0.1; len];
            add_columns(&vals, &starts, &active, lo, &mut a);
            assert_eq!(bits(a), want(&|k| vals[k]), "f64, rows {lo}..{}", lo + len);
            let mut b = vec![0.1; len];
            add_columns(&vals32, &starts, &active, lo, &mut b);
            assert_eq!(bits(b), want(&|k| f64::from(vals32[k])), "f32, rows {lo}..{}", lo + len);
        }
    }
}
