//! Random-sequence task (SORN_V2 `RandomSequenceTask`, SPEC §5.3), V2 protocol: the `lazar2009` network
//! with A symbols, pools of 0.05·N_E units drawn independently (overlaps allowed), a cyclic random
//! sequence of length L; plastic phase, then STDP and IP off, readout = logistic regression on x(t+1).
//!
//! * Fading memory: one sequence of length L = 10⁶ (effectively i.i.d. symbols); for lag τ the readout
//!   predicts the symbol presented τ steps before the state (τ = 0 is trivial: the state contains the
//!   input). Reported: error 1 − accuracy vs τ.
//! * Learning capacity: for each length L, a new network learns that sequence; the readout predicts the
//!   position (0..L−1) of the next input. Reported: error vs L.
//!
//! Reduced sizes (documented deviation): readout train 5 000 steps instead of 15 000 and the L-BFGS
//! capped at 100 iterations (scikit-learn's default `max_iter`), N_E = 200 instead of 1600.

use super::common::{Output, Spread, figure, par_seeds};
use super::plot::{Chart, Series, line_chart};
use super::tasks::CyclicSequence;
use crate::config::{CheckedConfig, InputSpec, Phase};
use crate::record::{Population, Raster};
use crate::simulator::Sorn;
use serde::{Deserialize, Serialize};
use sorn_analysis::readout::{LogisticOptions, accuracy, fit_logistic};
use sorn_core::{InputParams, Stream, stream_rng};
use std::time::Instant;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RandomSequenceParams {
    pub ne: usize,
    /// Alphabet size A.
    pub symbols: usize,
    pub seeds: Vec<u64>,
    pub steps_plastic: u64,
    pub steps_train: u64,
    pub steps_test: u64,
    /// Lags of the fading-memory curve.
    pub lags: Vec<usize>,
    /// Sequence length of the fading-memory run.
    pub memory_length: usize,
    /// Sequence lengths of the learning-capacity curve.
    pub lengths: Vec<usize>,
    /// L-BFGS iteration cap of the logistic readout.
    pub max_iter: usize,
}

impl RandomSequenceParams {
    pub fn full() -> Self {
        RandomSequenceParams {
            ne: 200,
            symbols: 10,
            seeds: vec![1, 2, 3],
            steps_plastic: 100_000,
            steps_train: 5_000,
            steps_test: 5_000,
            lags: (0..20).collect(),
            memory_length: 1_000_000,
            lengths: vec![10, 20, 50, 100, 200, 500, 1000],
            max_iter: 100,
        }
    }
    pub fn quick() -> Self {
        RandomSequenceParams {
            ne: 100,
            symbols: 5,
            seeds: vec![1],
            steps_plastic: 5_000,
            steps_train: 1_500,
            steps_test: 500,
            lags: vec![0, 1, 2, 4],
            memory_length: 100_000,
            lengths: vec![5, 10],
            max_iter: 100,
        }
    }
}

/// The V2 RandomSequence network config.
pub fn config(p: &RandomSequenceParams, seed: u64) -> anyhow::Result<CheckedConfig> {
    let mut c = crate::presets::lazar2009();
    c.network.ne = p.ne;
    c.network.input = InputParams::Pools {
        symbols: p.symbols,
        units_per_symbol: ((0.05 * p.ne as f64).floor() as usize).max(1),
        overlap: true,
        gain: 1.0,
    };
    c.seed = seed;
    c.run.input = InputSpec::None;
    Ok(c.check()?)
}

/// Plastic phase, then frozen readout phases; returns the states x(t+1) (T × N_E) and the labels.
fn record(
    p: &RandomSequenceParams,
    seed: u64,
    len: usize,
) -> anyhow::Result<(Raster, Vec<super::tasks::Label>)> {
    let mut sim = Sorn::new(&config(p, seed)?);
    let mut rng = stream_rng(seed ^ (len as u64).wrapping_mul(0x9E37_79B9), Stream::Experiment);
    let mut src = CyclicSequence::random(len, p.symbols, &mut rng);
    sim.run(p.steps_plastic, &mut src, &mut ());
    sim.set_phase(Phase::Training);
    src.set_logging(true);
    let mut raster = Raster::new(Population::Excitatory, 1);
    sim.run(p.steps_train + p.steps_test, &mut src, &mut raster);
    Ok((raster, src.log))
}

