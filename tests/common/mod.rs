//! Shared test helpers: a dense, direct transcription of one SORN step (SPEC §1–2), used as the
//! reference the sparse event-driven implementation must reproduce.

#![allow(dead_code)]
// The reference loops over indices on purpose: they mirror the sums of the equations.
#![allow(clippy::needless_range_loop)]

pub mod cli;

use rand::RngExt;
use rand_distr::StandardNormal;
use sorn::core::{InhibitionInput, Input, Network, Noise, SornRng};
use sorn::plasticity::{Exhausted, Freeze, PlasticityParams, Rule};

/// A dense copy of a network's plastic state; `None` marks an absent synapse.
#[derive(Clone, Debug)]
pub struct Dense {
    pub ne: usize,
    pub ni: usize,
    pub w_ee: Vec<Vec<Option<f64>>>,
    pub w_ei: Vec<Vec<Option<f64>>>,
    pub w_ie: Vec<Vec<f64>>,
    /// E←input pools and gain, for symbol input.
    pub w_eu: Option<(Vec<Vec<Option<f64>>>, f64)>,
    pub t_e: Vec<f64>,
    pub t_i: Vec<f64>,
    pub x: Vec<u8>,
    pub y: Vec<u8>,
}

fn dense_of(w: &sorn::core::WeightMatrix) -> Vec<Vec<Option<f64>>> {
    let mut d = vec![vec![None; w.n_cols()]; w.n_rows()];
    for (i, j, v) in w.triplets() {
        d[i][j] = Some(v);
    }
    d
}

impl Dense {
    pub fn of(net: &Network) -> Self {
        let ie = dense_of(&net.w_ie);
        Dense {
            ne: net.ne(),
            ni: net.ni(),
            w_ee: dense_of(&net.w_ee),
            w_ei: dense_of(&net.w_ei),
            w_ie: ie.into_iter().map(|r| r.into_iter().map(|v| v.unwrap_or(0.0)).collect()).collect(),
            w_eu: net.w_eu.as_ref().map(|w| {
                let gain = match net.params().input {
                    sorn::core::InputParams::Pools { gain, .. } => gain,
                    _ => 0.0,
                };
                (dense_of(w), gain)
            }),
            t_e: net.t_e.clone(),
            t_i: net.t_i.clone(),
            x: net.x().bits().to_vec(),
            y: net.y().bits().to_vec(),
        }
    }

