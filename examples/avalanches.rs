//! Avalanches of a small spontaneous DP17 network, by hand: run, keep only the activity count per
//! step, analyse with sorn-analysis. `cargo run --release --example avalanches`
use sorn::analysis::report::{AvalancheReportOptions, avalanche_report};
use sorn::prelude::*;

fn main() -> anyhow::Result<()> {
    let cfg = sorn::experiments::avalanches::config(100, 7)?;
    let mut sim = Sorn::new(&cfg);
    sim.run(50_000, &mut NoInput, &mut ()); // transient
    let mut activity: Vec<u32> = Vec::new();
    sim.run(100_000, &mut NoInput, &mut ObserveFn(|s: &Sorn| activity.push(s.network().x().count() as u32)));
    print!("{}", avalanche_report(&activity, &AvalancheReportOptions::default())?);
    Ok(())
}
