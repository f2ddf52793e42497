//! Running a simulator into a run directory: streaming recorders, the final state files and the summary.

use crate::config::{CheckedConfig, InputSpec, Record};
use crate::input::{InputSource, Matrix, NoInput, RandomSymbols, UniformRandom};
use crate::io::npy::{self, NpyStream};
use crate::io::rundir::{Staging, names};
use crate::io::{IoError, snapshot, state_npz, write_atomic};
use crate::record::Observer;
use crate::simulator::Sorn;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Builds the input source a config asks for. File input is read and checked here: shape nu × T, every
/// value finite.
pub fn input_source(cfg: &CheckedConfig) -> Result<Box<dyn InputSource>, IoError> {
    let run = &cfg.config().run;
    Ok(match &run.input {
        InputSpec::None => Box::new(NoInput),
        InputSpec::UniformRandom => Box::new(UniformRandom),
        InputSpec::RandomSymbols => Box::new(RandomSymbols(cfg.network().input_dim())),
        InputSpec::File { path } => {
            Box::new(Matrix::new(read_input(path, cfg.network().input_dim())?, run.input_offset))
        }
    })
}

/// Reads an input matrix of shape nu × T and returns its T columns.
pub fn read_input(path: &Path, nu: usize) -> Result<Vec<Vec<f64>>, IoError> {
    let m = npy::read_matrix(path, "the input")?;
    let (rows, cols) = m.dim();
    if rows != nu {
        return Err(IoError::format(
            path,
            format!(
                "input has shape {rows}×{cols}, expected nu × T with nu = {nu} (rows = input units, columns = steps)"
            ),
        ));
    }
    if cols == 0 {
        return Err(IoError::format(path, "input has no columns (T = 0)"));
    }
    if let Some(((r, c), v)) = m.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(IoError::format(
            path,
            format!("input holds {v} at row {r}, column {c}: every value must be finite"),
        ));
    }
    Ok((0..cols).map(|t| m.column(t).to_vec()).collect())
}

/// Streams the recorded series of a run to `.npy` files, one row per recorded step.
struct Streams {
    stride: u64,
    e: Option<NpyStream<u8>>,
    i: Option<NpyStream<u8>>,
    rec: Option<NpyStream<u8>>,
    conn: Option<NpyStream<i64>>,
    rate: Option<NpyStream<f64>>,
    thr: Option<NpyStream<f64>>,
    error: Option<IoError>,
    rate_sum: f64,
    rate_n: u64,
}

impl Streams {
    fn open(st: &Staging, sim: &Sorn, what: &[Record], stride: u64) -> Result<Self, IoError> {
        let (ne, ni) = (sim.network().ne(), sim.network().ni());
        let on = |r: Record| what.contains(&r);
        let mk_u8 = |name: &str, cols: usize| NpyStream::<u8>::create(&st.path(name), Some(cols));
        Ok(Streams {
            stride,
            e: on(Record::ERaster).then(|| mk_u8(names::E_RASTER, ne)).transpose()?,
            i: on(Record::IRaster).then(|| mk_u8(names::I_RASTER, ni)).transpose()?,
            rec: on(Record::Recurrent).then(|| mk_u8(names::RECURRENT, ne)).transpose()?,
            conn: on(Record::Connections)
                .then(|| NpyStream::<i64>::create(&st.path(names::CONNECTIONS), Some(2)))
                .transpose()?,
            rate: on(Record::Rate)
                .then(|| NpyStream::<f64>::create(&st.path(names::RATE), None))
                .transpose()?,
            thr: on(Record::ThresholdMean)
                .then(|| NpyStream::<f64>::create(&st.path(names::THRESHOLD_MEAN), None))
                .transpose()?,
            error: None,
            rate_sum: 0.0,
            rate_n: 0,
        })
    }

    fn write(&mut self, sim: &Sorn) -> Result<(), IoError> {
        let n = sim.network();
        let rate = n.x().count() as f64 / n.ne() as f64;
        self.rate_sum += rate;
        self.rate_n += 1;
        if !sim.steps().is_multiple_of(self.stride) {
            return Ok(());
        }
        if let Some(s) = &mut self.e {
            s.push(n.x().bits())?;
        }
        if let Some(s) = &mut self.i {
            s.push(n.y().bits())?;
        }
        if let Some(s) = &mut self.rec {
            s.push(n.recurrent_spikes().bits())?;
        }
        if let Some(s) = &mut self.conn {
            s.push(&[n.w_ee.count_positive() as i64, n.w_ei.count_positive() as i64])?;
        }
        if let Some(s) = &mut self.rate {
            s.push(&[rate])?;
        }
        if let Some(s) = &mut self.thr {
            s.push(&[n.t_e.iter().sum::<f64>() / n.ne() as f64])?;
        }
        Ok(())
    }

    fn finish(self) -> Result<Vec<PathBuf>, IoError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let mut out = Vec::new();
        for s in [self.e, self.i, self.rec].into_iter().flatten() {
            out.push(s.finish()?);
        }
        if let Some(s) = self.conn {
            out.push(s.finish()?);
        }
        for s in [self.rate, self.thr].into_iter().flatten() {
            out.push(s.finish()?);
        }
        Ok(out)
    }
}

impl Observer for Streams {
    fn observe(&mut self, sorn: &Sorn) {
        if self.error.is_none()
            && let Err(e) = self.write(sorn)
        {
            self.error = Some(e);
        }
    }
}

