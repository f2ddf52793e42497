//! # sorn-plasticity
//!
//! The five plasticity rules of the SORN, one module each, with their equations and sources in the
//! rustdoc: [`stdp`], [`ip`], [`sn`] (synaptic normalisation, the package's "ss"), [`istdp`] and [`sp`]
//! (structural plasticity). [`PlasticityParams`] holds the rules a model uses and the [`Order`] in which
//! its reference implementation applies them (SPEC §2.6); [`apply`] runs one step of them, skipping the
//! rules in a [`Freeze`] set.
//!
//! Architecture invariant: depends on `sorn-core` only. Results are bitwise identical for any
//! [`Parallelism`]: work is split by postsynaptic rows and every row is computed
//! sequentially; everything that is not row-local runs on the calling thread.

pub mod freeze;
pub mod ip;
pub mod istdp;
pub mod rowset;
pub mod sn;
pub mod sp;
pub mod stdp;
#[cfg(test)]
mod testnet;

pub use freeze::{Freeze, Rule};
pub use ip::IpParams;
pub use istdp::IstdpParams;
pub use rowset::RowSet;
pub use sn::SnParams;
pub use sp::{Exhausted, SpParams};
pub use stdp::StdpParams;

use serde::{Deserialize, Serialize};
use sorn_core::{Network, Parallelism, ParamError, SornRng};

/// The order in which a reference implementation applies the rules (SPEC §2.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Order {
    /// The package: STDP → IP → SP → iSTDP → SN(E←E, E←I).
    SornPy,
    /// D/H (DP17 code): IP → STDP → SP → iSTDP → SN(E←E, E←I).
    DelPapa,
    /// V2: IP → STDP → SN(E←E) → iSTDP → SN(E←I) → SP (new synapses are normalised one step later).
    V2,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Stdp,
    Ip,
    Sp,
    Istdp,
    SnEe,
    SnEi,
}

impl Order {
    fn ops(self) -> &'static [Op] {
        use Op::*;
        match self {
            Order::SornPy => &[Stdp, Ip, Sp, Istdp, SnEe, SnEi],
            Order::DelPapa => &[Ip, Stdp, Sp, Istdp, SnEe, SnEi],
            Order::V2 => &[Ip, Stdp, SnEe, Istdp, SnEi, Sp],
        }
    }
}

/// The plasticity of a model: each rule it has (absent = not part of the model) and their order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlasticityParams {
    pub order: Order,
    #[serde(default)]
    pub stdp: Option<StdpParams>,
    #[serde(default)]
    pub ip: Option<IpParams>,
    /// Synaptic normalisation ("ss" in the package).
    #[serde(default)]
    pub sn: Option<SnParams>,
    #[serde(default)]
    pub istdp: Option<IstdpParams>,
    #[serde(default)]
    pub sp: Option<SpParams>,
}

/// Plasticity parameters that passed [`PlasticityParams::check`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PlasticityParams", into = "PlasticityParams")]
pub struct CheckedPlasticity(PlasticityParams);

impl TryFrom<PlasticityParams> for CheckedPlasticity {
    type Error = ParamError;
    fn try_from(p: PlasticityParams) -> Result<Self, ParamError> {
        p.check()
    }
}

impl From<CheckedPlasticity> for PlasticityParams {
    fn from(c: CheckedPlasticity) -> Self {
        c.0
    }
}

impl std::ops::Deref for CheckedPlasticity {
    type Target = PlasticityParams;
    fn deref(&self) -> &PlasticityParams {
        &self.0
    }
}

impl PlasticityParams {
    /// Validates every rule's parameters; errors name the field, the value and the allowed range.
    pub fn check(self) -> Result<CheckedPlasticity, ParamError> {
        if let Some(r) = &self.stdp {
            r.check()?;
        }
        if let Some(r) = &self.ip {
            r.check()?;
        }
        if let Some(r) = &self.istdp {
            r.check()?;
        }
        if let Some(r) = &self.sp {
            r.check()?;
        }
        Ok(CheckedPlasticity(self))
    }
}

