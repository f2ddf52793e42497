//! `sorn plot DIR` (the standard figure set of a run directory) and `sorn plot KIND FILE -o OUT` (one
//! figure from one file).

use super::stdout::emit;
use super::{CliResult, UserError};
use clap::{Args, ValueEnum};
use sorn::figures::{self, DEFAULT_SIZE, SINGLE_KINDS};
use sorn::io::rundir::names;
use sorn::viz::Format;
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Png,
    Svg,
}

#[derive(Args)]
#[command(after_help = after_help())]
pub struct PlotArgs {
    /// `DIR`: a run directory (standard figure set), or `KIND FILE`: one figure of KIND from FILE.
    #[arg(value_name = "DIR | KIND FILE", num_args = 1..=2, required = true)]
    targets: Vec<String>,
    /// Output: a directory for `sorn plot DIR` (default DIR/plots); a .png or .svg file for `KIND FILE`.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Image format of the figure set (default png); a single figure takes it from the -o extension.
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Image width in pixels.
    #[arg(long, default_value_t = DEFAULT_SIZE.0)]
    width: u32,
    /// Image height in pixels.
    #[arg(long, default_value_t = DEFAULT_SIZE.1)]
    height: u32,
}

fn after_help() -> String {
    let mut s = String::from("Figure kinds for `sorn plot KIND FILE -o OUT.png|svg`:\n");
    for (k, about) in SINGLE_KINDS {
        s.push_str(&format!("  {k:<20} {about}\n"));
    }
    s
}

pub fn run(a: PlotArgs) -> CliResult {
    let size = (a.width, a.height);
    match a.targets.as_slice() {
        [dir] => {
            let dir = PathBuf::from(dir);
            if !dir.is_dir() {
                let hint = if SINGLE_KINDS.iter().any(|k| k.0 == dir.to_string_lossy()) {
                    "missing FILE: use `sorn plot KIND FILE -o OUT.png`".to_string()
                } else {
                    "not a run directory (for one figure: `sorn plot KIND FILE -o OUT.png`)".to_string()
                };
                return Err(UserError(format!("{}: {hint}", dir.display())));
            }
            let out = a.out.unwrap_or_else(|| dir.join(names::PLOTS));
            let format = match a.format.unwrap_or(FormatArg::Png) {
                FormatArg::Png => Format::Png,
                FormatArg::Svg => Format::Svg,
            };
            let files = figures::standard_set_as(&dir, &out, format, size).map_err(UserError)?;
            if files.is_empty() {
                return Err(UserError(format!(
                    "{}: nothing to plot (no recorded series, state.npz or raster found)",
                    dir.display()
                )));
            }
            let mut text = format!("{} figures in {}:\n", files.len(), out.display());
            for f in &files {
                text.push_str(&format!(
                    "  {}\n",
                    f.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
                ));
            }
            emit(&text)
        }
        [kind, file] => {
            if a.format.is_some() {
                return Err(UserError(
                    "--format is for `sorn plot DIR`; a single figure's format follows the -o extension"
                        .into(),
                ));
            }
            let Some(out) = a.out else {
                return Err(UserError(format!("`sorn plot {kind} FILE` needs -o OUT.png or -o OUT.svg")));
            };
            figures::single_sized(kind, &PathBuf::from(file), &out, size).map_err(UserError)?;
            emit(&format!("{}\n", out.display()))
        }
        _ => Err(UserError("expected `sorn plot DIR` or `sorn plot KIND FILE -o OUT`".into())),
    }
}
