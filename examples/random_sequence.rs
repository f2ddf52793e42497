//! Fading memory and learning capacity (V2 random-sequence task) at test size.
//! `cargo run --release --example random_sequence`
use sorn::experiments::random_sequence::{RandomSequenceParams, run, table};

fn main() -> anyhow::Result<()> {
    print!("{}", table(&run(&RandomSequenceParams::quick())?));
    Ok(())
}
