//! The threshold pass of a step (SPEC §1): which units fire, as one flag per unit and as the increasing
//! list of the units that fire. Each unit's input z and Θ(z) depend on that unit alone, so a large
//! population is cut into blocks of units over the threads of the pool, with the same bits for any
//! thread count; the blocks' lists are then joined in order.

use crate::parallel::Parallelism;
use crate::params::ThresholdRule;
use rayon::prelude::*;

/// Units per block of a parallel threshold pass (2¹⁵: tens of µs of work, far more than a rayon task).
const FIRE_BLOCK: usize = 1 << 15;

/// The threshold pass over `bits.len()` units: z_i = `combine`(the i-th entry of each of `inputs`),
/// `bits[i]` = Θ(z_i) by `rule`, `r_out[i]` = z_i when given, and `active` = the units that fire, in
/// increasing order. `counts` is scratch (one entry per block; kept by the caller, so that a step
/// allocates nothing). In blocks over the pool's threads with [`Parallelism::Rayon`], more than one thread
/// and at least two blocks of units.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fire<const N: usize>(
    rule: ThresholdRule,
    inputs: [&[f64]; N],
    combine: impl Fn([f64; N]) -> f64 + Sync,
    r_out: Option<&mut [f64]>,
    bits: &mut [u8],
    active: &mut Vec<u32>,
    counts: &mut Vec<usize>,
    par: Parallelism,
) {
    let n = bits.len();
    assert!(inputs.iter().all(|s| s.len() >= n) && r_out.as_ref().is_none_or(|r| r.len() >= n));
    active.resize(n, 0);
    let parallel =
        matches!(par, Parallelism::Rayon { .. }) && rayon::current_num_threads() > 1 && n >= 2 * FIRE_BLOCK;
    if !parallel {
        let m = fire_block(rule, inputs, &combine, 0, r_out, bits, active);
        active.truncate(m);
        return;
    }
    counts.clear();
    counts.resize(n.div_ceil(FIRE_BLOCK), 0);
    let blocks =
        bits.par_chunks_mut(FIRE_BLOCK).zip(active.par_chunks_mut(FIRE_BLOCK)).zip(counts.par_iter_mut());
    match r_out {
        Some(r) => {
            blocks.zip(r[..n].par_chunks_mut(FIRE_BLOCK)).enumerate().for_each(|(b, (((bi, ac), c), r))| {
                *c = fire_block(rule, inputs, &combine, b * FIRE_BLOCK, Some(r), bi, ac);
            })
        }
        None => blocks.enumerate().for_each(|(b, ((bi, ac), c))| {
            *c = fire_block(rule, inputs, &combine, b * FIRE_BLOCK, None, bi, ac);
        }),
    }
    // Each block listed its units at the start of its own part of `active`: move the lists together.
    let mut m = 0;
    for (b, &c) in counts.iter().enumerate() {
        active.copy_within(b * FIRE_BLOCK..b * FIRE_BLOCK + c, m);
        m += c;
    }
    active.truncate(m);
}

/// [`fire`] for the units `lo .. lo + bits.len()`: flags into `bits`, the units that fire listed at the
/// start of `act` (same length as `bits`); returns how many fire. Dispatches once to a loop specialised
/// for the rule and for writing `r_out` or not, so that the loop itself carries neither choice.
#[inline(always)]
fn fire_block<const N: usize>(
    rule: ThresholdRule,
    inputs: [&[f64]; N],
    combine: &impl Fn([f64; N]) -> f64,
    lo: usize,
    r_out: Option<&mut [f64]>,
    bits: &mut [u8],
    act: &mut [u32],
) -> usize {
    // The rule as a constant in each arm: `fires` inlines to one comparison.
    let (ge, gt) = (|z| ThresholdRule::Ge.fires(z), |z| ThresholdRule::Gt.fires(z));
    match (rule, r_out) {
        (ThresholdRule::Ge, Some(r)) => fire_loop::<N, true>(ge, inputs, combine, lo, r, bits, act),
        (ThresholdRule::Gt, Some(r)) => fire_loop::<N, true>(gt, inputs, combine, lo, r, bits, act),
        (ThresholdRule::Ge, None) => fire_loop::<N, false>(ge, inputs, combine, lo, &mut [], bits, act),
        (ThresholdRule::Gt, None) => fire_loop::<N, false>(gt, inputs, combine, lo, &mut [], bits, act),
    }
}

