//! Each experiment at its `quick()` size through the library, asserting real properties.

use sorn::experiments::{
    avalanches, cartpole, common, counting, frozen_plasticity, noise_sweep, random_sequence,
};

#[test]
fn counting_dp17_quick_is_well_above_chance() {
    let p = counting::CountingParams::quick(counting::Protocol::Dp17);
    let r = counting::run(&p).unwrap();
    assert_eq!(r.per_n.len(), p.ns.len());
    // Chance on B/C/E/F is at most 1/2 for the best letter-blind guess (B vs C, E vs F after the onset
    // is known); 1/6 without any information.
    for n in &r.per_n {
        assert!(n.sorn_summary.mean > 0.6, "n = {}: reduced accuracy {}", n.n, n.sorn_summary.mean);
        assert!(n.static_summary.is_some());
        for s in &n.sorn {
            assert!(s.rate > 0.0 && s.rate < 0.5, "readout-phase rate {}", s.rate);
        }
    }
    assert!(r.per_n[0].sorn_summary.mean > 0.8, "n = 4: {}", r.per_n[0].sorn_summary.mean);
    for n in &r.per_n {
        let st = n.static_summary.as_ref().unwrap().mean;
        assert!(n.sorn_summary.mean > st, "n = {}: SORN {} vs static {st}", n.n, n.sorn_summary.mean);
    }
    // Deterministic per seed.
    let again = counting::run_once(&p, p.ns[0], p.seeds[0], false).unwrap();
    assert_eq!(again, r.per_n[0].sorn[0]);
}

#[test]
fn counting_v2_quick_learns_positions() {
    let mut p = counting::CountingParams::quick(counting::Protocol::V2);
    p.ns = vec![4];
    p.ne = 100;
    p.steps_train = 1_500;
    p.steps_test = 1_000;
    p.compare_static = false;
    let r = counting::run(&p).unwrap();
    // 6 positions, the most frequent one has probability < 1/4.
    assert!(r.per_n[0].sorn_summary.mean > 0.6, "{:?}", r.per_n[0].sorn_summary);
}

#[test]
fn avalanches_quick_finds_avalanches_and_ip_rate() {
    let mut p = avalanches::AvalancheParams::quick();
    p.seeds = vec![1, 2];
    let r = avalanches::run(&p).unwrap();
    let c = &r.conditions[0];
    assert_eq!(c.runs[0].activity.len() as u64, p.window);
    let rep = c.report.as_ref().expect("an avalanche report");
    assert!(rep.n_avalanches > 100, "{} avalanches", rep.n_avalanches);
    // Two seeds pooled: each is also summarised alone, with the pooled θ, and the pool holds both.
    assert_eq!(c.per_seed.iter().map(|s| s.seed).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(c.per_seed.iter().map(|s| s.n_avalanches).sum::<usize>(), rep.n_avalanches);
    assert!(c.per_seed.iter().all(|s| s.connection_fraction.is_some_and(|f| f > 0.0 && f < 1.0)));
    assert!(avalanches::table(&r).contains("    seed   2  E←E fraction"));
    assert!(rep.theta >= 1.0);
    assert!((c.rate - 0.1).abs() < 0.02, "IP rate {} vs h_IP 0.1", c.rate);
    // The run directory: results.json plus figures, via a staging dir.
    let dir = std::env::temp_dir().join(format!("sorn-exp-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = common::Output::begin(&dir, false).unwrap();
    avalanches::write(&r, &out).unwrap();
    let dir = out.commit().unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    assert!(json["conditions"][0]["report"]["n_avalanches"].as_u64().unwrap() > 100);
    assert!(dir.join("ne100_sizes.png").exists());
    assert!(common::Output::begin(&dir, false).is_err(), "an existing directory must be refused");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn frozen_plasticity_quick_clones_the_state() {
    let r = frozen_plasticity::run(&frozen_plasticity::FrozenParams::quick()).unwrap();
    assert_eq!(r.conditions.len(), 3);
    let plastic = &r.conditions[0];
    assert!(plastic.report.is_some(), "{:?}", plastic.error);
    assert!((plastic.rate - 0.1).abs() < 0.03, "plastic rate {}", plastic.rate);
    // D's effective frozen branch keeps IP and noise: still avalanches, rate still held at h_IP.
    let frozen_d = &r.conditions[1];
    assert!(frozen_d.report.is_some(), "{:?}", frozen_d.error);
    assert!((frozen_d.rate - 0.1).abs() < 0.03, "frozen (D) rate {}", frozen_d.rate);
    // The three continuations share the start state but not the dynamics.
    let act = |i: usize| &r.conditions[i].runs[0].activity;
    assert_ne!(act(0), act(1));
    assert_ne!(act(1), act(2));
}

#[test]
fn noise_sweep_quick_runs_each_level() {
    let mut p = noise_sweep::NoiseParams::quick();
    p.steps = 30_000;
    p.window = 20_000;
    let r = noise_sweep::run(&p).unwrap();
    assert_eq!(r.conditions.len(), 3);
    assert!(r.conditions.iter().all(|c| c.runs[0].activity.len() == 20_000));
}

#[test]
fn random_sequence_quick_remembers_the_last_symbols() {
    let r = random_sequence::run(&random_sequence::RandomSequenceParams::quick()).unwrap();
    // Lag 0 is in the state (the input pools), lag 1 through the recurrence.
    assert!(r.memory_error[0].mean < 0.1, "lag 0 error {}", r.memory_error[0].mean);
    assert!(r.memory_error[1].mean < 0.7, "lag 1 error {} (chance 0.8)", r.memory_error[1].mean);
    assert!(r.capacity_error.iter().all(|e| e.mean.is_finite()));
}

#[test]
fn cartpole_env_matches_gym_and_episodes_run() {
    // One step of gym's CartPole-v1 from a fixed state (values from gym's equations by hand).
    let mut env = cartpole::CartPole { state: [0.0, 0.0, 0.05, 0.0], steps: 0, done: false };
    let (r, done) = env.step(1);
    assert_eq!((r, done), (1.0, false));
    assert_eq!(env.state[0], 0.0);
    assert_eq!(env.state[2], 0.05);
    assert!(env.state[1] > 0.19 && env.state[1] < 0.2, "x_dot {}", env.state[1]);
    assert!(env.state[3] < 0.0, "pushing right tips the pole left: {}", env.state[3]);
    let p = cartpole::CartPoleParams::quick();
    let r = cartpole::run(&p).unwrap();
    let run = &r.runs[0];
    assert_eq!(run.lengths.len(), p.episodes);
    assert!(run.lengths.iter().all(|&l| (1..=500).contains(&l)));
    assert!(run.random_mean > 10.0 && run.random_mean < 40.0, "random policy {}", run.random_mean);
}

#[test]
fn avalanche_fit_windows_follow_dp17_fig_2f() {
    assert_eq!(avalanches::fit_windows(200), ((6, 60), (10, 1500)));
    assert_eq!(avalanches::fit_windows(50), ((2, 10), (3, 100)));
    assert_eq!(avalanches::fit_windows(800), ((10, 150), (70, 7000)));
    // Between table sizes the nearest on a log scale: 300 is nearer 400 than 200 (log ratio).
    assert_eq!(avalanches::fit_windows(300), ((8, 100), (30, 3000)));
    assert_eq!(avalanches::fit_windows(100_000), ((10, 150), (70, 7000)));
    let o = avalanches::fit_options(100);
    assert_eq!((o.xmin_t, o.xmax_t, o.xmin_s, o.xmax_s), (4, 30, 4, 200));
}
