//! Run directories: everything a run leaves behind, written into a staging directory and renamed into
//! place only when complete. An existing directory is never overwritten unless asked to.

mod lock;
mod stale;

use super::IoError;
use std::path::{Path, PathBuf};

/// File names inside a run directory.
pub mod names {
    pub const CONFIG: &str = "config.toml";
    pub const SNAPSHOT: &str = "snapshot.bin";
    pub const STATE: &str = "state.npz";
    pub const SUMMARY: &str = "summary.json";
    pub const E_RASTER: &str = "e_raster.npy";
    pub const I_RASTER: &str = "i_raster.npy";
    pub const RECURRENT: &str = "recurrent.npy";
    pub const CONNECTIONS: &str = "connections.npy";
    pub const RATE: &str = "rate.npy";
    pub const ACTIVITY: &str = "activity.npy";
    pub const THRESHOLD_MEAN: &str = "threshold_mean.npy";
    pub const PLOTS: &str = "plots";
}

/// The current UTC time as `YYYYmmdd-HHMMSS`, for default run-directory names (no date library needed).
pub fn utc_stamp() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}{m:02}{d:02}-{:02}{:02}{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// A run directory being written.
///
/// While it exists, it holds an advisory lock on `.NAME.lock` beside the target, so a second run on
/// the same `--out` is refused when it starts, not after hours when its rename would fail.
pub struct Staging {
    target: PathBuf,
    staging: PathBuf,
    force: bool,
    lock: lock::TargetLock,
    cleaned: Vec<PathBuf>,
}

impl Staging {
    /// Starts a run directory at `target`. Fails if it exists (unless `force` and it is a run directory,
    /// see [`check_replaceable`]), if another process is writing to it, or if its parent cannot be
    /// written; nothing is created at `target` until [`Staging::commit`]. Staging directories of earlier
    /// runs on the same target, and those of dead processes beside it, are removed
    /// ([`Staging::cleaned`] lists them).
    pub fn begin(target: &Path, force: bool) -> Result<Self, IoError> {
        if target.exists() || target.is_symlink() {
            if !force {
                return Err(IoError::format(
                    target,
                    "already exists; choose another --out or pass --force to replace it",
                ));
            }
            check_replaceable(target)?;
        }
        let parent = parent_of(target);
        std::fs::create_dir_all(&parent).map_err(|e| IoError::fs(&parent, e))?;
        let name = dir_name(target);
        let lock = lock::TargetLock::acquire(&parent.join(format!(".{name}.lock")), target)?;
        let cleaned = stale::clean(&parent, &name);
        let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
        std::fs::create_dir(&staging).map_err(|e| IoError::fs(&staging, e))?;
        Ok(Staging { target: target.to_path_buf(), staging, force, lock, cleaned })
    }

    /// Path of `name` inside the staging directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// The final location.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Staging directories of dead processes that [`Staging::begin`] removed.
    pub fn cleaned(&self) -> &[PathBuf] {
        &self.cleaned
    }

    /// Moves the complete directory into place (replacing an existing run directory only with `force`).
    /// When the rename fails, the error says where the complete run is.
    pub fn commit(self) -> Result<PathBuf, IoError> {
        let stranded = |e: std::io::Error| {
            IoError::format(
                &self.target,
                format!("cannot move the complete run into place ({e}); it is in {}", self.staging.display()),
            )
        };
        if self.target.exists() || self.target.is_symlink() {
            if !self.force {
                return Err(IoError::format(
                    &self.target,
                    format!(
                        "appeared while the run was writing; left untouched (the complete run is in {})",
                        self.staging.display()
                    ),
                ));
            }
            check_replaceable(&self.target).map_err(|e| {
                IoError::format(
                    &self.target,
                    format!("{e}; the complete run is in {}", self.staging.display()),
                )
            })?;
            let name = dir_name(&self.target);
            let old = parent_of(&self.target).join(format!(".{name}.old-{}", std::process::id()));
            std::fs::rename(&self.target, &old).map_err(stranded)?;
            if let Err(e) = std::fs::rename(&self.staging, &self.target) {
                let _ = std::fs::rename(&old, &self.target);
                return Err(stranded(e));
            }
            // The replaced directory is a run directory (checked above): ours to delete.
            let _ = std::fs::remove_dir_all(&old);
        } else {
            std::fs::rename(&self.staging, &self.target).map_err(stranded)?;
        }
        self.lock.release();
        Ok(self.target.clone())
    }

    /// Removes the staging directory (after a failure).
    pub fn abort(self) {
        let _ = std::fs::remove_dir_all(&self.staging);
        self.lock.release();
    }
}

/// Whether `--force` may replace `target`: only a directory that a sorn run wrote (it holds a
/// `summary.json` with a `sorn_version`), never a file, a device, a symbolic link, the working
/// directory, the home directory, the root or a mount point.
pub fn check_replaceable(target: &Path) -> Result<(), IoError> {
    let refuse = |why: &str| Err(IoError::format(target, format!("--force refused: {why}")));
    let meta = std::fs::symlink_metadata(target).map_err(|e| IoError::fs(target, e))?;
    if meta.file_type().is_symlink() {
        return refuse("it is a symbolic link; --force replaces only a run directory");
    }
    if !meta.is_dir() {
        return refuse("it is not a directory; --force replaces only a run directory");
    }
    let canon = std::fs::canonicalize(target).map_err(|e| IoError::fs(target, e))?;
    let cwd = std::env::current_dir().ok().and_then(|d| std::fs::canonicalize(d).ok());
    if cwd.as_ref().is_some_and(|d| d.starts_with(&canon)) {
        return refuse("it is the working directory or holds it");
    }
    let home = std::env::var_os("HOME").and_then(|h| std::fs::canonicalize(h).ok());
    if home.as_ref().is_some_and(|h| h.starts_with(&canon)) {
        return refuse("it is the home directory or holds it");
    }
    match canon.parent() {
        None => return refuse("it is the root directory"),
        Some(parent) if is_mount_point(&meta, parent) => return refuse("it is a mount point"),
        Some(_) => {}
    }
    if !is_run_directory(target) {
        return refuse(
            "it is not a sorn run directory (no summary.json written by sorn); --force replaces only run \
             directories, so nothing was touched",
        );
    }
    Ok(())
}

/// A directory that a sorn run wrote: its `summary.json` parses and names the version that wrote it.
pub fn is_run_directory(dir: &Path) -> bool {
    std::fs::read(dir.join(names::SUMMARY))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|v| v.get("sorn_version").is_some())
}

#[cfg(unix)]
fn is_mount_point(meta: &std::fs::Metadata, parent: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(parent).is_ok_and(|p| p.dev() != meta.dev())
}

#[cfg(not(unix))]
fn is_mount_point(_: &std::fs::Metadata, _: &Path) -> bool {
    false
}

fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn dir_name(target: &Path) -> String {
    target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "run".into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_stamp_has_the_documented_shape() {
        let s = super::utc_stamp();
        assert_eq!(s.len(), 15);
        assert_eq!(&s[8..9], "-");
        assert!(s.starts_with("20"), "{s}");
        assert!(s.chars().filter(char::is_ascii_digit).count() == 14);
    }
}