/// The loop of [`fire_block`]: `fires` is the threshold rule, and `r_out` is written when `WRITE_R`.
#[inline(always)]
fn fire_loop<const N: usize, const WRITE_R: bool>(
    fires: impl Fn(f64) -> bool,
    inputs: [&[f64]; N],
    combine: &impl Fn([f64; N]) -> f64,
    lo: usize,
    r_out: &mut [f64],
    bits: &mut [u8],
    act: &mut [u32],
) -> usize {
    let len = bits.len();
    // Slices of exactly this block's length, so that the loop needs no bounds checks.
    let inputs = inputs.map(|s| &s[lo..lo + len]);
    let act = &mut act[..len];
    let r_out = &mut r_out[..if WRITE_R { len } else { 0 }];
    let mut m = 0;
    for k in 0..len {
        let z = combine(inputs.map(|s| s[k]));
        if WRITE_R {
            r_out[k] = z;
        }
        let f = fires(z);
        bits[k] = u8::from(f);
        // Branch-free compaction: always write, advance only on a spike (m ≤ k < len).
        act[m.min(len - 1)] = (lo + k) as u32;
        m += usize::from(f);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    /// Blocks over two threads give the flags, the inputs and the list of one sequential pass, for a
    /// population that ends in a partial block, with and without `r_out`, for both threshold rules
    /// (inputs include exact zeros, where the rules differ).
    #[test]
    fn blocks_over_threads_equal_one_pass() {
        let mut rng = crate::rng::stream_rng(3, crate::rng::Stream::Init);
        let n = 3 * FIRE_BLOCK + 1_234;
        // z = a − b + c: exactly 0 for 1 % of the units (a = b = c = 0), else U − U + U − 1.3 (≈ 6 % fire).
        let zero: Vec<bool> = (0..n).map(|_| rng.random::<f64>() < 0.01).collect();
        let mut draw = |offset: f64| -> Vec<f64> {
            zero.iter().map(|&z| if z { 0.0 } else { rng.random::<f64>() + offset }).collect()
        };
        let (a, b, c) = (draw(0.0), draw(0.0), draw(-1.3));
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        for rule in [ThresholdRule::Ge, ThresholdRule::Gt] {
            for with_r in [false, true] {
                let run = |par: Parallelism| {
                    let (mut bits, mut active, mut counts) = (vec![9u8; n], vec![7u32; 5], Vec::new());
                    let mut r = vec![f64::NAN; n];
                    let r_out = with_r.then_some(&mut r[..]);
                    let inputs = [&a[..], &b[..], &c[..]];
                    fire(
                        rule,
                        inputs,
                        |[x, y, z]| x - y + z,
                        r_out,
                        &mut bits,
                        &mut active,
                        &mut counts,
                        par,
                    );
                    (bits, active, r)
                };
                let (bits, active, r) = run(Parallelism::Sequential);
                let (pbits, pactive, pr) = pool.install(|| run(Parallelism::rayon()));
                assert_eq!(pbits, bits);
                assert_eq!(pactive, active);
                assert!(r.iter().zip(&pr).all(|(x, y)| x.to_bits() == y.to_bits()));
                let expected: Vec<u32> = (0..n as u32).filter(|&i| bits[i as usize] == 1).collect();
                assert_eq!(active, expected);
                assert!(active.len() > 1_000 && active.len() < n / 2, "{} of {n} fire", active.len());
                for i in 0..n {
                    let z = a[i] - b[i] + c[i];
                    assert_eq!(bits[i] == 1, rule.fires(z));
                    assert!(!with_r || r[i].to_bits() == z.to_bits());
                }
            }
        }
    }
}
