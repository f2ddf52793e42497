//! File formats at the boundary: snapshots, `state.npz`, `.npy` series and run directories.
//!
//! Nothing below the facade does IO; everything here writes to a temporary name and renames when the
//! file is complete, so a crash never leaves a half-written output behind.

pub mod npy;
pub mod npz;
pub mod rundir;
pub mod snapshot;
pub mod state_npz;

use crate::text::printable;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Errors of the file formats. Every message names the file and what was expected.
#[derive(Debug, Error)]
pub enum IoError {
    #[error("{}: {source}", printable(&.path.display().to_string()))]
    Fs { path: PathBuf, source: std::io::Error },
    #[error("{}: {}", printable(&.path.display().to_string()), printable(.msg))]
    Format { path: PathBuf, msg: String },
}

impl IoError {
    pub fn fs(path: &Path, source: std::io::Error) -> Self {
        IoError::Fs { path: path.to_path_buf(), source }
    }
    pub fn format(path: &Path, msg: impl Into<String>) -> Self {
        IoError::Format { path: path.to_path_buf(), msg: msg.into() }
    }
}

/// Opens `path` for reading, refusing a directory with "is a directory, expected `expected`"; returns the
/// file and its length.
pub(crate) fn open_file(path: &Path, expected: &str) -> Result<(std::fs::File, u64), IoError> {
    let file = std::fs::File::open(path).map_err(|e| IoError::fs(path, e))?;
    let meta = file.metadata().map_err(|e| IoError::fs(path, e))?;
    if meta.is_dir() {
        return Err(IoError::format(path, format!("is a directory, expected {expected}")));
    }
    Ok((file, meta.len()))
}

/// Writes `bytes` to `path` through a temporary sibling file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), IoError> {
    let tmp = tmp_sibling(path);
    std::fs::write(&tmp, bytes).map_err(|e| IoError::fs(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        IoError::fs(path, e)
    })
}

/// `dir/.name.tmp-PID`: a temporary name beside `path`.
pub fn tmp_sibling(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}
