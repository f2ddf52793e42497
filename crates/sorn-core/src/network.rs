//! The network and its state update (SPEC §1).
//!
//! One call of [`Network::step`] computes, with x = x(t), y = y(t):
//!
//! ```text
//! R_x(t+1) = W^EE x − W^EI y − T^E + ξ^E            (recurrent drive, no input; D's R_x, the package's r)
//! x(t+1)   = Θ( R_x(t+1) + u(t) )                   u: raw values on units 0..nu−1, or gain·W^EU·onehot
//! y(t+1)   = Θ( W^IE x̃ − T^I + ξ^I ),  x̃ = x(t) (paper, package) or x(t+1) (D fast_inhibit, V2)
//! ```
//!
//! Θ is `≥ 0` (D, H, V2) or `> 0` (the package), see [`ThresholdRule`](crate::params::ThresholdRule). The step allocates nothing: all
//! buffers are created with the network. Its cost is proportional to the synapses leaving active units.
//! Plasticity is not part of this crate; `sorn-plasticity` reads x(t), x(t+1), y(t), y(t+1) from here.

use crate::error::CoreError;
use crate::fire::fire;
use crate::init;
use crate::matrix::WeightMatrix;
use crate::parallel::Parallelism;
use crate::params::{CheckedNetworkParams, InhibitionInput, InputParams, Noise};
use crate::rng::SornRng;
use crate::sparse::{CsrParts, SparseWeights};
use rand::RngExt;
use serde::{Deserialize, Serialize};

/// The external input of one step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Input<'a> {
    /// No input this step.
    None,
    /// The package's raw input: value k is added to the drive of E unit k (length `nu`).
    Raw(&'a [f64]),
    /// The symbol with this index drives its pool (`gain` times W^EU column).
    Symbol(usize),
}

/// A binary population state with its list of active units (sorted increasingly).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spikes {
    bits: Vec<u8>,
    active: Vec<u32>,
}

impl Spikes {
    fn new(bits: Vec<u8>) -> Self {
        let mut s = Spikes { active: Vec::with_capacity(bits.len()), bits };
        s.reindex();
        s
    }
    fn reindex(&mut self) {
        let n_units = self.bits.len();
        self.active.resize(n_units, 0);
        let mut n = 0;
        for (i, &b) in self.bits.iter().enumerate() {
            self.active[n.min(n_units - 1)] = i as u32;
            n += usize::from(b != 0);
        }
        self.active.truncate(n);
    }
    /// One byte per unit, 1 = spike.
    pub fn bits(&self) -> &[u8] {
        &self.bits
    }
    /// Indices of the active units, increasing.
    pub fn active(&self) -> &[u32] {
        &self.active
    }
    /// Number of active units.
    pub fn count(&self) -> usize {
        self.active.len()
    }
}

/// What plasticity may change, next to the states it reads (see [`Network::plastic_parts`]).
pub struct PlasticParts<'a> {
    pub w_ee: &'a mut WeightMatrix,
    pub w_ei: &'a mut WeightMatrix,
    pub t_e: &'a mut Vec<f64>,
    /// x(t)
    pub x_prev: &'a Spikes,
    /// x(t+1)
    pub x: &'a Spikes,
    /// y(t)
    pub y_prev: &'a Spikes,
    /// y(t+1)
    pub y: &'a Spikes,
}

/// Per-step work buffers; derived, never serialised.
#[derive(Clone, Debug, Default)]
struct Scratch {
    drive_ee: Vec<f64>,
    drive_ei: Vec<f64>,
    drive_i: Vec<f64>,
    noise_e: Vec<f64>,
    noise_i: Vec<f64>,
    fire_counts: Vec<usize>,
}

