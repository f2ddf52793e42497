//! `sorn analyze`: being written (owned by the analyze work).

use super::{CliResult, UserError};
use clap::Args;

#[derive(Args)]
pub struct AnalyzeArgs {}

pub fn run(_: AnalyzeArgs) -> CliResult {
    Err(UserError("`sorn analyze` is not built yet".into()))
}
