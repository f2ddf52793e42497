//! `snapshot.bin`: a [`Sorn`] behind a magic, a format version and a checksum.
//!
//! Layout of format 2 (written now): the 8 bytes `SORNSNAP`, the format version as a little-endian u32,
//! the payload's length as a little-endian u64, the payload's CRC-32 (IEEE, as zlib computes it) as a
//! little-endian u32, then the payload: the simulator serialised with bincode 2 (standard config, serde).
//! Format 1 had no length and no checksum (the payload followed the version); it is still read.
//!
//! The checksum is verified as the payload is decoded, so a bit flip, a truncated copy or a hand edit
//! of a weight, of the config or of the step counter is refused instead of loaded. bincode is marked
//! unmaintained (RUSTSEC-2025-0141), which is another reason the version matters: a later format can
//! change the payload without breaking old files.

use super::{IoError, write_atomic};
use crate::Sorn;
use std::io::Read;
use std::path::Path;

/// The file's first 8 bytes.
pub const MAGIC: &[u8; 8] = b"SORNSNAP";
/// The format this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 2;
/// Bytes before the payload in format 2.
const HEADER_V2: usize = 24;

/// Encodes a simulator into snapshot bytes.
pub fn to_bytes(sorn: &Sorn) -> Result<Vec<u8>, String> {
    let payload =
        bincode::serde::encode_to_vec(sorn, bincode::config::standard()).map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(HEADER_V2 + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Decodes snapshot bytes; `path` only names the file in errors.
pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Sorn, IoError> {
    decode(bytes, path)
}

/// A reader that counts and checksums what passes through it.
struct Checked<R> {
    inner: R,
    crc: crc32fast::Hasher,
    read: u64,
}

impl<R: Read> Read for Checked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.crc.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

/// Decodes a snapshot from `r`, as it reads: a snapshot file is never held in memory beside the network
/// it decodes into (at N_E = 10⁶ both are about a gigabyte). `path` only names the file in errors.
fn decode(mut r: impl Read, path: &Path) -> Result<Sorn, IoError> {
    let corrupt = |msg: String| IoError::format(path, msg);
    let not_snapshot =
        || IoError::format(path, "not a sorn snapshot (the file does not start with SORNSNAP)");
    let mut head = [0u8; 12];
    match r.read_exact(&mut head) {
        Ok(()) if &head[..8] == MAGIC => {}
        Ok(()) => return Err(not_snapshot()),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(not_snapshot()),
        // A file that cannot be read (a directory, an I/O error) is named with the system's reason.
        Err(e) => return Err(IoError::fs(path, e)),
    }
    let version = u32::from_le_bytes([head[8], head[9], head[10], head[11]]);
    match version {
        1 => decode_payload(&mut r, path),
        2 => {
            let mut rest = [0u8; HEADER_V2 - 12];
            r.read_exact(&mut rest).map_err(|_| corrupt("truncated snapshot: the header is incomplete".into()))?;
            let len = u64::from_le_bytes(rest[..8].try_into().unwrap_or_default());
            let crc = u32::from_le_bytes(rest[8..].try_into().unwrap_or_default());
            let mut body = Checked { inner: (&mut r).take(len), crc: crc32fast::Hasher::new(), read: 0 };
            let decoded = decode_payload(&mut body, path);
            // Whatever the decoder made of it, the length and the checksum say whether the file is intact.
            std::io::copy(&mut body, &mut std::io::sink()).map_err(|e| IoError::fs(path, e))?;
            if body.read < len {
                return Err(corrupt(format!(
                    "truncated snapshot: the header promises {len} bytes of payload, the file holds {}",
                    body.read
                )));
            }
            if body.crc.finalize() != crc {
                return Err(corrupt(
                    "corrupt snapshot: its checksum does not match (a damaged or incomplete copy, or an edited \
                     file; a snapshot cannot be edited, change a run's config with `sorn run --from`)"
                        .into(),
                ));
            }
            decoded
        }
        0 => Err(corrupt("snapshot format version 0 does not exist: the file is corrupt".into())),
        v => Err(corrupt(format!(
            "snapshot format version {v} is newer than this sorn supports ({FORMAT_VERSION}); use a newer sorn"
        ))),
    }
    .and_then(|sorn| {
        let trailing = std::io::copy(&mut r, &mut std::io::sink()).map_err(|e| IoError::fs(path, e))?;
        if trailing > 0 {
            return Err(corrupt(format!("corrupt snapshot: {trailing} bytes after the payload")));
        }
        Ok(sorn)
    })
}

/// Decodes the bincode payload, with bincode's error in words.
fn decode_payload(r: &mut impl Read, path: &Path) -> Result<Sorn, IoError> {
    let decoded: Result<Sorn, _> = bincode::serde::decode_from_std_read(r, bincode::config::standard());
    decoded.map_err(|e| {
        use bincode::error::DecodeError as E;
        let why = match e {
            E::UnexpectedEnd { .. } => "the file ends early".to_string(),
            E::Io { inner, .. } if inner.kind() == std::io::ErrorKind::UnexpectedEof => {
                "the file ends early".into()
            }
            E::Io { inner, .. } => format!("read error: {inner}"),
            E::OtherString(s) => s,
            E::UnexpectedVariant { found, .. } => format!("an enum tag is {found}, which no variant has"),
            E::InvalidBooleanValue(v) => format!("a boolean holds {v}"),
            E::Utf8 { .. } | E::InvalidCharEncoding(_) => "a text is not valid UTF-8".into(),
            E::OutsideUsizeRange(v) => format!("a length of {v} does not fit this machine"),
            E::LimitExceeded => "it claims more data than it holds".into(),
            _ => "its bytes do not decode to a simulator".into(),
        };
        IoError::format(path, format!("truncated or corrupt snapshot: {why}"))
    })
}

/// Writes `sorn` to `path` (temporary name, then rename).
pub fn save(sorn: &Sorn, path: &Path) -> Result<(), IoError> {
    let bytes = to_bytes(sorn).map_err(|e| IoError::format(path, format!("cannot encode snapshot: {e}")))?;
    write_atomic(path, &bytes)
}

/// Reads a snapshot file.
pub fn load(path: &Path) -> Result<Sorn, IoError> {
    let file = std::fs::File::open(path).map_err(|e| IoError::fs(path, e))?;
    decode(std::io::BufReader::with_capacity(1 << 20, file), path)
}
