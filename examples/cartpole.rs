//! CartPole-v1 balanced by a REINFORCE readout on a SORN reservoir, small sizes.
//! `cargo run --release --example cartpole`
use sorn::experiments::cartpole::{CartPole, CartPoleParams, run, table};

fn main() -> anyhow::Result<()> {
    // The environment alone: a fixed policy that pushes towards the falling side.
    let mut rng = sorn::core::stream_rng(1, sorn::core::Stream::Experiment);
    let mut env = CartPole::reset(&mut rng);
    while !env.step(usize::from(env.state[2] + env.state[3] > 0.0)).1 {}
    println!("hand-made policy: {} steps", env.steps);
    let mut p = CartPoleParams::quick();
    p.episodes = 100;
    print!("{}", table(&run(&p)?));
    Ok(())
}