/// A SORN: weights, thresholds and the binary states of the last two steps.
#[derive(Clone, Debug)]
pub struct Network {
    params: CheckedNetworkParams,
    /// E←E weights (row = post). Plastic: STDP, SN, SP.
    pub w_ee: WeightMatrix,
    /// E←I weights. Plastic: iSTDP, SN.
    pub w_ei: WeightMatrix,
    /// I←E weights, normalised at initialisation and fixed.
    pub w_ie: WeightMatrix,
    /// E←input pools (binary), when the input is symbolic.
    pub w_eu: Option<WeightMatrix>,
    /// Excitatory thresholds T^E (IP changes them).
    pub t_e: Vec<f64>,
    /// Inhibitory thresholds T^I (constant in every reference implementation).
    pub t_i: Vec<f64>,
    x: Spikes,
    x_prev: Spikes,
    y: Spikes,
    y_prev: Spikes,
    /// R_x of the last step (real valued, includes noise, excludes input).
    r: Vec<f64>,
    /// Θ(R_x) of the last step.
    r_spikes: Spikes,
    scratch: Scratch,
    /// How the drive is pushed (not part of the state: results are the same for every choice).
    par: Parallelism,
    /// Per matrix (ee, ei, ie, eu): the generation last seen and for how many steps it has not changed.
    cache_seen: [(u64, u32); 4],
}

/// Everything of a network that changes while it runs, in plain serialisable form (no parameters):
/// what a snapshot stores. Rows keep their storage order, so a network rebuilt with
/// [`Network::from_state`] continues bit for bit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetworkState {
    pub w_ee: CsrParts,
    pub w_ei: CsrParts,
    pub w_ie: CsrParts,
    pub w_eu: Option<CsrParts>,
    pub t_e: Vec<f64>,
    pub t_i: Vec<f64>,
    pub x_prev: Vec<u8>,
    pub x: Vec<u8>,
    pub y_prev: Vec<u8>,
    pub y: Vec<u8>,
}

/// Builds the push caches of the matrices whose structure no rule changes (W^EI, W^IE, W^EU) from the
/// start: a cache holds a fixed matrix in its column index and values alone (see
/// [`SparseWeights::build_push_cache`]), half the memory of its rows and columns in f32. W^IE and W^EU
/// keep theirs; a rule that changes W^EI by rows (SN on E←I) drops it at its first step, and
/// `refresh_push_caches` rebuilds it whenever W^EI stays unchanged again. Layout only: results are the
/// same with or without a cache.
fn cache_fixed(fixed: [&mut WeightMatrix; 2], w_eu: Option<&mut WeightMatrix>) {
    for w in fixed.into_iter().chain(w_eu) {
        if !w.has_push_cache() {
            w.build_push_cache();
        }
    }
    crate::heap::trim();
}

impl Network {
    /// Builds a network from checked parameters, drawing everything from `rng` (the `Init` stream).
    pub fn new(params: &CheckedNetworkParams, rng: &mut SornRng) -> Self {
        let (ne, ni) = (params.ne, params.n_i());
        let p = params.precision;
        // Structural plasticity grows W^EE only: W^EI and W^IE need no room for new synapses. They are
        // built straight into their push caches (`Wired::into_folded`, see `cache_fixed`) before W^EE's
        // weights, which are drawn last from their place in the stream (`init::wire`): the build then
        // peaks at about the network's final size instead of W^EE plus the unfolded fixed matrices.
        let w_ee = init::wire(rng, &params.w_ee, [ne, ne], true);
        let w_ei = init::wire(rng, &params.w_ei, [ne, ni], false).into_folded(p);
        let w_ie = init::wire(rng, &params.w_ie, [ni, ne], false).into_folded(p);
        // The wirings freed must not stay resident under W^EE (see `heap`).
        crate::heap::trim();
        let w_eu = match params.input {
            InputParams::Pools { symbols, units_per_symbol, overlap, .. } => {
                Some(WeightMatrix::new(init::pools(rng, ne, symbols, units_per_symbol, overlap), p))
            }
            _ => None,
        };
        let t_e = init::thresholds(rng, &params.t_e, ne, true);
        let t_i = init::thresholds(rng, &params.t_i, ni, false);
        let x = init::state(rng, &params.x0, ne);
        let y = init::state(rng, &params.y0, ni);
        let w_ee = w_ee.into_weights(p, true);
        Self::assemble(params.clone(), [w_ee, w_ei, w_ie], w_eu, t_e, t_i, [x.clone(), x], [y.clone(), y])
    }

