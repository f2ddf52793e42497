//! Frozen plasticity (DP17 Fig 4, SPEC §5.6 "DP17 variants"): the spontaneous `delpapa2017` network runs
//! a plastic phase; the simulator is then cloned and continues, from the same state and random streams,
//!
//! 1. plastic, as before;
//! 2. **frozen as DP17's code ran it**: STDP, iSTDP and SP frozen, IP and noise still on. D's
//!    `experiment_FrozenPlasticity.py` reloads the pickled network and then sets `eta_stdp`, `eta_istdp`
//!    and `sp_prob` on the reloaded network's synapse objects (effective) but `eta_ip = 0` and
//!    `noise_sig = 0` on the experiment's parameter bunch `c`, which the unpickled network no longer
//!    shares (it carries its own copy of `c`): IP and noise stay on. SN keeps running in D, which on
//!    frozen weights only re-divides by row sums of 1; here it is frozen with the weights.
//! 3. **frozen as the script intends**: every rule frozen and noise off (SPEC §5.6's description).
//!
//! Avalanches are analysed over each continuation.

use super::avalanches::{Condition, config, spontaneous};
use super::common::{Output, par_seeds};
use crate::config::Phase;
use crate::simulator::Sorn;
use serde::{Deserialize, Serialize};
use sorn_core::Noise;
use sorn_plasticity::{Freeze, Rule};
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
    /// "plastic (continued)", "frozen as D ran it" and "frozen, noise off" (module docs).
    pub conditions: Vec<Condition>,
    pub wall_seconds: f64,
}

pub fn run(p: &FrozenParams) -> anyhow::Result<FrozenResults> {
    let t0 = Instant::now();
    let pairs = par_seeds(&p.seeds, |seed| -> anyhow::Result<_> {
        let mut sim = Sorn::new(&config(p.ne, seed)?);
        sim.run(p.steps_plastic, &mut crate::input::NoInput, &mut ());
        let mut as_run = sim.clone();
        as_run.set_freeze(Freeze::NONE.with(Rule::Stdp).with(Rule::Istdp).with(Rule::Sp).with(Rule::Ss));
        let mut silent = sim.clone();
        silent.set_phase(Phase::Training);
        silent.set_noise(Noise::None)?;
        let (a, _) = spontaneous(sim, seed, p.steps_continue, p.steps_continue);
        let (b, _) = spontaneous(as_run, seed, p.steps_continue, p.steps_continue);
        let (c, _) = spontaneous(silent, seed, p.steps_continue, p.steps_continue);
        Ok([a, b, c])
    });
    let triples: Vec<[_; 3]> = pairs.into_iter().collect::<anyhow::Result<_>>()?;
    let mut by_branch: [Vec<_>; 3] = Default::default();
    for t in triples {
        for (branch, run) in by_branch.iter_mut().zip(t) {
            branch.push(run);
        }
    }
    let [a, b, c] = by_branch;
    let conditions = vec![
        Condition::analyse("plastic (continued)".into(), p.ne, a),
        Condition::analyse("frozen, IP+noise on (D)".into(), p.ne, b),
        Condition::analyse("frozen, noise off".into(), p.ne, c),
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
    for (c, prefix) in r.conditions.iter().zip(["plastic_", "frozen_d_", "frozen_silent_"]) {
        c.figures(out, prefix);
    }
    Ok(())
}
