//! `sorn bench`: being written (owned by the bench work).

use super::{CliResult, UserError};
use clap::Args;

#[derive(Args)]
pub struct BenchArgs {}

pub fn run(_: BenchArgs) -> CliResult {
    Err(UserError("`sorn bench` is not built yet".into()))
}
