//! Checks on real dynamics: rule signs, fixed points, IP convergence, long-run stability, determinism.

use sorn::core::{CheckedNetworkParams, InputParams, Network, Parallelism, Precision, SparseWeights};
use sorn::plasticity::{Freeze, IstdpParams, RowSet, Rule, StdpParams};
use sorn::prelude::*;

/// Preset `c` at `ne` excitatory units with `seed`, checked.
fn sized(mut c: Config, ne: usize, seed: u64) -> CheckedConfig {
    c.network.ne = ne;
    c.seed = seed;
    c.check().unwrap()
}

fn zheng(ne: usize, seed: u64) -> CheckedConfig {
    sized(sorn::presets::zheng2013(), ne, seed)
}

/// A tiny hand-wired network: 2 E units with synapses 0→1 and 1→0 of weight 0.5, one inhibitory unit.
fn two_units(x_prev: [u8; 2], x: [u8; 2], y_prev: u8) -> Network {
    let mut p = sorn::presets::zheng2013().network;
    p.ne = 2;
    p.ni = Some(1);
    p.input = InputParams::None;
    p.w_ee = sorn::core::Connectivity::Full;
    p.w_ei = sorn::core::Connectivity::Full;
    let params: CheckedNetworkParams = p.check().unwrap();
    let w_ee = SparseWeights::from_rows(2, 2, vec![vec![(1, 0.5)], vec![(0, 0.5)]]);
    let w_ei = SparseWeights::from_rows(2, 1, vec![vec![(0, 0.5)], vec![(0, 0.5)]]);
    let w_ie = SparseWeights::from_rows(1, 2, vec![vec![(0, 0.5), (1, 0.5)]]);
    Network::from_parts(
        params,
        [w_ee, w_ei, w_ie],
        None,
        vec![0.5; 2],
        vec![0.5],
        [x_prev.to_vec(), x.to_vec()],
        [vec![y_prev], vec![0]],
    )
    .unwrap()
}

#[test]
fn stdp_potentiates_pre_before_post_and_depresses_the_reverse() {
    // Unit 0 fires at t, unit 1 at t+1: 0→1 is causal, 1→0 anti-causal.
    let mut net = two_units([1, 0], [0, 1], 0);
    let p = StdpParams { eta: 0.004, upper: Some(1.0), prune_below: Some(1e-10) };
    let mut dirty = RowSet::new(2);
    sorn::plasticity::stdp::apply(
        &p,
        net.plastic_parts(),
        &mut dirty,
        &mut Vec::new(),
        Parallelism::Sequential,
    );
    assert_eq!(net.w_ee.get(1, 0), 0.5 + 0.004, "pre→post must potentiate");
    assert_eq!(net.w_ee.get(0, 1), 0.5 - 0.004, "post→pre must depress");
    assert_eq!(dirty.len(), 2);
    // Simultaneous spikes change nothing.
    let mut net = two_units([1, 1], [1, 1], 0);
    sorn::plasticity::stdp::apply(
        &p,
        net.plastic_parts(),
        &mut dirty,
        &mut Vec::new(),
        Parallelism::Sequential,
    );
    assert_eq!((net.w_ee.get(1, 0), net.w_ee.get(0, 1)), (0.5, 0.5));
}

#[test]
fn stdp_prunes_a_synapse_that_reaches_zero() {
    let mut net = two_units([1, 0], [0, 1], 0);
    let slot = net.w_ee.find(0, 1).unwrap();
    net.w_ee.set_value(slot, 0.003);
    let p = StdpParams { eta: 0.004, upper: Some(1.0), prune_below: Some(1e-10) };
    let pruned = sorn::plasticity::stdp::apply(
        &p,
        net.plastic_parts(),
        &mut RowSet::new(2),
        &mut Vec::new(),
        Parallelism::Sequential,
    );
    assert_eq!(pruned, 1);
    assert_eq!(net.w_ee.find(0, 1), None);
    assert_eq!(net.w_ee.nnz(), 1);
}

