//! The workspace's `rust-version` is what its locked dependencies need: not lower (the build would fail
//! on the toolchain we claim to support) and not higher (we would turn users away for nothing).

use std::process::Command;

fn parse(v: &str) -> Vec<u64> {
    let mut parts: Vec<u64> = v.split('.').map(|p| p.parse().expect("a numeric version")).collect();
    parts.resize(3, 0);
    parts
}

#[test]
fn rust_version_is_the_newest_that_a_locked_dependency_needs() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let host =
        String::from_utf8(Command::new("rustc").arg("-vV").output().expect("rustc runs").stdout).unwrap();
    let host = host.lines().find_map(|l| l.strip_prefix("host: ")).expect("rustc names its host").to_string();
    let o = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline", "--filter-platform", &host])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(o.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&o.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let members: Vec<&str> =
        meta["workspace_members"].as_array().unwrap().iter().filter_map(|m| m.as_str()).collect();
    let (mut ours, mut needed) = (Vec::new(), (vec![0, 0, 0], String::new()));
    for p in meta["packages"].as_array().unwrap() {
        let Some(v) = p["rust_version"].as_str() else { continue };
        if members.contains(&p["id"].as_str().unwrap_or_default()) {
            ours.push((p["name"].to_string(), parse(v)));
        } else if parse(v) > needed.0 {
            needed = (parse(v), format!("{} {}", p["name"], p["version"]));
        }
    }
    assert!(!ours.is_empty(), "the workspace members declare rust-version");
    for (name, v) in ours {
        assert_eq!(v, needed.0, "{name}: rust-version {v:?}, but {} needs {:?}", needed.1, needed.0);
    }
}