/// Event counts accumulated over the run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// E←E synapses removed by STDP pruning.
    pub pruned_ee: u64,
    /// E←I synapses removed (package-style iSTDP only).
    pub pruned_ei: u64,
    /// E←E synapses created (or re-set) by SP.
    pub created_ee: u64,
    /// Rows skipped by SN because their weights summed to 0.
    pub sn_zero_rows: u64,
}

/// The plasticity's own state: rows awaiting normalisation, pending SP pairs, counters. Part of a
/// snapshot, so that a resumed run continues bit for bit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlasticityState {
    pub dirty_ee: RowSet,
    pub dirty_ei: RowSet,
    pub sp_pending: Vec<(u32, u32)>,
    pub counters: Counters,
    #[serde(skip)]
    scratch: Vec<u32>,
}

impl PlasticityState {
    /// Fresh state for a network; every row starts dirty only if `renormalise` (e.g. weights loaded from
    /// outside), since a new network's rows are already normalised.
    pub fn new(net: &Network, renormalise: bool) -> Self {
        let (ne, _) = (net.ne(), net.ni());
        let make = |n| if renormalise { RowSet::full(n) } else { RowSet::new(n) };
        PlasticityState {
            dirty_ee: make(ne),
            dirty_ei: make(ne),
            sp_pending: Vec::new(),
            counters: Counters::default(),
            scratch: Vec::new(),
        }
    }
}

/// Applies one step of plasticity to `net` (after [`Network::step`]), in the model's order, skipping the
/// frozen rules. `sp_rng` is the structural-plasticity stream; it is drawn from only when SP runs.
pub fn apply(
    p: &CheckedPlasticity,
    net: &mut Network,
    state: &mut PlasticityState,
    freeze: Freeze,
    sp_rng: &mut SornRng,
    par: Parallelism,
) {
    for &op in p.order.ops() {
        match op {
            Op::Stdp => {
                if let (Some(r), false) = (&p.stdp, freeze.contains(Rule::Stdp)) {
                    let pruned =
                        stdp::apply(r, net.plastic_parts(), &mut state.dirty_ee, &mut state.scratch, par);
                    state.counters.pruned_ee += pruned as u64;
                }
            }
            Op::Ip => {
                if let (Some(r), false) = (&p.ip, freeze.contains(Rule::Ip)) {
                    ip::apply(r, net.plastic_parts(), par);
                }
            }
            Op::Sp => {
                if let (Some(r), false) = (&p.sp, freeze.contains(Rule::Sp)) {
                    let made =
                        sp::apply(r, &mut net.w_ee, &mut state.sp_pending, &mut state.dirty_ee, sp_rng);
                    state.counters.created_ee += made as u64;
                }
            }
            Op::Istdp => {
                if let (Some(r), false) = (&p.istdp, freeze.contains(Rule::Istdp)) {
                    // SN on E←I comes after iSTDP in every order: then it drains (sorts) `dirty_ei`
                    // in this step, and the order in which iSTDP adds rows cannot matter.
                    let drained = p.sn.as_ref().is_some_and(|s| s.ei) && !freeze.contains(Rule::Ss);
                    let pruned = istdp::apply_par(
                        r,
                        net.plastic_parts(),
                        &mut state.dirty_ei,
                        &mut state.scratch,
                        par,
                        drained,
                    );
                    state.counters.pruned_ei += pruned as u64;
                }
            }
            Op::SnEe | Op::SnEi => {
                let Some(r) = &p.sn else { continue };
                if freeze.contains(Rule::Ss) {
                    continue;
                }
                let zero = if op == Op::SnEe && r.ee {
                    sn::apply(&mut net.w_ee, &mut state.dirty_ee, par)
                } else if op == Op::SnEi && r.ei {
                    sn::apply(&mut net.w_ei, &mut state.dirty_ei, par)
                } else {
                    0
                };
                state.counters.sn_zero_rows += zero as u64;
            }
        }
    }
}
