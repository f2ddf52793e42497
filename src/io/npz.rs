//! `.npz` archives (a zip of `.npy` members): a reader that checks every claimed size before it
//! allocates, and a file writer whose first error is kept and reported once.

use super::IoError;
use super::npy::{self, NpyData};
use std::cell::RefCell;
use std::fs::File;
use std::io::{BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Deflate cannot expand data more than about 1032:1; a member declaring more is corrupt or a zip bomb.
const MAX_DEFLATE_RATIO: u64 = 1032;
/// Small members (headers, short vectors) may exceed the ratio by this many bytes.
const RATIO_SLACK: u64 = 4096;

/// An open `.npz` archive.
pub struct NpzArchive {
    zip: zip::ZipArchive<BufReader<File>>,
    names: Vec<String>,
    path: PathBuf,
}

impl NpzArchive {
    /// Opens an archive and reads its directory.
    pub fn open(path: &Path) -> Result<Self, IoError> {
        let (file, _) = super::open_file(path, "an .npz archive")?;
        let zip = zip::ZipArchive::new(BufReader::new(file))
            .map_err(|e| IoError::format(path, format!("not an npz (zip) archive: {e}")))?;
        let names = zip.file_names().map(str::to_owned).collect();
        Ok(NpzArchive { zip, names, path: path.to_path_buf() })
    }

    /// Whether the archive holds array `key` (numpy stores it as `key.npy`).
    pub fn has(&self, key: &str) -> bool {
        self.member_name(key).is_some()
    }

    fn member_name(&self, key: &str) -> Option<&str> {
        let npy = format!("{key}.npy");
        self.names.iter().find(|n| **n == npy || *n == key).map(String::as_str)
    }

    /// Reads array `key`. Its declared uncompressed size must be one deflate can produce from the
    /// compressed bytes, and the `.npy` header inside must claim exactly that size.
    pub fn array(&mut self, key: &str) -> Result<NpyData, IoError> {
        let name = self
            .member_name(key)
            .ok_or_else(|| IoError::format(&self.path, format!("missing array `{key}`")))?
            .to_owned();
        let path = self.path.clone();
        let fail = |msg: String| IoError::format(&path, format!("array `{key}`: {msg}"));
        let member = self.zip.by_name(&name).map_err(|e| fail(format!("unreadable member: {e}")))?;
        let (size, packed) = (member.size(), member.compressed_size());
        if size > packed.saturating_mul(MAX_DEFLATE_RATIO).saturating_add(RATIO_SLACK) {
            return Err(fail(format!(
                "the member declares {} uncompressed from {} compressed, more than deflate can produce: \
                 the archive is corrupt or a zip bomb",
                crate::memory::human(size),
                crate::memory::human(packed)
            )));
        }
        npy::from_reader(member, size).map_err(fail)
    }
}

/// A writer that keeps its first error and then accepts (and drops) everything, so that a zip writer
/// dropped after a failed write finalises silently instead of printing its own message; the kept error
/// is read from the [`LatchError`] handle. After the error, positions are kept as if the writes had
/// succeeded, so the zip writer's offsets stay consistent.
pub struct Latch<W> {
    inner: W,
    error: Rc<RefCell<Option<std::io::Error>>>,
    pos: u64,
    len: u64,
}

/// The handle that reads a [`Latch`]'s first error after the writer is gone.
#[derive(Clone)]
pub struct LatchError(Rc<RefCell<Option<std::io::Error>>>);

impl LatchError {
    /// The first error, if a write, flush or seek failed.
    pub fn take(&self) -> Option<std::io::Error> {
        self.0.borrow_mut().take()
    }
}

impl<W> Latch<W> {
    pub fn new(inner: W) -> (Self, LatchError) {
        let error = Rc::new(RefCell::new(None));
        (Latch { inner, error: error.clone(), pos: 0, len: 0 }, LatchError(error))
    }

    /// The wrapped writer.
    pub fn into_inner(self) -> W {
        self.inner
    }

    fn failed(&self) -> bool {
        self.error.borrow().is_some()
    }

    fn fail(&mut self, e: std::io::Error) {
        self.error.borrow_mut().get_or_insert(e);
    }

    fn advance(&mut self, n: usize) {
        self.pos += n as u64;
        self.len = self.len.max(self.pos);
    }
}

impl<W: Write> Write for Latch<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = if self.failed() {
            buf.len()
        } else {
            match self.inner.write(buf) {
                Ok(n) => n,
                Err(e) => {
                    self.fail(e);
                    buf.len()
                }
            }
        };
        self.advance(n);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.failed()
            && let Err(e) = self.inner.flush()
        {
            self.fail(e);
        }
        Ok(())
    }
}

impl<W: Seek> Seek for Latch<W> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let virtual_pos = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
        };
        let pos = if self.failed() {
            virtual_pos
        } else {
            match self.inner.seek(to) {
                Ok(p) => Some(p),
                Err(e) => {
                    self.fail(e);
                    virtual_pos
                }
            }
        };
        self.pos =
            pos.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before start"))?;
        self.len = self.len.max(self.pos);
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Full;
    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "no space left"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn latch_keeps_the_first_error() {
        let (mut w, err) = Latch::new(Full);
        w.write_all(b"abc").unwrap();
        w.write_all(b"def").unwrap();
        assert_eq!(err.take().map(|e| e.kind()), Some(std::io::ErrorKind::StorageFull));
        assert!(err.take().is_none());
    }
}
