//! Named model presets (SPEC §8.2). Each returns a complete [`Config`]; see `docs/CONFIG.md` for every
//! field.

use crate::config::{Config, InputSpec, Phase, RecordSpec, RunParams};
use sorn_core::{
    Connectivity, InhibitionInput, InitialState, InputParams, NetworkParams, Noise, Precision, ThresholdInit,
    ThresholdRule,
};
use sorn_plasticity::{
    Exhausted, Freeze, IpParams, IstdpParams, Order, PlasticityParams, SnParams, SpParams, StdpParams,
};

/// The preset names, with a one-line description each.
pub const PRESETS: &[(&str, &str)] = &[
    ("sorn-py", "the Python package `sorn` 0.7: 200 E units, 10 raw inputs, strict threshold, σ = 0.04"),
    ("lazar2009", "Lazar et al. 2009 as in SORN_V2's CountingTask: STDP + IP + SN, symbol pools, no noise"),
    (
        "zheng2013",
        "Zheng et al. 2013 (paper): all five rules, Gaussian noise σ² = 0.05, inhibition from x(t)",
    ),
    ("delpapa2017", "Del Papa et al. 2017 code (param_Zheng2013): fast inhibition, size-scaled batched SP"),
    ("large", "zheng2013 rules for 10⁵–10⁶ units: fixed in-degrees 100 (E←E), 20 (E←I), 100 (I←E)"),
];

/// The preset called `name`, if there is one.
pub fn preset(name: &str) -> Option<Config> {
    Some(match name {
        "sorn-py" => sorn_py(),
        "lazar2009" => lazar2009(),
        "zheng2013" => zheng2013(),
        "delpapa2017" => delpapa2017(),
        "large" => large(),
        _ => return None,
    })
}

fn run(steps: u64, input: InputSpec) -> RunParams {
    RunParams {
        steps,
        phase: Phase::Plasticity,
        freeze: Freeze::NONE,
        input,
        input_offset: 0,
        record: RecordSpec::default(),
    }
}

/// Structural plasticity as in Zheng et al. 2013 and the package: one attempt with probability 0.1 per
/// step, a new synapse of weight 0.001 at a uniformly chosen unconnected pair, inserted at once.
fn sp_zheng() -> SpParams {
    SpParams {
        prob: 0.1,
        size_scaled: false,
        init_weight: 0.001,
        max_tries: None,
        on_exhausted: Exhausted::Skip,
        batch: 1,
    }
}

/// The package's defaults (SPEC §1.2, §4.1) without its NaN bugs: zero-sum rows are skipped by SN.
/// h_IP = 2·nu/N_E = 0.1 as the package derives it; T^E clipped to [te_min, te_max] = [0, 1].
pub fn sorn_py() -> Config {
    let (ne, nu) = (200usize, 10usize);
    Config {
        preset: Some("sorn-py".into()),
        seed: 42,
        network: NetworkParams {
            ne,
            ni: None,
            input: InputParams::Raw { nu },
            w_ee: Connectivity::InDegreeNormal { lambda: 20.0 },
            w_ei: Connectivity::OutDegreeNormal { lambda: 40.0 },
            w_ie: Connectivity::Full,
            t_e: ThresholdInit::Uniform { min: 0.0, max: 1.0 },
            t_i: ThresholdInit::Uniform { min: 0.0, max: 0.5 },
            x0: InitialState::Zeros,
            y0: InitialState::Zeros,
            threshold_rule: ThresholdRule::Gt,
            inhibition_from: InhibitionInput::Old,
            noise: Noise::Gaussian { std: 0.04 },
            precision: Precision::F64,
        },
        plasticity: PlasticityParams {
            order: Order::SornPy,
            stdp: Some(StdpParams { eta: 0.004, upper: Some(1.0), prune_below: Some(0.0) }),
            ip: Some(IpParams { eta: 0.01, h_ip: 2.0 * nu as f64 / ne as f64, bounds: Some([0.0, 1.0]) }),
            sn: Some(SnParams { ee: true, ei: true }),
            istdp: Some(IstdpParams { eta: 0.001, mu: 0.1, floor: None, upper: 1.0 }),
            sp: Some(sp_zheng()),
        },
        run: run(10_000, InputSpec::UniformRandom),
    }
}

