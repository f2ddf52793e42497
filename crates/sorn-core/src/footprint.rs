//! What a network will occupy, computed from its parameters before anything is drawn, so that a
//! network that cannot fit is refused with a message instead of being killed by the kernel.

use crate::params::{CheckedNetworkParams, Connectivity};
use crate::precision::Precision;

/// Bytes per stored synapse with f64 weights: the row copy (column index + value), the column mirror
/// (row index, slot, value), and the encoded snapshot written at the end of a run (index + value).
/// Measured peaks agree within 15 %: N_E = 10 000 / 20 000 of `sorn-py` (2·10⁷ / 8·10⁷ synapses, 0.72 /
/// 2.8 GB) and N_E = 10⁵ of `large` (1.4·10⁷ synapses, 0.62 GB).
const BYTES_PER_SYNAPSE_F64: f64 = 40.0;
/// With f32 weights each of the three value copies is 4 bytes smaller.
const BYTES_PER_SYNAPSE_F32: f64 = 28.0;
/// Per unit: row and column offsets of three matrices, thresholds, states, traces and plasticity sets.
const BYTES_PER_UNIT: f64 = 256.0;

/// Expected synapses of one matrix at initialisation (n_post × n_pre, self-connections excluded).
pub fn expected_synapses(c: &Connectivity, (n_post, n_pre): (usize, usize), self_excluded: bool) -> f64 {
    let (post, pre) = (n_post as f64, n_pre as f64);
    match *c {
        Connectivity::Full => post * (pre - f64::from(u8::from(self_excluded))),
        Connectivity::Bernoulli { lambda }
        | Connectivity::InDegreeNormal { lambda }
        | Connectivity::Binomial { lambda } => post * lambda,
        Connectivity::OutDegreeNormal { lambda } => pre * lambda,
        Connectivity::FixedInDegree { k } => post * k as f64,
    }
}

/// The footprint of a network: synapse counts at initialisation and the memory a run of it needs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Footprint {
    /// Expected synapses of E←E, E←I and I←E.
    pub synapses: [f64; 3],
    /// Bytes a run needs at its peak (the network, its plasticity state and the snapshot written).
    pub bytes: f64,
}

impl CheckedNetworkParams {
    /// The expected footprint of this network (structural plasticity may grow E←E later).
    pub fn footprint(&self) -> Footprint {
        let (ne, ni) = (self.ne, self.n_i());
        let synapses = [
            expected_synapses(&self.w_ee, (ne, ne), true),
            expected_synapses(&self.w_ei, (ne, ni), false),
            expected_synapses(&self.w_ie, (ni, ne), false),
        ];
        let per_synapse = match self.precision {
            Precision::F64 => BYTES_PER_SYNAPSE_F64,
            Precision::F32 => BYTES_PER_SYNAPSE_F32,
        };
        let bytes = synapses.iter().sum::<f64>() * per_synapse + (ne + ni) as f64 * BYTES_PER_UNIT;
        Footprint { synapses, bytes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_the_wiring() {
        assert_eq!(expected_synapses(&Connectivity::Full, (10, 10), true), 90.0);
        assert_eq!(expected_synapses(&Connectivity::Full, (2, 10), false), 20.0);
        assert_eq!(expected_synapses(&Connectivity::Bernoulli { lambda: 5.0 }, (10, 100), false), 50.0);
        assert_eq!(expected_synapses(&Connectivity::OutDegreeNormal { lambda: 3.0 }, (10, 4), false), 12.0);
        assert_eq!(expected_synapses(&Connectivity::FixedInDegree { k: 7 }, (10, 100), true), 70.0);
    }
}
