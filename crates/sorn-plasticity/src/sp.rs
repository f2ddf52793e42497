//! Structural plasticity: growth of new E←E synapses (SPEC §2.5).
//!
//! Every step, with probability p_SP, one new synapse j → i (i ≠ j, not connected, i.e. absent or stored
//! with weight 0) is created with weight w_new = 0.001 (Zheng et al. 2013). The variants:
//!
//! * `size_scaled` (DP17 code): p_SP = prob · N_E(N_E − 1) / (200 · 199), keeping the number of new
//!   synapses per possible synapse constant across network sizes; a value ≥ 1 means every step.
//! * `max_tries`: the pair is drawn uniformly among off-diagonal pairs and redrawn while connected. With
//!   `None` the redraw goes on until a free pair is found, which is exactly the package's uniform choice
//!   among all unconnected pairs; D gives up after 100 tries and then uses the last pair anyway
//!   (`on_exhausted = overwrite`, the existing weight is set to w_new), V2 after 1000 and skips.
//! * `batch`: D collects pairs and inserts them all when `batch` are pending (11); 1 inserts at once.
//!
//! Whether the new synapse is normalised in the same step depends only on the rule order (V2 runs SP after
//! SN). The insertion is O(1): rows keep slack (see `SparseWeights`), the matrix is not rebuilt.

use crate::rowset::RowSet;
use rand::RngExt;
use serde::{Deserialize, Serialize};
use sorn_core::error::{ParamError, check_range};
use sorn_core::{SornRng, WeightMatrix};

/// What to do when `max_tries` draws all hit existing synapses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exhausted {
    /// Create nothing this time (V2).
    Skip,
    /// Use the last drawn pair anyway, overwriting its weight with w_new (D).
    Overwrite,
}

/// Structural-plasticity parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpParams {
    /// Probability of a growth attempt per step (0.1).
    pub prob: f64,
    /// Scale `prob` by N_E(N_E − 1)/(200·199) (DP17 code).
    pub size_scaled: bool,
    /// Weight of a new synapse (0.001).
    pub init_weight: f64,
    /// Redraws allowed while the drawn pair is connected; None = until a free pair is found.
    #[serde(default)]
    pub max_tries: Option<u32>,
    /// Behaviour when `max_tries` is exhausted.
    pub on_exhausted: Exhausted,
    /// Number of pending pairs that triggers insertion (1 = immediate; D: 11).
    pub batch: u32,
}

impl SpParams {
    pub(crate) fn check(&self) -> Result<(), ParamError> {
        check_range("plasticity.sp.prob", self.prob, 0.0, 1.0)?;
        check_range("plasticity.sp.init_weight", self.init_weight, f64::MIN_POSITIVE, 1.0)?;
        if self.max_tries == Some(0) {
            return Err(ParamError::new("plasticity.sp.max_tries", 0, "at least 1, or absent for no limit"));
        }
        if self.batch == 0 || self.batch > 1_000_000 {
            return Err(ParamError::new("plasticity.sp.batch", self.batch, "an integer in [1, 1000000]"));
        }
        Ok(())
    }

    /// The per-step growth probability for a network of `ne` excitatory units.
    pub fn effective_prob(&self, ne: usize) -> f64 {
        if self.size_scaled {
            self.prob * (ne as f64) * (ne as f64 - 1.0) / (200.0 * 199.0)
        } else {
            self.prob
        }
    }
}

fn connected(w: &WeightMatrix, i: usize, j: usize) -> bool {
    w.find(i, j).is_some_and(|s| w.value_at(s) > 0.0)
}

/// One SP step on `w`: maybe draws a pair, and inserts the pending pairs when a batch is full. New rows
/// go to `dirty`. Returns the number of synapses created or re-set.
pub fn apply(
    p: &SpParams,
    w: &mut WeightMatrix,
    pending: &mut Vec<(u32, u32)>,
    dirty: &mut RowSet,
    rng: &mut SornRng,
) -> usize {
    let n = w.n_rows();
    if n < 2 || rng.random::<f64>() >= p.effective_prob(n) {
        return 0;
    }
    let full = n * (n - 1);
    let mut tries = 0u32;
    let pair = loop {
        let i = rng.random_range(0..n);
        let mut j = rng.random_range(0..n - 1);
        if j >= i {
            j += 1;
        }
        if !connected(w, i, j) {
            break Some((i, j));
        }
        tries += 1;
        match p.max_tries {
            Some(m) if tries >= m => {
                break (p.on_exhausted == Exhausted::Overwrite).then_some((i, j));
            }
            // Without a limit, stop only if no free pair exists at all.
            None if w.nnz() >= full && w.count_positive() >= full => break None,
            _ => {}
        }
    };
    let Some((i, j)) = pair else { return 0 };
    pending.push((i as u32, j as u32));
    if pending.len() < p.batch as usize {
        return 0;
    }
    let created = pending.len();
    for (i, j) in pending.drain(..) {
        w.insert(i as usize, j as usize, p.init_weight);
        dirty.insert(i);
    }
    created
}
