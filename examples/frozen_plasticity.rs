//! Plastic vs frozen continuation from one cloned state (DP17 Fig 4), small sizes.
//! `cargo run --release --example frozen_plasticity`
use sorn::experiments::frozen_plasticity::{FrozenParams, run, table};

fn main() -> anyhow::Result<()> {
    print!("{}", table(&run(&FrozenParams::quick())?));
    Ok(())
}
