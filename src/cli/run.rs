//! `sorn run` and `sorn resume`.

use super::stdout::emit;
use super::{CliResult, UserError, progress, signals};
use clap::Args;
use sorn::config::{Config, InputSpec, Phase, Record};
use sorn::io::rundir::{Staging, names};
use sorn::io::{snapshot, state_npz};
use sorn::plasticity::Freeze;
use sorn::runner::{self, Summary};
use sorn::{CheckedConfig, Sorn};
use std::path::{Path, PathBuf};

/// Where outputs go and how they are written.
#[derive(Args, Clone)]
pub struct OutputArgs {
    /// Run directory to create [default: runs/<preset>-seed<seed>-<UTC time> for `run`,
    /// runs/<DIR's name>-resumed-<UTC time> for `resume`].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace the output directory if it exists.
    #[arg(long)]
    force: bool,
    /// Do not draw the standard figures into DIR/plots.
    #[arg(long)]
    no_plots: bool,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// Worker threads for the row kernels (results are identical for any number); 1 = sequential.
    #[arg(long, default_value_t = 1, value_parser = super::numbers::threads)]
    threads: usize,
}

#[derive(Args)]
pub struct RunArgs {
    /// A config file (TOML); `preset = "…"` inside selects its base.
    #[arg(long, short, conflicts_with = "preset")]
    config: Option<PathBuf>,
    /// A preset: sorn-py (default), lazar2009, zheng2013, delpapa2017 (`sorn presets` lists them).
    #[arg(long, short)]
    preset: Option<String>,
    /// Override any config field: a dotted path or a package keyword, e.g. network.ne=400, eta_stdp=0.002.
    #[arg(long = "set", short = 's', value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// Number of steps [default: the preset's run.steps: 10 000 for sorn-py and large, 50 000 for
    /// lazar2009, 100 000 for zheng2013, 5 000 000 for delpapa2017].
    #[arg(long, short = 'n', allow_negative_numbers = true, value_parser = super::numbers::steps)]
    steps: Option<u64>,
    /// The seed every random stream derives from.
    #[arg(long)]
    seed: Option<u64>,
    /// plasticity (rules on, minus --freeze) or training (all rules frozen).
    #[arg(long)]
    phase: Option<Phase>,
    /// Rules to freeze, comma-separated: stdp, ip, ss, istdp, sp.
    #[arg(long)]
    freeze: Option<Freeze>,
    /// Raw input from a .npy file of shape nu × T (rows = input units, columns = steps).
    #[arg(long)]
    input: Option<PathBuf>,
    /// Start from a trained network: a run directory, a snapshot.bin, or a state.npz.
    #[arg(long)]
    from: Option<PathBuf>,
    /// Series to record, comma-separated: e-raster, i-raster, recurrent, connections, rate, threshold-mean
    /// (default: all); `none` records nothing.
    #[arg(long)]
    record: Option<String>,
    /// Record every N-th step.
    #[arg(long)]
    stride: Option<u64>,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Args)]
pub struct ResumeArgs {
    /// The run directory (or its snapshot.bin) to continue.
    dir: PathBuf,
    /// Number of further steps.
    #[arg(long, short = 'n', allow_negative_numbers = true, value_parser = super::numbers::steps)]
    steps: u64,
    #[command(flatten)]
    output: OutputArgs,
}

fn parse_records(s: &str) -> Result<Vec<Record>, UserError> {
    if s.trim() == "none" {
        return Ok(Vec::new());
    }
    let mut v: Vec<Record> =
        s.split(',').filter(|p| !p.trim().is_empty()).map(str::parse).collect::<Result<_, _>>()?;
    v.sort();
    v.dedup();
    Ok(v)
}

/// Applies the run-level flags (they override the config file and --set).
fn apply_run_flags(c: &mut Config, a: &RunArgs) -> Result<(), UserError> {
    if let Some(n) = a.steps {
        c.run.steps = n;
    }
    if let Some(s) = a.seed {
        c.seed = s;
    }
    if let Some(p) = a.phase {
        c.run.phase = p;
    }
    if let Some(f) = a.freeze {
        c.run.freeze = f;
    }
    if let Some(p) = &a.input {
        let abs = std::fs::canonicalize(p).map_err(|e| UserError(format!("{}: {e}", p.display())))?;
        c.run.input = InputSpec::File { path: abs };
    }
    if let Some(r) = &a.record {
        c.run.record.what = parse_records(r)?;
    }
    if let Some(s) = a.stride {
        c.run.record.stride = s;
    }
    Ok(())
}

fn base_config(a: &RunArgs) -> Result<Config, UserError> {
    let base = match (&a.config, &a.preset) {
        (Some(path), _) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| UserError(format!("{}: {e}", path.display())))?;
            Config::from_toml(&text).map_err(|e| UserError(format!("{}: {e}", path.display())))?
        }
        (None, Some(name)) => sorn::presets::preset(name)
            .ok_or_else(|| UserError(sorn::ConfigError::UnknownPreset(name.clone()).to_string()))?,
        (None, None) => sorn::presets::preset("sorn-py").expect("the default preset exists"),
    };
    Ok(base.with_overrides(&a.sets)?)
}

