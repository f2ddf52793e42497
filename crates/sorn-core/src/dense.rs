//! The push of a matrix whose every column holds every row (zheng2013's full I←E, cached by column):
//!
//! ```text
//! out[i − lo] += W[i, j]      for each active column j, then each row i in lo .. hi
//! ```
//!
//! Each output element receives its additions in the order of `active`, whichever instructions do them:
//! the loop runs over contiguous rows with no dependence between elements, so wider vectors change the
//! speed and never a bit (Rust never fuses a multiplication into an addition, and there is none here).
//! Portable builds target baseline x86-64 (SSE2: two f64 per instruction); where the CPU has AVX2, the
//! same loop compiled for it adds four per instruction (checked once, at run time). At N_E = 1 000 this
//! push is ≈ 20 000 additions per step, a sixth of the step's instructions.

use crate::precision::Weight;

/// Adds rows `lo .. lo + out.len()` of the columns `active` to `out`; column `j` is
/// `vals[starts[j] .. starts[j] + n_rows]`.
pub(crate) fn add_columns<V: Weight>(
    vals: &[V],
    starts: &[usize],
    active: &[u32],
    lo: usize,
    out: &mut [f64],
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        unsafe { add_columns_avx2(vals, starts, active, lo, out) };
        return;
    }
    add_columns_plain(vals, starts, active, lo, out);
}

/// [`add_columns`] compiled for AVX2.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn add_columns_avx2<V: Weight>(
    vals: &[V],
    starts: &[usize],
    active: &[u32],
    lo: usize,
    out: &mut [f64],
) {
    add_columns_plain(vals, starts, active, lo, out);
}

#[inline(always)]
fn add_columns_plain<V: Weight>(vals: &[V], starts: &[usize], active: &[u32], lo: usize, out: &mut [f64]) {
    let n = out.len();
    for &j in active {
        let s = starts[j as usize] + lo;
        for (o, &w) in out.iter_mut().zip(&vals[s..s + n]) {
            *o += w.to_f64();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dispatched push equals the baseline loop bit for bit, in both precisions and for row blocks
    /// whose length is no multiple of the vector width.
    #[test]
    fn dispatched_equals_plain() {
        let (n_rows, n_cols) = (37, 11);
        let vals: Vec<f64> =
            (0..n_rows * n_cols).map(|k| ((k * 7919) % 1000) as f64 * 1e-3 + 1e-17).collect();
        let vals32: Vec<f32> = vals.iter().map(|&v| v as f32).collect();
        let starts: Vec<usize> = (0..n_cols).map(|j| j * n_rows).collect();
        let active = [0u32, 3, 4, 10, 3];
        for (lo, len) in [(0, n_rows), (5, 13), (36, 1), (1, 35)] {
            let mut a = vec![0.1; len];
            let mut b = a.clone();
            add_columns(&vals, &starts, &active, lo, &mut a);
            add_columns_plain(&vals, &starts, &active, lo, &mut b);
            assert_eq!(
                a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                b.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
            let mut a = vec![0.1; len];
            let mut b = a.clone();
            add_columns(&vals32, &starts, &active, lo, &mut a);
            add_columns_plain(&vals32, &starts, &active, lo, &mut b);
            assert_eq!(
                a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                b.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
            // And each element is the sum in `active`'s order.
            let i = lo + len / 2;
            let want = active.iter().fold(0.1, |s, &j| s + vals[j as usize * n_rows + i]);
            let mut c = vec![0.1; len];
            add_columns(&vals, &starts, &active, lo, &mut c);
            assert_eq!(c[len / 2].to_bits(), want.to_bits());
        }
    }
}
