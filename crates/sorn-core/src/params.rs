//! Network parameters: plain serde data, validated once into [`CheckedNetworkParams`].
//!
//! Field names follow the Python package where it has one (`ne`, `nu`, `lambda_*`, `te_min` …), see
//! SPEC §8.0. Every switch of SPEC §8.1 that concerns the state update lives here; the plasticity rules
//! have their own parameters in `sorn-plasticity`.

use crate::error::{ParamError, check_range};
use serde::{Deserialize, Serialize};

/// How a weight matrix is wired at initialisation (SPEC §3.1). `lambda` is always an expected *count*
/// of incoming synapses per postsynaptic unit unless stated otherwise; for E←E the diagonal is excluded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Connectivity {
    /// Every entry exists (the package's "Dense" W^IE; V2's W^EI and W^IE).
    Full,
    /// Each entry independently with probability p = lambda / n_pre (V2 and the Zheng paper: λ = 20 of
    /// N_E = 200 gives 10 %). Rows without any entry are redrawn, which yields the same law as V2's
    /// regeneration of the whole matrix because rows are independent.
    Bernoulli { lambda: f64 },
    /// The package's sparse W^EE: n_i = trunc(N(lambda, 1)) incoming synapses per unit, partners drawn
    /// without replacement. Draws below 1 are redrawn (the package instead adds 2 entries from the first
    /// 20 % of units, possibly a self-synapse: SPEC §7.1.12, not copied).
    InDegreeNormal { lambda: f64 },
    /// The package's sparse W^EI: each *presynaptic* unit gets trunc(N(lambda, 1)) outgoing synapses over
    /// the postsynaptic units. A postsynaptic unit left without input gets one partner drawn uniformly.
    OutDegreeNormal { lambda: f64 },
    /// D/H sparse init (DP17 code): n_i ~ Binomial(n_pre, lambda / n_pre), zeros redrawn; for E←E
    /// n_i ← max(n_i − 1, 1) (self-avoidance), so the mean is ≈ lambda − 1.
    Binomial { lambda: f64 },
    /// Exactly `k` incoming synapses per unit, partners uniform without replacement (large networks).
    FixedInDegree { k: usize },
}

/// How the external input reaches the excitatory units (SPEC §1.2 step 4 and §5.1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum InputParams {
    /// No input.
    None,
    /// The package's way: a real vector of length `nu` whose entry k is added to E unit k.
    Raw { nu: usize },
    /// The papers' way: one-hot symbols; each symbol drives a pool of `units_per_symbol` E units by `gain`
    /// (W^EU binary). `overlap = false` draws disjoint pools (V2), `true` independent ones (D, V2
    /// RandomSequence).
    Pools { symbols: usize, units_per_symbol: usize, overlap: bool, gain: f64 },
}

/// Threshold initialisation (SPEC §3.4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ThresholdInit {
    /// T ~ U(min, max) per unit.
    Uniform { min: f64, max: f64 },
    /// T_k = min + (k + 0.5)(max − min)/N (H, "from Lazar 2011"); excitatory thresholds are shuffled,
    /// inhibitory ones stay in index order.
    Ordered { min: f64, max: f64 },
}

/// Initial binary state of a population.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum InitialState {
    /// All units silent (the package).
    Zeros,
    /// Each unit active with probability p (D: p = h_IP for E; V2: 0.5 for both).
    Bernoulli { p: f64 },
}

/// The Heaviside used for spiking (SPEC §1.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThresholdRule {
    /// Θ(z) = 1 if z ≥ 0 (D, H, V2).
    Ge,
    /// Θ(z) = 1 if z > 0 (the package).
    Gt,
}

impl ThresholdRule {
    #[inline]
    pub fn fires(self, z: f64) -> bool {
        match self {
            ThresholdRule::Ge => z >= 0.0,
            ThresholdRule::Gt => z > 0.0,
        }
    }
}

/// Which excitatory state drives the inhibitory units (SPEC §1.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InhibitionInput {
    /// y(t+1) from x(t): the papers' equations and the package.
    Old,
    /// y(t+1) from x(t+1): D's `fast_inhibit = True` and V2.
    New,
}

/// Membrane noise, drawn fresh every step for every E and I unit (SPEC §1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Noise {
    None,
    /// ξ ~ N(0, std²) (the package: std = 0.04; Z13/DP17: std = √0.05).
    Gaussian {
        std: f64,
    },
    /// ξ ~ amplitude · U[0, 1) (V2; mean amplitude/2).
    Uniform {
        amplitude: f64,
    },
}

/// Everything that defines the network and its state update.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkParams {
    /// Number of excitatory units N_E.
    pub ne: usize,
    /// Number of inhibitory units N_I; `None` means floor(0.2 · N_E), as in every reference code.
    #[serde(default)]
    pub ni: Option<usize>,
    pub input: InputParams,
    /// E←E wiring (row = post).
    pub w_ee: Connectivity,
    /// E←I wiring.
    pub w_ei: Connectivity,
    /// I←E wiring.
    pub w_ie: Connectivity,
    /// Excitatory threshold init (the package's te_min/te_max).
    pub t_e: ThresholdInit,
    /// Inhibitory threshold init (ti_min/ti_max).
    pub t_i: ThresholdInit,
    pub x0: InitialState,
    pub y0: InitialState,
    pub threshold_rule: ThresholdRule,
    pub inhibition_from: InhibitionInput,
    pub noise: Noise,
    /// How the weights are stored: `f64` (default; bitwise the results of earlier versions) or `f32`
    /// (half the memory of the values, computed in f64 and rounded when stored; see
    /// [`Precision`](crate::Precision)).
    #[serde(default)]
    pub precision: crate::precision::Precision,
}