/// What `summary.json` holds.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Version of sorn that wrote the run.
    pub sorn_version: &'static str,
    pub preset: Option<String>,
    pub seed: u64,
    /// Steps taken in this run.
    pub steps: u64,
    /// The network's step count at the end (includes earlier runs when resumed).
    pub steps_total: u64,
    pub phase: String,
    pub frozen: String,
    /// Mean fraction of active E units over this run's steps.
    pub mean_rate: f64,
    /// E←E synapses with weight > 0 over N_E(N_E − 1) at the end.
    pub connection_fraction_ee: f64,
    /// E←I synapses with weight > 0 over N_E·N_I at the end.
    pub connection_fraction_ei: f64,
    pub mean_threshold: f64,
    pub synapses_created: u64,
    pub synapses_pruned: u64,
    pub sn_zero_rows: u64,
    pub wall_seconds: f64,
    pub steps_per_second: f64,
    /// Steps asked for; more than `steps` when the run was interrupted.
    pub steps_requested: u64,
    /// True when a signal (Ctrl-C, SIGTERM, SIGHUP) ended the run early: the directory holds the steps
    /// done, and `sorn resume` continues it bit for bit.
    pub interrupted: bool,
    /// Where this run continued from, if it did.
    pub resumed_from: Option<String>,
    /// Files in the run directory.
    pub outputs: Vec<String>,
    /// Why the figures could not be drawn, when they could not (the run itself is complete).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub figures_error: Option<String>,
}

impl Summary {
    /// Writes `summary.json` into the staging directory.
    pub fn write(&self, staging: &Staging) -> Result<(), IoError> {
        let json = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into());
        write_atomic(&staging.path(names::SUMMARY), json.as_bytes())
    }
}

/// How often (in steps) [`execute`] reports progress.
const PROGRESS_EVERY: u64 = 256;

/// Runs `sim` for the config's steps into the staging directory, then writes `config.toml`,
/// `snapshot.bin`, `state.npz` and `summary.json`. `progress(done)` is called every few hundred steps.
///
/// `stop()` is asked before every step: once it says true, the run ends at that step boundary and the
/// directory is written as for a complete run of the steps done (a resumable snapshot included), with
/// `interrupted` set in the summary and `run.steps` in `config.toml` set to the steps done.
pub fn execute(
    sim: &mut Sorn,
    staging: &Staging,
    resumed_from: Option<&Path>,
    progress: &mut dyn FnMut(u64),
    stop: &dyn Fn() -> bool,
) -> Result<Summary, IoError> {
    let requested = sim.config().config().run.steps;
    if sim.steps().saturating_add(requested) > crate::simulator::MAX_STEPS {
        return Err(IoError::format(
            &staging.path(names::CONFIG),
            format!("{requested} more steps would take the step counter ({}) past 2^60", sim.steps()),
        ));
    }
    let (record, stride) =
        (sim.config().config().run.record.what.clone(), sim.config().config().run.record.stride);
    let mut source = input_source(sim.config())?;
    let mut streams = Streams::open(staging, sim, &record, stride)?;
    let start = Instant::now();
    let mut done = 0;
    while done < requested && !stop() {
        sim.run(1, source.as_mut(), &mut streams);
        done += 1;
        if let Some(e) = streams.error.take() {
            return Err(e);
        }
        if done % PROGRESS_EVERY == 0 || done == requested {
            progress(done);
        }
    }
    let interrupted = done < requested;
    if interrupted {
        let mut c = sim.config().config().clone();
        c.run.steps = done;
        let checked = c.check().map_err(|e| IoError::format(&staging.path(names::CONFIG), e.to_string()))?;
        sim.reconfigure_run(&checked).map_err(|e| IoError::format(&staging.path(names::CONFIG), e))?;
    }
    let cfg = sim.config().clone();
    let run = &cfg.config().run;
    let wall = start.elapsed().as_secs_f64();
    let (rate_sum, rate_n) = (streams.rate_sum, streams.rate_n);
    let mut outputs: Vec<String> = streams
        .finish()?
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();

    let mut toml = String::new();
    if let Some(from) = resumed_from {
        toml.push_str(&format!("# continued from {} at step {}\n", from.display(), sim.steps() - run.steps));
    }
    toml.push_str(&cfg.config().to_toml());
    write_atomic(&staging.path(names::CONFIG), toml.as_bytes())?;
    snapshot::save(sim, &staging.path(names::SNAPSHOT))?;
    state_npz::save(&sim.network().to_state(), &staging.path(names::STATE))?;
    outputs.extend([names::CONFIG, names::SNAPSHOT, names::STATE, names::SUMMARY].map(String::from));

    let n = sim.network();
    let (ne, ni) = (n.ne() as f64, n.ni() as f64);
    let c = &sim.plasticity().counters;
    let summary = Summary {
        sorn_version: env!("CARGO_PKG_VERSION"),
        preset: cfg.config().preset.clone(),
        seed: cfg.config().seed,
        steps: run.steps,
        steps_total: sim.steps(),
        phase: format!("{:?}", sim.phase()).to_lowercase(),
        frozen: sim.frozen().to_string(),
        mean_rate: if rate_n > 0 { rate_sum / rate_n as f64 } else { f64::NAN },
        connection_fraction_ee: n.w_ee.count_positive() as f64 / (ne * (ne - 1.0)),
        connection_fraction_ei: n.w_ei.count_positive() as f64 / (ne * ni),
        mean_threshold: n.t_e.iter().sum::<f64>() / ne,
        synapses_created: c.created_ee,
        synapses_pruned: c.pruned_ee + c.pruned_ei,
        sn_zero_rows: c.sn_zero_rows,
        wall_seconds: wall,
        steps_per_second: if wall > 0.0 { run.steps as f64 / wall } else { f64::INFINITY },
        steps_requested: requested,
        interrupted,
        resumed_from: resumed_from.map(|p| p.display().to_string()),
        outputs,
        figures_error: None,
    };
    summary.write(staging)?;
    Ok(summary)
}