/// Refuses to continue `dir`'s snapshot when `dir/config.toml` was edited: a resumed run continues the
/// snapshot's network, so an edit there would be silently ignored.
fn check_config_file(dir: &Path, sim: &Sorn) -> CliResult {
    let path = dir.join(names::CONFIG);
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(()) };
    let file = Config::from_toml(&text).map_err(|e| {
        UserError(format!(
            "{}: {e}; it no longer describes the snapshot beside it: undo the edit",
            path.display()
        ))
    })?;
    let diff = sim.config().config().differences(&file);
    let Some((key, snap, edited)) = diff.first() else { return Ok(()) };
    let more = if diff.len() > 1 { format!(" and {} more", diff.len() - 1) } else { String::new() };
    let how = if diff.iter().all(|(k, ..)| k.starts_with("run.")) {
        format!(
            "pass run settings on the command line: `sorn run --from {} --set {key}={edited}`",
            dir.display()
        )
    } else {
        format!("run the edited network from scratch with `sorn run --config {}`", path.display())
    };
    Err(UserError(format!(
        "{}: edited after the run ({key} = {edited}, the snapshot has {snap}{more}); a resumed run continues \
         the snapshot and would ignore the edit: undo it, or {how}",
        path.display()
    )))
}

/// Resolves `--from`: a run directory means its snapshot.
pub(super) fn snapshot_path(p: &Path) -> PathBuf {
    if p.is_dir() { p.join(names::SNAPSHOT) } else { p.to_path_buf() }
}

pub fn run(a: RunArgs) -> CliResult {
    let sim = match &a.from {
        None => {
            let mut c = base_config(&a)?;
            apply_run_flags(&mut c, &a)?;
            let cfg = c.check()?;
            sorn::memory::check_network(cfg.network()).map_err(UserError)?;
            Sorn::new(&cfg)
        }
        Some(from) if from.extension().is_some_and(|e| e == "npz") => {
            let mut c = base_config(&a)?;
            apply_run_flags(&mut c, &a)?;
            let cfg = c.check()?;
            sorn::memory::check_network(cfg.network()).map_err(UserError)?;
            let state = state_npz::load(from)?;
            let net = sorn::core::Network::from_state(cfg.network().clone(), state)
                .map_err(|e| UserError(format!("{}: {e}", from.display())))?;
            Sorn::from_network(&cfg, net, true)
        }
        Some(from) => {
            if a.config.is_some()
                || a.preset.is_some()
                || a.sets.iter().any(|s| !s.trim_start().starts_with("run."))
            {
                return Err(UserError(
                    "with --from a snapshot the network's config is fixed; only run settings (--steps, --phase, \
                     --freeze, --input, --record, --stride, --set run.*) can change"
                        .into(),
                ));
            }
            let path = snapshot_path(from);
            let mut sim = snapshot::load(&path)?;
            if from.is_dir() {
                check_config_file(from, &sim)?;
            }
            let mut c = sim.config().config().with_overrides(&a.sets)?;
            let start = sim.steps();
            apply_run_flags(&mut c, &a)?;
            c.run.input_offset = start;
            let cfg = c.check()?;
            sim.reconfigure_run(&cfg)?;
            sim
        }
    };
    let default_name = default_out_name(sim.config());
    execute(sim, a.from.as_deref(), &a.output, default_name)
}

pub fn resume(a: ResumeArgs) -> CliResult {
    let path = snapshot_path(&a.dir);
    let mut sim = snapshot::load(&path)?;
    if a.dir.is_dir() {
        check_config_file(&a.dir, &sim)?;
    }
    let mut c = sim.config().config().clone();
    c.run.steps = a.steps;
    let cfg = c.check()?;
    sim.reconfigure_run(&cfg)?;
    let default_name = format!(
        "{}-resumed-{}",
        a.dir.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(),
        sorn::io::rundir::utc_stamp()
    );
    execute(sim, Some(&a.dir), &a.output, default_name)
}

fn default_out_name(cfg: &CheckedConfig) -> String {
    let c = cfg.config();
    format!("{}-seed{}-{}", c.preset.as_deref().unwrap_or("custom"), c.seed, sorn::io::rundir::utc_stamp())
}

