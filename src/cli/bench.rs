//! `sorn bench`: µs per plastic and per frozen step, synapses per second, peak memory.
//!
//! For every size the network is built from a preset (default: zheng2013 up to N_E = 10 000, `large`
//! above), warmed up with plastic steps, then timed in chunks: the reported figure is the *best* chunk
//! (the machine may be shared; the median chunk is reported too). Plastic steps run first, then the same
//! network runs frozen (training phase: every rule off, noise on). Each size's network is dropped before
//! the next is built, so the peak RSS (VmHWM) after a size is dominated by the largest network so far.
//!
//! `--from RUN_DIR|snapshot.bin` times a saved network instead (e.g. `large` after the few thousand steps
//! it needs to reach its steady rate and connectivity), without warm-up unless `--warmup` asks for it.

use super::stdout::emit;
use super::{CliResult, UserError};
use clap::Args;
use sorn::core::{Parallelism, Precision};
use sorn::prelude::*;
use std::time::Instant;

#[derive(Args)]
pub struct BenchArgs {
    /// Comma-separated numbers of excitatory units.
    #[arg(long, default_value = "200,1000,10000", value_delimiter = ',')]
    sizes: Vec<usize>,
    /// Timed steps per phase (default: chosen per size, about 1–2 s of work).
    #[arg(long)]
    steps: Option<u64>,
    /// Worker threads (results are identical for any number); 1 = sequential.
    #[arg(long, default_value_t = 1, value_parser = super::numbers::threads)]
    threads: usize,
    /// Preset to time (default: zheng2013 for N_E ≤ 10 000, large above).
    #[arg(long)]
    preset: Option<String>,
    /// Plastic warm-up steps before timing (default: chosen per size; none with --from).
    #[arg(long)]
    warmup: Option<u64>,
    /// One JSON object on stdout instead of the table.
    #[arg(long)]
    json: bool,
    /// Time the network of a run directory or snapshot.bin (its size and config) instead of presets.
    #[arg(long, conflicts_with_all = ["sizes", "preset"])]
    from: Option<std::path::PathBuf>,
    /// Weight storage, `f64` or `f32` (`network.precision`; default: the preset's or the saved
    /// network's). With --from, a saved network is converted before timing.
    #[arg(long, value_parser = parse_precision)]
    precision: Option<Precision>,
}

/// `--precision`'s value.
fn parse_precision(s: &str) -> Result<Precision, String> {
    match s {
        "f64" => Ok(Precision::F64),
        "f32" => Ok(Precision::F32),
        _ => Err(format!("`{s}` is not a weight precision; expected f64 or f32")),
    }
}

/// One measured size.
struct Row {
    preset: String,
    ne: usize,
    ni: usize,
    synapses: usize,
    synapses_ee: usize,
    build_s: f64,
    steps: u64,
    plastic_us: f64,
    plastic_us_median: f64,
    frozen_us: f64,
    frozen_us_median: f64,
    rate: f64,
    rss_peak: u64,
    rss_after_build: u64,
    weight_bytes: usize,
    precision: Precision,
}

fn default_steps(synapses: usize) -> u64 {
    // ~2·10⁷ synapse visits per phase, between 20 and 20 000 steps.
    (2e8 / synapses.max(1) as f64).clamp(20.0, 20_000.0) as u64
}

/// A `/proc/self/status` field in bytes (Linux), 0 elsewhere.
fn proc_status_bytes(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with(field)).and_then(|l| {
                l.split_whitespace().nth(1).and_then(|v| v.parse::<u64>().ok()).map(|kb| kb * 1024)
            })
        })
        .unwrap_or(0)
}

/// Times `steps` steps in `chunks` equal chunks; returns (best, median) µs per step.
fn time_chunks(sim: &mut Sorn, steps: u64, chunks: u64, act: &mut u64) -> (f64, f64) {
    let per = steps.div_ceil(chunks).max(1);
    let mut t = Vec::with_capacity(chunks as usize);
    for _ in 0..chunks {
        let t0 = Instant::now();
        for _ in 0..per {
            sim.step(sorn::core::Input::None);
            *act += sim.network().x().count() as u64;
        }
        t.push(t0.elapsed().as_secs_f64() * 1e6 / per as f64);
    }
    t.sort_by(f64::total_cmp);
    (t[0], t[t.len() / 2])
}