    fn assemble(
        params: CheckedNetworkParams,
        [w_ee, w_ei, w_ie]: [WeightMatrix; 3],
        w_eu: Option<WeightMatrix>,
        t_e: Vec<f64>,
        t_i: Vec<f64>,
        [x_prev, x]: [Vec<u8>; 2],
        [y_prev, y]: [Vec<u8>; 2],
    ) -> Self {
        let ne = params.ne;
        let (mut w_ei, mut w_ie, mut w_eu) = (w_ei, w_ie, w_eu);
        for w in [&mut w_ei, &mut w_ie].into_iter().chain(w_eu.as_mut()) {
            w.fix_structure();
        }
        cache_fixed([&mut w_ei, &mut w_ie], w_eu.as_mut());
        let mut n = Network {
            params,
            w_ee,
            w_ei,
            w_ie,
            w_eu,
            t_e,
            t_i,
            x: Spikes::new(x),
            x_prev: Spikes::new(x_prev),
            y: Spikes::new(y),
            y_prev: Spikes::new(y_prev),
            r: vec![0.0; ne],
            r_spikes: Spikes::new(vec![0; ne]),
            scratch: Scratch::default(),
            par: Parallelism::Sequential,
            cache_seen: [(u64::MAX, 0); 4],
        };
        n.ensure_scratch();
        n
    }

    /// Builds a network from given weights, thresholds and states, checking every shape against the
    /// parameters. The weights are stored in the parameters' precision.
    #[allow(clippy::too_many_arguments)]
    pub fn from_parts(
        params: CheckedNetworkParams,
        weights: [SparseWeights; 3],
        w_eu: Option<SparseWeights>,
        t_e: Vec<f64>,
        t_i: Vec<f64>,
        x_states: [Vec<u8>; 2],
        y_states: [Vec<u8>; 2],
    ) -> Result<Self, CoreError> {
        let p = params.precision;
        let weights = weights.map(|w| WeightMatrix::new(w, p));
        let w_eu = w_eu.map(|w| WeightMatrix::new(w, p));
        Self::from_matrices(params, weights, w_eu, t_e, t_i, x_states, y_states)
    }