#[test]
fn istdp_fixed_point_is_mu_over_one_plus_mu() {
    // One step with the E unit firing and one with it silent, inhibitory unit active in both.
    let p = IstdpParams { eta: 0.001, mu: 0.1, floor: Some(0.001), upper: 1.0 };
    let delta = |x: u8| {
        let mut net = two_units([0, 0], [x, x], 1);
        sorn::plasticity::istdp::apply(&p, net.plastic_parts(), &mut RowSet::new(2), &mut Vec::new());
        net.w_ei.get(0, 0) - 0.5
    };
    let (up, down) = (delta(1), delta(0));
    assert!((up - 0.001 / 0.1).abs() < 1e-12, "firing unit gains η/μ, got {up}");
    assert!((down + 0.001).abs() < 1e-12, "silent unit loses η, got {down}");
    // Zero expected drift at firing probability p*: p*·up + (1 − p*)·down = 0.
    let p_star = -down / (up - down);
    assert!((p_star - 0.1 / 1.1).abs() < 1e-9);
}

/// Closed loop: with only iSTDP plastic (SN off, as in Zheng 2013) every inhibitory synapse k → i that is
/// not stuck at its floor or cap drifts until P(x_i(t+1) = 1 | y_k(t) = 1) = μ/(1+μ) ≈ 0.091: the rule
/// only acts on steps where y_k(t) = 1, and it is the firing on those steps that it balances.
#[test]
fn istdp_alone_drives_free_synapses_to_the_fixed_point() {
    let cfg = zheng(200, 11);
    let mut sim = Sorn::new(&cfg);
    sim.set_freeze(Freeze::NONE.with(Rule::Ip).with(Rule::Stdp).with(Rule::Sp).with(Rule::Ss));
    sim.run(50_000, &mut NoInput, &mut ());
    let mut e = Raster::new(Population::Excitatory, 1);
    let mut i = Raster::new(Population::Inhibitory, 1);
    sim.run(20_000, &mut NoInput, &mut (&mut e, &mut i));
    let (ne, ni, t_len) = (200, 40, e.rows);
    let net = sim.network();
    let (mut sum, mut n) = (0.0, 0);
    for post in 0..ne {
        let (pre, w) = net.w_ei.row(post);
        for (&k, &w) in pre.iter().zip(w.iter()) {
            if w <= 0.01 || w >= 0.99 {
                continue;
            }
            let k = k as usize;
            let (mut fired, mut trials) = (0u32, 0u32);
            for t in 0..t_len - 1 {
                if i.data[t * ni + k] == 1 {
                    trials += 1;
                    fired += u32::from(e.data[(t + 1) * ne + post]);
                }
            }
            if trials > 500 {
                sum += f64::from(fired) / f64::from(trials);
                n += 1;
            }
        }
    }
    assert!(n > 200, "only {n} free inhibitory synapses");
    let mean = sum / f64::from(n);
    assert!(
        (mean - 0.1 / 1.1).abs() < 0.01,
        "conditional firing {mean} over {n} synapses, expected ≈ 0.0909"
    );
}

#[test]
fn ip_drives_the_mean_rate_to_h_ip() {
    let cfg = zheng(200, 3);
    let mut sim = Sorn::new(&cfg);
    let mut act = Activity::new(1);
    sim.run(50_000, &mut NoInput, &mut act);
    let tail = &act.data[40_000..];
    let rate = tail.iter().map(|&a| f64::from(a)).sum::<f64>() / (tail.len() as f64 * 200.0);
    assert!((rate - 0.1).abs() < 0.01, "mean E rate over the last 10 000 of 50 000 steps: {rate}");
}

/// Zheng et al. 2013's connection dynamics: pruning first outpaces growth (the E←E fraction falls from
/// 0.1), then growth catches up and the fraction settles near 0.09 after ~10⁶ steps. The dip (≈ 0.011
/// around step 50 000 at N_E = 200) is a property of the model: an independent dense numpy
/// implementation (`bench/numpy_sorn.py`) shows the same trajectory. Weights stay finite throughout.
#[test]
fn zheng2013_connection_fraction_dips_then_settles() {
    let cfg = zheng(200, 5);
    let mut sim = Sorn::new(&cfg);
    let mut counts = ConnectionCounts::new(10_000);
    sim.run(1_200_000, &mut NoInput, &mut counts);
    let possible = 200.0 * 199.0;
    let frac: Vec<f64> = counts.data.iter().map(|c| c[0] as f64 / possible).collect();
    let min = frac.iter().copied().fold(f64::INFINITY, f64::min);
    assert!(min > 0.005, "the network must not lose its recurrent connectivity: minimum fraction {min}");
    assert!(frac[..10].iter().all(|&f| f < 0.1), "pruning outpaces growth at first: {:?}", &frac[..10]);
    for (k, &f) in frac.iter().enumerate().skip(60) {
        assert!(f > 0.02 && f < 0.2, "connection fraction {f} at step {}", (k + 1) * 10_000);
    }
    let late: Vec<f64> = frac[100..].to_vec();
    let spread = late.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        - late.iter().copied().fold(f64::INFINITY, f64::min);
    assert!(spread < 0.015, "the fraction settles: spread {spread} over the last 200 000 steps");
    let n = sim.network();
    assert!(n.w_ee.triplets().iter().all(|t| t.2.is_finite()));
    assert!(n.w_ei.triplets().iter().all(|t| t.2.is_finite()));
    assert!(n.t_e.iter().all(|t| t.is_finite()));
    assert_eq!(sim.plasticity().counters.sn_zero_rows, 0);
}

