//! A disk that fills up during a run, on a small tmpfs mounted in a private mount namespace
//! (`unshare -rm`, so the test needs no privileges and leaves no mount behind): a full disk while the
//! state is written is one clear error and leaves nothing half-written; a full disk while the figures
//! are drawn leaves a complete run that says it has no figures, and exit code 2.

mod common;

use common::cli::{ok_in, scratch as tmp};
use std::path::Path;
use std::process::Command;

/// Bytes a tmpfs needs for the files below `d` (each rounded up to whole pages), plus `extra`.
fn tmpfs_size(d: &Path, skip: &[&str], extra: u64) -> u64 {
    let pages: u64 = common::cli::walk(d)
        .iter()
        .filter(|p| p.is_file() && !skip.iter().any(|s| p.ends_with(s)))
        .map(|p| std::fs::metadata(p).unwrap().len().div_ceil(4096) * 4096)
        .sum();
    pages + extra
}

/// Runs `sorn ARGS` in a fresh tmpfs of `size` bytes; returns (exit code, stderr, listing, summary).
fn on_tmpfs(name: &str, size: u64, args: &str) -> (i32, String, String, String) {
    let mnt = tmp(&format!("{name}-mnt"));
    let script = format!(
        "set -u; mount -t tmpfs -o size={size} tmpfs {m} || exit 99; cd {m}; {sorn} {args} 2> err; rc=$?; \
         echo \"rc=$rc\"; echo '--- err'; cat err; rm err; echo '--- ls'; find . | sort; echo '--- summary'; \
         cat r/summary.json 2>/dev/null; true",
        m = mnt.display(),
        sorn = env!("CARGO_BIN_EXE_sorn"),
    );
    let o = Command::new("unshare").args(["-rm", "sh", "-c", &script]).output().expect("unshare runs");
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(!out.is_empty(), "the namespace did not start: {}", String::from_utf8_lossy(&o.stderr));
    let part = |from: &str, to: &str| {
        let a = out.find(from).map_or(out.len(), |i| i + from.len());
        let b = out[a..].find(to).map_or(out.len(), |i| a + i);
        out[a..b].trim().to_string()
    };
    let rc = part("rc=", "\n").parse().unwrap_or(-1);
    (rc, part("--- err", "--- ls"), part("--- ls", "--- summary"), part("--- summary", "\u{0}"))
}

#[test]
fn a_full_disk_while_the_state_is_written_is_one_error_and_leaves_nothing() {
    let d = tmp("full-state");
    ok_in(&["run", "--steps", "300", "--seed", "2", "--out", "r", "--no-plots", "--quiet"], &d);
    // Room for everything but state.npz.
    let size = tmpfs_size(&d, &["state.npz"], 8192);
    let (rc, err, ls, _) =
        on_tmpfs("full-state", size, "run --steps 300 --seed 2 --out r --no-plots --quiet");
    assert_eq!(rc, 2, "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains("state.npz") && err.contains("No space left on device"), "{err}");
    assert!(!err.contains("ZipWriter"), "{err}");
    assert!(!ls.contains(".partial-") && !ls.contains(".tmp-") && !ls.contains("./r/"), "left behind: {ls}");
}

#[test]
fn a_full_disk_while_figures_are_drawn_leaves_a_complete_run_marked_without_figures() {
    let d = tmp("full-plots");
    ok_in(&["run", "--steps", "300", "--seed", "2", "--out", "r", "--no-plots", "--quiet"], &d);
    let size = tmpfs_size(&d, &[], 16384);
    let (rc, err, ls, summary) = on_tmpfs("full-plots", size, "run --steps 300 --seed 2 --out r --quiet");
    assert_eq!(rc, 2, "stderr: {err}");
    assert!(err.contains("figures not drawn") && err.contains("sorn plot"), "{err}");
    for f in ["snapshot.bin", "state.npz", "e_raster.npy", "config.toml"] {
        assert!(ls.contains(&format!("./r/{f}")), "{f} missing: {ls}");
    }
    let s: serde_json::Value = serde_json::from_str(&summary).expect("summary.json is complete");
    assert!(s["figures_error"].as_str().is_some_and(|e| e.contains("No space left")), "{summary}");
    assert_eq!(s["steps"], 300);
}