fn execute(mut sim: Sorn, from: Option<&Path>, out: &OutputArgs, default_name: String) -> CliResult {
    let target = out.out.clone().unwrap_or_else(|| PathBuf::from("runs").join(default_name));
    if sim.config().config().run.steps == 0 {
        return Err(UserError("run.steps = 0: a run needs at least 1 step".into()));
    }
    if out.threads > 1 {
        rayon::ThreadPoolBuilder::new().num_threads(out.threads).build_global().ok();
        sim.set_parallelism(sorn::core::Parallelism::rayon());
    }
    if out.force
        && let Some(from) = from
        && same_directory(&run_dir_of(from), &target)
    {
        return Err(UserError(format!(
            "{}: --force refused: it is the run being continued, and replacing it would discard its \
             recorded steps; choose another --out",
            target.display()
        )));
    }
    let staging = Staging::begin(&target, out.force)?;
    for d in staging.cleaned() {
        eprintln!("note: removed {}, the staging directory of a run that did not finish", d.display());
    }
    let steps = sim.config().config().run.steps;
    if let Some(w) = recording_warning(sim.config().config(), sim.network().ne(), sim.network().ni()) {
        eprintln!("warning: {w}");
    }
    let pb = progress::bar(steps, out.quiet);
    signals::install();
    let result = runner::execute(
        &mut sim,
        &staging,
        from,
        &mut |done| pb.set_position(done),
        &signals::stop_requested,
    );
    pb.finish_and_clear();
    let mut summary = match result {
        Ok(s) => s,
        Err(e) => {
            staging.abort();
            return Err(e.into());
        }
    };
    if !out.no_plots {
        match sorn::figures::standard_set(&staging.path(""), &staging.path(names::PLOTS)) {
            Ok(files) => summary.outputs.push(format!("{}/ ({} figures)", names::PLOTS, files.len())),
            Err(e) => {
                // The run is complete without them: said in summary.json and by the exit code.
                summary.figures_error = Some(e.to_string());
                if let Err(e) = summary.write(&staging) {
                    staging.abort();
                    return Err(e.into());
                }
            }
        }
    }
    let dir = staging.commit()?;
    print_summary(&summary, &dir)?;
    if let Some(e) = &summary.figures_error {
        return Err(UserError(format!(
            "figures not drawn ({e}); the run itself is complete in {} (summary.json says so), and `sorn plot \
             {}` draws them",
            dir.display(),
            dir.display()
        )));
    }
    if summary.interrupted {
        let why = signals::received().map_or("a signal", |(_, name)| name);
        eprintln!(
            "interrupted by {why} at step {} of {}: {} is a complete run of the steps done; `sorn resume {} \
             --steps N` continues it bit for bit",
            summary.steps,
            summary.steps_requested,
            dir.display(),
            dir.display()
        );
    }
    Ok(())
}

/// The run directory a `--from` or `resume` path names (a snapshot file means its directory).
fn run_dir_of(p: &Path) -> PathBuf {
    match p.parent() {
        _ if p.is_dir() => p.to_path_buf(),
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether two paths name one existing directory.
fn same_directory(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Recorded series from which a run warns before it starts (they are written as it goes).
const LARGE_RECORDING_BYTES: u64 = 1_000_000_000;

/// A warning when the run's recorded series will take more than [`LARGE_RECORDING_BYTES`]: every series
/// is recorded by default, and for a large network the rasters dominate (`large` at N_E = 10⁶ writes
/// 2.2 MB per step).
fn recording_warning(c: &Config, ne: usize, ni: usize) -> Option<String> {
    let rec = &c.run.record;
    let bytes = rec.bytes(c.run.steps, ne, ni);
    (bytes > LARGE_RECORDING_BYTES).then(|| {
        let names: Vec<&str> = rec.what.iter().map(|r| r.name()).collect();
        format!(
            "the recorded series ({}) of {} steps of N_E = {ne} will take ≈ {:.1} GB; --record and --stride \
             record less",
            names.join(", "),
            c.run.steps,
            bytes as f64 / 1e9
        )
    })
}

fn print_summary(s: &Summary, dir: &Path) -> CliResult {
    emit(&format!(
        "{} steps ({} in total) in {:.2} s: {:.0} steps/s\n\
         mean E rate {:.4}   connection fraction E←E {:.4}, E←I {:.4}   mean T^E {:.4}\n\
         outputs in {}: {}\n",
        s.steps,
        s.steps_total,
        s.wall_seconds,
        s.steps_per_second,
        s.mean_rate,
        s.connection_fraction_ee,
        s.connection_fraction_ei,
        s.mean_threshold,
        dir.display(),
        s.outputs.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_recording_is_announced_with_its_size() {
        let mut c = sorn::presets::large();
        c.network.ne = 1_000_000;
        c.run.steps = 3_000;
        let w = recording_warning(&c, 1_000_000, 200_000).expect("6.6 GB of rasters");
        assert!(w.contains("≈ 6.6 GB") && w.contains("e-raster, i-raster, recurrent"), "{w}");
        c.run.record.stride = 10;
        assert!(recording_warning(&c, 1_000_000, 200_000).is_none(), "0.66 GB with --stride 10");
        c.run.record.stride = 1;
        c.run.record.what = vec![Record::Rate, Record::Connections];
        assert!(recording_warning(&c, 1_000_000, 200_000).is_none());
        let small = sorn::presets::zheng2013();
        assert!(recording_warning(&small, 200, 40).is_none());
    }
}
