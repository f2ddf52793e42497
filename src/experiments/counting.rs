//! The counting task (L09; DP17 Fig 7; SPEC §5.2): words `A Bⁿ C` and `D Eⁿ F`, a plastic phase, then
//! a frozen readout trained and tested on the network's states.
//!
//! * **DP17 protocol** (`Protocol::Dp17`): a DP17 counting config (the `delpapa2017` preset with 6
//!   input pools of N_u = 0.05·N_E units, overlaps allowed, gain 1; SP and iSTDP off, W^EI full, as
//!   D's `param_CountingTask`, SPEC §4.4), Gaussian noise σ² = 0.05 in the plastic phase and none in
//!   the readout phases. Feature of step k: Θ≥(R_x(k)), the recurrent drive computed from x(t), y(t)
//!   before the letter u_k is added (`Network::recurrent_spikes` after the step). Target: u_k.
//!   Readout: least squares by pseudo-inverse, no bias. Score: accuracy on test steps whose letter is
//!   B, C, E or F ("reduced").
//! * **V2 protocol** (`Protocol::V2`): the `lazar2009` preset; feature x(t+1) after u_k (binary, with
//!   the input), target = within-word position of u_{k+1}; logistic regression; accuracy on all test
//!   steps.
//!
//! `compare_static` adds a static reservoir: the same config and seed (identical initial weights and
//! thresholds) with every rule frozen from the first step.

use super::common::{Output, Spread, figure, par_seeds};
use super::plot::{Chart, Series, line_chart};
use super::tasks::{CountingSource, Label};
use crate::config::{CheckedConfig, InputSpec, Phase};
use crate::record::{Population, Raster};
use crate::simulator::Sorn;
use serde::{Deserialize, Serialize};
use sorn_analysis::readout::{LogisticOptions, fit_least_squares, fit_logistic};
use sorn_core::{Connectivity, InputParams, Noise};
use std::time::Instant;

/// Which readout protocol (SPEC §5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    /// DP17 / D: pseudo-inverse on Θ≥(R_x), current letter, reduced accuracy; noise off in readout.
    Dp17,
    /// SORN_V2: logistic regression on x(t+1), next within-word position.
    V2,
}

impl std::fmt::Display for Protocol {
    /// The command-line name (`dp17`, `v2`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Protocol::Dp17 => "dp17",
            Protocol::V2 => "v2",
        })
    }
}

impl std::str::FromStr for Protocol {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "dp17" => Ok(Protocol::Dp17),
            "v2" => Ok(Protocol::V2),
            _ => Err(format!("unknown protocol `{s}`: expected dp17 or v2")),
        }
    }
}

/// Sizes and switches of the counting experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CountingParams {
    pub protocol: Protocol,
    /// Word lengths n (words have n + 2 letters).
    pub ns: Vec<usize>,
    pub seeds: Vec<u64>,
    pub ne: usize,
    pub steps_plastic: u64,
    pub steps_train: u64,
    pub steps_test: u64,
    pub compare_static: bool,
}

impl CountingParams {
    /// SPEC §5.2 sizes: DP17 5 000 / 5 000 / 5 000 steps (D's file), V2 50 000 / 5 000 / 5 000; N_E = 200.
    pub fn full(protocol: Protocol) -> Self {
        let steps_plastic = match protocol {
            Protocol::Dp17 => 5_000,
            Protocol::V2 => 50_000,
        };
        CountingParams {
            protocol,
            ns: vec![4, 6, 8, 14, 20],
            seeds: (1..=10).collect(),
            ne: 200,
            steps_plastic,
            steps_train: 5_000,
            steps_test: 5_000,
            compare_static: false,
        }
    }
    /// A test-sized run: N_E = 200, two word lengths, 2 seeds, shorter readout phases (V2: 5 000
    /// plastic steps).
    pub fn quick(protocol: Protocol) -> Self {
        CountingParams {
            protocol,
            ns: vec![4, 14],
            seeds: vec![1, 2],
            ne: 200,
            steps_plastic: 5_000,
            steps_train: 3_000,
            steps_test: 2_000,
            compare_static: true,
        }
    }
}

