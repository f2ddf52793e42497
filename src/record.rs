//! Recording: an observer hook called once per step, and ready recorders.
//!
//! Nothing is kept unless a recorder keeps it; every recorder takes a stride (record when the step count
//! is a multiple of it) and, for rasters, an optional subset of units.

use crate::simulator::Sorn;
use sorn_core::CsrParts;

/// Called after every step with the simulator in its new state.
pub trait Observer {
    fn observe(&mut self, sorn: &Sorn);
}

impl Observer for () {
    fn observe(&mut self, _: &Sorn) {}
}

impl<T: Observer + ?Sized> Observer for &mut T {
    fn observe(&mut self, sorn: &Sorn) {
        (**self).observe(sorn)
    }
}

/// Wraps a closure as an observer: `ObserveFn(|s: &Sorn| …)`.
pub struct ObserveFn<F>(pub F);

impl<F: FnMut(&Sorn)> Observer for ObserveFn<F> {
    fn observe(&mut self, sorn: &Sorn) {
        (self.0)(sorn)
    }
}

impl<A: Observer, B: Observer> Observer for (A, B) {
    fn observe(&mut self, sorn: &Sorn) {
        self.0.observe(sorn);
        self.1.observe(sorn);
    }
}

impl Observer for Vec<Box<dyn Observer>> {
    fn observe(&mut self, sorn: &Sorn) {
        for o in self.iter_mut() {
            o.observe(sorn);
        }
    }
}

fn due(sorn: &Sorn, stride: u64) -> bool {
    sorn.steps().is_multiple_of(stride.max(1))
}

/// Which binary state a [`Raster`] records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Population {
    /// x(t+1), including the input effect.
    Excitatory,
    /// y(t+1).
    Inhibitory,
    /// Θ(R_x): the recurrent drive without input, thresholded (the package's RecurrentActivation).
    Recurrent,
}

/// A binary raster, T × N row-major (rows = recorded steps), one byte per unit.
#[derive(Clone, Debug)]
pub struct Raster {
    population: Population,
    units: Option<Vec<usize>>,
    stride: u64,
    /// Row-major data, `rows × width`.
    pub data: Vec<u8>,
    /// Number of recorded rows.
    pub rows: usize,
    width: usize,
}

impl Raster {
    /// Records every unit of `population` every `stride` steps.
    pub fn new(population: Population, stride: u64) -> Self {
        Raster { population, units: None, stride, data: Vec::new(), rows: 0, width: 0 }
    }
    /// Records only `units`, in the given order.
    pub fn with_units(mut self, units: Vec<usize>) -> Self {
        self.units = Some(units);
        self
    }
    /// Number of columns (units) per row.
    pub fn width(&self) -> usize {
        self.width
    }
}

impl Observer for Raster {
    fn observe(&mut self, sorn: &Sorn) {
        if !due(sorn, self.stride) {
            return;
        }
        let net = sorn.network();
        let bits = match self.population {
            Population::Excitatory => net.x().bits(),
            Population::Inhibitory => net.y().bits(),
            Population::Recurrent => net.recurrent_spikes().bits(),
        };
        match &self.units {
            Some(u) => {
                self.width = u.len();
                self.data.extend(u.iter().map(|&i| bits.get(i).copied().unwrap_or(0)));
            }
            None => {
                self.width = bits.len();
                self.data.extend_from_slice(bits);
            }
        }
        self.rows += 1;
    }
}

/// The real-valued recurrent drive R_x = W^EE x − W^EI y − T^E + ξ^E (no input) every `stride` steps,
/// row-major `rows × N_E`: the readout state of Del Papa et al. 2017.
#[derive(Clone, Debug, Default)]
pub struct RecurrentDrive {
    stride: u64,
    pub data: Vec<f64>,
    pub rows: usize,
}

impl RecurrentDrive {
    pub fn new(stride: u64) -> Self {
        RecurrentDrive { stride, data: Vec::new(), rows: 0 }
    }
}

impl Observer for RecurrentDrive {
    fn observe(&mut self, sorn: &Sorn) {
        if due(sorn, self.stride) {
            self.data.extend_from_slice(sorn.network().recurrent_drive());
            self.rows += 1;
        }
    }
}

/// Connection counts per recorded step: `[E←E, E←I]` synapses with a weight > 0, after the step's
/// plasticity. (The package counts before plasticity.) Costs O(synapses) per recorded step.
#[derive(Clone, Debug, Default)]
pub struct ConnectionCounts {
    stride: u64,
    pub data: Vec<[u64; 2]>,
}

impl ConnectionCounts {
    pub fn new(stride: u64) -> Self {
        ConnectionCounts { stride, data: Vec::new() }
    }
}

impl Observer for ConnectionCounts {
    fn observe(&mut self, sorn: &Sorn) {
        if due(sorn, self.stride) {
            let n = sorn.network();
            self.data.push([n.w_ee.count_positive() as u64, n.w_ei.count_positive() as u64]);
        }
    }
}

/// Population activity per recorded step: the number of active E units (the avalanche analysis input).
#[derive(Clone, Debug, Default)]
pub struct Activity {
    stride: u64,
    /// Active excitatory units per recorded step.
    pub data: Vec<u32>,
}

impl Activity {
    pub fn new(stride: u64) -> Self {
        Activity { stride, data: Vec::new() }
    }
    /// Mean excitatory firing rate (fraction of active units) per recorded step.
    pub fn rates(&self, ne: usize) -> Vec<f64> {
        self.data.iter().map(|&a| f64::from(a) / ne as f64).collect()
    }
}

impl Observer for Activity {
    fn observe(&mut self, sorn: &Sorn) {
        if due(sorn, self.stride) {
            self.data.push(sorn.network().x().count() as u32);
        }
    }
}

/// Excitatory thresholds every `stride` steps, row-major `rows × N_E`.
#[derive(Clone, Debug, Default)]
pub struct Thresholds {
    stride: u64,
    pub data: Vec<f64>,
    pub rows: usize,
}

impl Thresholds {
    pub fn new(stride: u64) -> Self {
        Thresholds { stride, data: Vec::new(), rows: 0 }
    }
}

impl Observer for Thresholds {
    fn observe(&mut self, sorn: &Sorn) {
        if due(sorn, self.stride) {
            self.data.extend_from_slice(&sorn.network().t_e);
            self.rows += 1;
        }
    }
}

/// Which weight matrix a [`Weights`] recorder copies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Matrix {
    Ee,
    Ei,
}

/// Copies of a weight matrix every `stride` steps, as `(step, CSR parts)`.
#[derive(Clone, Debug)]
pub struct Weights {
    stride: u64,
    matrix: Matrix,
    pub data: Vec<(u64, CsrParts)>,
}

impl Weights {
    pub fn new(matrix: Matrix, stride: u64) -> Self {
        Weights { stride, matrix, data: Vec::new() }
    }
}

impl Observer for Weights {
    fn observe(&mut self, sorn: &Sorn) {
        if due(sorn, self.stride) {
            let n = sorn.network();
            let w = match self.matrix {
                Matrix::Ee => &n.w_ee,
                Matrix::Ei => &n.w_ei,
            };
            self.data.push((sorn.steps(), w.to_parts()));
        }
    }
}
