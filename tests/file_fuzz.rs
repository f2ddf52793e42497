//! Byte flips in the files sorn reads: a snapshot, a `state.npz` and a `.npy`, each a few hundred
//! times with a fixed seed. No flip may panic or abort (an abort ends this test process, so it fails);
//! a flipped snapshot is always refused (its checksum), a flipped `.npy` or `state.npz` is either
//! refused with a message naming the file or read as a valid array.

use sorn::Sorn;
use sorn::io::{npy, snapshot, state_npz};
use sorn::prelude::NoInput;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

const CASES: usize = 300;

/// splitmix64: a fixed, dependency-free stream of flips.
struct Flips(u64);

impl Flips {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `bytes` with 1 to 3 bytes XOR-ed with a non-zero value; half of the flips hit the first 256
    /// bytes, where the headers are.
    fn flip(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut out = bytes.to_vec();
        for _ in 0..1 + self.next() % 3 {
            let span = if self.next().is_multiple_of(2) { out.len().min(256) } else { out.len() };
            let at = (self.next() % span as u64) as usize;
            out[at] ^= 1 + (self.next() % 255) as u8;
        }
        out
    }
}

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("sorn-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn small_sim() -> Sorn {
    let cfg = sorn::Config::from_toml("preset = \"zheng2013\"\nseed = 5\n[network]\nne = 40\n")
        .unwrap()
        .check()
        .unwrap();
    let mut sim = Sorn::new(&cfg);
    sim.run(30, &mut NoInput, &mut ());
    sim
}

/// Loads every flipped variant with `load`, which must not panic; returns how many loaded.
fn fuzz<T>(
    name: &str,
    valid: &[u8],
    seed: u64,
    load: impl Fn(&Path) -> Result<T, sorn::io::IoError>,
) -> usize {
    let d = dir();
    let path = d.join(name);
    let mut flips = Flips(seed);
    let mut loaded = 0;
    for case in 0..CASES {
        let bytes = flips.flip(valid);
        std::fs::write(&path, &bytes).unwrap();
        match catch_unwind(AssertUnwindSafe(|| load(&path))) {
            Ok(Ok(_)) => loaded += 1,
            Ok(Err(e)) => {
                let msg = e.to_string();
                assert!(msg.contains(name), "case {case}: the error must name the file: {msg}");
                assert!(
                    !msg.contains("Error {") && !msg.contains("kind:"),
                    "case {case}: a debug dump: {msg}"
                );
            }
            Err(_) => panic!("case {case}: loading a flipped {name} panicked"),
        }
    }
    loaded
}

#[test]
fn flipped_snapshots_are_always_refused() {
    let valid = snapshot::to_bytes(&small_sim()).unwrap();
    let loaded = fuzz("snapshot.bin", &valid, 1, snapshot::load);
    assert_eq!(loaded, 0, "the checksum must catch every flip");
}

#[test]
fn flipped_state_npz_is_refused_or_valid() {
    let d = dir();
    let p = d.join("valid-state.npz");
    state_npz::save(&small_sim().network().to_state(), &p).unwrap();
    let valid = std::fs::read(&p).unwrap();
    let loaded = fuzz("state.npz", &valid, 2, |p| {
        let st = state_npz::load(p)?;
        // What loads is consistent: every CSR triplet was validated.
        assert_eq!(st.x.len(), st.t_e.len());
        Ok(st)
    });
    // zip's CRC catches flips in the members' bytes; some flips land in fields nobody reads.
    assert!(loaded < CASES, "no flip was detected at all");
}

#[test]
fn flipped_npy_is_refused_or_valid() {
    let d = dir();
    let p = d.join("valid.npy");
    let values: Vec<f64> = (0..600).map(|i| f64::from(i) * 0.25).collect();
    npy::write(&p, &values, Some(20)).unwrap();
    let valid = std::fs::read(&p).unwrap();
    let loaded = fuzz("x.npy", &valid, 3, |p| {
        let a = npy::read(p)?;
        // A header that still parses must agree with the file's 4 800 bytes of data.
        let n: usize = a.shape().iter().product();
        assert!(n <= 4800, "{:?}", a.shape());
        Ok(a)
    });
    assert!(loaded > 0 && loaded < CASES, "value flips load, header flips are refused ({loaded} loaded)");
}