/// The network config of a protocol: DP17 counting config or `lazar2009`, with N_E and the seed.
pub fn config(protocol: Protocol, ne: usize, seed: u64) -> anyhow::Result<CheckedConfig> {
    let mut c = match protocol {
        Protocol::Dp17 => {
            let mut c = crate::presets::delpapa2017();
            c.network.input = InputParams::Pools {
                symbols: CountingSource::SYMBOLS,
                units_per_symbol: ((0.05 * ne as f64).floor() as usize).max(1),
                overlap: true,
                gain: 1.0,
            };
            c.network.w_ei = Connectivity::Full;
            c.plasticity.sp = None;
            c.plasticity.istdp = None;
            c
        }
        Protocol::V2 => {
            let mut c = crate::presets::lazar2009();
            if let InputParams::Pools { units_per_symbol, .. } = &mut c.network.input {
                *units_per_symbol = ((0.05 * ne as f64).floor() as usize).max(1);
            }
            c
        }
    };
    c.network.ne = ne;
    c.seed = seed;
    c.run.input = InputSpec::None;
    Ok(c.check()?)
}

/// Test score of one network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// The protocol's performance: reduced accuracy (DP17) or position accuracy (V2).
    pub performance: f64,
    /// DP17: accuracy over all test letters (A and D included); V2: same as `performance`.
    pub full_accuracy: f64,
    /// Mean E rate over the readout phases (fraction of units).
    pub rate: f64,
}

/// One run of the protocol for word length `n`: plastic (or, if `static_reservoir`, frozen) phase,
/// then readout train and test with plasticity off.
pub fn run_once(p: &CountingParams, n: usize, seed: u64, static_reservoir: bool) -> anyhow::Result<Score> {
    let cfg = config(p.protocol, p.ne, seed)?;
    let mut sim = Sorn::new(&cfg);
    if static_reservoir {
        sim.set_phase(Phase::Training);
    }
    let mut src = CountingSource::new(n);
    sim.run(p.steps_plastic, &mut src, &mut ());
    sim.set_phase(Phase::Training);
    let pop = match p.protocol {
        Protocol::Dp17 => {
            sim.set_noise(Noise::None)?;
            Population::Recurrent
        }
        Protocol::V2 => Population::Excitatory,
    };
    src.set_logging(true);
    let mut raster = Raster::new(pop, 1);
    let mut act = crate::record::Activity::new(1);
    sim.run(p.steps_train + p.steps_test, &mut src, &mut (&mut raster, &mut act));
    let rate = act.data.iter().map(|&a| f64::from(a)).sum::<f64>() / (act.data.len() * p.ne).max(1) as f64;
    let (tr, te) = (p.steps_train as usize, p.steps_test as usize);
    let feats = |rows: std::ops::Range<usize>| {
        let w = raster.width();
        ndarray::Array2::from_shape_fn((rows.len(), w), |(i, j)| {
            f64::from(raster.data[(rows.start + i) * w + j])
        })
    };
    let log: &[Label] = &src.log;
    match p.protocol {
        Protocol::Dp17 => {
            let y: Vec<usize> = log.iter().map(|l| l.symbol).collect();
            let ro = fit_least_squares(feats(0..tr).view(), &y[..tr], CountingSource::SYMBOLS)?;
            let pred = ro.predict(feats(tr..tr + te).view())?;
            let truth = &y[tr..tr + te];
            let (mut ok, mut n_red, mut ok_red) = (0usize, 0usize, 0usize);
            for (&q, &t) in pred.iter().zip(truth) {
                ok += usize::from(q == t);
                if CountingSource::predictable(t) {
                    n_red += 1;
                    ok_red += usize::from(q == t);
                }
            }
            Ok(Score {
                performance: ok_red as f64 / n_red.max(1) as f64,
                full_accuracy: ok as f64 / te as f64,
                rate,
            })
        }
        Protocol::V2 => {
            // Pairs (X_k, pos_{k+1}): train k = 0..tr−2, test k = tr..tr+te−2.
            let pos: Vec<usize> = log.iter().map(|l| l.position).collect();
            let opts = LogisticOptions { gtol: 1e-6, max_iter: 500, ..Default::default() };
            let model = fit_logistic(feats(0..tr - 1).view(), &pos[1..tr], &opts)?;
            let pred = model.predict(feats(tr..tr + te - 1).view())?;
            let acc = sorn_analysis::readout::accuracy(&pred, &pos[tr + 1..tr + te])?;
            Ok(Score { performance: acc, full_accuracy: acc, rate })
        }
    }
}

