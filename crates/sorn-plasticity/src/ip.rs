//! Intrinsic plasticity of the excitatory thresholds (SPEC §2.2).
//!
//! ```text
//! T^E_i ← T^E_i + η_IP · ( x_i(t+1) − h_IP )
//! ```
//!
//! (Lazar et al. 2009, eq. 4; Zheng et al. 2013.) The package clips the result to [te_min, te_max]
//! (SPEC §7.1.13, not in any paper): set `bounds` to reproduce it. Its h_IP is 2·nu/N_E; the papers use
//! 0.1. Inhibitory thresholds never change in any implementation.

use serde::{Deserialize, Serialize};
use sorn_core::error::{ParamError, check_range};
use sorn_core::{Parallelism, PlasticParts};

/// IP parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpParams {
    /// η_IP (0.01 in Z13/DP17 and the package, 0.001 in L09).
    pub eta: f64,
    /// Target firing probability h_IP.
    pub h_ip: f64,
    /// Optional clipping range [min, max] of T^E after each update (the package: [te_min, te_max]).
    #[serde(default)]
    pub bounds: Option<[f64; 2]>,
}

impl IpParams {
    pub(crate) fn check(&self) -> Result<(), ParamError> {
        check_range("plasticity.ip.eta", self.eta, 0.0, 1.0)?;
        check_range("plasticity.ip.h_ip", self.h_ip, 0.0, 1.0)?;
        if let Some([lo, hi]) = self.bounds {
            check_range("plasticity.ip.bounds[0]", lo, -1e6, 1e6)?;
            check_range("plasticity.ip.bounds[1]", hi, lo, 1e6)?;
        }
        Ok(())
    }
}

/// Applies IP to every excitatory threshold.
pub fn apply(p: &IpParams, net: PlasticParts<'_>, par: Parallelism) {
    let x = net.x.bits();
    let (eta, h) = (p.eta, p.h_ip);
    // η·(x − h) for a silent and a firing unit: the per-unit arithmetic, done once.
    let change = [eta * (0.0 - h), eta * (1.0 - h)];
    let step = |i: usize, t: &mut f64| *t + if x[i] != 0 { change[1] } else { change[0] };
    match p.bounds {
        None => sorn_core::parallel::for_each_mut(net.t_e, par, |i, t| *t = step(i, t)),
        Some([lo, hi]) => {
            sorn_core::parallel::for_each_mut(net.t_e, par, |i, t| *t = step(i, t).clamp(lo, hi))
        }
    }
}