/// Network parameters that passed [`NetworkParams::check`]. Only this type builds a network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "NetworkParams", into = "NetworkParams")]
pub struct CheckedNetworkParams(NetworkParams);

impl TryFrom<NetworkParams> for CheckedNetworkParams {
    type Error = ParamError;
    fn try_from(p: NetworkParams) -> Result<Self, ParamError> {
        p.check()
    }
}

impl From<CheckedNetworkParams> for NetworkParams {
    fn from(c: CheckedNetworkParams) -> Self {
        c.0
    }
}

impl std::ops::Deref for CheckedNetworkParams {
    type Target = NetworkParams;
    fn deref(&self) -> &NetworkParams {
        &self.0
    }
}

impl CheckedNetworkParams {
    /// Number of inhibitory units.
    pub fn n_i(&self) -> usize {
        self.0.ni.unwrap_or(self.0.ne / 5)
    }
    /// Length of the raw input vector, or the number of symbols, or 0.
    pub fn input_dim(&self) -> usize {
        match self.0.input {
            InputParams::None => 0,
            InputParams::Raw { nu } => nu,
            InputParams::Pools { symbols, .. } => symbols,
        }
    }
}

/// Largest population the u32 indices support comfortably.
const MAX_UNITS: usize = 100_000_000;

fn check_conn(
    field: &str,
    c: &Connectivity,
    (n_post, n_pre): (usize, usize),
    self_excluded: bool,
) -> Result<(), ParamError> {
    let avail = n_pre - usize::from(self_excluded);
    match *c {
        Connectivity::Full => Ok(()),
        Connectivity::Bernoulli { lambda } | Connectivity::Binomial { lambda } => {
            check_range(&format!("{field}.lambda"), lambda, f64::MIN_POSITIVE, n_pre as f64)
        }
        Connectivity::InDegreeNormal { lambda } | Connectivity::OutDegreeNormal { lambda } => {
            let max = if matches!(c, Connectivity::InDegreeNormal { .. }) { avail } else { n_post };
            check_range(&format!("{field}.lambda"), lambda, 1.0, max as f64 - 1.0)
        }
        Connectivity::FixedInDegree { k } => {
            if k >= 1 && k <= avail {
                Ok(())
            } else {
                Err(ParamError::new(format!("{field}.k"), k, format!("an integer in [1, {avail}]")))
            }
        }
    }
}

fn check_thresholds(field: &str, t: &ThresholdInit) -> Result<(), ParamError> {
    let (ThresholdInit::Uniform { min, max } | ThresholdInit::Ordered { min, max }) = *t;
    check_range(&format!("{field}.min"), min, -1e6, 1e6)?;
    check_range(&format!("{field}.max"), max, min, 1e6)
}

fn check_state(field: &str, s: &InitialState) -> Result<(), ParamError> {
    match *s {
        InitialState::Zeros => Ok(()),
        InitialState::Bernoulli { p } => check_range(&format!("{field}.p"), p, 0.0, 1.0),
    }
}

impl NetworkParams {
    /// Validates every field; the error names the field (dotted path), the value and the allowed range.
    pub fn check(self) -> Result<CheckedNetworkParams, ParamError> {
        if self.ne < 2 || self.ne > MAX_UNITS {
            return Err(ParamError::new("network.ne", self.ne, format!("an integer in [2, {MAX_UNITS}]")));
        }
        let ni = self.ni.unwrap_or(self.ne / 5);
        if !(1..=MAX_UNITS).contains(&ni) {
            return Err(ParamError::new(
                "network.ni",
                ni,
                format!("an integer in [1, {MAX_UNITS}] (default floor(0.2·ne) needs ne ≥ 5)"),
            ));
        }
        match self.input {
            InputParams::None => {}
            InputParams::Raw { nu } => {
                if nu > self.ne {
                    return Err(ParamError::new("network.input.nu", nu, format!("at most ne = {}", self.ne)));
                }
            }
            InputParams::Pools { symbols, units_per_symbol, overlap, gain } => {
                if symbols == 0 {
                    return Err(ParamError::new("network.input.symbols", symbols, "at least 1"));
                }
                let max = if overlap { self.ne } else { self.ne / symbols };
                if units_per_symbol == 0 || units_per_symbol > max {
                    return Err(ParamError::new(
                        "network.input.units_per_symbol",
                        units_per_symbol,
                        format!("an integer in [1, {max}] (disjoint pools must fit into ne)"),
                    ));
                }
                check_range("network.input.gain", gain, -1e12, 1e12)?;
            }
        }
        check_conn("network.w_ee", &self.w_ee, (self.ne, self.ne), true)?;
        check_conn("network.w_ei", &self.w_ei, (self.ne, ni), false)?;
        check_conn("network.w_ie", &self.w_ie, (ni, self.ne), false)?;
        check_thresholds("network.t_e", &self.t_e)?;
        check_thresholds("network.t_i", &self.t_i)?;
        check_state("network.x0", &self.x0)?;
        check_state("network.y0", &self.y0)?;
        match self.noise {
            Noise::None => {}
            Noise::Gaussian { std } => check_range("network.noise.std", std, 0.0, 1e6)?,
            Noise::Uniform { amplitude } => check_range("network.noise.amplitude", amplitude, 0.0, 1e6)?,
        }
        Ok(CheckedNetworkParams(self))
    }
}
