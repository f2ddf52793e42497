//! A set of row indices with O(1) insertion, used to remember which rows need normalisation.

use serde::{Deserialize, Serialize};

/// Rows changed since they were last normalised. Serialised with the network state, because which rows
/// SN will rescale next is part of the dynamics (bitwise resume).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RowSet {
    member: Vec<bool>,
    rows: Vec<u32>,
    /// `rows` is known to be increasing (derived; a deserialised set is sorted when drained).
    #[serde(skip)]
    sorted: bool,
}

impl PartialEq for RowSet {
    /// Same members in the same pending order (the `sorted` hint is ignored).
    fn eq(&self, other: &Self) -> bool {
        self.member == other.member && self.rows == other.rows
    }
}

impl RowSet {
    /// An empty set over `n` rows.
    pub fn new(n: usize) -> Self {
        RowSet { member: vec![false; n], rows: Vec::with_capacity(n), sorted: true }
    }
    /// A set holding every row in `0..n`.
    pub fn full(n: usize) -> Self {
        RowSet { member: vec![true; n], rows: (0..n as u32).collect(), sorted: true }
    }
    /// Adds row `i`.
    #[inline]
    pub fn insert(&mut self, i: u32) {
        if !self.member[i as usize] {
            self.member[i as usize] = true;
            self.sorted &= self.rows.last().is_none_or(|&l| l < i);
            self.rows.push(i);
        }
    }
    /// The number of rows the set ranges over.
    pub fn universe(&self) -> usize {
        self.member.len()
    }
    /// Number of rows in the set.
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
    /// Sorts the rows, hands them to `f`, and empties the set.
    pub fn drain_sorted(&mut self, f: impl FnOnce(&[u32])) {
        if self.sorted {
            // Already increasing (e.g. STDP's sorted union): nothing to do.
        } else if self.rows.len() * 16 > self.member.len() {
            // Dense set: reading the membership flags in order is cheaper than sorting.
            self.rows.clear();
            self.rows.extend(self.member.iter().enumerate().filter(|(_, m)| **m).map(|(i, _)| i as u32));
        } else {
            self.rows.sort_unstable();
        }
        f(&self.rows);
        for &i in &self.rows {
            self.member[i as usize] = false;
        }
        self.rows.clear();
        self.sorted = true;
    }
}

/// Writes the sorted union of two sorted index lists into `out` (cleared first).
pub fn sorted_union(a: &[u32], b: &[u32], out: &mut Vec<u32>) {
    out.clear();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if x == y => {
                i += 1;
                j += 1;
                x
            }
            (Some(&x), Some(&y)) if x < y => {
                i += 1;
                x
            }
            (Some(&x), None) => {
                i += 1;
                x
            }
            (_, Some(&y)) => {
                j += 1;
                y
            }
            (None, None) => unreachable!(),
        };
        out.push(next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_and_drain() {
        let mut out = Vec::new();
        sorted_union(&[1, 3, 5], &[2, 3, 9], &mut out);
        assert_eq!(out, vec![1, 2, 3, 5, 9]);
        let mut s = RowSet::new(10);
        for i in [5, 1, 5, 3] {
            s.insert(i);
        }
        assert_eq!(s.len(), 3);
        s.drain_sorted(|r| assert_eq!(r, &[1, 3, 5]));
        assert!(s.is_empty());
    }
}
