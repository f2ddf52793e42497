//! `.npy` files: a streaming writer (constant memory, shape patched in at the end) and readers that
//! accept the dtypes numpy users produce and check every size a header claims.

mod header;
mod read;

pub use read::{NpyData, from_reader, shape_str};

use super::{IoError, tmp_sibling};
use ndarray::{Array1, Array2, ArrayD, Ix1, Ix2};
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// An element type with its numpy dtype descriptor (little-endian).
pub trait NpyElem: Copy {
    const DESCR: &'static str;
    fn write_le(self, out: &mut impl Write) -> std::io::Result<()>;
}

macro_rules! elem {
    ($t:ty, $d:expr) => {
        impl NpyElem for $t {
            const DESCR: &'static str = $d;
            fn write_le(self, out: &mut impl Write) -> std::io::Result<()> {
                out.write_all(&self.to_le_bytes())
            }
        }
    };
}
elem!(u8, "|u1");
elem!(u32, "<u4");
elem!(i64, "<i8");
elem!(u64, "<u8");
elem!(f64, "<f8");

/// Fixed header size (magic + version + length + dict), so the shape can be rewritten in place.
const HEADER_LEN: usize = 128;

fn write_header(descr: &str, shape: &[usize]) -> Vec<u8> {
    let shape = shape_str(shape);
    let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    let mut h = Vec::with_capacity(HEADER_LEN);
    h.extend_from_slice(b"\x93NUMPY\x01\x00");
    h.extend_from_slice(&((HEADER_LEN - 10) as u16).to_le_bytes());
    h.extend_from_slice(dict.as_bytes());
    while h.len() < HEADER_LEN - 1 {
        h.push(b' ');
    }
    h.push(b'\n');
    h
}

/// Writes a C-ordered array row by row to a temporary file; [`NpyStream::finish`] writes the final shape
/// and renames the file into place. Memory use does not grow with the number of rows.
pub struct NpyStream<T: NpyElem> {
    path: PathBuf,
    tmp: PathBuf,
    out: BufWriter<File>,
    cols: Option<usize>,
    rows: usize,
    _t: std::marker::PhantomData<T>,
}

impl<T: NpyElem> NpyStream<T> {
    /// A 2-D array with `cols` columns (`Some`), or a 1-D array (`None`).
    pub fn create(path: &Path, cols: Option<usize>) -> Result<Self, IoError> {
        let tmp = tmp_sibling(path);
        let file = File::create(&tmp).map_err(|e| IoError::fs(&tmp, e))?;
        let mut out = BufWriter::with_capacity(1 << 16, file);
        out.write_all(&write_header(T::DESCR, &[0, cols.unwrap_or(0)])).map_err(|e| IoError::fs(&tmp, e))?;
        Ok(NpyStream { path: path.to_path_buf(), tmp, out, cols, rows: 0, _t: std::marker::PhantomData })
    }

    /// Appends one row (2-D) or one element per value (1-D).
    pub fn push(&mut self, values: &[T]) -> Result<(), IoError> {
        if let Some(c) = self.cols {
            debug_assert_eq!(values.len(), c);
            self.rows += 1;
        } else {
            self.rows += values.len();
        }
        for &v in values {
            v.write_le(&mut self.out).map_err(|e| IoError::fs(&self.tmp, e))?;
        }
        Ok(())
    }

    /// Number of rows written so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Patches the shape into the header and renames the file to its final name.
    pub fn finish(mut self) -> Result<PathBuf, IoError> {
        let shape: Vec<usize> = match self.cols {
            Some(c) => vec![self.rows, c],
            None => vec![self.rows],
        };
        let tmp = self.tmp.clone();
        let io = |e| IoError::fs(&tmp, e);
        self.out.flush().map_err(io)?;
        let mut file = self.out.into_inner().map_err(|e| IoError::fs(&tmp, e.into_error()))?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(&write_header(T::DESCR, &shape)).map_err(io)?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&tmp, &self.path).map_err(|e| IoError::fs(&self.path, e))?;
        Ok(self.path)
    }
}

/// Writes a whole 1-D or 2-D array at once.
pub fn write<T: NpyElem>(path: &Path, data: &[T], cols: Option<usize>) -> Result<(), IoError> {
    let mut s = NpyStream::<T>::create(path, cols)?;
    match cols {
        Some(c) if c > 0 => {
            for row in data.chunks(c) {
                s.push(row)?;
            }
        }
        Some(_) => {}
        None => s.push(data)?,
    }
    s.finish().map(|_| ())
}

/// Reads any numeric or boolean `.npy` file (numpy format 1.0–3.0, either memory order); uint8 and bool
/// arrays stay `u8`. The header's claims are checked against the file's size before anything is
/// allocated ([`read::from_reader`]).
pub fn read(path: &Path) -> Result<NpyData, IoError> {
    let (file, len) = super::open_file(path, "a .npy file")?;
    read::from_reader(std::io::BufReader::with_capacity(1 << 16, file), len)
        .map_err(|m| IoError::format(path, m))
}

/// Reads any numeric or boolean `.npy` as f64, whatever its dimensionality.
pub fn read_f64(path: &Path) -> Result<ArrayD<f64>, IoError> {
    read(path).map(NpyData::into_f64)
}

/// Reads a 2-D array as f64; names the expected shape otherwise.
pub fn read_matrix(path: &Path, what: &str) -> Result<Array2<f64>, IoError> {
    let a = read_f64(path)?;
    let dims = a.shape().to_vec();
    a.into_dimensionality::<Ix2>()
        .map_err(|_| IoError::format(path, format!("{what} must be 2-D, got shape {dims:?}")))
}

/// Reads a 1-D array as f64.
pub fn read_vector(path: &Path, what: &str) -> Result<Array1<f64>, IoError> {
    let a = read_f64(path)?;
    let dims = a.shape().to_vec();
    a.into_dimensionality::<Ix1>()
        .map_err(|_| IoError::format(path, format!("{what} must be 1-D, got shape {dims:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_file_reads_back_with_ndarray_npy() {
        let dir = std::env::temp_dir().join(format!("sorn-npy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("r.npy");
        let mut s = NpyStream::<u8>::create(&p, Some(3)).unwrap();
        s.push(&[1, 0, 1]).unwrap();
        s.push(&[0, 1, 0]).unwrap();
        s.finish().unwrap();
        let a: Array2<u8> = ndarray_npy::read_npy(&p).unwrap();
        assert_eq!(a, ndarray::arr2(&[[1, 0, 1], [0, 1, 0]]));
        let v = dir.join("v.npy");
        write(&v, &[1.5f64, 2.5], None).unwrap();
        assert_eq!(read_vector(&v, "v").unwrap().to_vec(), vec![1.5, 2.5]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
