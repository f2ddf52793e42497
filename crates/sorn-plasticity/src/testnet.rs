//! A small random network for the rules' unit tests.

use sorn_core::params::*;
use sorn_core::{Input, Network, Stream, stream_rng};

/// Excitatory units of [`network`].
pub const NE: usize = 300;

/// [`NE`] excitatory and 60 inhibitory units with `k` synapses per E←E row, Bernoulli E←I (λ = 12) and
/// 20 synapses per I←E row, high initial rates, three steps in.
pub fn network(seed: u64, k: usize) -> Network {
    let p = NetworkParams {
        ne: NE,
        ni: Some(60),
        input: InputParams::None,
        w_ee: Connectivity::FixedInDegree { k },
        w_ei: Connectivity::Bernoulli { lambda: 12.0 },
        w_ie: Connectivity::FixedInDegree { k: 20 },
        t_e: ThresholdInit::Uniform { min: 0.0, max: 0.5 },
        t_i: ThresholdInit::Uniform { min: 0.0, max: 0.5 },
        x0: InitialState::Bernoulli { p: 0.2 },
        y0: InitialState::Bernoulli { p: 0.3 },
        threshold_rule: ThresholdRule::Ge,
        inhibition_from: InhibitionInput::Old,
        noise: Noise::Gaussian { std: 0.1 },
        precision: sorn_core::Precision::F64,
    };
    let mut net = Network::new(&p.check().unwrap(), &mut stream_rng(seed, Stream::Init));
    let mut noise = stream_rng(seed, Stream::Noise);
    for _ in 0..3 {
        net.step(Input::None, &mut noise);
    }
    net
}