fn raster_of(cfg: &CheckedConfig, steps: u64, par: Parallelism) -> (Vec<u8>, Vec<u8>, Network) {
    let mut sim = Sorn::new(cfg);
    sim.set_parallelism(par);
    let mut e = Raster::new(Population::Excitatory, 1);
    let mut i = Raster::new(Population::Inhibitory, 1);
    let mut obs = (&mut e, &mut i);
    sim.run(steps, &mut NoInput, &mut obs);
    (e.data, i.data, sim.network().clone())
}

#[test]
fn same_seed_same_bits_and_different_seed_different_bits() {
    let (a, ai, an) = raster_of(&zheng(100, 9), 2_000, Parallelism::Sequential);
    let (b, bi, bn) = raster_of(&zheng(100, 9), 2_000, Parallelism::Sequential);
    assert_eq!(a, b);
    assert_eq!(ai, bi);
    assert_eq!(an.w_ee, bn.w_ee);
    assert_eq!(an.w_ei, bn.w_ei);
    assert_eq!(an.t_e, bn.t_e);
    let (c, _, _) = raster_of(&zheng(100, 10), 2_000, Parallelism::Sequential);
    assert_ne!(a, c);
}

#[test]
fn one_and_two_threads_give_identical_results() {
    let cfg = sized(sorn::presets::delpapa2017(), 1200, 4);
    let par = Parallelism::Rayon { min_rows: 8 };
    let run_in = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| raster_of(&cfg, 300, par))
    };
    let (s, si, sn) = raster_of(&cfg, 300, Parallelism::Sequential);
    for threads in [1, 2] {
        let (r, ri, rn) = run_in(threads);
        assert_eq!(r, s, "E raster differs with {threads} threads");
        assert_eq!(ri, si);
        assert_eq!(rn.w_ee, sn.w_ee);
        assert_eq!(rn.w_ei, sn.w_ei);
        assert_eq!(rn.t_e, sn.t_e);
    }
}

/// Above `SIDE_BY_SIDE_MIN_UNITS` (16 384 units) a step draws the noise and pushes the drives side by
/// side, one task per thread (with I←E among them when the I units listen to x(t)): still the numbers
/// and the orders of addition of the sequential run, so still its bits — plastic, and frozen, where the
/// pushes read column-ordered copies. With f32 weights too: their kernels are compiled apart.
#[test]
fn noise_and_drives_side_by_side_give_identical_results() {
    use sorn::core::InhibitionInput::{New, Old};
    for (from, precision) in [(Old, Precision::F64), (New, Precision::F64), (Old, Precision::F32)] {
        let mut c = sorn::presets::large();
        c.network.inhibition_from = from;
        c.network.precision = precision;
        let cfg = sized(c, 14_000, 5);
        let run = |par: Parallelism| {
            let mut sim = Sorn::new(&cfg);
            sim.set_parallelism(par);
            let mut e = Raster::new(Population::Excitatory, 1);
            let mut i = Raster::new(Population::Inhibitory, 1);
            sim.run(30, &mut NoInput, &mut (&mut e, &mut i));
            sim.set_phase(Phase::Training);
            sim.run(25, &mut NoInput, &mut (&mut e, &mut i));
            assert!(sim.network().w_ee.has_push_cache(), "the frozen W^EE is pushed from its copy");
            (e.data, i.data, sim.network().clone())
        };
        let (s, si, sn) = run(Parallelism::Sequential);
        assert_eq!(sn.w_ee.precision(), precision);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let (r, ri, rn) = pool.install(|| run(Parallelism::Rayon { min_rows: 256 }));
        assert_eq!(r, s, "E raster differs ({from:?}, {precision:?})");
        assert_eq!(ri, si, "I raster differs ({from:?}, {precision:?})");
        assert!(s.iter().any(|&b| b != 0) && si.iter().any(|&b| b != 0), "silent network");
        assert_eq!(rn.w_ee, sn.w_ee);
        assert_eq!(rn.w_ei, sn.w_ei);
        assert_eq!(rn.t_e, sn.t_e);
    }
}

