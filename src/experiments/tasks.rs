//! Input sources of the tasks (SPEC §5.2–5.3), implementing [`InputSource`]. Each can log the label
//! of every symbol it emits, so a readout can be trained on states recorded in the same steps.

use crate::input::{InputKind, InputSource};
use rand::RngExt;
use sorn_core::SornRng;

/// What a task source emitted at one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Label {
    /// The symbol presented.
    pub symbol: usize,
    /// Its position inside the current word or sequence.
    pub position: usize,
}

/// The counting task (L09): words `A Bⁿ C` and `D Eⁿ F` (symbols 0..5), one letter per step, the next
/// word uniformly at random when a word ends.
#[derive(Clone, Debug)]
pub struct CountingSource {
    n: usize,
    word: usize,
    pos: usize,
    started: bool,
    logging: bool,
    /// Labels of the steps since logging was switched on.
    pub log: Vec<Label>,
}

impl CountingSource {
    /// Words of length `n + 2`.
    pub fn new(n: usize) -> Self {
        CountingSource { n, word: 0, pos: 0, started: false, logging: false, log: Vec::new() }
    }
    /// Number of symbols (6).
    pub const SYMBOLS: usize = 6;
    /// Starts (or stops) logging the emitted labels.
    pub fn set_logging(&mut self, on: bool) {
        self.logging = on;
    }
    /// Symbol at position `pos` of word `word` (0: A Bⁿ C, 1: D Eⁿ F).
    pub fn symbol(&self, word: usize, pos: usize) -> usize {
        3 * word
            + if pos == 0 {
                0
            } else if pos == self.n + 1 {
                2
            } else {
                1
            }
    }
    /// Whether a symbol is predictable (B, C, E, F: DP17's "reduced" performance).
    pub fn predictable(symbol: usize) -> bool {
        !symbol.is_multiple_of(3)
    }
}

impl InputSource for CountingSource {
    fn next(&mut self, _: u64, rng: &mut SornRng, _: &mut [f64]) -> InputKind {
        if !self.started || self.pos == self.n + 2 {
            self.word = rng.random_range(0..2);
            self.pos = 0;
            self.started = true;
        }
        let label = Label { symbol: self.symbol(self.word, self.pos), position: self.pos };
        self.pos += 1;
        if self.logging {
            self.log.push(label);
        }
        InputKind::Symbol(label.symbol)
    }
}

/// A fixed sequence presented cyclically (V2 RandomSequenceTask, SPEC §5.3); the position is the index
/// inside the sequence.
#[derive(Clone, Debug)]
pub struct CyclicSequence {
    seq: Vec<usize>,
    pos: usize,
    logging: bool,
    pub log: Vec<Label>,
}

impl CyclicSequence {
    pub fn new(seq: Vec<usize>) -> Self {
        assert!(!seq.is_empty(), "empty sequence");
        CyclicSequence { seq, pos: 0, logging: false, log: Vec::new() }
    }
    /// A uniform i.i.d. sequence of length `len` over `symbols` symbols, redrawn until every symbol
    /// occurs (needs `len ≥ symbols`).
    pub fn random(len: usize, symbols: usize, rng: &mut SornRng) -> Self {
        assert!(len >= symbols && symbols > 0, "a sequence of {len} cannot hold {symbols} symbols");
        loop {
            let seq: Vec<usize> = (0..len).map(|_| rng.random_range(0..symbols)).collect();
            let mut seen = vec![false; symbols];
            seq.iter().for_each(|&s| seen[s] = true);
            if seen.iter().all(|&b| b) {
                return CyclicSequence::new(seq);
            }
        }
    }
    pub fn len(&self) -> usize {
        self.seq.len()
    }
    pub fn is_empty(&self) -> bool {
        self.seq.is_empty()
    }
    pub fn set_logging(&mut self, on: bool) {
        self.logging = on;
    }
}

impl InputSource for CyclicSequence {
    fn next(&mut self, _: u64, _: &mut SornRng, _: &mut [f64]) -> InputKind {
        let label = Label { symbol: self.seq[self.pos], position: self.pos };
        self.pos = (self.pos + 1) % self.seq.len();
        if self.logging {
            self.log.push(label);
        }
        InputKind::Symbol(label.symbol)
    }
}
