//! Command-line front end: argument parsing and the subcommands. User errors print one line and exit 2.

mod analyze;
mod bench;
mod experiment;
mod numbers;
mod plot;
mod progress;
mod run;
mod signals;
mod stdout;

use clap::{Parser, Subcommand};

/// Self-Organizing Recurrent Neural Networks: simulate, analyse, plot.
#[derive(Parser)]
#[command(name = "sorn", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a SORN and write a run directory (config, snapshot, state.npz, recorded series, plots).
    Run(run::RunArgs),
    /// Continue a run from its snapshot, bit for bit.
    Resume(run::ResumeArgs),
    /// Statistics of a raster (T × N .npy) or of a run directory's e_raster.npy.
    Analyze(analyze::AnalyzeArgs),
    /// Neuronal avalanches of an activity series, a raster or a run directory, with power-law fits (DP17).
    Avalanches(analyze::AvalanchesArgs),
    /// Draw the standard figure set of a run directory, or one figure from a .npy file.
    Plot(plot::PlotArgs),
    /// Time plastic and frozen steps at several network sizes.
    Bench(bench::BenchArgs),
    /// Reproduce a paper's experiment (counting, random-sequence, avalanches, …).
    Experiment(experiment::ExperimentArgs),
    /// List the presets.
    Presets,
}

/// A user-facing failure: printed as one line, exit code 2.
#[derive(Debug)]
pub struct UserError(pub String);

impl<E: std::fmt::Display> From<E> for UserError {
    fn from(e: E) -> Self {
        UserError(e.to_string())
    }
}

pub type CliResult = Result<(), UserError>;

pub fn main() -> i32 {
    signals::default_sigpipe();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            if !e.use_stderr() {
                let _ = e.print();
                return 0;
            }
            // Usage errors in one line, like every other error.
            let text = e.render().to_string();
            let parts: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
                .collect();
            eprintln!("{}", sorn::text::printable(&parts.join(" ")));
            return 2;
        }
    };
    let result = match cli.command {
        Command::Run(a) => run::run(a),
        Command::Resume(a) => run::resume(a),
        Command::Analyze(a) => analyze::run(a),
        Command::Avalanches(a) => analyze::avalanches(a),
        Command::Plot(a) => plot::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Experiment(a) => experiment::run(a),
        Command::Presets => stdout::emit(
            &sorn::presets::PRESETS
                .iter()
                .map(|(name, about)| format!("{name:<12} {about}\n"))
                .collect::<String>(),
        ),
    };
    match result {
        // An interrupted run exits as the shell expects of a process stopped by that signal.
        Ok(()) => signals::received().map_or(0, |(sig, _)| 128 + sig),
        Err(UserError(msg)) => {
            // One line, whatever the source: multi-line parser messages are folded.
            let line: Vec<&str> = msg.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
            eprintln!("error: {}", sorn::text::printable(&line.join(": ")));
            2
        }
    }
}