#[test]
fn save_load_continue_equals_uninterrupted() {
    for precision in [Precision::F64, Precision::F32] {
        let mut c = sorn::presets::preset("sorn-py").unwrap();
        c.network.precision = precision;
        save_load_continue(&c.check().unwrap());
    }
}

fn save_load_continue(cfg: &CheckedConfig) {
    let cfg = cfg.clone();
    let mut whole = Sorn::new(&cfg);
    let mut r_whole = Raster::new(Population::Excitatory, 1);
    whole.run(3_000, &mut UniformRandom, &mut r_whole);

    let mut first = Sorn::new(&cfg);
    let mut r_first = Raster::new(Population::Excitatory, 1);
    first.run(1_500, &mut UniformRandom, &mut r_first);
    let bytes = bincode::serde::encode_to_vec(&first, bincode::config::standard()).unwrap();
    let (mut second, _): (Sorn, usize) =
        bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
    let mut r_second = Raster::new(Population::Excitatory, 1);
    second.run(1_500, &mut UniformRandom, &mut r_second);

    r_first.data.extend_from_slice(&r_second.data);
    assert_eq!(r_first.data, r_whole.data);
    assert_eq!(second.network().w_ee, whole.network().w_ee);
    assert_eq!(second.network().w_ei, whole.network().w_ei);
    assert_eq!(second.network().t_e, whole.network().t_e);
    assert_eq!(second.steps(), 3_000);
    assert_eq!(
        second.network().w_ee.precision(),
        cfg.network().precision,
        "the snapshot keeps the precision"
    );
    // A loaded network lays out the fixed W^IE as tightly as a built one (no slack: no rule grows it).
    assert_eq!(second.network().w_ie.heap_bytes(), whole.network().w_ie.heap_bytes());
    // Both hold it folded into its push cache: a row per column entry and a value, nothing per row slot.
    let w_ie = &second.network().w_ie;
    let value = if cfg.network().precision == Precision::F32 { 4 } else { 8 };
    let per_unit = 12 * (w_ie.n_rows() + w_ie.n_cols() + 2);
    assert!(w_ie.has_push_cache());
    assert!(w_ie.heap_bytes() <= (4 + value) * w_ie.nnz() + per_unit, "{} bytes", w_ie.heap_bytes());
}

