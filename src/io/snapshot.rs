//! `snapshot.bin`: a [`Sorn`] behind a magic and a format version.
//!
//! Layout: the 8 bytes `SORNSNAP`, the format version as a little-endian u32, then the simulator
//! serialised with bincode 2 (standard config, serde). bincode is marked unmaintained (RUSTSEC-2025-0141),
//! which is why the version matters: a later format can change the payload without breaking old files.

use super::{IoError, write_atomic};
use crate::Sorn;
use std::io::Read;
use std::path::Path;

/// The file's first 8 bytes.
pub const MAGIC: &[u8; 8] = b"SORNSNAP";
/// The format this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

/// Encodes a simulator into snapshot bytes.
pub fn to_bytes(sorn: &Sorn) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(1 << 16);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    let payload =
        bincode::serde::encode_to_vec(sorn, bincode::config::standard()).map_err(|e| e.to_string())?;
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Decodes snapshot bytes; `path` only names the file in errors.
pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Sorn, IoError> {
    decode(bytes, path)
}

/// Decodes a snapshot from `r`, as it reads: a snapshot file is never held in memory beside the network
/// it decodes into (at N_E = 10⁶ both are about a gigabyte). `path` only names the file in errors.
fn decode(mut r: impl Read, path: &Path) -> Result<Sorn, IoError> {
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
    if version > FORMAT_VERSION {
        return Err(IoError::format(
            path,
            format!(
                "snapshot format version {version} is newer than this sorn supports ({FORMAT_VERSION}); \
                 use a newer sorn"
            ),
        ));
    }
    if version == 0 {
        return Err(IoError::format(path, "snapshot format version 0 does not exist: the file is corrupt"));
    }
    let sorn: Sorn = bincode::serde::decode_from_std_read(&mut r, bincode::config::standard())
        .map_err(|e| IoError::format(path, format!("truncated or corrupt snapshot: {e}")))?;
    let trailing = std::io::copy(&mut r, &mut std::io::sink()).map_err(|e| IoError::fs(path, e))?;
    if trailing > 0 {
        return Err(IoError::format(path, format!("corrupt snapshot: {trailing} trailing bytes")));
    }
    Ok(sorn)
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