    /// [`Self::from_parts`] for matrices already in the parameters' precision: checks the shapes, the
    /// weights (finite, not negative, no E←E self-synapse: each error names the synapse), thresholds and
    /// states.
    #[allow(clippy::too_many_arguments)]
    fn from_matrices(
        params: CheckedNetworkParams,
        weights: [WeightMatrix; 3],
        w_eu: Option<WeightMatrix>,
        t_e: Vec<f64>,
        t_i: Vec<f64>,
        x_states: [Vec<u8>; 2],
        y_states: [Vec<u8>; 2],
    ) -> Result<Self, CoreError> {
        let (ne, ni) = (params.ne, params.n_i());
        let shape_err = |what: &str, got: (usize, usize), want: (usize, usize)| {
            CoreError::State(format!("{what} has shape {}×{}, expected {}×{}", got.0, got.1, want.0, want.1))
        };
        for (name, w, want) in [
            ("w_ee", &weights[0], (ne, ne)),
            ("w_ei", &weights[1], (ne, ni)),
            ("w_ie", &weights[2], (ni, ne)),
        ] {
            if (w.n_rows(), w.n_cols()) != want {
                return Err(shape_err(name, (w.n_rows(), w.n_cols()), want));
            }
            if let Some((i, j, v)) = w.find_synapse(|_, _, v| !v.is_finite() || v < 0.0) {
                return Err(CoreError::State(format!(
                    "{name} holds a negative or non-finite weight: {v} at (post {i}, pre {j})"
                )));
            }
        }
        if let Some((i, _, _)) = weights[0].find_synapse(|i, j, _| i == j) {
            return Err(CoreError::State(format!("w_ee holds a self-synapse (diagonal entry) at unit {i}")));
        }
        let symbols = match params.input {
            InputParams::Pools { symbols, .. } => Some(symbols),
            _ => None,
        };
        match (&w_eu, symbols) {
            (Some(w), Some(s)) if (w.n_rows(), w.n_cols()) != (ne, s) => {
                return Err(shape_err("w_eu", (w.n_rows(), w.n_cols()), (ne, s)));
            }
            (None, Some(s)) => {
                return Err(CoreError::State(format!("w_eu is missing; the config has {s} input symbols")));
            }
            (Some(_), None) => {
                return Err(CoreError::State("w_eu given but the config's input is not `pools`".into()));
            }
            _ => {}
        }
        for (name, v, want) in [("t_e", &t_e, ne), ("t_i", &t_i, ni)] {
            if v.len() != want {
                return Err(CoreError::State(format!("{name} has length {}, expected {want}", v.len())));
            }
            if v.iter().any(|t| !t.is_finite()) {
                return Err(CoreError::State(format!("{name} holds a non-finite threshold")));
            }
        }
        for (name, v, want) in [
            ("x_prev", &x_states[0], ne),
            ("x", &x_states[1], ne),
            ("y_prev", &y_states[0], ni),
            ("y", &y_states[1], ni),
        ] {
            if v.len() != want {
                return Err(CoreError::State(format!("{name} has length {}, expected {want}", v.len())));
            }
            if v.iter().any(|&b| b > 1) {
                return Err(CoreError::State(format!("{name} must be binary (0 or 1)")));
            }
        }
        Ok(Self::assemble(params, weights, w_eu, t_e, t_i, x_states, y_states))
    }

    /// The network's changing state (weights, thresholds, last two states).
    pub fn to_state(&self) -> NetworkState {
        NetworkState {
            w_ee: self.w_ee.to_parts(),
            w_ei: self.w_ei.to_parts(),
            w_ie: self.w_ie.to_parts(),
            w_eu: self.w_eu.as_ref().map(WeightMatrix::to_parts),
            t_e: self.t_e.clone(),
            t_i: self.t_i.clone(),
            x_prev: self.x_prev.bits.clone(),
            x: self.x.bits.clone(),
            y_prev: self.y_prev.bits.clone(),
            y: self.y.bits.clone(),
        }
    }

    /// Rebuilds a network from parameters and a saved state, validating every part.
    pub fn from_state(params: CheckedNetworkParams, s: NetworkState) -> Result<Self, CoreError> {
        for (name, p) in [("w_ee", &s.w_ee), ("w_ei", &s.w_ei), ("w_ie", &s.w_ie)] {
            p.validate(name).map_err(CoreError::State)?;
        }
        if let Some(p) = &s.w_eu {
            p.validate("w_eu").map_err(CoreError::State)?;
        }
        // Each matrix is built in the parameters' precision straight from its parts, which go right
        // after (a snapshot of a large network holds no second copy of its weights in f64), and the
        // fixed ones without slack (see `assemble`).
        let p = params.precision;
        let matrix = |parts: CsrParts, slack: bool| WeightMatrix::from_parts(parts, p, slack);
        Self::from_matrices(
            params,
            [matrix(s.w_ee, true), matrix(s.w_ei, false), matrix(s.w_ie, false)],
            s.w_eu.map(|w| matrix(w, false)),
            s.t_e,
            s.t_i,
            [s.x_prev, s.x],
            [s.y_prev, s.y],
        )
    }

    fn ensure_scratch(&mut self) {
        let (ne, ni) = (self.ne(), self.ni());
        if self.scratch.drive_ee.len() != ne {
            self.scratch = Scratch {
                drive_ee: vec![0.0; ne],
                drive_ei: vec![0.0; ne],
                drive_i: vec![0.0; ni],
                noise_e: vec![0.0; ne],
                noise_i: vec![0.0; ni],
                fire_counts: Vec::new(),
            };
        }
    }

