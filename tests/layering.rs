//! Architecture invariants, read from `cargo metadata`: each crate depends only on the layers below it,
//! plotters is linked by sorn-viz alone, and the binary-only crates (clap, indicatif, file formats) by the
//! root package alone.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

fn workspace_deps() -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version", "1", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut map = BTreeMap::new();
    for p in meta["packages"].as_array().unwrap() {
        let deps = p["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"].is_null())
            .map(|d| d["name"].as_str().unwrap().to_string())
            .collect();
        map.insert(p["name"].as_str().unwrap().to_string(), deps);
    }
    map
}

fn ours(deps: &BTreeSet<String>) -> BTreeSet<&str> {
    deps.iter().map(String::as_str).filter(|d| d.starts_with("sorn")).collect()
}

#[test]
fn each_crate_depends_only_on_layers_below() {
    let m = workspace_deps();
    assert_eq!(m.len(), 5, "workspace members: {:?}", m.keys());
    assert!(ours(&m["sorn-core"]).is_empty(), "sorn-core must not depend on the workspace");
    assert_eq!(ours(&m["sorn-plasticity"]), BTreeSet::from(["sorn-core"]));
    assert!(ours(&m["sorn-analysis"]).is_subset(&BTreeSet::from(["sorn-core"])));
    assert!(ours(&m["sorn-viz"]).is_subset(&BTreeSet::from(["sorn-core", "sorn-analysis"])));
}

#[test]
fn plotters_and_binary_crates_stay_in_their_layer() {
    let m = workspace_deps();
    for (name, deps) in &m {
        if name != "sorn-viz" {
            assert!(!deps.contains("plotters"), "{name} links plotters");
        }
        if name != "sorn" {
            for bin_only in ["clap", "indicatif", "ndarray-npy", "bincode", "toml", "anyhow"] {
                assert!(!deps.contains(bin_only), "{name} links {bin_only}");
            }
        }
    }
}