/// The config of preset `name`, or an error naming it.
fn preset_config(name: &str) -> Result<sorn::Config, UserError> {
    sorn::presets::preset(name)
        .ok_or_else(|| UserError(format!("unknown preset `{name}` (see `sorn presets`)")))
}

/// A network built from a preset at size `ne`, and its build time in seconds.
fn build(preset: &str, ne: usize, precision: Option<Precision>) -> Result<(Sorn, f64), UserError> {
    let mut c = preset_config(preset)?;
    c.network.ne = ne;
    c.network.precision = precision.unwrap_or(c.network.precision);
    c.seed = 1;
    c.run.input = sorn::InputSpec::None;
    c.network.input = sorn::core::InputParams::None;
    let cfg = c.check().map_err(|e| UserError(format!("N_E = {ne}: {e}")))?;
    let t0 = Instant::now();
    let sim = Sorn::new(&cfg);
    Ok((sim, t0.elapsed().as_secs_f64()))
}

/// The network saved in a run directory or snapshot file, and its load time in seconds.
fn load(from: &std::path::Path) -> Result<(Sorn, f64), UserError> {
    let path = super::run::snapshot_path(from);
    let t0 = Instant::now();
    let sim = sorn::io::snapshot::load(&path)?;
    if matches!(sim.network().params().input, sorn::core::InputParams::Pools { .. }) {
        return Err(UserError(format!(
            "{}: the network has symbol input pools; `sorn bench` times steps without input, so pick a \
             network whose config has `network.input` none or raw",
            path.display()
        )));
    }
    Ok((sim, t0.elapsed().as_secs_f64()))
}

/// Warms `sim` up with `warmup` plastic steps, then times `steps` plastic and `steps` frozen steps.
fn measure(label: &str, mut sim: Sorn, build_s: f64, steps: u64, warmup: u64) -> Row {
    let rss_after_build = proc_status_bytes("VmRSS:");
    let ne = sim.network().ne();
    sim.set_phase(Phase::Plasticity);
    sim.set_freeze(sorn::plasticity::Freeze::NONE);
    sim.run(warmup, &mut NoInput, &mut ());
    let chunks = steps.clamp(1, 5);
    let mut act = 0u64;
    let (plastic_us, plastic_us_median) = time_chunks(&mut sim, steps, chunks, &mut act);
    let timed = steps.div_ceil(chunks) * chunks;
    let rate = act as f64 / (timed as f64 * ne as f64);
    sim.set_phase(Phase::Training);
    // Let the frozen network settle (push caches are built after a few unchanged steps).
    sim.run(20, &mut NoInput, &mut ());
    let (frozen_us, frozen_us_median) = time_chunks(&mut sim, steps, chunks, &mut 0);
    let n = sim.network();
    let weight_bytes = n.w_ee.heap_bytes() + n.w_ei.heap_bytes() + n.w_ie.heap_bytes();
    Row {
        preset: label.to_string(),
        ne,
        ni: n.ni(),
        synapses: synapse_count(&sim),
        synapses_ee: n.w_ee.nnz(),
        build_s,
        steps,
        plastic_us,
        plastic_us_median,
        frozen_us,
        frozen_us_median,
        rate,
        rss_peak: proc_status_bytes("VmHWM:"),
        rss_after_build,
        weight_bytes,
        precision: n.params().precision,
    }
}

