//! Output: format from the file extension, size checks, rendering into memory, a non-blank check, and an
//! atomic write (temporary file in the same directory, renamed when complete).

use crate::error::{ResultExt, VizError};
use crate::font::ensure_font;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Smallest accepted image (width, height) in pixels.
pub const MIN_SIZE: (u32, u32) = (240, 180);
/// Largest accepted side in pixels.
pub const MAX_SIDE: u32 = 16_384;

/// Output file format, chosen by the file extension (case-insensitive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    /// `.png` → Png, `.svg` → Svg, anything else (or none) → [`VizError::UnknownExtension`].
    pub fn from_path(path: &Path) -> Result<Format, VizError> {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("png") => Ok(Format::Png),
            Some("svg") => Ok(Format::Svg),
            _ => Err(VizError::UnknownExtension { path: path.to_path_buf() }),
        }
    }
}

/// Check an image size against [`MIN_SIZE`] and [`MAX_SIDE`].
pub fn check_size((width, height): (u32, u32)) -> Result<(), VizError> {
    if width < MIN_SIZE.0 || height < MIN_SIZE.1 {
        return Err(VizError::SizeTooSmall { width, height, min_width: MIN_SIZE.0, min_height: MIN_SIZE.1 });
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(VizError::SizeTooLarge { width, height, max: MAX_SIDE });
    }
    Ok(())
}

/// A prepared figure: all data already validated, so drawing only fails on backend/font problems.
pub(crate) trait Figure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), VizError>
    where
        DB::ErrorType: 'static;
}

/// Render `fig` into an RGB buffer of `size` (white background), row-major, 3 bytes per pixel.
pub(crate) fn render_rgb<F: Figure>(fig: &F, size: (u32, u32)) -> Result<Vec<u8>, VizError> {
    check_size(size)?;
    ensure_font()?;
    let mut buf = vec![255u8; size.0 as usize * size.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, size).into_drawing_area();
        root.fill(&WHITE).viz()?;
        fig.draw(&root)?;
        root.present().viz()?;
    }
    if buf.iter().all(|&b| b == 255) {
        return Err(VizError::BlankFigure);
    }
    Ok(buf)
}

/// Render `fig` as an SVG document.
pub(crate) fn render_svg<F: Figure>(fig: &F, size: (u32, u32)) -> Result<String, VizError> {
    check_size(size)?;
    ensure_font()?;
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, size).into_drawing_area();
        root.fill(&WHITE).viz()?;
        fig.draw(&root)?;
        root.present().viz()?;
    }
    // The background is one <rect>; anything drawn adds further elements.
    let drawn = ["<text", "<polyline", "<line", "<circle", "<path", "<polygon"].iter().any(|t| s.contains(t))
        || s.matches("<rect").count() > 1;
    if !drawn {
        return Err(VizError::BlankFigure);
    }
    Ok(s)
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "figure".into());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!(".{name}.{}-{n}.tmp", std::process::id()))
}

/// Render `fig` and write it to `path` atomically. Checks extension and size before rendering, renders
/// fully in memory, refuses blank output, writes a temporary file in the same directory and renames it.
pub(crate) fn save<F: Figure>(fig: &F, path: &Path, size: (u32, u32)) -> Result<(), VizError> {
    let format = Format::from_path(path)?;
    check_size(size)?;
    let tmp = temp_path(path);
    let io = |source| VizError::Io { path: path.to_path_buf(), source };
    let written = match format {
        Format::Png => {
            let buf = render_rgb(fig, size)?;
            image::save_buffer_with_format(
                &tmp,
                &buf,
                size.0,
                size.1,
                image::ColorType::Rgb8,
                image::ImageFormat::Png,
            )
            .map_err(|e| match e {
                image::ImageError::IoError(source) => io(source),
                other => VizError::Encode { path: path.to_path_buf(), message: other.to_string() },
            })
        }
        Format::Svg => {
            let s = render_svg(fig, size)?;
            std::fs::write(&tmp, s).map_err(io)
        }
    };
    let result = written.and_then(|()| std::fs::rename(&tmp, path).map_err(io));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
