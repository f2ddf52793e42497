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

use super::{IoError, tmp_sibling};
use ndarray::{Array1, ArrayD};
use ndarray_npy::{NpzReader, NpzWriter};
use sorn_core::{CsrParts, NetworkState};
use std::fs::File;
use std::path::Path;

const MATRICES: [&str; 4] = ["w_ee", "w_ei", "w_ie", "w_eu"];

/// Writes a network state to `path` (temporary name, then rename).
pub fn save(state: &NetworkState, path: &Path) -> Result<(), IoError> {
    let tmp = tmp_sibling(path);
    let err = |e: ndarray_npy::WriteNpzError| IoError::format(&tmp, e.to_string());
    let file = File::create(&tmp).map_err(|e| IoError::fs(&tmp, e))?;
    let mut npz = NpzWriter::new_compressed(file);
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
    npz.finish().map_err(err)?;
    std::fs::rename(&tmp, path).map_err(|e| IoError::fs(path, e))
}

struct Reader<'p> {
    npz: NpzReader<File>,
    names: Vec<String>,
    path: &'p Path,
}

impl Reader<'_> {
    fn has(&self, key: &str) -> bool {
        self.names.iter().any(|n| n == key || n == &format!("{key}.npy"))
    }

    fn vec_f64(&mut self, key: &str) -> Result<Vec<f64>, IoError> {
        if !self.has(key) {
            return Err(IoError::format(self.path, format!("missing array `{key}`")));
        }
        macro_rules! try_as {
            ($($t:ty),*) => {
                $(if let Ok(a) = self.npz.by_name::<ndarray::OwnedRepr<$t>, ndarray::IxDyn>(key) {
                    return to_1d(a.mapv(|v| v as f64), key, self.path);
                })*
            };
        }
        try_as!(f64, f32, i64, i32, u32, u64, u8, i8, u16, i16);
        if let Ok(a) = self.npz.by_name::<ndarray::OwnedRepr<bool>, ndarray::IxDyn>(key) {
            return to_1d(a.mapv(|v| f64::from(u8::from(v))), key, self.path);
        }
        Err(IoError::format(self.path, format!("array `{key}` has an unsupported dtype: expected numbers")))
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
        let v = self.vec_f64(key)?;
        v.iter()
            .map(|&f| match f {
                0.0 => Ok(0),
                1.0 => Ok(1),
                _ => Err(IoError::format(self.path, format!("`{key}` must be binary (0 or 1), found {f}"))),
            })
            .collect()
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

fn to_1d(a: ArrayD<f64>, key: &str, path: &Path) -> Result<Vec<f64>, IoError> {
    if a.ndim() != 1 {
        return Err(IoError::format(path, format!("`{key}` must be 1-D, got shape {:?}", a.shape())));
    }
    Ok(a.into_iter().collect())
}

/// Reads and validates a `state.npz` (shapes against the config happen when the network is built).
pub fn load(path: &Path) -> Result<NetworkState, IoError> {
    let file = File::open(path).map_err(|e| IoError::fs(path, e))?;
    let mut npz =
        NpzReader::new(file).map_err(|e| IoError::format(path, format!("not an npz archive: {e}")))?;
    let names = npz.names().map_err(|e| IoError::format(path, format!("unreadable npz archive: {e}")))?;
    let mut r = Reader { npz, names, path };
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