pub fn run(a: BenchArgs) -> CliResult {
    if a.sizes.is_empty() || a.sizes.contains(&0) {
        return Err(UserError("--sizes needs positive numbers of excitatory units, e.g. 200,1000".into()));
    }
    if a.steps == Some(0) {
        return Err(UserError("--steps must be at least 1".into()));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(a.threads)
        .build()
        .map_err(|e| UserError(format!("thread pool: {e}")))?;
    if let Some(p) = &a.preset {
        preset_config(p)?;
    }
    let par = if a.threads > 1 { Parallelism::rayon() } else { Parallelism::Sequential };
    let mut rows = Vec::new();
    // Timed steps: as asked, or about 2·10⁷ synapse visits; warm-up: as asked, or `default_warmup`.
    let timed = |label: &str, (mut sim, build_s): (Sorn, f64), default_warmup: fn(u64) -> u64| {
        sim.set_parallelism(par);
        let steps = a.steps.unwrap_or_else(|| default_steps(synapse_count(&sim)));
        let warmup = a.warmup.unwrap_or_else(|| default_warmup(steps));
        pool.install(|| measure(label, sim, build_s, steps, warmup))
    };
    if let Some(from) = &a.from {
        let mut sim = pool.install(|| load(from))?;
        if let Some(p) = a.precision {
            sim.0.set_precision(p).map_err(|e| UserError(format!("--precision: {e}")))?;
        }
        if !a.json {
            let p = sim.0.network().params().precision.name();
            eprintln!("{} ({} thread(s), {p} weights) …", from.display(), a.threads);
        }
        let label = format!("{} (from {})", preset_name(&sim.0), from.display());
        rows.push(timed(&label, sim, |_| 0));
        if !a.json {
            emit(&row_text(&rows[0], true))?;
        }
    }
    for &ne in a.sizes.iter().filter(|_| a.from.is_none()) {
        let preset =
            a.preset.clone().unwrap_or_else(|| (if ne > 10_000 { "large" } else { "zheng2013" }).into());
        if !a.json {
            let p = a.precision.unwrap_or(preset_config(&preset)?.network.precision).name();
            eprintln!("N_E = {ne} ({preset}, {} thread(s), {p} weights) …", a.threads);
        }
        let sim = pool.install(|| build(&preset, ne, a.precision))?;
        let row = timed(&preset, sim, |steps| (steps / 2).clamp(20, 500));
        if !a.json {
            emit(&row_text(&row, rows.is_empty()))?;
        }
        rows.push(row);
    }
    if a.json {
        emit(&format!("{}\n", json(&rows, a.threads)))?;
    }
    Ok(())
}

/// Stored synapses of W^EE, W^EI and W^IE.
fn synapse_count(sim: &Sorn) -> usize {
    let n = sim.network();
    n.w_ee.nnz() + n.w_ei.nnz() + n.w_ie.nnz()
}

/// The preset a network's config was built from, or "custom".
fn preset_name(sim: &Sorn) -> String {
    sim.config().config().preset.clone().unwrap_or_else(|| "custom".into())
}

fn row_text(r: &Row, header: bool) -> String {
    let mut text = String::new();
    if header {
        text = format!(
            "{:>9} {:>11} {:>12} {:>12} {:>8} {:>14} {:>14} {:>10} {:>9} {:>8}\n",
            "N_E",
            "synapses",
            "µs/plastic",
            "µs/frozen",
            "ratio",
            "syn/s plastic",
            "syn/s frozen",
            "peak RSS",
            "B/syn",
            "build s"
        );
    }
    text + &format!(
        "{:>9} {:>11} {:>12.2} {:>12.2} {:>8.2} {:>14.3e} {:>14.3e} {:>8.1}MB {:>9.1} {:>8.2}\n",
        r.ne,
        r.synapses,
        r.plastic_us,
        r.frozen_us,
        r.plastic_us / r.frozen_us,
        r.synapses as f64 / (r.plastic_us * 1e-6),
        r.synapses as f64 / (r.frozen_us * 1e-6),
        r.rss_peak as f64 / 1e6,
        r.rss_peak as f64 / r.synapses as f64,
        r.build_s
    )
}

fn json(rows: &[Row], threads: usize) -> String {
    let results: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "preset": r.preset,
                "n_e": r.ne,
                "n_i": r.ni,
                "synapses": r.synapses,
                "synapses_ee": r.synapses_ee,
                "threads": threads,
                "build_s": r.build_s,
                "steps": r.steps,
                "us_per_plastic_step": r.plastic_us,
                "us_per_plastic_step_median_chunk": r.plastic_us_median,
                "us_per_frozen_step": r.frozen_us,
                "us_per_frozen_step_median_chunk": r.frozen_us_median,
                "plastic_synapses_per_s": r.synapses as f64 / (r.plastic_us * 1e-6),
                "frozen_synapses_per_s": r.synapses as f64 / (r.frozen_us * 1e-6),
                "mean_rate_timed": r.rate,
                "peak_rss_bytes": r.rss_peak,
                "rss_after_build_bytes": r.rss_after_build,
                "bytes_per_synapse_peak_rss": r.rss_peak as f64 / r.synapses as f64,
                "weight_bytes": r.weight_bytes,
                "weight_bytes_per_synapse": r.weight_bytes as f64 / r.synapses as f64,
                "precision": r.precision.name(),
            })
        })
        .collect();
    serde_json::json!({ "implementation": "sorn (Rust)", "threads": threads, "results": results }).to_string()
}
