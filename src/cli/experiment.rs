//! `sorn experiment NAME`: the paper experiments of `sorn::experiments` (see EXPERIMENTS.md). Each writes a
//! run directory (`results.json`, `table.txt`, figures) through a staging directory and prints its table.

use super::stdout::emit;
use super::{CliResult, UserError};
use clap::{Args, Subcommand};
use sorn::experiments::{
    avalanches, cartpole, common, counting, frozen_plasticity, noise_sweep, random_sequence,
};
use std::path::PathBuf;

#[derive(Args)]
pub struct ExperimentArgs {
    #[command(subcommand)]
    which: Which,
}

/// Options every experiment takes.
#[derive(Args, Clone)]
struct Common {
    /// Test-sized run (seconds) instead of the SPEC's sizes.
    #[arg(long)]
    quick: bool,
    /// Number of seeds (1, 2, …, K), run in parallel; default depends on the experiment.
    #[arg(long)]
    seeds: Option<usize>,
    /// First seed.
    #[arg(long, default_value_t = 1)]
    first_seed: u64,
    /// Run directory (default runs/experiment-NAME-<time>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace an existing run directory.
    #[arg(long)]
    force: bool,
    /// Threads for the seeds (default: all cores).
    #[arg(long, value_parser = super::numbers::threads)]
    threads: Option<usize>,
}

fn parse_list<T: std::str::FromStr>(s: &str) -> Result<Vec<T>, String> {
    s.split(',')
        .map(|v| v.trim().parse::<T>().map_err(|_| format!("`{v}` in `{s}` is not a number")))
        .collect()
}

#[derive(Subcommand)]
enum Which {
    /// Counting task (L09; DP17 Fig 7): A Bⁿ C / D Eⁿ F, plastic phase then frozen readout.
    Counting {
        #[command(flatten)]
        common: Common,
        /// dp17 (pseudo-inverse on Θ(R_x), current letter, B/C/E/F) or v2 (logistic, next position).
        #[arg(long, default_value = "dp17")]
        protocol: counting::Protocol,
        /// Word lengths n, comma separated.
        #[arg(long)]
        n: Option<String>,
        /// Also run a static reservoir (same config and seed, all plasticity frozen from the start).
        #[arg(long)]
        compare_static: bool,
        /// Plastic-phase steps (default 5 000 for dp17, 50 000 for v2).
        #[arg(long)]
        plastic_steps: Option<u64>,
        /// N_E.
        #[arg(long)]
        ne: Option<usize>,
    },
    /// Random-sequence task (V2): fading memory vs lag and learning capacity vs sequence length.
    RandomSequence {
        #[command(flatten)]
        common: Common,
        /// Sequence lengths L of the learning-capacity curve, comma separated (default
        /// 10,20,50,100,200,500,1000).
        #[arg(long)]
        lengths: Option<String>,
        /// Readout training steps (default 5 000; V2 uses 15 000).
        #[arg(long)]
        train_steps: Option<u64>,
        /// N_E (default 200; V2's plots use 1600).
        #[arg(long)]
        ne: Option<usize>,
    },
    /// Avalanches of the spontaneous DP17 network (Figs 1–2); --ne 50,100,200,400,800 for the size series.
    Avalanches {
        #[command(flatten)]
        common: Common,
        /// Network sizes N_E, comma separated.
        #[arg(long)]
        ne: Option<String>,
        /// Steps per run (default 5·10⁶).
        #[arg(long)]
        steps: Option<u64>,
        /// Analysis window: the last W steps (default 3·10⁶).
        #[arg(long)]
        window: Option<u64>,
        /// Also write the activity series (activity_ne*_seed*.npy, uint32).
        #[arg(long)]
        keep_activity: bool,
    },
    /// DP17 Fig 4: after a plastic phase, continue plastic, frozen as D ran it (IP and noise on) and
    /// fully frozen with noise off, all from the same state.
    FrozenPlasticity {
        #[command(flatten)]
        common: Common,
        /// Steps of the plastic phase and of each continuation (default 2·10⁶).
        #[arg(long)]
        steps: Option<u64>,
    },
    /// DP17 noise sweep: Gaussian σ² ∈ {0.005, 0.05, 5}, avalanches per level.
    NoiseSweep {
        #[command(flatten)]
        common: Common,
        /// Noise variances, comma separated.
        #[arg(long)]
        variances: Option<String>,
        /// Steps per run (default 5·10⁶; the last 60 % are analysed).
        #[arg(long)]
        steps: Option<u64>,
    },
    /// CartPole-v1 with a sorn-py reservoir and a REINFORCE readout.
    Cartpole {
        #[command(flatten)]
        common: Common,
        /// Training episodes.
        #[arg(long)]
        episodes: Option<usize>,
    },
}

fn seeds(c: &Common, default: Vec<u64>) -> Vec<u64> {
    match c.seeds {
        Some(k) => common::seed_list(c.first_seed, k.max(1)),
        None if c.first_seed != 1 => default.iter().map(|s| s + c.first_seed - 1).collect(),
        None => default,
    }
}

