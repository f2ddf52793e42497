//! Run directories: everything a run leaves behind, written into a staging directory and renamed into
//! place only when complete. An existing directory is never overwritten unless asked to.

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
pub struct Staging {
    target: PathBuf,
    staging: PathBuf,
    force: bool,
}

impl Staging {
    /// Starts a run directory at `target`. Fails if it exists (unless `force`) or its parent cannot be
    /// written; nothing is created at `target` until [`Staging::commit`].
    pub fn begin(target: &Path, force: bool) -> Result<Self, IoError> {
        if target.exists() && !force {
            return Err(IoError::format(
                target,
                "already exists; choose another --out or pass --force to replace it",
            ));
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| IoError::fs(&parent, e))?;
        let name =
            target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "run".into());
        let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| IoError::fs(&staging, e))?;
        }
        std::fs::create_dir(&staging).map_err(|e| IoError::fs(&staging, e))?;
        Ok(Staging { target: target.to_path_buf(), staging, force })
    }

    /// Path of `name` inside the staging directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// The final location.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the complete directory into place (replacing an existing one only with `force`).
    pub fn commit(self) -> Result<PathBuf, IoError> {
        if self.target.exists() {
            if !self.force {
                return Err(IoError::format(
                    &self.target,
                    "appeared while the run was writing; left untouched",
                ));
            }
            let old = self.staging.with_extension("old");
            std::fs::rename(&self.target, &old).map_err(|e| IoError::fs(&self.target, e))?;
            std::fs::rename(&self.staging, &self.target).map_err(|e| IoError::fs(&self.target, e))?;
            let _ = std::fs::remove_dir_all(&old);
        } else {
            std::fs::rename(&self.staging, &self.target).map_err(|e| IoError::fs(&self.target, e))?;
        }
        Ok(self.target.clone())
    }

    /// Removes the staging directory (after a failure).
    pub fn abort(self) {
        let _ = std::fs::remove_dir_all(&self.staging);
    }
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
