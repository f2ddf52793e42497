//! `state.npz`: a network's weights, thresholds and states for numpy and scipy users.
//!
//! | key | dtype | shape | meaning |
//! |---|---|---|---|
//! | `w_ee_data`, `w_ee_indices`, `w_ee_indptr` | f64, int32, int64 | CSR triplet | E←E, row = postsynaptic |
//! | `shape_w_ee` | int64 | (2,) | (N_E, N_E) |
//! | the same for `w_ei` (N_E × N_I), `w_ie` (N_I × N_E) and, with symbol input, `w_eu` (N_E × symbols) | | | |
//! | `t_e`, `t_i` | f64 | (N_E,), (N_I,) | thresholds |
//! | `x`, `x_prev`, `y`, `y_prev` | uint8 | (N_E,), (N_I,) | states at t and t − 1 |
//!
//! `scipy.sparse.csr_matrix((d[k+'_data'], d[k+'_indices'], d[k+'_indptr']), shape=d['shape_'+k])`
//! rebuilds each matrix. Column indices within a row are in the network's storage order (not sorted),
//! which keeps a reloaded network bit-identical; scipy accepts that (`has_sorted_indices` is False).
//! On reading, any integer dtype is accepted for indices and states, any float or integer dtype for
//! weights and thresholds.

use super::npy::{NpyData, shape_str};
use super::npz::{Latch, NpzArchive};
use super::{IoError, tmp_sibling};
use ndarray::Array1;
use ndarray_npy::NpzWriter;
use sorn_core::{CsrParts, NetworkState};
use std::fs::File;
use std::path::Path;

const MATRICES: [&str; 4] = ["w_ee", "w_ei", "w_ie", "w_eu"];

/// Writes a network state to `path` (temporary name, then rename). A write error (a full disk) is
/// reported once, naming the file, and the temporary file is removed.
pub fn save(state: &NetworkState, path: &Path) -> Result<(), IoError> {
    let tmp = tmp_sibling(path);
    let result = write_archive(state, &tmp)
        .and_then(|()| std::fs::rename(&tmp, path).map_err(|e| IoError::fs(path, e)));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn write_archive(state: &NetworkState, tmp: &Path) -> Result<(), IoError> {
    let file = File::create(tmp).map_err(|e| IoError::fs(tmp, e))?;
    let (out, io_error) = Latch::new(std::io::BufWriter::new(file));
    // The latch swallows writes after the first failure, so that error is the one reported.
    let err = |e: ndarray_npy::WriteNpzError| match io_error.take() {
        Some(io) => IoError::fs(tmp, io),
        None => IoError::format(tmp, e.to_string()),
    };
    let mut npz = NpzWriter::new_compressed(out);
    let mats = [Some(&state.w_ee), Some(&state.w_ei), Some(&state.w_ie), state.w_eu.as_ref()];
    for (name, m) in MATRICES.iter().zip(mats) {
        let Some(m) = m else { continue };
        npz.add_array(format!("{name}_data"), &Array1::from(m.data.clone())).map_err(err)?;
        let idx: Array1<i32> = m.indices.iter().map(|&j| j as i32).collect();
        npz.add_array(format!("{name}_indices"), &idx).map_err(err)?;
        let ptr: Array1<i64> = m.indptr.iter().map(|&p| p as i64).collect();
        npz.add_array(format!("{name}_indptr"), &ptr).map_err(err)?;
        npz.add_array(format!("shape_{name}"), &Array1::from(vec![m.n_rows as i64, m.n_cols as i64]))
            .map_err(err)?;
    }
    for (name, v) in [("t_e", &state.t_e), ("t_i", &state.t_i)] {
        npz.add_array(name, &Array1::from(v.clone())).map_err(err)?;
    }
    for (name, v) in [("x", &state.x), ("x_prev", &state.x_prev), ("y", &state.y), ("y_prev", &state.y_prev)]
    {
        npz.add_array(name, &Array1::from(v.clone())).map_err(err)?;
    }
    let out = npz.finish().map_err(err)?;
    let file = out.into_inner().into_inner().map_err(|e| IoError::fs(tmp, e.into_error()))?;
    if let Some(e) = io_error.take() {
        return Err(IoError::fs(tmp, e));
    }
    file.sync_all().map_err(|e| IoError::fs(tmp, e))
}

struct Reader<'p> {
    npz: NpzArchive,
    path: &'p Path,
}

