//! Test helpers: deterministic data, a scratch directory, PNG checks.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub const SIZE: (u32, u32) = (800, 600);

/// A fresh empty directory under the target dir, unique per test name.
pub fn scratch(name: &str) -> PathBuf {
    let base = option_env!("CARGO_TARGET_TMPDIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let d = base.join("sorn-viz-tests").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Files in `dir` (to check that nothing, not even a temporary file, was left behind).
pub fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A small deterministic PRNG (xorshift64*), uniform in [0, 1).
pub struct Rng(u64);
impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform().max(1e-300), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
    /// Discrete power law x ≥ 1 with exponent `a` (inverse transform of the continuous law, floored).
    pub fn power_law(&mut self, a: f64) -> f64 {
        (0.5 * (1.0 - self.uniform()).powf(-1.0 / (a - 1.0)) + 0.5).floor().max(1.0)
    }
}

pub fn lognormal_weights(n: usize, seed: u64) -> Vec<f64> {
    let mut r = Rng::new(seed);
    (0..n).map(|i| if i % 3 == 0 { 0.0 } else { (-2.5 + 0.8 * r.normal()).exp() }).collect()
}

/// A T × N spike train with rate p per unit and step (plus a slow rate modulation).
pub fn spike_train(t: usize, n: usize, p: f64, seed: u64) -> Vec<Vec<bool>> {
    let mut r = Rng::new(seed);
    (0..t)
        .map(|s| {
            let q = p * (1.0 + 0.5 * (s as f64 / 40.0).sin());
            (0..n).map(|_| r.uniform() < q).collect()
        })
        .collect()
}

/// Decode a PNG and check its size and that it is not blank: returns (non-white pixels, title-area
/// non-white pixels, where the title area is the top 8 % of the image, centre 60 % of the width).
pub fn check_png(path: &Path, size: (u32, u32)) -> (usize, usize) {
    let img = image::open(path).unwrap_or_else(|e| panic!("{path:?}: {e}")).to_rgb8();
    assert_eq!(img.dimensions(), size, "{path:?} has the wrong size");
    let non_white = img.pixels().filter(|p| p.0 != [255, 255, 255]).count();
    let (w, h) = size;
    let mut title = 0;
    for y in 0..h * 8 / 100 {
        for x in w / 5..w * 4 / 5 {
            if img.get_pixel(x, y).0 != [255, 255, 255] {
                title += 1;
            }
        }
    }
    let total = (w * h) as usize;
    assert!(non_white > total / 100, "{path:?}: only {non_white} of {total} pixels drawn");
    assert!(non_white < total * 9 / 10, "{path:?}: {non_white} of {total} pixels drawn: looks flooded");
    assert!(title > 50, "{path:?}: title area is empty ({title} drawn pixels)");
    (non_white, title)
}

/// Check that an SVG file exists and contains each of `needles`.
pub fn check_svg(path: &Path, needles: &[&str]) {
    let s = std::fs::read_to_string(path).unwrap();
    assert!(s.starts_with("<svg") || s.contains("<svg"), "{path:?} is not an SVG");
    for n in needles {
        assert!(s.contains(n), "{path:?} lacks the text {n:?}");
    }
}
