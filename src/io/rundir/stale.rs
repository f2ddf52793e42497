//! Staging directories left by runs that died (`kill -9`, power loss): `.NAME.partial-PID` beside a
//! target. The next run that writes beside them removes them, so they never accumulate unseen.

use std::path::{Path, PathBuf};

/// Removes, in `parent`, the staging directories of `name` (the caller holds the target's lock, so no
/// live run writes them) and those of any other name whose process is gone; returns what it removed.
pub fn clean(parent: &Path, name: &str) -> Vec<PathBuf> {
    let own = std::process::id();
    let Ok(entries) = std::fs::read_dir(parent) else { return Vec::new() };
    let mut removed = Vec::new();
    for e in entries.flatten() {
        let file_name = e.file_name().to_string_lossy().into_owned();
        let Some((of, pid)) = parse(&file_name) else { continue };
        if pid == own || !e.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        if (of == name || !alive(pid)) && std::fs::remove_dir_all(e.path()).is_ok() {
            removed.push(e.path());
        }
    }
    removed.sort();
    removed
}

/// `.NAME.partial-PID` → (NAME, PID).
fn parse(file_name: &str) -> Option<(&str, u32)> {
    let rest = file_name.strip_prefix('.')?;
    let (of, pid) = rest.rsplit_once(".partial-")?;
    Some((of, pid.parse().ok()?))
}

#[cfg(unix)]
fn alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    // SAFETY: signal 0 only asks whether the process exists; nothing is sent.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(not(unix))]
fn alive(_: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    #[test]
    fn staging_names_parse() {
        assert_eq!(super::parse(".r.partial-12"), Some(("r", 12)));
        assert_eq!(super::parse(".a.partial-b.partial-7"), Some(("a.partial-b", 7)));
        assert_eq!(super::parse("r.partial-12"), None);
        assert_eq!(super::parse(".r.partial-x"), None);
    }
}
