//! Reading the data of a `.npy` stream whose length is known (a file, or an npz member's declared size).
//!
//! Nothing is allocated from what a header claims until the claim has been checked: the shape times the
//! item size must be exactly the bytes that follow the header, and the array must fit the memory
//! available. So a 1 kB file whose header claims 80 GB is an error, not an abort.

use super::header::{self, Dtype, Header, Kind};
use ndarray::{ArrayD, IxDyn, ShapeBuilder};
use std::io::Read;

/// The contents of a `.npy` file: `u8` for uint8 and boolean arrays (no copy to f64), f64 otherwise.
#[derive(Debug)]
pub enum NpyData {
    U8(ArrayD<u8>),
    F64(ArrayD<f64>),
}

impl NpyData {
    /// The shape.
    pub fn shape(&self) -> &[usize] {
        match self {
            NpyData::U8(a) => a.shape(),
            NpyData::F64(a) => a.shape(),
        }
    }

    /// All values as f64 (a copy for `u8` data).
    pub fn into_f64(self) -> ArrayD<f64> {
        match self {
            NpyData::U8(a) => a.mapv(f64::from),
            NpyData::F64(a) => a,
        }
    }
}

/// `(3, 4)`, as numpy prints a shape.
pub fn shape_str(s: &[usize]) -> String {
    match s {
        [n] => format!("({n},)"),
        dims => format!("({})", dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

/// Reads one array from `r`, which holds exactly `len` bytes. Errors are sentences without the file name.
pub fn from_reader(mut r: impl Read, len: u64) -> Result<NpyData, String> {
    let h = header::read(&mut r)?;
    let follow = len.saturating_sub(h.len);
    let shape = shape_str(&h.shape);
    let Some(claimed) = h.data_bytes() else {
        return Err(format!(
            "the header claims shape {shape}, more elements than can be addressed: the file is corrupt"
        ));
    };
    if claimed != follow {
        let (c, f) = (crate::memory::human(claimed), crate::memory::human(follow));
        return Err(if claimed > follow {
            format!(
                "the header claims shape {shape} ({c} of data) but only {f} follow: the file is truncated or \
                 its header is corrupt"
            )
        } else {
            format!("{f} of data follow a header of shape {shape}, which holds {c}: the file is corrupt")
        });
    }
    let count = h.count().unwrap_or(0);
    let narrow = matches!(h.dtype.kind, Kind::Bool) || (h.dtype.kind == Kind::Unsigned && h.dtype.size == 1);
    let out_bytes = count as u64 * if narrow { 1 } else { 8 };
    crate::memory::check(out_bytes, &format!("an array of shape {shape}"))?;
    let data = if narrow {
        let mut v = read_values(&mut r, &h, |b| b[0])?;
        if h.dtype.kind == Kind::Bool {
            v.iter_mut().for_each(|b| *b = u8::from(*b != 0));
        }
        NpyData::U8(arrange(v, &h)?)
    } else {
        NpyData::F64(arrange(read_values(&mut r, &h, converter(h.dtype))?, &h)?)
    };
    let mut probe = [0u8; 1];
    match r.read(&mut probe) {
        Ok(0) => Ok(data),
        Ok(_) => Err(format!("more data follow the array of shape {shape}: the file is corrupt")),
        Err(e) => Err(read_error(e)),
    }
}

/// The element decoder of a dtype that is read as f64.
fn converter(d: Dtype) -> fn(&[u8]) -> f64 {
    macro_rules! conv {
        ($t:ty, $n:expr) => {
            if d.big_endian {
                |b: &[u8]| <$t>::from_be_bytes(b[..$n].try_into().unwrap_or([0; $n])) as f64
            } else {
                |b: &[u8]| <$t>::from_le_bytes(b[..$n].try_into().unwrap_or([0; $n])) as f64
            }
        };
    }
    match (d.kind, d.size) {
        (Kind::Float, 4) => conv!(f32, 4),
        (Kind::Float, _) => conv!(f64, 8),
        (Kind::Signed, 1) => |b: &[u8]| f64::from(b[0] as i8),
        (Kind::Signed, 2) => conv!(i16, 2),
        (Kind::Signed, 4) => conv!(i32, 4),
        (Kind::Signed, _) => conv!(i64, 8),
        (Kind::Unsigned, 2) => conv!(u16, 2),
        (Kind::Unsigned, 4) => conv!(u32, 4),
        (Kind::Unsigned, _) => conv!(u64, 8),
        (Kind::Bool, _) => |b: &[u8]| f64::from(u8::from(b[0] != 0)),
    }
}

/// Reads the header's elements in chunks and decodes each with `f`.
fn read_values<T>(r: &mut impl Read, h: &Header, f: impl Fn(&[u8]) -> T) -> Result<Vec<T>, String> {
    let count = h.count().unwrap_or(0);
    let size = h.dtype.size;
    let mut out = Vec::with_capacity(count);
    let mut buf = vec![0u8; size * (1 << 16).min(count.max(1))];
    let mut left = count;
    while left > 0 {
        let n = left.min(buf.len() / size);
        r.read_exact(&mut buf[..n * size]).map_err(read_error)?;
        out.extend(buf[..n * size].chunks_exact(size).map(&f));
        left -= n;
    }
    Ok(out)
}

/// The values in C order, whatever the file's order.
fn arrange<T: Clone>(v: Vec<T>, h: &Header) -> Result<ArrayD<T>, String> {
    let shape = IxDyn(&h.shape);
    let a =
        if h.fortran_order { ArrayD::from_shape_vec(shape.f(), v) } else { ArrayD::from_shape_vec(shape, v) }
            .map_err(|e| format!("shape {}: {e}", shape_str(&h.shape)))?;
    Ok(if a.is_standard_layout() { a } else { a.as_standard_layout().into_owned() })
}

fn read_error(e: std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "the data end early: the file is truncated".into(),
        _ => format!("cannot read the data: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(descr: &str, fortran: bool, shape: &str, data: &[u8]) -> Vec<u8> {
        let dict = format!(
            "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}\n",
            if fortran { "True" } else { "False" }
        );
        let mut v = b"\x93NUMPY\x01\x00".to_vec();
        v.extend_from_slice(&(dict.len() as u16).to_le_bytes());
        v.extend_from_slice(dict.as_bytes());
        v.extend_from_slice(data);
        v
    }

    fn load(bytes: &[u8]) -> Result<NpyData, String> {
        from_reader(bytes, bytes.len() as u64)
    }

    #[test]
    fn decodes_dtypes_and_orders() {
        let be: Vec<u8> = [1i16, -2, 3, 4].iter().flat_map(|v| v.to_be_bytes()).collect();
        let a = load(&npy(">i2", false, "(2, 2)", &be)).unwrap().into_f64();
        assert_eq!(a.iter().copied().collect::<Vec<_>>(), vec![1.0, -2.0, 3.0, 4.0]);
        // Fortran order: the file holds columns; the array comes back C-ordered.
        let cols: Vec<u8> = [1.0f32, 3.0, 2.0, 4.0].iter().flat_map(|v| v.to_le_bytes()).collect();
        let a = load(&npy("<f4", true, "(2, 2)", &cols)).unwrap().into_f64();
        assert_eq!(a.as_slice().unwrap(), &[1.0, 2.0, 3.0, 4.0]);
        match load(&npy("|b1", false, "(3,)", &[0, 1, 7])).unwrap() {
            NpyData::U8(a) => assert_eq!(a.as_slice().unwrap(), &[0, 1, 1]),
            other => panic!("bool must stay u8, got {other:?}"),
        }
        assert_eq!(load(&npy("<u8", false, "(0, 5)", &[])).unwrap().shape(), &[0, 5]);
    }

    #[test]
    fn claims_are_checked_before_allocating() {
        let e = load(&npy("<f8", false, "(10000000000,)", &[0; 800])).unwrap_err();
        assert!(e.contains("claims shape (10000000000,) (80.0 GB of data) but only 800 B follow"), "{e}");
        let e = load(&npy("<f8", false, "(1,)", &[0; 16])).unwrap_err();
        assert!(e.contains("16 B of data follow a header of shape (1,), which holds 8 B"), "{e}");
        let short = npy("<f8", false, "(2,)", &[0; 8]);
        let e = from_reader(&short[..], short.len() as u64 + 8).unwrap_err();
        assert!(e.contains("truncated"), "{e}");
    }
}