    /// Replaces the membrane noise from the next step on (e.g. none for a readout phase), keeping weights,
    /// thresholds and states. The new value is validated like any parameter.
    pub fn set_noise(&mut self, noise: crate::params::Noise) -> Result<(), crate::error::ParamError> {
        self.update_params(|p| p.noise = noise)
    }

    /// Stores the weights in precision `p` from now on (rounded to nearest when narrowed to f32; exact
    /// when widened), keeping every row's storage order, the layout, the push caches, thresholds and
    /// states (see [`WeightMatrix::into_precision`]).
    pub fn set_precision(&mut self, p: crate::precision::Precision) {
        if p == self.params.precision {
            return;
        }
        self.update_params(|params| params.precision = p).expect("the precision is not validated");
        for w in [&mut self.w_ee, &mut self.w_ei, &mut self.w_ie].into_iter().chain(self.w_eu.as_mut()) {
            let old = std::mem::replace(w, WeightMatrix::F64(SparseWeights::empty(0, 0)));
            *w = old.into_precision(p);
        }
        cache_fixed([&mut self.w_ei, &mut self.w_ie], self.w_eu.as_mut());
        self.cache_seen = [(u64::MAX, 0); 4];
    }

    /// Changes the parameters through `f`, validated like any parameters.
    fn update_params(
        &mut self,
        f: impl FnOnce(&mut crate::params::NetworkParams),
    ) -> Result<(), crate::error::ParamError> {
        let mut p: crate::params::NetworkParams = self.params.clone().into();
        f(&mut p);
        self.params = p.check()?;
        Ok(())
    }

    /// The checked parameters the network was built with.
    pub fn params(&self) -> &CheckedNetworkParams {
        &self.params
    }
    /// N_E.
    pub fn ne(&self) -> usize {
        self.t_e.len()
    }
    /// N_I.
    pub fn ni(&self) -> usize {
        self.t_i.len()
    }
    /// x(t+1) after the last step (the current excitatory state).
    pub fn x(&self) -> &Spikes {
        &self.x
    }
    /// x(t): the excitatory state before the last step.
    pub fn x_prev(&self) -> &Spikes {
        &self.x_prev
    }
    /// y(t+1): the current inhibitory state.
    pub fn y(&self) -> &Spikes {
        &self.y
    }
    /// y(t): the inhibitory state before the last step.
    pub fn y_prev(&self) -> &Spikes {
        &self.y_prev
    }
    /// R_x of the last step: W^EE x − W^EI y − T^E + ξ^E, without the input (the readout state of DP17).
    pub fn recurrent_drive(&self) -> &[f64] {
        &self.r
    }
    /// Θ(R_x) of the last step (the package's "RecurrentActivation").
    pub fn recurrent_spikes(&self) -> &Spikes {
        &self.r_spikes
    }