/// Runs `run` inside a staging directory and commits it; prints the table.
fn finish<R>(
    name: &str,
    c: &Common,
    run: impl FnOnce() -> anyhow::Result<R>,
    write: impl FnOnce(&R, &common::Output) -> anyhow::Result<()>,
    table: impl FnOnce(&R) -> String,
) -> CliResult {
    let target = c.out.clone().unwrap_or_else(|| common::default_out(name));
    let out = common::Output::begin(&target, c.force).map_err(|e| UserError(e.to_string()))?;
    if let Some(t) = c.threads {
        // Only the first call configures the global pool; later calls are ignored.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(t).build_global();
    }
    let result = match run() {
        Ok(r) => r,
        Err(e) => {
            out.abort();
            return Err(UserError(format!("experiment {name}: {e}")));
        }
    };
    if let Err(e) = write(&result, &out) {
        out.abort();
        return Err(UserError(format!("experiment {name}: writing results: {e}")));
    }
    let dir = out.commit().map_err(|e| UserError(e.to_string()))?;
    emit(&format!("{}wrote {}\n", table(&result), dir.display()))
}

pub fn run(args: ExperimentArgs) -> CliResult {
    match args.which {
        Which::Counting { common: c, protocol, n, compare_static, plastic_steps, ne } => {
            let mut p = if c.quick {
                counting::CountingParams::quick(protocol)
            } else {
                counting::CountingParams::full(protocol)
            };
            p.seeds = seeds(&c, p.seeds);
            if let Some(n) = n {
                p.ns = parse_list(&n)?;
            }
            p.compare_static |= compare_static;
            if let Some(s) = plastic_steps {
                p.steps_plastic = s;
            }
            if let Some(ne) = ne {
                p.ne = ne;
            }
            finish("counting", &c, || counting::run(&p), counting::write, counting::table)
        }
        Which::RandomSequence { common: c, lengths, train_steps, ne } => {
            let mut p = if c.quick {
                random_sequence::RandomSequenceParams::quick()
            } else {
                random_sequence::RandomSequenceParams::full()
            };
            p.seeds = seeds(&c, p.seeds);
            if let Some(l) = lengths {
                p.lengths = parse_list(&l).map_err(|e| UserError(format!("--lengths: {e}")))?;
            }
            if let Some(t) = train_steps {
                p.steps_train = t;
            }
            if let Some(ne) = ne {
                p.ne = ne;
            }
            random_sequence::check(&p).map_err(|e| UserError(e.to_string()))?;
            finish(
                "random-sequence",
                &c,
                || random_sequence::run(&p),
                random_sequence::write,
                random_sequence::table,
            )
        }
        Which::Avalanches { common: c, ne, steps, window, keep_activity } => {
            let mut p = if c.quick {
                avalanches::AvalancheParams::quick()
            } else {
                avalanches::AvalancheParams::full()
            };
            p.seeds = seeds(&c, p.seeds);
            if let Some(ne) = ne {
                p.nes = parse_list(&ne)?;
            }
            if let Some(s) = steps {
                p.steps = s;
                if window.is_none() {
                    p.window = s * 3 / 5;
                }
            }
            if let Some(w) = window {
                p.window = w;
            }
            if p.window > p.steps {
                return Err(UserError(format!("--window {} is longer than --steps {}", p.window, p.steps)));
            }
            let write = |r: &avalanches::AvalancheResults, out: &common::Output| {
                avalanches::write(r, out)?;
                if keep_activity {
                    for cond in &r.conditions {
                        avalanches::write_activity(cond, &out.path(""))?;
                    }
                }
                Ok(())
            };
            finish("avalanches", &c, || avalanches::run(&p), write, avalanches::table)
        }
        Which::FrozenPlasticity { common: c, steps } => {
            let mut p = if c.quick {
                frozen_plasticity::FrozenParams::quick()
            } else {
                frozen_plasticity::FrozenParams::full()
            };
            p.seeds = seeds(&c, p.seeds);
            if let Some(s) = steps {
                p.steps_plastic = s;
                p.steps_continue = s;
            }
            finish(
                "frozen-plasticity",
                &c,
                || frozen_plasticity::run(&p),
                frozen_plasticity::write,
                frozen_plasticity::table,
            )
        }
        Which::NoiseSweep { common: c, variances, steps } => {
            let mut p =
                if c.quick { noise_sweep::NoiseParams::quick() } else { noise_sweep::NoiseParams::full() };
            p.seeds = seeds(&c, p.seeds);
            if let Some(v) = variances {
                let v: Vec<f64> = parse_list(&v)?;
                if v.iter().any(|&x| !(x >= 0.0 && x.is_finite())) {
                    return Err(UserError("--variances must be finite and ≥ 0".into()));
                }
                p.variances = v;
            }
            if let Some(s) = steps {
                p.steps = s;
                p.window = s * 3 / 5;
            }
            finish("noise-sweep", &c, || noise_sweep::run(&p), noise_sweep::write, noise_sweep::table)
        }
        Which::Cartpole { common: c, episodes } => {
            let mut p =
                if c.quick { cartpole::CartPoleParams::quick() } else { cartpole::CartPoleParams::full() };
            p.seeds = seeds(&c, p.seeds);
            if let Some(e) = episodes {
                p.episodes = e.max(1);
            }
            finish("cartpole", &c, || cartpole::run(&p), cartpole::write, cartpole::table)
        }
    }
}
