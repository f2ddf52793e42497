//! Hostile files and settings: every size a file claims is checked before it is allocated, a network
//! that cannot fit is refused before it is built, every write of a result is checked, an edited
//! config.toml is not silently ignored, and messages are sentences without debug dumps or raw escapes.

mod common;

use common::cli::{fails_in as fails, ok_in, scratch as tmp, sorn_in, stdout};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// A `.npy` file with the given header dict and data.
fn npy(dict: &str, data: &[u8]) -> Vec<u8> {
    let dict = format!("{dict}\n");
    let mut v = b"\x93NUMPY\x01\x00".to_vec();
    v.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    v.extend_from_slice(dict.as_bytes());
    v.extend_from_slice(data);
    v
}

/// A zip archive of stored (uncompressed) members.
fn zip_of(path: &Path, members: &[(&str, Vec<u8>)]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in members {
        z.start_file(*name, opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

fn quick_run(d: &Path, name: &str) {
    ok_in(&["run", "--steps", "300", "--seed", "2", "--out", name, "--no-plots", "--quiet"], d);
}

#[test]
fn claimed_sizes_are_checked_before_allocating() {
    let d = tmp("claims");
    // An 80 GB claim with 800 bytes of data.
    std::fs::write(
        d.join("huge.npy"),
        npy("{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }", &[0; 800]),
    )
    .unwrap();
    fails(
        &["analyze", "huge.npy"],
        &d,
        "claims shape (100000, 100000) (80.0 GB of data) but only 800 B follow",
    );
    fails(&["run", "--input", "huge.npy", "--out", "x"], &d, "huge.npy");
    // A product of dimensions beyond any address space.
    let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }";
    std::fs::write(d.join("overflow.npy"), npy(dict, &[])).unwrap();
    fails(&["analyze", "overflow.npy"], &d, "more elements than can be addressed");
    // A state.npz member claiming 10^15 values.
    let member = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000000,), }", &[0; 64]);
    zip_of(&d.join("claims.npz"), &[("t_e.npy", member.clone()), ("shape_w_ee.npy", member)]);
    fails(&["run", "--from", "claims.npz", "--out", "x"], &d, "claims shape (1000000000000000,)");
}

#[test]
fn a_member_declaring_more_than_deflate_can_produce_is_refused() {
    let d = tmp("bomb");
    let member = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", &[0; 16]);
    zip_of(&d.join("bomb.npz"), &[("shape_w_ee.npy", member)]);
    // Patch the central directory's uncompressed size (offset 24 of the PK\1\2 record) to 3 GB.
    let mut bytes = std::fs::read(d.join("bomb.npz")).unwrap();
    let cd = bytes.windows(4).position(|w| w == b"PK\x01\x02").expect("a central directory");
    bytes[cd + 24..cd + 28].copy_from_slice(&3_000_000_000u32.to_le_bytes());
    std::fs::write(d.join("bomb.npz"), &bytes).unwrap();
    fails(&["run", "--from", "bomb.npz", "--out", "x"], &d, "more than deflate can produce");
}

#[test]
fn a_snapshot_claiming_a_huge_string_is_refused() {
    let d = tmp("snapstr");
    // The payload begins with the config text's length: bincode's varint 0xFD + u64 = 2^62.
    let mut payload = vec![0xFD];
    payload.extend_from_slice(&(1u64 << 62).to_le_bytes());
    payload.extend_from_slice(b"{\"seed\": 1}");
    let mut v1 = b"SORNSNAP".to_vec();
    v1.extend_from_slice(&1u32.to_le_bytes());
    v1.extend_from_slice(&payload);
    std::fs::write(d.join("v1.bin"), &v1).unwrap();
    fails(&["resume", "v1.bin", "--steps", "5", "--out", "x"], &d, "the file ends early");
    // The same with a valid checksum: the claim alone must not allocate.
    let mut v2 = b"SORNSNAP".to_vec();
    v2.extend_from_slice(&2u32.to_le_bytes());
    v2.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    v2.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    v2.extend_from_slice(&payload);
    std::fs::write(d.join("v2.bin"), &v2).unwrap();
    fails(&["resume", "v2.bin", "--steps", "5", "--out", "x"], &d, "the file ends early");
}