    /// Split borrow for the plasticity rules: the plastic quantities mutably, the states read-only.
    pub fn plastic_parts(&mut self) -> PlasticParts<'_> {
        PlasticParts {
            w_ee: &mut self.w_ee,
            w_ei: &mut self.w_ei,
            t_e: &mut self.t_e,
            x_prev: &self.x_prev,
            x: &self.x,
            y_prev: &self.y_prev,
            y: &self.y,
        }
    }

    /// How the drive is computed: with [`Parallelism::Rayon`] the rows of large matrices are split into
    /// blocks pushed in parallel. Results are bitwise identical for every choice.
    pub fn set_parallelism(&mut self, par: Parallelism) {
        self.par = par;
    }

    /// The parallelism set with [`Self::set_parallelism`].
    pub fn parallelism(&self) -> Parallelism {
        self.par
    }

    /// Keeps the push caches (column-ordered value copies, see [`SparseWeights::build_push_cache`]): always
    /// for the fixed W^IE and W^EU, and for W^EE / W^EI once they have not changed for
    /// [`CACHE_AFTER_STEPS`] steps (frozen plasticity), at any size: a cache holds the values in place of
    /// the rows, so it costs no memory beyond the moment it is built.
    fn refresh_push_caches(&mut self) {
        fn keep(w: &mut WeightMatrix, seen: &mut (u64, u32), after: u32) {
            if w.has_push_cache() {
                return;
            }
            if w.generation() == seen.0 {
                seen.1 = seen.1.saturating_add(1);
            } else {
                *seen = (w.generation(), 0);
            }
            if seen.1 >= after {
                w.build_push_cache();
                seen.0 = w.generation();
            }
        }
        keep(&mut self.w_ie, &mut self.cache_seen[2], 0);
        keep(&mut self.w_ee, &mut self.cache_seen[0], CACHE_AFTER_STEPS);
        keep(&mut self.w_ei, &mut self.cache_seen[1], CACHE_AFTER_STEPS);
        if let Some(w) = &mut self.w_eu {
            keep(w, &mut self.cache_seen[3], 0);
        }
    }

    /// Advances the state by one step (SPEC §1). Never fails: inputs are validated where they enter the
    /// program. A raw input longer than `nu` is cut, a shorter one drives fewer units; a symbol outside
    /// the alphabet drives nothing (the D/H `_` symbol).
    ///
    /// Cost: O(N) for the noise and the thresholds, plus the synapses leaving the active units. Nothing
    /// is allocated (after the first step, which may build push caches).
    pub fn step(&mut self, input: Input<'_>, noise_rng: &mut SornRng) {
        self.ensure_scratch();
        // Pruning may have emptied most slots of a plastic matrix; the layout changes, the results do not.
        self.w_ee.compact_if_sparse();
        self.w_ei.compact_if_sparse();
        self.refresh_push_caches();
        let rule = self.params.threshold_rule;
        let par = self.par;
        std::mem::swap(&mut self.x_prev, &mut self.x);
        std::mem::swap(&mut self.y_prev, &mut self.y);
        let sc = &mut self.scratch;
        // y(t+1) from x(t) (the papers' equations): its drive is known before x(t+1), like the others.
        let i_from_old = self.params.inhibition_from == InhibitionInput::Old;
        {
            let Scratch { drive_ee, drive_ei, drive_i, noise_e, noise_i, .. } = sc;
            let (w_ee, w_ei, w_ie) = (&self.w_ee, &self.w_ei, &self.w_ie);
            let (x_prev, y_prev, noise) = (&self.x_prev, &self.y_prev, &self.params.noise);
            // The noise and the pushes depend only on the previous state, and each writes its own buffer
            // (each push in its own order of additions, the noise from one generator stream), so in a
            // large network they run side by side, one task per thread, with the bits of the sequential
            // order. The E←I and I←E pushes stay whole: with short columns (20–100 synapses in `large`)
            // a block of rows costs each thread nearly a whole push. An E←E push that gathers (plastic)
            // is cut into row blocks over all threads first, then the rest run side by side: run beside
            // them, its blocks would all fall to one thread (rayon's owner takes its second block back
            // before the others are free; at N_E = 10⁶ that doubled its time). A cached E←E push of short
            // columns (frozen) is one task among the others.
            let side_by_side = matches!(par, Parallelism::Rayon { .. })
                && rayon::current_num_threads() > 1
                && noise_e.len() + noise_i.len() >= SIDE_BY_SIDE_MIN_UNITS;
            let lone = if side_by_side { Parallelism::Sequential } else { par };
            let ee_splits = w_ee.drive_splits(drive_ee.len(), par);
            let mut draw = || draw_noise(noise, noise_rng, noise_e, noise_i);
            let mut push_ee = || {
                drive_ee.fill(0.0);
                w_ee.drive_add(x_prev.active(), &x_prev.bits, drive_ee, par);
            };
            let mut push_ei = || {
                drive_ei.fill(0.0);
                w_ei.drive_add(y_prev.active(), &y_prev.bits, drive_ei, lone);
            };
            let mut push_ie = || {
                if i_from_old {
                    drive_i.fill(0.0);
                    w_ie.drive_add(x_prev.active(), &x_prev.bits, drive_i, lone);
                }
            };
            if side_by_side && ee_splits {
                push_ee();
                rayon::join(push_ei, || rayon::join(draw, push_ie));
            } else if side_by_side {
                rayon::join(push_ee, || rayon::join(draw, || rayon::join(push_ei, push_ie)));
            } else {
                draw();
                push_ee();
                push_ei();
                push_ie();
            }
        }
        // R_x, Θ(R_x) and x(t+1) without input in one pass.
        let rs = &mut self.r_spikes;
        let ne = self.r.len();
        fire(
            rule,
            [&sc.drive_ee, &sc.drive_ei, &self.t_e, &sc.noise_e],
            |[ee, ei, te, xi]| ee - ei - te + xi,
            Some(&mut self.r),
            &mut rs.bits[..ne],
            &mut rs.active,
            &mut sc.fire_counts,
            par,
        );
        self.x.bits.copy_from_slice(&rs.bits);
        self.x.active.clone_from(&rs.active);

        // x(t+1): the drive plus the input of this step.
        let x_bits = &mut self.x.bits;
        let changed = match input {
            Input::None => false,
            Input::Raw(v) => {
                for (i, &u) in v.iter().enumerate().take(x_bits.len()) {
                    x_bits[i] = u8::from(rule.fires(self.r[i] + u));
                }
                true
            }
            Input::Symbol(s) => {
                if let (Some(w_eu), InputParams::Pools { gain, .. }) = (&self.w_eu, &self.params.input)
                    && s < w_eu.n_cols()
                {
                    let r = &self.r;
                    w_eu.for_column(s, |i, w| x_bits[i] = u8::from(rule.fires(r[i] + gain * w)));
                    true
                } else {
                    false
                }
            }
        };
        if changed {
            self.x.reindex();
        }

        // y(t+1) from x(t+1) (D's `fast_inhibit`, V2): its drive needs the new state.
        if !i_from_old {
            sc.drive_i.fill(0.0);
            self.w_ie.drive_add(self.x.active(), &self.x.bits, &mut sc.drive_i, par);
        }
        let y = &mut self.y;
        fire(
            rule,
            [&sc.drive_i, &self.t_i, &sc.noise_i],
            |[di, ti, xi]| di - ti + xi,
            None,
            &mut y.bits,
            &mut y.active,
            &mut sc.fire_counts,
            par,
        );
    }
}

/// Steps without any change before W^EE / W^EI get a push cache.
pub const CACHE_AFTER_STEPS: u32 = 16;

/// Units from which [`Network::step`] runs the noise and the drive pushes side by side instead of one
/// after the other: the noise of 16 384 units alone takes ≈ 0.1 ms, far more than a fork-join of the
/// thread pool.
const SIDE_BY_SIDE_MIN_UNITS: usize = 16_384;

/// Fills the noise buffers: all excitatory units first, then all inhibitory ones, from one stream.
fn draw_noise(noise: &Noise, rng: &mut SornRng, e: &mut [f64], i: &mut [f64]) {
    match *noise {
        Noise::None => {
            e.fill(0.0);
            i.fill(0.0);
        }
        Noise::Gaussian { std } => {
            // E first, then I: two plain loops (a chained iterator tests which half it is in per number).
            for part in [e, i] {
                for v in part.iter_mut() {
                    *v = std * crate::normal::standard(rng);
                }
            }
        }
        Noise::Uniform { amplitude } => {
            for v in e.iter_mut().chain(i.iter_mut()) {
                *v = amplitude * rng.random::<f64>();
            }
        }
    }
}