impl Reader<'_> {
    fn has(&self, key: &str) -> bool {
        self.npz.has(key)
    }

    /// A 1-D array, as read (uint8 and bool stay bytes).
    fn vector(&mut self, key: &str) -> Result<NpyData, IoError> {
        let a = self.npz.array(key)?;
        if a.shape().len() != 1 {
            let msg = format!("`{key}` must be 1-D, got shape {}", shape_str(a.shape()));
            return Err(IoError::format(self.path, msg));
        }
        Ok(a)
    }

    fn vec_f64(&mut self, key: &str) -> Result<Vec<f64>, IoError> {
        Ok(self.vector(key)?.into_f64().into_iter().collect())
    }

    fn vec_index(&mut self, key: &str) -> Result<Vec<usize>, IoError> {
        let v = self.vec_f64(key)?;
        v.iter()
            .map(|&f| {
                if f >= 0.0 && f.fract() == 0.0 && f < 4e9 {
                    Ok(f as usize)
                } else {
                    Err(IoError::format(
                        self.path,
                        format!("`{key}` must hold non-negative integers, found {f}"),
                    ))
                }
            })
            .collect()
    }

    fn states(&mut self, key: &str) -> Result<Vec<u8>, IoError> {
        let not_binary =
            |v: String| IoError::format(self.path, format!("`{key}` must be binary (0 or 1), found {v}"));
        match self.vector(key)? {
            NpyData::U8(a) => match a.iter().find(|&&b| b > 1) {
                Some(b) => Err(not_binary(b.to_string())),
                None => Ok(a.into_iter().collect()),
            },
            NpyData::F64(a) => a
                .iter()
                .map(|&f| match f {
                    0.0 => Ok(0),
                    1.0 => Ok(1),
                    _ => Err(not_binary(f.to_string())),
                })
                .collect(),
        }
    }

    fn matrix(&mut self, name: &str) -> Result<CsrParts, IoError> {
        let shape = self.vec_index(&format!("shape_{name}"))?;
        if shape.len() != 2 {
            return Err(IoError::format(
                self.path,
                format!("`shape_{name}` must have 2 entries, found {}", shape.len()),
            ));
        }
        let parts = CsrParts {
            n_rows: shape[0],
            n_cols: shape[1],
            indptr: self.vec_index(&format!("{name}_indptr"))?,
            indices: self.vec_index(&format!("{name}_indices"))?.into_iter().map(|j| j as u32).collect(),
            data: self.vec_f64(&format!("{name}_data"))?,
        };
        parts.validate(name).map_err(|m| IoError::format(self.path, m))?;
        Ok(parts)
    }
}

/// Reads and validates a `state.npz` (shapes against the config happen when the network is built).
pub fn load(path: &Path) -> Result<NetworkState, IoError> {
    let mut r = Reader { npz: NpzArchive::open(path)?, path };
    let w_eu = if r.has("w_eu_data") { Some(r.matrix("w_eu")?) } else { None };
    Ok(NetworkState {
        w_ee: r.matrix("w_ee")?,
        w_ei: r.matrix("w_ei")?,
        w_ie: r.matrix("w_ie")?,
        w_eu,
        t_e: r.vec_f64("t_e")?,
        t_i: r.vec_f64("t_i")?,
        x_prev: r.states("x_prev")?,
        x: r.states("x")?,
        y_prev: r.states("y_prev")?,
        y: r.states("y")?,
    })
}