fn rows(r: &Raster, range: std::ops::Range<usize>) -> ndarray::Array2<f64> {
    let w = r.width();
    ndarray::Array2::from_shape_fn((range.len(), w), |(i, j)| f64::from(r.data[(range.start + i) * w + j]))
}

/// Test accuracy of a logistic readout from states `k` to `labels[k]`, with train rows
/// `lo..tr` and test rows `tr..end` (labels aligned to rows).
fn readout(
    r: &Raster,
    labels: &[usize],
    lo: usize,
    tr: usize,
    end: usize,
    max_iter: usize,
) -> anyhow::Result<f64> {
    let opts = LogisticOptions { max_iter, gtol: 1e-6, ..Default::default() };
    let m = fit_logistic(rows(r, lo..tr).view(), &labels[lo..tr], &opts)?;
    let pred = m.predict(rows(r, tr..end).view())?;
    Ok(accuracy(&pred, &labels[tr..end])?)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RandomSequenceResults {
    pub params: RandomSequenceParams,
    /// Per lag: error 1 − accuracy over seeds.
    pub memory_error: Vec<Spread>,
    /// Per length: error over seeds.
    pub capacity_error: Vec<Spread>,
    pub wall_seconds: f64,
}

/// Checks the parameters a run needs (every sequence must be able to hold every symbol).
pub fn check(p: &RandomSequenceParams) -> anyhow::Result<()> {
    anyhow::ensure!(p.symbols >= 2, "random-sequence: symbols = {} (expected at least 2)", p.symbols);
    if let Some(&l) = p.lengths.iter().find(|&&l| l < p.symbols) {
        anyhow::bail!(
            "random-sequence: length L = {l} cannot hold all {} symbols (expected every L >= {})",
            p.symbols,
            p.symbols
        );
    }
    anyhow::ensure!(p.memory_length >= p.symbols, "random-sequence: memory_length below the alphabet size");
    anyhow::ensure!(
        p.steps_train >= 2 && p.steps_test >= 2,
        "random-sequence: readout train and test need at least 2 steps each (got {} and {})",
        p.steps_train,
        p.steps_test
    );
    let maxlag = p.lags.iter().copied().max().unwrap_or(0) as u64;
    anyhow::ensure!(
        maxlag < p.steps_train,
        "random-sequence: lag {maxlag} is not below the {} training steps",
        p.steps_train
    );
    Ok(())
}

pub fn run(p: &RandomSequenceParams) -> anyhow::Result<RandomSequenceResults> {
    check(p)?;
    let t0 = Instant::now();
    let (tr, te) = (p.steps_train as usize, p.steps_test as usize);
    let maxlag = p.lags.iter().copied().max().unwrap_or(0);
    let mem = par_seeds(&p.seeds, |seed| -> anyhow::Result<Vec<f64>> {
        let (r, log) = record(p, seed, p.memory_length)?;
        let sym: Vec<usize> = log.iter().map(|l| l.symbol).collect();
        p.lags
            .iter()
            .map(|&lag| {
                // Row k → symbol at k − lag; rows before maxlag are skipped so every lag uses the same rows.
                let labels: Vec<usize> =
                    (0..sym.len()).map(|k| if k >= lag { sym[k - lag] } else { 0 }).collect();
                Ok(1.0 - readout(&r, &labels, maxlag, tr, tr + te, p.max_iter)?)
            })
            .collect()
    });
    let mem: Vec<Vec<f64>> = mem.into_iter().collect::<anyhow::Result<_>>()?;
    let memory_error =
        (0..p.lags.len()).map(|i| Spread::of(&mem.iter().map(|v| v[i]).collect::<Vec<_>>())).collect();
    let jobs: Vec<(usize, u64)> =
        p.lengths.iter().flat_map(|&l| p.seeds.iter().map(move |&s| (l, s))).collect();
    let idx: Vec<u64> = (0..jobs.len() as u64).collect();
    let cap = par_seeds(&idx, |i| -> anyhow::Result<(usize, f64)> {
        let (len, seed) = jobs[i as usize];
        let (r, log) = record(p, seed, len)?;
        // Row k → position of the input of step k + 1.
        let pos: Vec<usize> = log.iter().skip(1).map(|l| l.position).collect();
        Ok((len, 1.0 - readout(&r, &pos, 0, tr, tr + te - 1, p.max_iter)?))
    });
    let cap: Vec<(usize, f64)> = cap.into_iter().collect::<anyhow::Result<_>>()?;
    let capacity_error = p
        .lengths
        .iter()
        .map(|&l| Spread::of(&cap.iter().filter(|c| c.0 == l).map(|c| c.1).collect::<Vec<_>>()))
        .collect();
    Ok(RandomSequenceResults {
        params: p.clone(),
        memory_error,
        capacity_error,
        wall_seconds: t0.elapsed().as_secs_f64(),
    })
}

pub fn table(r: &RandomSequenceResults) -> String {
    let mut s = format!(
        "random sequence (V2 protocol): N_E {}, A = {}, {} seed(s); error = 1 − accuracy, mean [p16, p84]\nfading memory (L = {}):\n",
        r.params.ne,
        r.params.symbols,
        r.params.seeds.len(),
        r.params.memory_length
    );
    for (lag, e) in r.params.lags.iter().zip(&r.memory_error) {
        s += &format!("  lag {lag:>3}: {e}\n");
    }
    s += "learning capacity (next position):\n";
    for (l, e) in r.params.lengths.iter().zip(&r.capacity_error) {
        s += &format!("  L {l:>5}: {e}\n");
    }
    s += &format!(
        "chance error for symbols: {:.3}\nwall time {:.1} s\n",
        1.0 - 1.0 / r.params.symbols as f64,
        r.wall_seconds
    );
    s
}

pub fn write(r: &RandomSequenceResults, out: &Output) -> anyhow::Result<()> {
    out.write_json("results.json", r)?;
    out.write_text("table.txt", &table(r))?;
    let ser = |label: &str, x: Vec<f64>, s: &[Spread]| Series {
        label: label.into(),
        x,
        y: s.iter().map(|v| v.mean).collect(),
        lo: Some(s.iter().map(|v| v.p16).collect()),
        hi: Some(s.iter().map(|v| v.p84).collect()),
        markers: true,
    };
    let chance = 1.0 - 1.0 / r.params.symbols as f64;
    let c1 = Chart {
        title: format!("Fading memory, N_E = {}, A = {}", r.params.ne, r.params.symbols),
        x_label: "lag τ (steps)".into(),
        y_label: "error (1 − accuracy)".into(),
        y_range: Some((0.0, 1.0)),
        hlines: vec![(chance, "chance".into())],
        ..Default::default()
    };
    let x: Vec<f64> = r.params.lags.iter().map(|&l| l as f64).collect();
    figure(
        "fading_memory.svg",
        line_chart(&out.path("fading_memory.svg"), &c1, &[ser("SORN", x, &r.memory_error)]),
    );
    let c2 = Chart {
        title: format!("Learning capacity, N_E = {}", r.params.ne),
        x_label: "sequence length L".into(),
        y_label: "error (next position)".into(),
        log_x: true,
        y_range: Some((0.0, 1.0)),
        ..Default::default()
    };
    let x: Vec<f64> = r.params.lengths.iter().map(|&l| l as f64).collect();
    figure(
        "learning_capacity.svg",
        line_chart(&out.path("learning_capacity.svg"), &c2, &[ser("SORN", x, &r.capacity_error)]),
    );
    Ok(())
}
