//! The embedded font: a Latin + Greek + math-symbol subset of DejaVu Sans (Bitstream Vera licence, see
//! `assets/DejaVuSans-LICENSE.txt`), registered with plotters as "sans-serif" exactly once per process.
//! No fontconfig or system font is used at build or run time.

use crate::error::VizError;
use plotters::style::{FontStyle, register_font};
use std::sync::OnceLock;

/// The bytes of the embedded TrueType subset.
pub const FONT_BYTES: &[u8] = include_bytes!("../assets/DejaVuSans-subset.ttf");

/// The family name every figure uses.
pub(crate) const FAMILY: &str = "sans-serif";

static REGISTERED: OnceLock<bool> = OnceLock::new();

/// Register the embedded font (once); later calls return the first outcome.
pub fn ensure_font() -> Result<(), VizError> {
    let ok = *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT_BYTES).is_ok());
    if ok {
        Ok(())
    } else {
        Err(VizError::Font("the embedded DejaVu Sans subset could not be parsed".into()))
    }
}
