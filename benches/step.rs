//! µs per plastic and per frozen step.
//!
//! * `step/{plastic,frozen}/{200,1000,10000}`: the zheng2013 preset (20 incoming E synapses per unit,
//!   dense I←E) after 500 warm-up steps, sequential.
//! * With `SORN_BENCH_LARGE=1` also the `large` preset (fixed in-degrees 100 / 20 / 100) at N_E = 10⁵
//!   (`SORN_BENCH_LARGE_NE` to change it), plastic and frozen, on 1 and on all threads
//!   (`step-large/{plastic,frozen}-{1,2}t/100000`). Building and warming it up takes ~10 s.
//!   `SORN_BENCH_LARGE_PRECISION=f32` stores its weights in f32 (`network.precision`).
//!
//! Run with `cargo bench --bench step` (`-- plastic/200` to filter). Networks are built only for the
//! benchmarks that the filter selects. Plots are off (criterion's plotters backend needs fonts).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use sorn::core::{Parallelism, Precision};
use sorn::prelude::*;
use std::time::Duration;

fn network(preset: &str, ne: usize, warmup: u64, par: Parallelism, precision: Precision) -> Sorn {
    let mut c = sorn::presets::preset(preset).expect("preset exists");
    c.network.ne = ne;
    c.network.precision = precision;
    c.seed = 1;
    let cfg = c.check().expect("valid bench config");
    let mut sim = Sorn::new(&cfg);
    sim.set_parallelism(par);
    // Leave the initial transient behind.
    sim.run(warmup, &mut NoInput, &mut ());
    sim
}

fn steps(c: &mut Criterion) {
    let mut g = c.benchmark_group("step");
    g.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3)).sample_size(20);
    for ne in [200usize, 1000, 10_000] {
        g.bench_function(BenchmarkId::new("plastic", ne), |b| {
            let mut sim = network("zheng2013", ne, 500, Parallelism::Sequential, Precision::F64);
            b.iter(|| sim.run(1, &mut NoInput, &mut ()))
        });
        g.bench_function(BenchmarkId::new("frozen", ne), |b| {
            let mut sim = network("zheng2013", ne, 500, Parallelism::Sequential, Precision::F64);
            sim.set_phase(Phase::Training);
            b.iter(|| sim.run(1, &mut NoInput, &mut ()))
        });
    }
    g.finish();
}

fn large(c: &mut Criterion) {
    if std::env::var_os("SORN_BENCH_LARGE").is_none() {
        return;
    }
    let ne: usize = std::env::var("SORN_BENCH_LARGE_NE").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let precision = match std::env::var("SORN_BENCH_LARGE_PRECISION").as_deref() {
        Ok("f32") => Precision::F32,
        Ok("f64") | Err(_) => Precision::F64,
        Ok(other) => {
            eprintln!("error: SORN_BENCH_LARGE_PRECISION={other}: expected f64 or f32");
            std::process::exit(2);
        }
    };
    let mut g = c.benchmark_group("step-large");
    g.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5)).sample_size(10);
    let all = rayon::current_num_threads();
    for threads in [1, all] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
        let par = if threads == 1 { Parallelism::Sequential } else { Parallelism::rayon() };
        for frozen in [false, true] {
            let name = format!("{}-{threads}t", if frozen { "frozen" } else { "plastic" });
            g.bench_function(BenchmarkId::new(name, ne), |b| {
                pool.install(|| {
                    let mut sim = network("large", ne, 100, par, precision);
                    if frozen {
                        sim.set_phase(Phase::Training);
                    }
                    b.iter(|| sim.run(1, &mut NoInput, &mut ()))
                })
            });
        }
        if threads == all {
            break;
        }
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = steps, large
}
criterion_main!(benches);
