//! The header of a `.npy` file: magic, version, and the Python dict literal that gives the dtype, the
//! memory order and the shape (numpy's `lib.format`: versions 1.0, 2.0 and 3.0).

use crate::text::printable;
use std::io::Read;

/// numpy's own readers refuse headers longer than this unless told otherwise; so do we.
const MAX_HEADER: usize = 1 << 16;

/// The element kinds we read: numpy's `b`, `u`, `i` and `f` of the usual sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bool,
    Unsigned,
    Signed,
    Float,
}

/// A numpy dtype such as `<f8` or `|u1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dtype {
    pub kind: Kind,
    /// Bytes per element.
    pub size: usize,
    pub big_endian: bool,
}

/// A parsed header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub dtype: Dtype,
    pub fortran_order: bool,
    pub shape: Vec<usize>,
    /// Bytes of the header itself (magic to the newline); the data follow.
    pub len: u64,
}

impl Header {
    /// Number of elements, if it fits a `usize`.
    pub fn count(&self) -> Option<usize> {
        self.shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d))
    }

    /// Bytes of data the header claims, if that fits a `u64`.
    pub fn data_bytes(&self) -> Option<u64> {
        self.count().and_then(|n| (n as u64).checked_mul(self.dtype.size as u64))
    }
}

/// Reads and parses a header; errors are plain sentences (the caller names the file).
pub fn read(r: &mut impl Read) -> Result<Header, String> {
    let mut pre = [0u8; 8];
    r.read_exact(&mut pre).map_err(|_| "too short for a .npy file (no complete header)".to_string())?;
    if &pre[..6] != b"\x93NUMPY" {
        return Err("not a .npy file (it does not start with the numpy magic \\x93NUMPY)".into());
    }
    let (major, minor) = (pre[6], pre[7]);
    let len_bytes = match major {
        1 => 2,
        2 | 3 => 4,
        _ => return Err(format!(".npy format version {major}.{minor} is not supported (1.0 to 3.0 are)")),
    };
    let mut lb = [0u8; 4];
    r.read_exact(&mut lb[..len_bytes]).map_err(|_| "truncated .npy header".to_string())?;
    let dict_len = u32::from_le_bytes(lb) as usize;
    if dict_len > MAX_HEADER {
        return Err(format!("the .npy header claims {dict_len} bytes, more than the {MAX_HEADER} allowed"));
    }
    let mut dict = vec![0u8; dict_len];
    r.read_exact(&mut dict).map_err(|_| format!("truncated .npy header (it claims {dict_len} bytes)"))?;
    let text = std::str::from_utf8(&dict).map_err(|_| "the .npy header is not text".to_string())?;
    let mut h = parse_dict(text)?;
    h.len = (8 + len_bytes + dict_len) as u64;
    Ok(h)
}

fn parse_dict(text: &str) -> Result<Header, String> {
    let bad = |what: &str| format!("malformed .npy header ({what}): {}", printable(text.trim()));
    let mut p = Parser { s: text.trim_end().as_bytes(), i: 0 };
    p.expect(b'{').map_err(|_| bad("expected a dict"))?;
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    loop {
        p.skip_ws();
        if p.eat(b'}') {
            break;
        }
        let key = p.string().ok_or_else(|| bad("expected a quoted key"))?;
        p.skip_ws();
        p.expect(b':').map_err(|_| bad("expected ':'"))?;
        p.skip_ws();
        match key.as_str() {
            "descr" => {
                if p.peek() == Some(b'[') {
                    return Err("structured (record) dtypes are not supported: expected a numeric or \
                                boolean array"
                        .into());
                }
                descr = Some(p.string().ok_or_else(|| bad("descr must be a string"))?);
            }
            "fortran_order" => {
                fortran = Some(p.boolean().ok_or_else(|| bad("fortran_order must be True or False"))?)
            }
            "shape" => shape = Some(p.tuple().ok_or_else(|| bad("shape must be a tuple of whole numbers"))?),
            other => return Err(bad(&format!("unknown key '{}'", printable(other)))),
        }
        p.skip_ws();
        if !p.eat(b',') {
            p.skip_ws();
            p.expect(b'}').map_err(|_| bad("expected ',' or '}'"))?;
            break;
        }
    }
    let descr = descr.ok_or_else(|| bad("no 'descr'"))?;
    Ok(Header {
        dtype: dtype(&descr)?,
        fortran_order: fortran.ok_or_else(|| bad("no 'fortran_order'"))?,
        shape: shape.ok_or_else(|| bad("no 'shape'"))?,
        len: 0,
    })
}

