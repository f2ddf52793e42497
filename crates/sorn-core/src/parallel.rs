//! Parallelism as a value: kernels take a [`Parallelism`] and give bit-identical results for any choice.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// How per-row kernels run. Results are bitwise identical either way: work is split by rows, and each
/// row's arithmetic is sequential.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Parallelism {
    /// Everything on the calling thread.
    #[default]
    Sequential,
    /// Rows spread over the current rayon pool, in chunks of at least `min_rows` rows (small networks stay
    /// sequential because a rayon task costs more than a short row).
    Rayon { min_rows: usize },
}

impl Parallelism {
    /// Rayon with a chunk size that pays off on this kind of kernel (a few hundred rows).
    pub const fn rayon() -> Self {
        Parallelism::Rayon { min_rows: 256 }
    }
}

/// Applies `body(index, value)` to every element of `data` in chunks, in parallel when asked.
#[inline]
pub fn for_each_mut<T: Send, F: Fn(usize, &mut T) + Sync + Send>(data: &mut [T], par: Parallelism, body: F) {
    match par {
        Parallelism::Rayon { min_rows } if data.len() >= 2 * min_rows.max(1) => {
            let chunk = min_rows.max(1) * 16;
            data.par_chunks_mut(chunk).enumerate().for_each(|(c, block)| {
                for (k, v) in block.iter_mut().enumerate() {
                    body(c * chunk + k, v);
                }
            });
        }
        _ => data.iter_mut().enumerate().for_each(|(k, v)| body(k, v)),
    }
}

/// Calls `body` on consecutive chunks of `items` (of `min_rows` items when parallel, all items at once
/// otherwise), in parallel when `par` asks for it and there is enough work. Lets a body look ahead within
/// its chunk (e.g. to prefetch).
pub fn for_each_chunk<T: Sync, F: Fn(&[T]) + Sync + Send>(items: &[T], par: Parallelism, body: F) {
    match par {
        Parallelism::Rayon { min_rows } if items.len() >= 2 * min_rows.max(1) => {
            items.par_chunks(min_rows.max(1)).for_each(body);
        }
        _ => body(items),
    }
}

/// [`for_each_chunk`] with mutable chunks.
pub fn for_each_chunk_mut<T: Send, F: Fn(&mut [T]) + Sync + Send>(
    items: &mut [T],
    par: Parallelism,
    body: F,
) {
    match par {
        Parallelism::Rayon { min_rows } if items.len() >= 2 * min_rows.max(1) => {
            items.par_chunks_mut(min_rows.max(1)).for_each(body);
        }
        _ => body(items),
    }
}