/// Lazar et al. 2009 as SORN_V2's CountingTask configures it (SPEC §4.2): λ = 10, η_STDP = η_IP = 0.001,
/// h_IP = 0.1, T ~ U(0, 0.5), 6 symbols × 10 disjoint units, dense fixed inhibition, no noise.
pub fn lazar2009() -> Config {
    Config {
        preset: Some("lazar2009".into()),
        seed: 42,
        network: NetworkParams {
            ne: 200,
            ni: None,
            input: InputParams::Pools { symbols: 6, units_per_symbol: 10, overlap: false, gain: 1.0 },
            w_ee: Connectivity::Bernoulli { lambda: 10.0 },
            w_ei: Connectivity::Full,
            w_ie: Connectivity::Full,
            t_e: ThresholdInit::Uniform { min: 0.0, max: 0.5 },
            t_i: ThresholdInit::Uniform { min: 0.0, max: 0.5 },
            x0: InitialState::Bernoulli { p: 0.5 },
            y0: InitialState::Bernoulli { p: 0.5 },
            threshold_rule: ThresholdRule::Ge,
            inhibition_from: InhibitionInput::New,
            noise: Noise::None,
            precision: Precision::F64,
        },
        plasticity: PlasticityParams {
            order: Order::V2,
            stdp: Some(StdpParams { eta: 0.001, upper: None, prune_below: Some(1e-10) }),
            ip: Some(IpParams { eta: 0.001, h_ip: 0.1, bounds: None }),
            sn: Some(SnParams { ee: true, ei: false }),
            istdp: None,
            sp: None,
        },
        run: run(50_000, InputSpec::RandomSymbols),
    }
}

/// Zheng et al. 2013, paper column of SPEC §4.3: connection fractions 0.1 (E←E: λ = 20 of 200), 0.2
/// (E←I), 1 (I←E); Gaussian noise std √0.05; inhibition from x(t); no E←I scaling; SP 0.1 per step.
pub fn zheng2013() -> Config {
    Config {
        preset: Some("zheng2013".into()),
        seed: 42,
        network: NetworkParams {
            ne: 200,
            ni: None,
            input: InputParams::None,
            w_ee: Connectivity::Bernoulli { lambda: 20.0 },
            w_ei: Connectivity::Bernoulli { lambda: 8.0 },
            w_ie: Connectivity::Full,
            t_e: ThresholdInit::Uniform { min: 0.0, max: 1.0 },
            t_i: ThresholdInit::Uniform { min: 0.0, max: 0.5 },
            x0: InitialState::Bernoulli { p: 0.1 },
            y0: InitialState::Zeros,
            threshold_rule: ThresholdRule::Ge,
            inhibition_from: InhibitionInput::Old,
            noise: Noise::Gaussian { std: 0.05f64.sqrt() },
            precision: Precision::F64,
        },
        plasticity: PlasticityParams {
            order: Order::DelPapa,
            stdp: Some(StdpParams { eta: 0.004, upper: Some(1.0), prune_below: Some(1e-10) }),
            ip: Some(IpParams { eta: 0.01, h_ip: 0.1, bounds: None }),
            sn: Some(SnParams { ee: true, ei: false }),
            istdp: Some(IstdpParams { eta: 0.001, mu: 0.1, floor: Some(0.001), upper: 1.0 }),
            sp: Some(sp_zheng()),
        },
        run: run(100_000, InputSpec::None),
    }
}

/// Del Papa et al. 2017's code (`param_Zheng2013.py`, SPEC §4.3 D column): binomial in-degrees minus one,
/// masked E←I with p = 0.2, fast inhibition (x(t+1)), E←I scaled, SP size-scaled and batched by 11 with
/// D's give-up-after-100 rule.
pub fn delpapa2017() -> Config {
    let mut c = zheng2013();
    c.preset = Some("delpapa2017".into());
    c.network.w_ee = Connectivity::Binomial { lambda: 20.0 };
    c.network.inhibition_from = InhibitionInput::New;
    c.plasticity.sn = Some(SnParams { ee: true, ei: true });
    c.plasticity.sp = Some(SpParams {
        prob: 0.1,
        size_scaled: true,
        init_weight: 0.001,
        max_tries: Some(100),
        on_exhausted: Exhausted::Overwrite,
        batch: 11,
    });
    c.run = run(5_000_000, InputSpec::None);
    c
}

/// Zheng et al. 2013's rules on a network sized for large-scale runs (N_E = 100 000 by default; set
/// `network.ne` up to 10⁶ and more). Every matrix is sparse with a *fixed in-degree*, so the cost per unit
/// does not grow with N_E: 100 E←E synapses per E unit, 20 E←I synapses per E unit, 100 I←E synapses per
/// I unit (the paper's dense I←E and 20 % E←I would make the step O(N_E²)). Weights are U(0, 1) and
/// normalised per row as in every preset. SP is *not* size-scaled: one growth attempt with probability 0.1
/// per step for the whole network, as in the paper at N_E = 200 (DP17's N_E² scaling would mean one
/// attempt every step from N_E ≈ 283 on); raise `plasticity.sp.prob` for more growth.
pub fn large() -> Config {
    let mut c = zheng2013();
    c.preset = Some("large".into());
    c.network.ne = 100_000;
    c.network.w_ee = Connectivity::FixedInDegree { k: 100 };
    c.network.w_ei = Connectivity::FixedInDegree { k: 20 };
    c.network.w_ie = Connectivity::FixedInDegree { k: 100 };
    c.run = run(10_000, InputSpec::None);
    c
}
