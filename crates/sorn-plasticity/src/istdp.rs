//! Inhibitory STDP on E←I (SPEC §2.4).
//!
//! ```text
//! ΔW^EI_ik = − η_inhib · y_k(t) · [ 1 − x_i(t+1) · (1 + 1/μ) ]
//! ```
//!
//! (Zheng et al. 2013; every code has the leading minus sign, the package's JOSS paper lacks it.) A firing
//! E unit gets η·y_k/μ more inhibition, a silent one η·y_k less, so its firing probability is driven to μ.
//! With `floor = Some(f)` (D, H, V2: 0.001) a weight that reaches ≤ 0 is set to f and the synapse stays;
//! with `None` (the package) weights are clipped to [0, upper] and a synapse reaching 0 is removed
//! (SPEC §7.1.6). Only the outgoing synapses of inhibitory units active at t are visited.

use crate::rowset::RowSet;
use serde::{Deserialize, Serialize};
use sorn_core::PlasticParts;
use sorn_core::error::{ParamError, check_range};

/// iSTDP parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IstdpParams {
    /// η_inhib (0.001).
    pub eta: f64,
    /// Target rate μ (0.1; the package's `mu_ip`).
    pub mu: f64,
    /// Weight floor f (0.001), or None for the package's pruning at 0.
    #[serde(default)]
    pub floor: Option<f64>,
    /// Upper bound (1).
    pub upper: f64,
}

impl IstdpParams {
    pub(crate) fn check(&self) -> Result<(), ParamError> {
        check_range("plasticity.istdp.eta", self.eta, 0.0, 1.0)?;
        check_range("plasticity.istdp.mu", self.mu, 1e-6, 1.0)?;
        check_range("plasticity.istdp.upper", self.upper, f64::MIN_POSITIVE, 1e6)?;
        if let Some(f) = self.floor {
            check_range("plasticity.istdp.floor", f, 0.0, self.upper)?;
        }
        Ok(())
    }
}

/// Applies iSTDP to `net.w_ei`; changed rows go to `dirty`. Returns the number of pruned synapses.
pub fn apply(p: &IstdpParams, net: PlasticParts<'_>, dirty: &mut RowSet, prune_rows: &mut Vec<u32>) -> usize {
    let x = net.x.bits();
    let gain = 1.0 + 1.0 / p.mu;
    // The two possible changes, for a silent and for a firing E unit (same arithmetic as
    // −η·(1 − x·gain) evaluated per synapse).
    let dw = [-p.eta * (1.0 - 0.0 * gain), -p.eta * (1.0 - 1.0 * gain)];
    let upper = p.upper;
    prune_rows.clear();
    for &k in net.y_prev.active() {
        match p.floor {
            Some(f) => net.w_ei.update_column(k as usize, |i, w| {
                let v = *w + dw[usize::from(x[i as usize] != 0)];
                *w = if v <= 0.0 { f } else { v.min(upper) };
                if *w <= 0.0 {
                    prune_rows.push(i);
                }
                dirty.insert(i);
            }),
            None => net.w_ei.update_column(k as usize, |i, w| {
                let v = *w + dw[usize::from(x[i as usize] != 0)];
                *w = v.clamp(0.0, upper);
                if *w <= 0.0 {
                    prune_rows.push(i);
                }
                dirty.insert(i);
            }),
        }
    }
    let mut pruned = 0;
    prune_rows.sort_unstable();
    prune_rows.dedup();
    for &i in prune_rows.iter() {
        pruned += net.w_ei.prune_row(i as usize, |w| w <= 0.0);
    }
    pruned
}
