//! The one error type of this crate.

use std::path::PathBuf;

/// Why a figure was not written. Whenever a function returns an error, no output file (and no temporary
/// file) is left behind.
#[derive(Debug, thiserror::Error)]
pub enum VizError {
    /// A data argument has no elements (or nothing left after the documented filtering).
    #[error("no data to plot: `{what}` is empty")]
    EmptyData { what: &'static str },
    /// Every weight is zero (or below the plotting cut-off), so there is nothing to plot.
    #[error("nothing to plot: all {count} weights in `{what}` are zero or below the cut-off {cutoff}")]
    AllZeroWeights { what: &'static str, count: usize, cutoff: f64 },
    /// A data argument or fit parameter contains NaN or ±∞.
    #[error("non-finite value in `{what}` at index {index}: {value}")]
    NonFinite { what: &'static str, index: usize, value: f64 },
    /// A parameter is outside its valid range (negative threshold, probability > 1, zero bins, …).
    #[error("invalid parameter `{what}`: {reason}")]
    InvalidParameter { what: &'static str, reason: String },
    /// Rows of a matrix argument have different lengths, or a matrix is not square where it must be.
    #[error("bad shape of `{what}`: {reason}")]
    BadShape { what: &'static str, reason: String },
    /// The requested image is too small to hold a readable figure.
    #[error("image size {width}×{height} is too small (minimum {min_width}×{min_height})")]
    SizeTooSmall { width: u32, height: u32, min_width: u32, min_height: u32 },
    /// The requested image is larger than this crate is willing to allocate.
    #[error("image size {width}×{height} is too large (maximum {max} pixels per side)")]
    SizeTooLarge { width: u32, height: u32, max: u32 },
    /// The output file name has no extension, or one that is neither `.png` nor `.svg`.
    #[error("unknown output format for {path:?}: expected a .png or .svg extension")]
    UnknownExtension { path: PathBuf },
    /// The embedded font could not be registered or a glyph could not be drawn.
    #[error("font error: {0}")]
    Font(String),
    /// plotters reported a drawing failure.
    #[error("drawing failed: {0}")]
    Drawing(String),
    /// The rendered figure had no visible content; it was not written.
    #[error("the rendered figure is blank; nothing was written")]
    BlankFigure,
    /// Writing or renaming the output file failed.
    #[error("cannot write {path:?}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// PNG encoding failed.
    #[error("cannot encode PNG {path:?}: {message}")]
    Encode { path: PathBuf, message: String },
}

/// Convert a plotters drawing error, keeping font failures apart.
pub(crate) fn drawing_error<E: std::error::Error + Send + Sync>(
    e: plotters::drawing::DrawingAreaErrorKind<E>,
) -> VizError {
    // plotters does not re-export the backend error enum; its font variant says "font" in its message.
    let msg = e.to_string();
    if msg.to_ascii_lowercase().contains("font") { VizError::Font(msg) } else { VizError::Drawing(msg) }
}

/// `result.viz()?` turns plotters errors into [`VizError`].
pub(crate) trait ResultExt<T> {
    fn viz(self) -> Result<T, VizError>;
}

impl<T, E: std::error::Error + Send + Sync> ResultExt<T>
    for Result<T, plotters::drawing::DrawingAreaErrorKind<E>>
{
    fn viz(self) -> Result<T, VizError> {
        self.map_err(drawing_error)
    }
}