/// Parses a dtype descriptor; anything but booleans, integers and floats of 1–8 bytes is refused by name.
fn dtype(descr: &str) -> Result<Dtype, String> {
    let unsupported = || {
        format!(
            "dtype '{}' is not supported: expected a numeric or boolean dtype (bool, int8–int64, \
             uint8–uint64, float32 or float64)",
            printable(descr)
        )
    };
    let b = descr.as_bytes();
    let (order, rest) = match b.first() {
        Some(c @ (b'<' | b'>' | b'|' | b'=')) => (*c, &b[1..]),
        _ => (b'=', b),
    };
    if rest.first() == Some(&b'O') {
        return Err("object arrays (dtype 'O') hold pickled Python objects and are refused: save a numeric \
                    array"
            .into());
    }
    let (kind, size) = match rest {
        [k, digits @ ..] if !digits.is_empty() => {
            let size: usize =
                std::str::from_utf8(digits).ok().and_then(|d| d.parse().ok()).ok_or_else(unsupported)?;
            (*k, size)
        }
        _ => return Err(unsupported()),
    };
    let kind = match (kind, size) {
        (b'b', 1) => Kind::Bool,
        (b'u', 1 | 2 | 4 | 8) => Kind::Unsigned,
        (b'i', 1 | 2 | 4 | 8) => Kind::Signed,
        (b'f', 4 | 8) => Kind::Float,
        _ => return Err(unsupported()),
    };
    Ok(Dtype { kind, size, big_endian: order == b'>' })
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        self.i += usize::from(hit);
        hit
    }
    fn expect(&mut self, c: u8) -> Result<(), ()> {
        if self.eat(c) { Ok(()) } else { Err(()) }
    }
    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }
    fn string(&mut self) -> Option<String> {
        let q = self.peek().filter(|&c| c == b'\'' || c == b'"')?;
        let start = self.i + 1;
        let end = start + self.s[start..].iter().position(|&c| c == q)?;
        self.i = end + 1;
        String::from_utf8(self.s[start..end].to_vec()).ok()
    }
    fn boolean(&mut self) -> Option<bool> {
        for (word, v) in [(&b"True"[..], true), (&b"False"[..], false)] {
            if self.s[self.i..].starts_with(word) {
                self.i += word.len();
                return Some(v);
            }
        }
        None
    }
    fn tuple(&mut self) -> Option<Vec<usize>> {
        if !self.eat(b'(') {
            return None;
        }
        let mut dims = Vec::new();
        loop {
            self.skip_ws();
            if self.eat(b')') {
                return Some(dims);
            }
            let start = self.i;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
            // A trailing `L` is how Python 2 wrote long integers.
            let digits = std::str::from_utf8(&self.s[start..self.i]).ok()?;
            dims.push(digits.parse().ok()?);
            self.eat(b'L');
            self.skip_ws();
            if !self.eat(b',') {
                self.skip_ws();
                return self.eat(b')').then_some(dims);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dict: &str) -> Vec<u8> {
        let mut v = b"\x93NUMPY\x01\x00".to_vec();
        v.extend_from_slice(&(dict.len() as u16).to_le_bytes());
        v.extend_from_slice(dict.as_bytes());
        v
    }

    #[test]
    fn parses_what_numpy_writes() {
        let h =
            read(&mut &file("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }  \n")[..]).unwrap();
        assert_eq!(h.dtype, Dtype { kind: Kind::Float, size: 8, big_endian: false });
        assert_eq!((h.fortran_order, h.shape.clone(), h.count()), (false, vec![3, 4], Some(12)));
        let h = read(&mut &file("{'descr': '|b1', 'fortran_order': True, 'shape': (5,), }\n")[..]).unwrap();
        assert_eq!((h.dtype.kind, h.fortran_order, h.shape), (Kind::Bool, true, vec![5]));
        let h = read(&mut &file("{'descr': '>i2', 'fortran_order': False, 'shape': (), }\n")[..]).unwrap();
        assert!(h.dtype.big_endian);
        assert_eq!(h.count(), Some(1));
    }

    #[test]
    fn refuses_with_a_sentence() {
        let err = |d: &str| read(&mut &file(d)[..]).unwrap_err();
        assert!(err("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }").contains("pickled"));
        assert!(err("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }").contains("'<c16'"));
        assert!(
            err("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }").contains("structured")
        );
        assert!(err("{'descr': '<f8', 'shape': (1,), }").contains("fortran_order"));
        assert!(err("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }").contains("shape"));
        assert!(err("{'descr': '\u{1b}[31m', 'fortran_order': False, 'shape': (1,), }").contains("\\u{1b}"));
        assert!(read(&mut &b"\x93NUMPY\x01"[..]).unwrap_err().contains("too short"));
        assert!(read(&mut &b"PK\x03\x04abcdefgh"[..]).unwrap_err().contains("magic"));
    }

    #[test]
    fn claimed_sizes_do_not_overflow() {
        let h =
            read(
                &mut &file(
                    "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16), }",
                )[..],
            )
            .unwrap();
        assert_eq!(h.count(), None);
        assert_eq!(h.data_bytes(), None);
    }
}
