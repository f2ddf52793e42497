//! The counting task (DP17 protocol) through the library: a small network, two word lengths, plastic
//! SORN vs static reservoir. `cargo run --release --example counting`
use sorn::experiments::counting::{CountingParams, Protocol, run, table};

fn main() -> anyhow::Result<()> {
    let mut p = CountingParams::quick(Protocol::Dp17);
    p.ns = vec![4, 8];
    p.seeds = vec![1, 2];
    print!("{}", table(&run(&p)?));
    Ok(())
}