/// f32 weights keep the model's statistics: over six seeds of zheng2013 at N_E = 200, the mean E rate of
/// the last 10 000 of 20 000 steps and the E←E connection fraction at the end agree with the f64 runs
/// within the seed-to-seed spread (Welch's t below 4). The two precisions part ways after a few hundred
/// steps (like two seeds), so only statistics can be compared.
#[test]
fn f32_weights_keep_the_statistics_of_f64() {
    let stats = |precision: Precision| -> Vec<[f64; 2]> {
        (1..=6)
            .map(|seed| {
                let mut c = sorn::presets::zheng2013();
                c.network.precision = precision;
                let mut sim = Sorn::new(&sized(c, 200, seed));
                let mut act = Activity::new(1);
                sim.run(20_000, &mut NoInput, &mut act);
                let tail = &act.data[10_000..];
                let rate = tail.iter().map(|&a| f64::from(a)).sum::<f64>() / (tail.len() as f64 * 200.0);
                let fraction = sim.network().w_ee.count_positive() as f64 / (200.0 * 199.0);
                [rate, fraction]
            })
            .collect()
    };
    let (a, b) = (stats(Precision::F64), stats(Precision::F32));
    assert_ne!(a, b, "the precisions must give different runs");
    for (k, name) in ["mean E rate", "E←E connection fraction"].into_iter().enumerate() {
        let mean_var = |v: &[[f64; 2]]| {
            let m = v.iter().map(|s| s[k]).sum::<f64>() / v.len() as f64;
            let var = v.iter().map(|s| (s[k] - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64;
            (m, var)
        };
        let ((ma, va), (mb, vb)) = (mean_var(&a), mean_var(&b));
        let t = (ma - mb).abs() / ((va + vb) / a.len() as f64).sqrt();
        assert!(t < 4.0, "{name}: f64 {ma} (var {va}) vs f32 {mb} (var {vb}): t = {t}");
    }
}

/// `large` at N_E = 2 500 prunes W^EE below half of its 2.6·10⁵ slots within a few thousand steps, so the
/// network lays it out anew mid-run (`compact_if_sparse`). A run that instead goes through a snapshot every
/// 500 steps (which rebuilds every matrix without slack) has other layouts at other times; both must give
/// the same bits, since only the storage order within rows enters the arithmetic.
#[test]
fn compaction_during_a_run_changes_no_bit() {
    let cfg = sized(sorn::presets::large(), 2_500, 3);
    let steps = 3_000;
    let mut whole = Sorn::new(&cfg);
    let slots_at_start = whole.network().w_ee.heap_bytes();
    let mut r_whole = Raster::new(Population::Excitatory, 1);
    whole.run(steps, &mut NoInput, &mut r_whole);
    assert!(
        whole.network().w_ee.heap_bytes() * 2 < slots_at_start,
        "W^EE should have been compacted: {} of {} bytes left",
        whole.network().w_ee.heap_bytes(),
        slots_at_start
    );

    let mut pieces = Sorn::new(&cfg);
    let mut r_pieces = Raster::new(Population::Excitatory, 1);
    for _ in 0..steps / 500 {
        pieces.run(500, &mut NoInput, &mut r_pieces);
        let bytes = bincode::serde::encode_to_vec(&pieces, bincode::config::standard()).unwrap();
        pieces = bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap().0;
    }
    let n = 2_500;
    let first =
        (0..steps as usize).find(|&t| r_pieces.data[t * n..(t + 1) * n] != r_whole.data[t * n..(t + 1) * n]);
    assert_eq!(first, None, "first step whose E state differs");
    assert_eq!(pieces.network().w_ee, whole.network().w_ee);
    assert_eq!(pieces.network().w_ei, whole.network().w_ei);
    assert_eq!(pieces.network().t_e, whole.network().t_e);
}

#[test]
fn training_phase_freezes_everything_and_plasticity_phase_resumes() {
    let cfg = sorn::presets::preset("sorn-py").unwrap().check().unwrap();
    let mut sim = Sorn::new(&cfg);
    sim.run(500, &mut UniformRandom, &mut ());
    sim.set_phase(Phase::Training);
    let (ee, te) = (sim.network().w_ee.clone(), sim.network().t_e.clone());
    sim.run(500, &mut UniformRandom, &mut ());
    assert_eq!(sim.network().w_ee, ee);
    assert_eq!(sim.network().t_e, te);
    sim.set_phase(Phase::Plasticity);
    sim.run(10, &mut UniformRandom, &mut ());
    assert_ne!(sim.network().t_e, te);
}

#[test]
fn recorders_agree_with_each_other_and_keep_their_stride() {
    let cfg = sorn::presets::preset("sorn-py").unwrap().check().unwrap();
    let mut sim = Sorn::new(&cfg);
    let mut e = Raster::new(Population::Excitatory, 5);
    let mut rb = Raster::new(Population::Recurrent, 5);
    let mut rd = RecurrentDrive::new(5);
    let mut act = Activity::new(5);
    let mut th = Thresholds::new(50);
    let mut w = Weights::new(sorn::record::Matrix::Ee, 100);
    let mut sub = Raster::new(Population::Inhibitory, 1).with_units(vec![0, 3]);
    sim.run(
        500,
        &mut UniformRandom,
        &mut (
            &mut (&mut e, &mut rb),
            &mut (&mut (&mut rd, &mut act), &mut (&mut th, &mut (&mut w, &mut sub))),
        ),
    );
    assert_eq!(
        (e.rows, rb.rows, rd.rows, act.data.len(), th.rows, w.data.len(), sub.rows),
        (100, 100, 100, 100, 10, 5, 500)
    );
    assert_eq!(sub.width(), 2);
    for t in 0..100 {
        let count: u32 = e.data[t * 200..(t + 1) * 200].iter().map(|&b| u32::from(b)).sum();
        assert_eq!(count, act.data[t]);
        for i in 0..200 {
            // The binary recurrent state is the thresholded real drive (package semantics: > 0).
            assert_eq!(rb.data[t * 200 + i], u8::from(rd.data[t * 200 + i] > 0.0));
        }
    }
    assert_eq!(w.data[4].0, 500);
    assert_eq!(th.data.len(), 10 * 200);
}
