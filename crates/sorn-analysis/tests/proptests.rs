//! Property tests for invariants of the analysis functions.

use ndarray::Array2;
use proptest::prelude::*;
use sorn_analysis::avalanche::{AvalancheOptions, SizeRule, ThresholdRule, avalanches};
use sorn_analysis::powerlaw::DiscreteFit;
use sorn_analysis::report::raster_report;
use sorn_analysis::stats;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// With integral θ and integer activity every step of an avalanche contributes ≥ 1 to the
    /// size, so S ≥ T; durations never sum to more than T; all sizes are positive.
    #[test]
    fn avalanche_invariants(a in prop::collection::vec(0u32..30, 1..400), theta in 0u32..15) {
        let opts = AvalancheOptions { theta: ThresholdRule::Value(theta as f64), ..Default::default() };
        let av = avalanches(&a, &opts).unwrap();
        prop_assert_eq!(av.durations.len(), av.sizes.len());
        prop_assert!(av.durations.iter().sum::<u64>() <= a.len() as u64);
        for (&d, &s) in av.durations.iter().zip(&av.sizes) {
            prop_assert!(d >= 1);
            prop_assert!(s >= d);
        }
        // the total-activity size is at least the area above threshold
        let tot = avalanches(&a, &AvalancheOptions { size_rule: SizeRule::Total, ..opts }).unwrap();
        for (s_tot, s_area) in tot.sizes.iter().zip(&av.sizes) {
            prop_assert!(s_tot >= s_area);
        }
        // number of avalanches = number of closed up-crossings
        let above: Vec<bool> = a.iter().map(|&x| x > theta).collect();
        let closed = above.windows(2).filter(|w| w[0] && !w[1]).count();
        prop_assert_eq!(av.durations.len(), closed);
    }

    /// Binning never produces more steps than ⌊T/bin⌋ and durations fit inside them.
    #[test]
    fn binned_avalanches(a in prop::collection::vec(0u32..30, 1..400), bin in 1usize..6) {
        let opts = AvalancheOptions { bin, ..Default::default() };
        let av = avalanches(&a, &opts).unwrap();
        prop_assert_eq!(av.n_steps, a.len() / bin);
        prop_assert!(av.durations.iter().sum::<u64>() <= av.n_steps as u64);
    }

    /// Entropy is in [0, 1]; correlations are in [-1, 1]; the report never fails on a binary
    /// raster.
    #[test]
    fn raster_invariants(bits in prop::collection::vec(0u8..2, 6..200), n in 2usize..6) {
        let t = bits.len() / n;
        prop_assume!(t >= 1);
        let r = Array2::from_shape_fn((t, n), |(i, j)| bits[i * n + j]);
        if let Ok(h) = stats::spike_source_entropy(r.view()) {
            prop_assert!((0.0..=1.0).contains(&h));
        }
        if let Ok(c) = stats::avg_corr_coeff(r.view()) {
            prop_assert!(c.mean_all <= 1.0 + 1e-9 && c.mean_all >= -1.0 - 1e-9);
            if c.n_included >= 2 {
                prop_assert!(c.mean_offdiag <= 1.0 + 1e-9 && c.mean_offdiag >= -1.0 - 1e-9);
            }
        }
        let rep = raster_report(r.view()).unwrap();
        prop_assert_eq!(rep.n_spikes, bits[..t * n].iter().map(|&b| b as u64).sum::<u64>());
        let h = stats::hamming_distance(r.view(), r.view()).unwrap();
        prop_assert!(h.iter().all(|&d| d == 0));
    }

    /// The power-law exponent lies in the package's range and the KS distance in [0, 1].
    #[test]
    fn powerlaw_ranges(data in prop::collection::vec(1u64..500, 20..200)) {
        if let Ok(fit) = DiscreteFit::new(&data, Some(2), Some(300)) {
            let pl = fit.power_law();
            prop_assert!(pl.alpha > 0.0 && pl.alpha < 3.0);
            prop_assert!((0.0..=1.0).contains(&pl.ks_d));
        }
    }
}

/// A 10⁶-step series is processed in one linear pass (milliseconds in release builds; the
/// bound here is loose so that unoptimised test builds pass too).
#[test]
fn avalanches_scale_to_a_million_steps() {
    let mut x: u64 = 12345;
    let a: Vec<u32> = (0..1_000_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 40) as u32
        })
        .collect();
    let t0 = std::time::Instant::now();
    let av = avalanches(&a, &AvalancheOptions::default()).unwrap();
    let el = t0.elapsed();
    eprintln!("1e6 steps: {} avalanches in {el:?}", av.durations.len());
    assert!(el.as_secs_f64() < 2.0);
    assert!(!av.durations.is_empty());
}
