//! Everything the command prints as its result goes through [`emit`], so a failed write (a full disk
//! behind `> file`) is an error with exit code 2, not an empty file and exit 0.

use super::{CliResult, UserError};
use std::io::Write;

/// Writes `text` to stdout and flushes it. A closed pipe (`sorn … | head -1`) ends quietly.
pub fn emit(text: &str) -> CliResult {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(UserError(format!("cannot write to standard output: {e}"))),
    }
}
