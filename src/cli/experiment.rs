//! `sorn experiment`: being written (owned by the experiment work).

use super::{CliResult, UserError};
use clap::Args;

#[derive(Args)]
pub struct ExperimentArgs {}

pub fn run(_: ExperimentArgs) -> CliResult {
    Err(UserError("`sorn experiment` is not built yet".into()))
}
