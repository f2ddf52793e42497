//! µs per plastic and per frozen step of the zheng2013 preset (20 incoming E synapses per unit) at
//! N_E = 200, 1000 and 10 000. Run with `cargo bench --bench step`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use sorn::prelude::*;
use std::time::Duration;

fn network(ne: usize) -> Sorn {
    let mut c = sorn::presets::zheng2013();
    c.network.ne = ne;
    c.seed = 1;
    let cfg = c.check().expect("valid bench config");
    let mut sim = Sorn::new(&cfg);
    // Leave the initial transient behind.
    sim.run(500, &mut NoInput, &mut ());
    sim
}

fn steps(c: &mut Criterion) {
    let mut g = c.benchmark_group("step");
    g.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3)).sample_size(20);
    for ne in [200usize, 1000, 10_000] {
        let mut plastic = network(ne);
        g.bench_with_input(BenchmarkId::new("plastic", ne), &ne, |b, _| {
            b.iter(|| plastic.run(1, &mut NoInput, &mut ()))
        });
        let mut frozen = network(ne);
        frozen.set_phase(Phase::Training);
        g.bench_with_input(BenchmarkId::new("frozen", ne), &ne, |b, _| {
            b.iter(|| frozen.run(1, &mut NoInput, &mut ()))
        });
    }
    g.finish();
}

criterion_group!(benches, steps);
criterion_main!(benches);
