//! The advisory lock on a run directory's target: `.NAME.lock` beside it, held with `flock` for as long
//! as a run writes towards that target, so two runs on one `--out` cannot both proceed.

use crate::io::IoError;
use std::fs::File;
use std::path::{Path, PathBuf};

/// A held lock; released (and its file removed) by [`TargetLock::release`] or when dropped.
pub struct TargetLock {
    path: PathBuf,
    file: Option<File>,
}

impl TargetLock {
    /// Takes the lock at `path` without waiting; `target` names the run directory in the error.
    pub fn acquire(path: &Path, target: &Path) -> Result<Self, IoError> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| IoError::fs(path, e))?;
        if !try_lock(&file) {
            return Err(IoError::format(
                target,
                format!(
                    "another sorn process is writing this run directory (it holds {}); wait for it or \
                     choose another --out",
                    path.display()
                ),
            ));
        }
        Ok(TargetLock { path: path.to_path_buf(), file: Some(file) })
    }

    /// Removes the lock file, then releases the lock.
    pub fn release(mut self) {
        self.unlock();
    }

    fn unlock(&mut self) {
        if let Some(f) = self.file.take() {
            let _ = std::fs::remove_file(&self.path);
            drop(f);
        }
    }
}

impl Drop for TargetLock {
    fn drop(&mut self) {
        self.unlock();
    }
}

#[cfg(unix)]
fn try_lock(f: &File) -> bool {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a file descriptor this File owns; no memory is passed.
    unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

#[cfg(not(unix))]
fn try_lock(_: &File) -> bool {
    true
}
