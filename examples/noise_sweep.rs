//! Avalanches under three noise variances (DP17), small sizes. `cargo run --release --example noise_sweep`
use sorn::experiments::noise_sweep::{NoiseParams, run, table};

fn main() -> anyhow::Result<()> {
    print!("{}", table(&run(&NoiseParams::quick())?));
    Ok(())
}
