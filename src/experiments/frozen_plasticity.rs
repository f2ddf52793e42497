//! Frozen plasticity (DP17 Fig 4, SPEC §5.6 "DP17 variants"): the spontaneous `delpapa2017` network runs
//! a plastic phase; the simulator is then cloned and continues (a) plastic with noise, and (b) with
//! STDP, iSTDP, SP and IP frozen and noise off, from the same state and random streams. Avalanches are
//! analysed over each continuation.

use super::avalanches::{Condition, config, spontaneous};
use super::common::{Output, par_seeds};
use crate::config::Phase;
use crate::simulator::Sorn;
use serde::{Deserialize, Serialize};
use sorn_core::Noise;
use std::time::Instant;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrozenParams {
    pub ne: usize,
    pub seeds: Vec<u64>,
    /// Plastic phase before the split (DP17: 2·10⁶).
    pub steps_plastic: u64,
    /// Length of each continuation, all analysed (DP17: 2·10⁶).
    pub steps_continue: u64,
}

impl FrozenParams {
    pub fn full() -> Self {
        FrozenParams { ne: 200, seeds: vec![1], steps_plastic: 2_000_000, steps_continue: 2_000_000 }
    }
    pub fn quick() -> Self {
        FrozenParams { ne: 100, seeds: vec![1], steps_plastic: 60_000, steps_continue: 60_000 }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrozenResults {
    pub params: FrozenParams,
    /// "plastic" and "frozen, noise off".
    pub conditions: Vec<Condition>,
    pub wall_seconds: f64,
}

pub fn run(p: &FrozenParams) -> anyhow::Result<FrozenResults> {
    let t0 = Instant::now();
    let pairs = par_seeds(&p.seeds, |seed| -> anyhow::Result<_> {
        let mut sim = Sorn::new(&config(p.ne, seed)?);
        sim.run(p.steps_plastic, &mut crate::input::NoInput, &mut ());
        let mut frozen = sim.clone();
        frozen.set_phase(Phase::Training);
        frozen.set_noise(Noise::None)?;
        let (a, _) = spontaneous(sim, seed, p.steps_continue, p.steps_continue);
        let (b, _) = spontaneous(frozen, seed, p.steps_continue, p.steps_continue);
        Ok((a, b))
    });
    let pairs: Vec<_> = pairs.into_iter().collect::<anyhow::Result<_>>()?;
    let (a, b): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
    let conditions = vec![
        Condition::analyse("plastic (continued)".into(), p.ne, a),
        Condition::analyse("frozen, noise off".into(), p.ne, b),
    ];
    Ok(FrozenResults { params: p.clone(), conditions, wall_seconds: t0.elapsed().as_secs_f64() })
}

pub fn table(r: &FrozenResults) -> String {
    let s = format!(
        "frozen plasticity: N_E {}, {} plastic steps, then {} steps each way, {} seed(s)\n",
        r.params.ne,
        r.params.steps_plastic,
        r.params.steps_continue,
        r.params.seeds.len()
    );
    s + &crate::experiments::avalanches::conditions_text(&r.conditions, false, r.wall_seconds)
}

pub fn write(r: &FrozenResults, out: &Output) -> anyhow::Result<()> {
    out.write_json("results.json", r)?;
    out.write_text("table.txt", &table(r))?;
    for (c, prefix) in r.conditions.iter().zip(["plastic_", "frozen_"]) {
        c.figures(out, prefix);
    }
    Ok(())
}