#[test]
fn fortran_ordered_arrays_read_as_their_c_ordered_twins() {
    let d = tmp("fortran");
    quick_run(&d, "r");
    let raster = sorn::io::npy::read_matrix(&d.join("r/e_raster.npy"), "raster").unwrap();
    let (t, n) = raster.dim();
    // The same raster stored column by column.
    let cols: Vec<u8> =
        (0..n).flat_map(|j| (0..t).map(move |i| (i, j))).map(|(i, j)| raster[[i, j]] as u8).collect();
    let dict = format!("{{'descr': '|u1', 'fortran_order': True, 'shape': ({t}, {n}), }}");
    std::fs::write(d.join("f.npy"), npy(&dict, &cols)).unwrap();
    let a = stdout(&ok_in(&["analyze", "--json", "r/e_raster.npy"], &d));
    let b = stdout(&ok_in(&["analyze", "--json", "f.npy"], &d));
    assert_eq!(a, b);
}

#[test]
fn a_network_that_cannot_fit_is_refused_before_it_is_built() {
    let d = tmp("memory");
    fails(&["run", "--set", "ne=100000", "--out", "x"], &d, "synapses (E←E");
    let o = sorn_in(&["run", "--set", "ne=100000", "--out", "x"], Some(&d));
    let err = common::cli::stderr(&o);
    for needle in
        ["I←E 2.0e9", "needs about 80.1 GB of memory", "network.w_ie.kind=fixed-in-degree", "`large` preset"]
    {
        assert!(err.contains(needle), "{needle:?} missing in: {err}");
    }
    fails(&["run", "--threads", "100000", "--out", "x"], &d, "the cores available");
    fails(&["run", "--threads", "0", "--out", "x"], &d, "--threads");
    fails(&["run", "--steps", "2000000000000000000", "--out", "x"], &d, "run.steps");
}

/// Runs `sorn ARGS` in `cwd` with stdout on /dev/full.
fn to_full_disk(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sorn"))
        .args(args)
        .current_dir(cwd)
        .stdout(std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap())
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn a_full_disk_behind_stdout_is_an_error() {
    let d = tmp("devfull");
    quick_run(&d, "r");
    for args in [&["analyze", "--json", "r"][..], &["avalanches", "r"], &["presets"]] {
        let o = to_full_disk(args, &d);
        let err = common::cli::stderr(&o);
        assert_eq!(o.status.code(), Some(2), "sorn {args:?}: {err}");
        assert!(err.contains("cannot write to standard output") && !err.contains("panicked"), "{err}");
    }
}

#[test]
fn an_edited_config_is_refused_by_resume() {
    let d = tmp("edited");
    quick_run(&d, "r");
    let cfg = d.join("r/config.toml");
    let original = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, original.replace("\nne = 200\n", "\nne = 300\n")).unwrap();
    fails(&["resume", "r", "--steps", "5", "--out", "x"], &d, "network.ne = 300, the snapshot has 200");
    fails(&["run", "--from", "r", "--steps", "5", "--out", "x"], &d, "sorn run --config");
    std::fs::write(&cfg, original.replace("\nsteps = 300\n", "\nsteps = 7\n")).unwrap();
    fails(&["resume", "r", "--steps", "5", "--out", "x"], &d, "--set run.steps=7");
    std::fs::write(&cfg, &original).unwrap();
    ok_in(&["resume", "r", "--steps", "5", "--out", "x", "--no-plots", "--quiet"], &d);
}

#[test]
fn messages_are_sentences() {
    let d = tmp("messages");
    quick_run(&d, "r");
    let snap = std::fs::read(d.join("r/snapshot.bin")).unwrap();
    std::fs::write(d.join("cut.bin"), &snap[..snap.len() - 100]).unwrap();
    fails(&["resume", "cut.bin", "--steps", "5", "--out", "x"], &d, "truncated snapshot");
    let o = sorn_in(&["resume", "cut.bin", "--steps", "5", "--out", "x"], Some(&d));
    assert!(!common::cli::stderr(&o).contains("Io {"), "a debug dump");
    // Escape codes in a user's string are shown escaped, never sent to the terminal.
    let o = sorn_in(&["run", "--preset", "\u{1b}[31mred", "--out", "x"], Some(&d));
    let err = common::cli::stderr(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(!err.contains('\u{1b}') && err.contains("\\u{1b}[31mred"), "{err:?}");
    std::fs::write(
        d.join("trunc.npy"),
        npy("{'descr': '<f8', 'fortran_order': True, 'shape': (4, 4), }", &[0; 8]),
    )
    .unwrap();
    fails(&["analyze", "trunc.npy"], &d, "the file is truncated or its header is corrupt");
}