    /// One step of state update plus plasticity, exactly as SPEC §1–2 write it, on dense matrices.
    pub fn step(
        &mut self,
        net_params: &sorn::core::NetworkParams,
        p: &PlasticityParams,
        frozen: Freeze,
        input: Input<'_>,
        noise_rng: &mut SornRng,
        sp_rng: &mut SornRng,
    ) {
        let (ne, ni) = (self.ne, self.ni);
        let mut xi_e = vec![0.0; ne];
        let mut xi_i = vec![0.0; ni];
        match net_params.noise {
            Noise::None => {}
            Noise::Gaussian { std } => {
                for v in xi_e.iter_mut().chain(xi_i.iter_mut()) {
                    let z: f64 = noise_rng.sample(StandardNormal);
                    *v = std * z;
                }
            }
            Noise::Uniform { amplitude } => {
                for v in xi_e.iter_mut().chain(xi_i.iter_mut()) {
                    *v = amplitude * noise_rng.random::<f64>();
                }
            }
        }
        let rule = net_params.threshold_rule;
        let xp = self.x.clone();
        let yp = self.y.clone();
        let mut x = vec![0u8; ne];
        for i in 0..ne {
            let mut ee = 0.0;
            for j in 0..ne {
                if let Some(w) = self.w_ee[i][j] {
                    ee += w * f64::from(xp[j]);
                }
            }
            let mut ei = 0.0;
            for k in 0..ni {
                if let Some(w) = self.w_ei[i][k] {
                    ei += w * f64::from(yp[k]);
                }
            }
            let r = ee - ei - self.t_e[i] + xi_e[i];
            let u = match (input, &self.w_eu) {
                (Input::Raw(v), _) if i < v.len() => Some(v[i]),
                (Input::Symbol(s), Some((w, gain))) => w[i][s].map(|w| gain * w),
                _ => None,
            };
            x[i] = u8::from(match u {
                Some(u) => rule.fires(r + u),
                None => rule.fires(r),
            });
        }
        let xu = match net_params.inhibition_from {
            InhibitionInput::Old => &xp,
            InhibitionInput::New => &x,
        };
        let mut y = vec![0u8; ni];
        for k in 0..ni {
            let mut d = 0.0;
            for j in 0..ne {
                d += self.w_ie[k][j] * f64::from(xu[j]);
            }
            y[k] = u8::from(rule.fires(d - self.t_i[k] + xi_i[k]));
        }
        self.x = x.clone();
        self.y = y;

        let ops: &[&str] = match p.order {
            sorn::plasticity::Order::SornPy => &["stdp", "ip", "sp", "istdp", "snee", "snei"],
            sorn::plasticity::Order::DelPapa => &["ip", "stdp", "sp", "istdp", "snee", "snei"],
            sorn::plasticity::Order::V2 => &["ip", "stdp", "snee", "istdp", "snei", "sp"],
        };
        for op in ops {
            match *op {
                "stdp" if !frozen.contains(Rule::Stdp) => {
                    if let Some(s) = &p.stdp {
                        for i in 0..ne {
                            for j in 0..ne {
                                if let Some(w) = self.w_ee[i][j] {
                                    let d = i32::from(x[i]) * i32::from(xp[j])
                                        - i32::from(xp[i]) * i32::from(x[j]);
                                    let mut v = w;
                                    if d != 0 {
                                        v = (v + s.eta * f64::from(d))
                                            .max(0.0)
                                            .min(s.upper.unwrap_or(f64::INFINITY));
                                    }
                                    let prune = s.prune_below.is_some_and(|e| v <= 0.0 || v < e);
                                    self.w_ee[i][j] = if prune { None } else { Some(v) };
                                }
                            }
                        }
                    }
                }
                "ip" if !frozen.contains(Rule::Ip) => {
                    if let Some(r) = &p.ip {
                        let (lo, hi) = r.bounds.map_or((f64::NEG_INFINITY, f64::INFINITY), |[a, b]| (a, b));
                        for i in 0..ne {
                            self.t_e[i] = (self.t_e[i] + r.eta * (f64::from(x[i]) - r.h_ip)).clamp(lo, hi);
                        }
                    }
                }
                "sp" if !frozen.contains(Rule::Sp) => {
                    if let Some(r) = &p.sp {
                        assert_eq!(r.batch, 1, "the dense reference does immediate SP only");
                        if sp_rng.random::<f64>() < r.effective_prob(ne) {
                            let mut tries = 0;
                            let full = ne * (ne - 1);
                            let pair = loop {
                                let i = sp_rng.random_range(0..ne);
                                let mut j = sp_rng.random_range(0..ne - 1);
                                if j >= i {
                                    j += 1;
                                }
                                if !self.w_ee[i][j].is_some_and(|w| w > 0.0) {
                                    break Some((i, j));
                                }
                                tries += 1;
                                let n_pos =
                                    self.w_ee.iter().flatten().filter(|w| w.is_some_and(|v| v > 0.0)).count();
                                match r.max_tries {
                                    Some(m) if tries >= m => {
                                        break (r.on_exhausted == Exhausted::Overwrite).then_some((i, j));
                                    }
                                    None if n_pos >= full => break None,
                                    _ => {}
                                }
                            };
                            if let Some((i, j)) = pair {
                                self.w_ee[i][j] = Some(r.init_weight);
                            }
                        }
                    }
                }
                "istdp" if !frozen.contains(Rule::Istdp) => {
                    if let Some(r) = &p.istdp {
                        for i in 0..ne {
                            for k in 0..ni {
                                if let (Some(w), 1) = (self.w_ei[i][k], yp[k]) {
                                    let v = w - r.eta * (1.0 - f64::from(x[i]) * (1.0 + 1.0 / r.mu));
                                    let v = match r.floor {
                                        Some(f) if v <= 0.0 => f,
                                        Some(_) => v.min(r.upper),
                                        None => v.clamp(0.0, r.upper),
                                    };
                                    self.w_ei[i][k] = if v <= 0.0 { None } else { Some(v) };
                                }
                            }
                        }
                    }
                }
                "snee" | "snei" if !frozen.contains(Rule::Ss) => {
                    if let Some(r) = &p.sn {
                        let m = match (*op, r.ee, r.ei) {
                            ("snee", true, _) => &mut self.w_ee,
                            ("snei", _, true) => &mut self.w_ei,
                            _ => continue,
                        };
                        for row in m.iter_mut() {
                            let s: f64 = row.iter().flatten().sum();
                            if s > 0.0 {
                                for v in row.iter_mut().flatten() {
                                    *v /= s;
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Asserts the sparse network equals this reference: states and thresholds exactly, weights to
    /// `tol` (row sums are accumulated in a different order).
    pub fn assert_matches(&self, net: &Network, tol: f64) {
        assert_eq!(net.x().bits(), &self.x[..], "x(t+1) differs");
        assert_eq!(net.y().bits(), &self.y[..], "y(t+1) differs");
        assert_eq!(net.t_e, self.t_e, "T^E differs");
        for (name, sparse, dense) in [("w_ee", &net.w_ee, &self.w_ee), ("w_ei", &net.w_ei, &self.w_ei)] {
            let got = dense_of(sparse);
            for i in 0..dense.len() {
                for j in 0..dense[i].len() {
                    match (got[i][j], dense[i][j]) {
                        (None, None) => {}
                        (Some(a), Some(b)) => {
                            assert!((a - b).abs() <= tol, "{name}[{i},{j}]: sparse {a} vs dense {b}")
                        }
                        (a, b) => panic!("{name}[{i},{j}] structure differs: sparse {a:?} vs dense {b:?}"),
                    }
                }
            }
        }
    }
}
