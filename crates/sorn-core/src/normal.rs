//! Standard normal numbers for the membrane noise, bit for bit those of `rand_distr::StandardNormal`.
//!
//! The noise needs N_E + N_I normal numbers per step: at N_E = 200 they were a fifth of the whole step,
//! because `rand_distr`'s ziggurat is not inlined into the drawing loop (≈ 56 instructions per number,
//! the generator's state stored and reloaded around every call). [`standard`] inlines the ziggurat's
//! fast path, which ends ≈ 98.5 % of the draws after one 64-bit word (Marsaglia & Tsang 2000, the 256-layer
//! ZIGNOR variant of Doornik 2005, as `rand_distr` 0.6 implements it):
//!
//! ```text
//! b = next_u64();  i = b mod 256;  u = float in [2, 4) from the top 52 bits of b, minus 3  (u ∈ [−1, 1))
//! x = u · X[i];    return x  if |x| < X[i+1]
//! ```
//!
//! Every other draw (the wedge and tail cases) restarts from the generator's state before `b` and lets
//! `rand_distr::StandardNormal` draw it: it reads the same `b`, takes the same decision with the same
//! table, and continues with its own wedge and tail code. So every number and the generator's state after
//! it are exactly `rand_distr`'s, which the test below checks over millions of draws — the property every
//! recorded result, snapshot and dense-reference test relies on.

#[path = "normal_table.rs"]
mod table;

use crate::rng::SornRng;
use rand::{Rng, RngExt};
use rand_distr::StandardNormal;
use table::X;

/// One standard normal number from `rng`; the same number, and the same state of `rng` afterwards, as
/// `rng.sample(StandardNormal)`.
#[inline(always)]
pub(crate) fn standard(rng: &mut SornRng) -> f64 {
    let mut ahead = rng.clone();
    let bits = ahead.next_u64();
    let i = (bits & 0xff) as usize;
    // The mantissa bits under the exponent of [2, 4), minus 3: `into_float_with_exponent(1) - 3.0`.
    let u = f64::from_bits((bits >> 12) | ((1023 + 1) << 52)) - 3.0;
    let x = u * X[i];
    if x.abs() < X[i + 1] {
        *rng = ahead;
        x
    } else {
        slow_path(rng)
    }
}

/// The wedge and tail cases, left to `rand_distr`. Kept out of line, so that the drawing loop around
/// [`standard`] is compiled the same wherever it sits (inlined, this rare path made the loop's register
/// allocation depend on unrelated code: +2 instructions per draw in one build).
#[cold]
#[inline(never)]
fn slow_path(rng: &mut SornRng) -> f64 {
    rng.sample(StandardNormal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream_rng};

    #[test]
    fn same_numbers_and_state_as_rand_distr() {
        let mut slow_paths = 0;
        for seed in 1..=4 {
            let mut ours = stream_rng(seed, Stream::Noise);
            let mut theirs = ours.clone();
            for k in 0..500_000 {
                let before = ours.clone();
                let a = standard(&mut ours);
                let b: f64 = theirs.sample(StandardNormal);
                assert_eq!(a.to_bits(), b.to_bits(), "seed {seed}, draw {k}: {a} vs {b}");
                let mut one = before;
                one.next_u64();
                slow_paths += usize::from(ours != one);
            }
            assert_eq!(ours, theirs, "seed {seed}: generator states differ");
        }
        // The wedge and tail cases (≈ 1.5 % of draws) were exercised too.
        assert!(slow_paths > 5_000, "{slow_paths} slow-path draws");
    }

    #[test]
    fn table_is_the_ziggurat() {
        assert_eq!(X.len(), 257);
        assert!(X.windows(2).all(|w| w[0] > w[1]), "edges decrease");
        assert_eq!(X[1], 3.654152885361009, "x_1 = R");
        assert_eq!(X[256], 0.0);
    }
}
