//! Noise sweep (DP17, SPEC §5.6): the spontaneous `delpapa2017` network with Gaussian membrane noise of
//! variance σ² ∈ {0.005, 0.05, 5} (`network.noise = { kind = "gaussian", std = √σ² }`), avalanches
//! analysed as in [`super::avalanches`]. DP17: σ² = 0.05 gives power laws, 0.005 and 5 break them.

use super::avalanches::{Condition, spontaneous};
use super::common::{Output, par_seeds};
use super::plot::{Chart, Series, line_chart};
use crate::simulator::Sorn;
use serde::{Deserialize, Serialize};
use sorn_core::Noise;
use std::time::Instant;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoiseParams {
    pub ne: usize,
    /// Noise variances σ².
    pub variances: Vec<f64>,
    pub seeds: Vec<u64>,
    pub steps: u64,
    pub window: u64,
}

impl NoiseParams {
    pub fn full() -> Self {
        NoiseParams {
            ne: 200,
            variances: vec![0.005, 0.05, 5.0],
            seeds: vec![1],
            steps: 5_000_000,
            window: 3_000_000,
        }
    }
    pub fn quick() -> Self {
        NoiseParams {
            ne: 100,
            variances: vec![0.005, 0.05, 5.0],
            seeds: vec![1],
            steps: 60_000,
            window: 40_000,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoiseResults {
    pub params: NoiseParams,
    pub conditions: Vec<Condition>,
    pub wall_seconds: f64,
}

pub fn run(p: &NoiseParams) -> anyhow::Result<NoiseResults> {
    let t0 = Instant::now();
    let jobs: Vec<(f64, u64)> =
        p.variances.iter().flat_map(|&v| p.seeds.iter().map(move |&s| (v, s))).collect();
    let idx: Vec<u64> = (0..jobs.len() as u64).collect();
    let runs = par_seeds(&idx, |i| -> anyhow::Result<_> {
        let (var, seed) = jobs[i as usize];
        let mut c = crate::presets::delpapa2017();
        c.network.ne = p.ne;
        c.seed = seed;
        c.network.noise = Noise::Gaussian { std: var.sqrt() };
        let sim = Sorn::new(&c.check()?);
        Ok((var, spontaneous(sim, seed, p.steps, p.window).0))
    });
    let runs: Vec<(f64, _)> = runs.into_iter().collect::<anyhow::Result<_>>()?;
    let conditions = p
        .variances
        .iter()
        .map(|&v| {
            let mine = runs.iter().filter(|r| r.0 == v).map(|r| r.1.clone()).collect();
            Condition::analyse(format!("σ² = {v}"), p.ne, mine)
        })
        .collect();
    Ok(NoiseResults { params: p.clone(), conditions, wall_seconds: t0.elapsed().as_secs_f64() })
}

pub fn table(r: &NoiseResults) -> String {
    let s = format!(
        "noise sweep: N_E {}, {} steps, last {} analysed, {} seed(s)\n",
        r.params.ne,
        r.params.steps,
        r.params.window,
        r.params.seeds.len()
    );
    s + &crate::experiments::avalanches::conditions_text(&r.conditions, true, r.wall_seconds)
}

pub fn write(r: &NoiseResults, out: &Output) -> anyhow::Result<()> {
    out.write_json("results.json", r)?;
    out.write_text("table.txt", &table(r))?;
    for (c, v) in r.conditions.iter().zip(&r.params.variances) {
        c.figures(out, &format!("var{v}_"));
    }
    let x = r.params.variances.clone();
    let ser = |label: &str, f: &dyn Fn(&Condition) -> Option<f64>| Series {
        label: label.into(),
        x: x.clone(),
        y: r.conditions.iter().map(|c| f(c).unwrap_or(f64::NAN)).collect(),
        markers: true,
        ..Default::default()
    };
    let chart = Chart {
        title: "Avalanche exponents vs noise variance".into(),
        x_label: "σ²".into(),
        y_label: "exponent".into(),
        log_x: true,
        ..Default::default()
    };
    super::common::figure(
        "exponents_vs_noise.svg",
        line_chart(
            &out.path("exponents_vs_noise.svg"),
            &chart,
            &[ser("τ (sizes)", &|c| c.exponents().0), ser("α (durations)", &|c| c.exponents().1)],
        ),
    );
    Ok(())
}
