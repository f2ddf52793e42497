//! `sorn plot`: being written (owned by the plot work).

use super::{CliResult, UserError};
use clap::Args;

#[derive(Args)]
pub struct PlotArgs {}

pub fn run(_: PlotArgs) -> CliResult {
    Err(UserError("`sorn plot` is not built yet".into()))
}
