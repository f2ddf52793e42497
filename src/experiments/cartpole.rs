//! CartPole with a SORN reservoir and a policy-gradient readout: the Python `sorn` package's OpenAI-gym
//! demo, without Python.
//!
//! * Environment: gym's `CartPole-v1` equations and constants (gravity 9.8, cart mass 1.0, pole mass 0.1,
//!   half-length 0.5, force 10, τ = 0.02 s, explicit Euler), start state U(−0.05, 0.05)⁴, termination at
//!   |θ| > 12° or |x| > 2.4, at most 500 steps, reward 1 per step.
//! * Encoding: each observation is divided by a scale (2.4, 1.5, 0.21, 1.5 for x, ẋ, θ, θ̇), clipped to
//!   [−1, 1] and split into its positive and negative parts: 8 raw inputs (× `gain`) added to E units
//!   0..7 of a `sorn-py` network (`nu = 8`, noise σ = 0.04).
//! * Reservoir: a plastic warm-up (`warmup_steps` SORN steps while a random policy plays), then every
//!   rule frozen. One SORN step per environment step; the features are x(t+1) (N_E binary) plus a bias.
//! * Policy: logistic, P(push right) = σ(w·φ); REINFORCE with a baseline: discounted returns (γ = 0.99)
//!   normalised over each batch of episodes (the batch mean is the baseline), Adam on w.

use super::common::{Output, Spread, figure, par_seeds};
use super::plot::{Chart, Series, line_chart};
use crate::config::{CheckedConfig, InputSpec, Phase};
use crate::input::{InputKind, InputSource};
use crate::simulator::Sorn;
use rand::RngExt;
use serde::{Deserialize, Serialize};
use sorn_core::{InputParams, SornRng, Stream, stream_rng};
use std::time::Instant;

/// gym `CartPole-v1`.
#[derive(Clone, Debug, PartialEq)]
pub struct CartPole {
    /// x, ẋ, θ, θ̇
    pub state: [f64; 4],
    pub steps: usize,
    pub done: bool,
}

impl CartPole {
    pub const GRAVITY: f64 = 9.8;
    pub const MASS_CART: f64 = 1.0;
    pub const MASS_POLE: f64 = 0.1;
    /// Half the pole's length.
    pub const LENGTH: f64 = 0.5;
    pub const FORCE_MAG: f64 = 10.0;
    pub const TAU: f64 = 0.02;
    pub const THETA_LIMIT: f64 = 12.0 * 2.0 * std::f64::consts::PI / 360.0;
    pub const X_LIMIT: f64 = 2.4;
    pub const MAX_STEPS: usize = 500;

    /// A new episode: each state variable U(−0.05, 0.05).
    pub fn reset(rng: &mut SornRng) -> CartPole {
        let mut s = [0.0; 4];
        for v in &mut s {
            *v = rng.random_range(-0.05..0.05);
        }
        CartPole { state: s, steps: 0, done: false }
    }

    /// One step with action 0 (push left) or 1 (push right); returns the reward (1) and whether the
    /// episode ended (pole fell, cart out, or 500 steps).
    pub fn step(&mut self, action: usize) -> (f64, bool) {
        let [x, x_dot, theta, theta_dot] = self.state;
        let force = if action == 1 { Self::FORCE_MAG } else { -Self::FORCE_MAG };
        let total = Self::MASS_CART + Self::MASS_POLE;
        let pml = Self::MASS_POLE * Self::LENGTH;
        let (sin, cos) = theta.sin_cos();
        let temp = (force + pml * theta_dot * theta_dot * sin) / total;
        let theta_acc = (Self::GRAVITY * sin - cos * temp)
            / (Self::LENGTH * (4.0 / 3.0 - Self::MASS_POLE * cos * cos / total));
        let x_acc = temp - pml * theta_acc * cos / total;
        self.state = [
            x + Self::TAU * x_dot,
            x_dot + Self::TAU * x_acc,
            theta + Self::TAU * theta_dot,
            theta_dot + Self::TAU * theta_acc,
        ];
        self.steps += 1;
        let [x, _, theta, _] = self.state;
        let fell = x.abs() > Self::X_LIMIT || theta.abs() > Self::THETA_LIMIT;
        self.done = fell || self.steps >= Self::MAX_STEPS;
        (1.0, self.done)
    }
}

/// Observation scales of the encoding (x, ẋ, θ, θ̇).
pub const SCALES: [f64; 4] = [2.4, 1.5, 0.21, 1.5];

/// The 8 raw inputs of an observation: positive and negative parts of obs/scale clipped to [−1, 1].
pub fn encode(obs: &[f64; 4], gain: f64) -> [f64; 8] {
    let mut u = [0.0; 8];
    for k in 0..4 {
        let v = (obs[k] / SCALES[k]).clamp(-1.0, 1.0);
        u[2 * k] = gain * v.max(0.0);
        u[2 * k + 1] = gain * (-v).max(0.0);
    }
    u
}

struct ObsInput([f64; 8]);