/// Results for one word length.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PerN {
    pub n: usize,
    /// Plastic SORN, one score per seed.
    pub sorn: Vec<Score>,
    pub sorn_summary: Spread,
    /// Static reservoir (if compared), one score per seed.
    pub static_reservoir: Option<Vec<Score>>,
    pub static_summary: Option<Spread>,
}

/// Everything `counting` measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CountingResults {
    pub params: CountingParams,
    pub per_n: Vec<PerN>,
    pub wall_seconds: f64,
}

/// Runs every (n, seed) pair, seeds in parallel.
pub fn run(p: &CountingParams) -> anyhow::Result<CountingResults> {
    let t0 = Instant::now();
    let mut per_n = Vec::new();
    for &n in &p.ns {
        let out = par_seeds(&p.seeds, |seed| -> anyhow::Result<(Score, Option<Score>)> {
            let s = run_once(p, n, seed, false)?;
            let r = if p.compare_static { Some(run_once(p, n, seed, true)?) } else { None };
            Ok((s, r))
        });
        let out: Vec<(Score, Option<Score>)> = out.into_iter().collect::<anyhow::Result<_>>()?;
        let sorn: Vec<Score> = out.iter().map(|o| o.0.clone()).collect();
        let stat: Option<Vec<Score>> = out.iter().map(|o| o.1.clone()).collect();
        let perf = |v: &[Score]| Spread::of(&v.iter().map(|s| s.performance).collect::<Vec<_>>());
        per_n.push(PerN {
            n,
            sorn_summary: perf(&sorn),
            static_summary: stat.as_deref().map(perf),
            sorn,
            static_reservoir: stat,
        });
    }
    Ok(CountingResults { params: p.clone(), per_n, wall_seconds: t0.elapsed().as_secs_f64() })
}

/// The table printed by `sorn experiment counting`: mean [16th, 84th percentile] per n.
pub fn table(r: &CountingResults) -> String {
    let metric = match r.params.protocol {
        Protocol::Dp17 => "reduced accuracy (B/C/E/F), pseudo-inverse on Θ(R_x)",
        Protocol::V2 => "next-position accuracy, logistic regression on x(t+1)",
    };
    let mut s =
        format!("counting, protocol {}: {metric}; {} seeds\n", r.params.protocol, r.params.seeds.len());
    s += &format!("{:>4}  {:<26}", "n", "SORN mean [p16, p84]");
    if r.params.compare_static {
        s += "static reservoir mean [p16, p84]";
    }
    s += "\n";
    for p in &r.per_n {
        s += &format!("{:>4}  {:<26}", p.n, p.sorn_summary.to_string());
        if let Some(st) = &p.static_summary {
            s += &st.to_string();
        }
        s += "\n";
    }
    s += &format!("wall time {:.1} s\n", r.wall_seconds);
    s
}

/// Writes `results.json`, `table.txt` and `performance.svg` (performance vs n with 16/84 bars).
pub fn write(r: &CountingResults, out: &Output) -> anyhow::Result<()> {
    out.write_json("results.json", r)?;
    out.write_text("table.txt", &table(r))?;
    let x: Vec<f64> = r.per_n.iter().map(|p| p.n as f64).collect();
    let mk = |label: &str, s: Vec<&Spread>| Series {
        label: label.into(),
        x: x.clone(),
        y: s.iter().map(|v| v.mean).collect(),
        lo: Some(s.iter().map(|v| v.p16).collect()),
        hi: Some(s.iter().map(|v| v.p84).collect()),
        markers: true,
    };
    let mut series = vec![mk("SORN (plastic)", r.per_n.iter().map(|p| &p.sorn_summary).collect())];
    if r.params.compare_static {
        series
            .push(mk("static reservoir", r.per_n.iter().filter_map(|p| p.static_summary.as_ref()).collect()));
    }
    let chart = Chart {
        title: format!("Counting task ({:?} protocol), N_E = {}", r.params.protocol, r.params.ne),
        x_label: "n (word length − 2)".into(),
        y_label: match r.params.protocol {
            Protocol::Dp17 => "performance (B, C, E, F)".into(),
            Protocol::V2 => "performance (next position)".into(),
        },
        log_x: false,
        y_range: Some((0.4, 1.1)),
        hlines: vec![],
    };
    figure("performance.svg", line_chart(&out.path("performance.svg"), &chart, &series));
    Ok(())
}