impl InputSource for ObsInput {
    fn next(&mut self, _: u64, _: &mut SornRng, raw: &mut [f64]) -> InputKind {
        for (r, v) in raw.iter_mut().zip(self.0) {
            *r = v;
        }
        InputKind::Raw
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CartPoleParams {
    pub ne: usize,
    pub seeds: Vec<u64>,
    pub episodes: usize,
    /// Episodes per policy update.
    pub batch: usize,
    pub learning_rate: f64,
    pub gamma: f64,
    pub gain: f64,
    pub warmup_steps: u64,
    /// Greedy evaluation episodes after training, and random-policy episodes for the baseline.
    pub eval_episodes: usize,
}

impl CartPoleParams {
    pub fn full() -> Self {
        CartPoleParams {
            ne: 200,
            seeds: vec![1, 2, 3, 4],
            episodes: 1000,
            batch: 10,
            learning_rate: 0.01,
            gamma: 0.99,
            gain: 1.0,
            warmup_steps: 5_000,
            eval_episodes: 50,
        }
    }
    pub fn quick() -> Self {
        CartPoleParams {
            ne: 100,
            seeds: vec![1],
            episodes: 60,
            warmup_steps: 1_000,
            eval_episodes: 10,
            ..Self::full()
        }
    }
}

/// The reservoir: `sorn-py` with 8 raw inputs.
pub fn config(ne: usize, seed: u64) -> anyhow::Result<CheckedConfig> {
    let mut c = crate::presets::sorn_py();
    c.network.ne = ne;
    c.network.input = InputParams::Raw { nu: 8 };
    c.seed = seed;
    c.run.input = InputSpec::None;
    Ok(c.check()?)
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Runs the reservoir one step on the current observation and returns the features (x(t+1), bias).
fn features(sim: &mut Sorn, env: &CartPole, gain: f64, phi: &mut Vec<f64>) {
    sim.run(1, &mut ObsInput(encode(&env.state, gain)), &mut ());
    phi.clear();
    phi.extend(sim.network().x().bits().iter().map(|&b| f64::from(b)));
    phi.push(1.0);
}

/// One seed's learning curve and evaluations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CartPoleRun {
    pub seed: u64,
    /// Length of each training episode.
    pub lengths: Vec<usize>,
    /// Mean length of random-policy episodes (p = 0.5).
    pub random_mean: f64,
    /// Mean length of greedy episodes (push right iff P > 0.5) after training.
    pub greedy_mean: f64,
    /// Mean length of stochastic-policy episodes after training.
    pub final_stochastic_mean: f64,
}

/// Trains one policy.
pub fn run_seed(p: &CartPoleParams, seed: u64) -> anyhow::Result<CartPoleRun> {
    let mut sim = Sorn::new(&config(p.ne, seed)?);
    let mut rng = stream_rng(seed, Stream::Experiment);
    let mut phi = Vec::with_capacity(p.ne + 1);
    // Random-policy baseline and plastic warm-up.
    let mut random_lengths = Vec::new();
    let mut env = CartPole::reset(&mut rng);
    while sim.steps() < p.warmup_steps || random_lengths.len() < p.eval_episodes {
        features(&mut sim, &env, p.gain, &mut phi);
        if env.step(rng.random_range(0..2)).1 {
            random_lengths.push(env.steps);
            env = CartPole::reset(&mut rng);
        }
        if sim.steps() >= p.warmup_steps {
            sim.set_phase(Phase::Training);
        }
    }
    sim.set_phase(Phase::Training);
    let random_mean = random_lengths.iter().sum::<usize>() as f64 / random_lengths.len() as f64;

    let dim = p.ne + 1;
    let mut w = vec![0.0; dim];
    let (mut m, mut v, mut t_adam) = (vec![0.0; dim], vec![0.0; dim], 0i32);
    let mut lengths = Vec::with_capacity(p.episodes);
    // Per batch: (features, action, prob) per step, and the discounted returns.
    let mut steps: Vec<(Vec<f64>, usize, f64)> = Vec::new();
    let mut returns: Vec<f64> = Vec::new();
    for ep in 0..p.episodes {
        let mut env = CartPole::reset(&mut rng);
        let start = steps.len();
        loop {
            features(&mut sim, &env, p.gain, &mut phi);
            let prob = sigmoid(phi.iter().zip(&w).map(|(a, b)| a * b).sum());
            let a = usize::from(rng.random::<f64>() < prob);
            steps.push((phi.clone(), a, prob));
            if env.step(a).1 {
                break;
            }
        }
        lengths.push(env.steps);
        let mut g = 0.0;
        let mut ret = vec![0.0; steps.len() - start];
        for r in ret.iter_mut().rev() {
            g = 1.0 + p.gamma * g;
            *r = g;
        }
        returns.extend(ret);
        if (ep + 1) % p.batch == 0 {
            let n = returns.len() as f64;
            let mean = returns.iter().sum::<f64>() / n;
            let std = (returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / n).sqrt().max(1e-8);
            let mut grad = vec![0.0; dim];
            for ((f, a, prob), r) in steps.iter().zip(&returns) {
                let adv = (r - mean) / std;
                let c = adv * (*a as f64 - prob) / n;
                for (gk, fk) in grad.iter_mut().zip(f) {
                    *gk += c * fk;
                }
            }
            // Adam ascent.
            t_adam += 1;
            let (b1, b2) = (0.9f64, 0.999f64);
            for k in 0..dim {
                m[k] = b1 * m[k] + (1.0 - b1) * grad[k];
                v[k] = b2 * v[k] + (1.0 - b2) * grad[k] * grad[k];
                let mh = m[k] / (1.0 - b1.powi(t_adam));
                let vh = v[k] / (1.0 - b2.powi(t_adam));
                w[k] += p.learning_rate * mh / (vh.sqrt() + 1e-8);
            }
            steps.clear();
            returns.clear();
        }
    }
    let mut eval = |greedy: bool| {
        let mut total = 0usize;
        for _ in 0..p.eval_episodes {
            let mut env = CartPole::reset(&mut rng);
            loop {
                features(&mut sim, &env, p.gain, &mut phi);
                let prob = sigmoid(phi.iter().zip(&w).map(|(a, b)| a * b).sum());
                let a =
                    if greedy { usize::from(prob > 0.5) } else { usize::from(rng.random::<f64>() < prob) };
                if env.step(a).1 {
                    break;
                }
            }
            total += env.steps;
        }
        total as f64 / p.eval_episodes.max(1) as f64
    };
    let greedy_mean = eval(true);
    let final_stochastic_mean = eval(false);
    Ok(CartPoleRun { seed, lengths, random_mean, greedy_mean, final_stochastic_mean })
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CartPoleResults {
    pub params: CartPoleParams,
    pub runs: Vec<CartPoleRun>,
    /// Over seeds: random policy, first 10 % of training episodes, last 10 %, greedy evaluation.
    pub random: Spread,
    pub first_tenth: Spread,
    pub last_tenth: Spread,
    pub greedy: Spread,
    pub wall_seconds: f64,
}

pub fn run(p: &CartPoleParams) -> anyhow::Result<CartPoleResults> {
    let t0 = Instant::now();
    let runs: Vec<CartPoleRun> =
        par_seeds(&p.seeds, |s| run_seed(p, s)).into_iter().collect::<anyhow::Result<_>>()?;
    let k = (p.episodes / 10).max(1);
    let mean = |v: &[usize]| v.iter().sum::<usize>() as f64 / v.len().max(1) as f64;
    let sp = |f: &dyn Fn(&CartPoleRun) -> f64| Spread::of(&runs.iter().map(f).collect::<Vec<_>>());
    Ok(CartPoleResults {
        random: sp(&|r| r.random_mean),
        first_tenth: sp(&|r| mean(&r.lengths[..k.min(r.lengths.len())])),
        last_tenth: sp(&|r| mean(&r.lengths[r.lengths.len().saturating_sub(k)..])),
        greedy: sp(&|r| r.greedy_mean),
        params: p.clone(),
        runs,
        wall_seconds: t0.elapsed().as_secs_f64(),
    })
}

pub fn table(r: &CartPoleResults) -> String {
    format!(
        "cartpole (sorn-py reservoir N_E {}, REINFORCE, {} episodes, {} seed(s)); episode length mean [p16, p84] over seeds\n  random policy        {}\n  first 10 % episodes  {}\n  last 10 % episodes   {}\n  greedy after training {}\nwall time {:.1} s\n",
        r.params.ne,
        r.params.episodes,
        r.params.seeds.len(),
        r.random,
        r.first_tenth,
        r.last_tenth,
        r.greedy,
        r.wall_seconds
    )
}

pub fn write(r: &CartPoleResults, out: &Output) -> anyhow::Result<()> {
    out.write_json("results.json", r)?;
    out.write_text("table.txt", &table(r))?;
    // Learning curves: moving average over `batch` episodes, one per seed.
    let win = r.params.batch.max(1);
    let series: Vec<Series> = r
        .runs
        .iter()
        .map(|run| {
            let (mut x, mut y) = (Vec::new(), Vec::new());
            for (i, c) in run.lengths.chunks(win).enumerate() {
                x.push(((i + 1) * win) as f64);
                y.push(c.iter().sum::<usize>() as f64 / c.len() as f64);
            }
            Series { label: format!("seed {}", run.seed), x, y, ..Default::default() }
        })
        .collect();
    let chart = Chart {
        title: format!("CartPole-v1 with a SORN reservoir (N_E = {})", r.params.ne),
        x_label: "episode".into(),
        y_label: format!("episode length (mean of {win})"),
        y_range: Some((0.0, 520.0)),
        hlines: vec![(r.random.mean, "random policy".into()), (500.0, "max 500".into())],
        ..Default::default()
    };
    figure("learning_curve.svg", line_chart(&out.path("learning_curve.svg"), &chart, &series));
    Ok(())
}
