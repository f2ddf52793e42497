//! Neuronal avalanches of the spontaneous DP17 network (DP17 Figs 1–2, SPEC §5.6): the `delpapa2017`
//! preset without input, all five rules and Gaussian noise σ² = 0.05; only the number of active E
//! units per step is kept (for the analysis window, the last `window` steps). Avalanches: θ =
//! floor(⟨a⟩/2) over all seeds pooled, runs above θ, size = area above θ; power laws fitted on
//! durations [6, 60] and sizes [10, 1500] at N_E = 200 and on DP17's per-size windows otherwise
//! ([`fit_windows`]) with the `powerlaw` package's discrete MLE; truncated power laws and
//! likelihood-ratio comparisons on x ≥ xmin (as DP17's Table S1, which compares on the fit without
//! xmax). Network-size series over `nes`.

use super::common::{Output, figure, par_seeds};
use super::plot::{Chart, Series, line_chart};
use crate::config::{CheckedConfig, Config, InputSpec};
use crate::input::NoInput;
use crate::record::ObserveFn;
use crate::simulator::Sorn;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sorn_analysis::avalanche::{AvalancheOptions, ThresholdRule, avalanches_pooled, mean_size_per_duration};
use sorn_analysis::report::{AvalancheReport, AvalancheReportOptions, avalanche_report_pooled};
use std::path::Path;
use std::time::Instant;

/// Sizes of the avalanche experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AvalancheParams {
    /// Network sizes N_E (DP17 Fig 2: 50, 100, 200, 400, 800).
    pub nes: Vec<usize>,
    pub seeds: Vec<u64>,
    /// Steps per run (DP17: 5·10⁶).
    pub steps: u64,
    /// Analysis window: the last `window` steps (DP17: 3·10⁶).
    pub window: u64,
}

impl AvalancheParams {
    /// DP17 sizes at N_E = 200 (one seed per run; DP17 pools 50).
    pub fn full() -> Self {
        AvalancheParams { nes: vec![200], seeds: vec![1], steps: 5_000_000, window: 3_000_000 }
    }
    /// A few seconds: N_E = 100, 1.5·10⁵ steps, last 10⁵ analysed.
    pub fn quick() -> Self {
        AvalancheParams { nes: vec![100], seeds: vec![1], steps: 150_000, window: 100_000 }
    }
}

/// The spontaneous DP17 config at size `ne` with `seed`.
pub fn config(ne: usize, seed: u64) -> anyhow::Result<CheckedConfig> {
    let mut c: Config = crate::presets::delpapa2017();
    c.network.ne = ne;
    c.seed = seed;
    c.run.input = InputSpec::None;
    Ok(c.check()?)
}

/// What one spontaneous run leaves: the activity of the analysis window and coarse traces.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpontaneousRun {
    pub seed: u64,
    pub ne: usize,
    /// Active E units per step over the last `window` steps (not serialised into results.json).
    #[serde(skip)]
    pub activity: Vec<u32>,
    /// Mean E rate over the window (IP target h_IP = 0.1).
    pub window_rate: f64,
    /// Every `trace_every` steps: step, mean E rate since the last sample, E←E connection fraction,
    /// mean T^E.
    pub trace_every: u64,
    pub trace: Vec<[f64; 4]>,
    pub seconds: f64,
}

/// Runs `sim` for `steps` steps without input, keeping the activity of the last `window` steps.
pub fn spontaneous(mut sim: Sorn, seed: u64, steps: u64, window: u64) -> (SpontaneousRun, Sorn) {
    let t0 = Instant::now();
    let ne = sim.network().ne();
    let start = sim.steps();
    let first_kept = start + steps.saturating_sub(window);
    let trace_every = (steps / 500).max(1);
    let mut activity = Vec::with_capacity(window.min(steps) as usize);
    let mut trace = Vec::new();
    let mut acc = 0u64;
    let mut obs = ObserveFn(|s: &Sorn| {
        let a = s.network().x().count() as u32;
        acc += u64::from(a);
        if s.steps() > first_kept {
            activity.push(a);
        }
        if (s.steps() - start).is_multiple_of(trace_every) {
            let n = s.network();
            let frac = n.w_ee.count_positive() as f64 / (ne * (ne - 1)) as f64;
            let tmean = n.t_e.iter().sum::<f64>() / ne as f64;
            trace.push([s.steps() as f64, acc as f64 / (trace_every * ne as u64) as f64, frac, tmean]);
            acc = 0;
        }
    });
    sim.run(steps, &mut NoInput, &mut obs);
    let window_rate =
        activity.iter().map(|&a| f64::from(a)).sum::<f64>() / (activity.len().max(1) * ne) as f64;
    let run = SpontaneousRun {
        seed,
        ne,
        activity,
        window_rate,
        trace_every,
        trace,
        seconds: t0.elapsed().as_secs_f64(),
    };
    (run, sim)
}

/// An inclusive fit range [xmin, xmax].
pub type Window = (u64, u64);

/// The power-law windows DP17 gives per network size (Fig 2F, "power-law scale range"): durations on
/// [2, 10], [4, 30], [6, 60], [8, 100], [10, 150] and sizes on [3, 100], [4, 200], [10, 1500],
/// [30, 3000], [70, 7000] for N_E = 50, 100, 200, 400, 800. Other sizes take the window of the nearest
/// of these on a log scale.
pub fn fit_windows(ne: usize) -> (Window, Window) {
    const WINDOWS: [(usize, Window, Window); 5] = [
        (50, (2, 10), (3, 100)),
        (100, (4, 30), (4, 200)),
        (200, (6, 60), (10, 1500)),
        (400, (8, 100), (30, 3000)),
        (800, (10, 150), (70, 7000)),
    ];
    let dist = |n: usize| ((ne.max(1) as f64).ln() - (n as f64).ln()).abs();
    let best = WINDOWS.iter().min_by(|a, b| dist(a.0).total_cmp(&dist(b.0))).expect("non-empty table");
    (best.1, best.2)
}

/// DP17's analysis options at size `ne`: θ = floor(⟨a⟩/2), size = area above θ, the windows of
/// [`fit_windows`].
pub fn fit_options(ne: usize) -> AvalancheReportOptions {
    let ((xmin_t, xmax_t), (xmin_s, xmax_s)) = fit_windows(ne);
    AvalancheReportOptions { xmin_t, xmax_t, xmin_s, xmax_s, ..AvalancheReportOptions::default() }
}

/// Avalanche analysis of one condition (several seeds pooled).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub label: String,
    pub ne: usize,
    pub runs: Vec<SpontaneousRun>,
    /// Mean rate over the windows of all runs.
    pub rate: f64,
    pub report: Option<AvalancheReport>,
    pub error: Option<String>,
    /// With several seeds: each seed analysed alone with the pooled θ (empty for one seed).
    pub per_seed: Vec<SeedSummary>,
}

/// One seed of a pooled condition, analysed alone with the pooled θ: the regimes of single runs differ
/// (EXPERIMENTS.md §3), and this is where that shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeedSummary {
    pub seed: u64,
    /// E←E connection fraction at the end of the run.
    pub connection_fraction: Option<f64>,
    pub n_avalanches: usize,
    /// τ on the size window, α on the duration window.
    pub tau: Option<f64>,
    pub alpha: Option<f64>,
    /// Normalised log-likelihood ratio power law vs exponential (x ≥ xmin) for sizes and durations.
    pub r_exp_sizes: Option<f64>,
    pub r_exp_durations: Option<f64>,
}

impl SeedSummary {
    fn of(run: &SpontaneousRun, opts: &AvalancheReportOptions) -> SeedSummary {
        let rep = avalanche_report_pooled(&[run.activity.as_slice()], opts).ok();
        let r_exp = |s: &sorn_analysis::report::PowerLawSummary| s.vs_exponential.map(|t| t.r);
        SeedSummary {
            seed: run.seed,
            connection_fraction: run.trace.last().map(|t| t[2]),
            n_avalanches: rep.as_ref().map_or(0, |r| r.n_avalanches),
            tau: rep.as_ref().and_then(|r| r.sizes.exponent),
            alpha: rep.as_ref().and_then(|r| r.durations.exponent),
            r_exp_sizes: rep.as_ref().and_then(|r| r_exp(&r.sizes)),
            r_exp_durations: rep.as_ref().and_then(|r| r_exp(&r.durations)),
        }
    }

    /// One indented line of the table.
    pub fn line(&self) -> String {
        let f = |v: Option<f64>, d: usize| v.map_or("–".to_string(), |v| format!("{v:.d$}"));
        format!(
            "    seed {:>3}  E←E fraction {}  avalanches {:>7}  τ {}  α {}  R_exp S {} T {}",
            self.seed,
            f(self.connection_fraction, 3),
            self.n_avalanches,
            f(self.tau, 3),
            f(self.alpha, 3),
            f(self.r_exp_sizes, 1),
            f(self.r_exp_durations, 1),
        )
    }
}

impl Condition {
    /// Pools the runs' windows and fits: θ = floor(⟨a⟩/2), power laws on the window of [`fit_options`].
    pub fn analyse(label: String, ne: usize, runs: Vec<SpontaneousRun>) -> Condition {
        let slices: Vec<&[u32]> = runs.iter().map(|r| r.activity.as_slice()).collect();
        let rate = runs.iter().map(|r| r.window_rate).sum::<f64>() / runs.len().max(1) as f64;
        let opts = fit_options(ne);
        let (report, error) = match avalanche_report_pooled(&slices, &opts) {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let per_seed = match &report {
            Some(r) if runs.len() > 1 => {
                let opts = AvalancheReportOptions { theta: ThresholdRule::Value(r.theta), ..opts };
                runs.par_iter().map(|run| SeedSummary::of(run, &opts)).collect()
            }
            _ => Vec::new(),
        };
        Condition { label, ne, runs, rate, report, error, per_seed }
    }

    /// τ (sizes) and α (durations), if fitted.
    pub fn exponents(&self) -> (Option<f64>, Option<f64>) {
        self.report.as_ref().map_or((None, None), |r| (r.sizes.exponent, r.durations.exponent))
    }

    /// The DP17 acceptance check of SPEC §5.6: 1.1 < τ < 1.6, 1.2 < α < 2.0, and the power law favoured
    /// over the exponential (R > 0) for both.
    pub fn within_dp17_ranges(&self) -> bool {
        let Some(r) = &self.report else { return false };
        let ok_t = r.sizes.exponent.is_some_and(|t| t > 1.1 && t < 1.6);
        let ok_a = r.durations.exponent.is_some_and(|a| a > 1.2 && a < 2.0);
        let fav = |s: &sorn_analysis::report::PowerLawSummary| s.vs_exponential.is_some_and(|t| t.r > 0.0);
        ok_t && ok_a && fav(&r.sizes) && fav(&r.durations)
    }

    /// One line: N_E, rate, avalanches, τ, α, truncated exponents, R vs exponential.
    pub fn line(&self) -> String {
        let Some(r) = &self.report else {
            return format!(
                "{:<22} N_E {:>4}  rate {:.4}  no avalanche fit: {}",
                self.label,
                self.ne,
                self.rate,
                self.error.as_deref().unwrap_or("?")
            );
        };
        let f = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.3}"));
        let rr = |s: &sorn_analysis::report::PowerLawSummary| {
            s.vs_exponential.map_or("–".into(), |t| format!("{:.1}", t.r))
        };
        format!(
            "{:<22} N_E {:>4}  rate {:.4}  θ {:>3}  avalanches {:>7}  τ {} (τ* {})  α {} (α* {})  R_exp S {} T {}",
            self.label,
            self.ne,
            self.rate,
            r.theta,
            r.n_avalanches,
            f(r.sizes.exponent),
            f(r.sizes.truncated.map(|t| t.alpha)),
            f(r.durations.exponent),
            f(r.durations.truncated.map(|t| t.alpha)),
            rr(&r.sizes),
            rr(&r.durations),
        )
    }

    /// Figures of this condition into `dir` with file prefix `prefix`: size and duration
    /// distributions with fits (PNG), ⟨S⟩(T), activity vs Binomial(N_E, 0.1), rate/threshold traces.
    pub fn figures(&self, out: &Output, prefix: &str) {
        let slices: Vec<&[u32]> = self.runs.iter().map(|r| r.activity.as_slice()).collect();
        let opts = fit_options(self.ne);
        let Ok(av) = avalanches_pooled(
            &slices,
            &AvalancheOptions { theta: opts.theta, bin: 1, size_rule: opts.size_rule },
        ) else {
            return;
        };
        let Some(r) = &self.report else { return };
        let sizes: Vec<f64> = av.sizes.iter().map(|&v| v as f64).collect();
        let durs: Vec<f64> = av.durations.iter().map(|&v| v as f64).collect();
        for (kind, vals, s, name) in [
            (sorn_viz::AvalancheKind::Size, &sizes, &r.sizes, "sizes"),
            (sorn_viz::AvalancheKind::Duration, &durs, &r.durations, "durations"),
        ] {
            let pl = s.exponent.map(|e| sorn_viz::PowerLawOverlay {
                exponent: e,
                xmin: s.xmin as f64,
                xmax: Some(s.xmax as f64),
            });
            let tr = s.truncated.map(|t| sorn_viz::TruncatedOverlay {
                exponent: t.alpha,
                lambda: t.lambda,
                xmin: s.xmin as f64,
            });
            let file = format!("{prefix}{name}.png");
            figure(
                &file,
                sorn_viz::avalanche_distribution(
                    vals,
                    kind,
                    sorn_viz::Binning::Exact,
                    pl,
                    tr,
                    &out.path(&file),
                    (800, 600),
                ),
            );
        }
        let rel = match (r.durations.exponent, r.sizes.exponent) {
            (Some(alpha), Some(tau)) => Some(sorn_viz::ExponentRelation { alpha, tau }),
            _ => None,
        };
        let file = format!("{prefix}mean_size.png");
        figure(
            &file,
            sorn_viz::mean_size_vs_duration(&sizes, &durs, rel, Some(1.3), &out.path(&file), (800, 600)),
        );
        let act: Vec<f64> = self.runs.iter().flat_map(|r| r.activity.iter().map(|&a| f64::from(a))).collect();
        let file = format!("{prefix}activity.png");
        figure(&file, sorn_viz::activity_binomial(&act, self.ne as u32, 0.1, &out.path(&file), (800, 600)));
        if let Some(run) = self.runs.first() {
            let every = run.trace_every as f64;
            let steps = sorn_viz::Steps { first: every, every };
            let th: Vec<f64> = run.trace.iter().map(|t| t[3]).collect();
            let rate: Vec<f64> = run.trace.iter().map(|t| t[1]).collect();
            let frac: Vec<f64> = run.trace.iter().map(|t| t[2]).collect();
            let file = format!("{prefix}threshold_rate.png");
            figure(&file, sorn_viz::threshold_rate_traces(&th, &rate, steps, &out.path(&file), (900, 600)));
            let file = format!("{prefix}connection_fraction.png");
            figure(&file, sorn_viz::connection_fraction(&frac, steps, &out.path(&file), (900, 500)));
        }
        let _ = mean_size_per_duration;
    }
}

/// Everything `avalanches` measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AvalancheResults {
    pub params: AvalancheParams,
    pub conditions: Vec<Condition>,
    pub wall_seconds: f64,
}

/// Runs every (N_E, seed), seeds and sizes in parallel, and analyses each N_E (seeds pooled).
pub fn run(p: &AvalancheParams) -> anyhow::Result<AvalancheResults> {
    let t0 = Instant::now();
    // Largest networks first so the parallel pool is balanced.
    let mut jobs: Vec<(usize, u64)> =
        p.nes.iter().flat_map(|&ne| p.seeds.iter().map(move |&s| (ne, s))).collect();
    jobs.sort_by_key(|j| std::cmp::Reverse(j.0));
    let idx: Vec<u64> = (0..jobs.len() as u64).collect();
    let runs = par_seeds(&idx, |i| -> anyhow::Result<SpontaneousRun> {
        let (ne, seed) = jobs[i as usize];
        let sim = Sorn::new(&config(ne, seed)?);
        Ok(spontaneous(sim, seed, p.steps, p.window).0)
    });
    let mut runs: Vec<SpontaneousRun> = runs.into_iter().collect::<anyhow::Result<_>>()?;
    let mut conditions = Vec::new();
    for &ne in &p.nes {
        let mine: Vec<SpontaneousRun> = runs.iter().filter(|r| r.ne == ne).cloned().collect();
        runs.retain(|r| r.ne != ne);
        conditions.push(Condition::analyse(format!("N_E = {ne}"), ne, mine));
    }
    Ok(AvalancheResults { params: p.clone(), conditions, wall_seconds: t0.elapsed().as_secs_f64() })
}

/// Summary text.
pub fn table(r: &AvalancheResults) -> String {
    let s = format!(
        "avalanches (delpapa2017, spontaneous): {} steps, last {} analysed, {} seed(s) pooled per size\n",
        r.params.steps,
        r.params.window,
        r.params.seeds.len()
    );
    s + &conditions_text(&r.conditions, true, r.wall_seconds)
}

/// One line per condition (with the verdict against DP17's loose exponent ranges when `judge`), then
/// the wall time: the body of every avalanche experiment's table.
pub(crate) fn conditions_text(conditions: &[Condition], judge: bool, wall_seconds: f64) -> String {
    let mut s = String::new();
    for c in conditions {
        s += &c.line();
        s += match (judge, c.within_dp17_ranges()) {
            (false, _) => "\n",
            (true, true) => "  [within DP17 ranges]\n",
            (true, false) => "  [outside DP17 ranges]\n",
        };
        for seed in &c.per_seed {
            s += &seed.line();
            s += "\n";
        }
    }
    s + &format!("wall time {wall_seconds:.1} s\n")
}

/// Writes `results.json`, `table.txt`, per-size figures (`ne200_sizes.png`, …) and, for a size series,
/// `exponents_vs_ne.svg`.
pub fn write(r: &AvalancheResults, out: &Output) -> anyhow::Result<()> {
    out.write_json("results.json", r)?;
    out.write_text("table.txt", &table(r))?;
    for c in &r.conditions {
        c.figures(out, &format!("ne{}_", c.ne));
    }
    if r.conditions.len() > 1 {
        let x: Vec<f64> = r.conditions.iter().map(|c| c.ne as f64).collect();
        let ser = |label: &str, f: &dyn Fn(&Condition) -> Option<f64>| Series {
            label: label.into(),
            x: x.clone(),
            y: r.conditions.iter().map(|c| f(c).unwrap_or(f64::NAN)).collect(),
            markers: true,
            ..Default::default()
        };
        let series = [ser("τ (sizes)", &|c| c.exponents().0), ser("α (durations)", &|c| c.exponents().1)];
        let chart = Chart {
            title: "Avalanche exponents vs network size".into(),
            x_label: "N_E".into(),
            y_label: "exponent".into(),
            log_x: true,
            y_range: None,
            hlines: vec![(1.5, "τ = 1.5 (mean field)".into()), (2.0, "α = 2 (mean field)".into())],
        };
        figure("exponents_vs_ne.svg", line_chart(&out.path("exponents_vs_ne.svg"), &chart, &series));
    }
    Ok(())
}

/// Writes a condition's activity as `.npy` (uint32) — used by `--keep-activity`.
pub fn write_activity(c: &Condition, dir: &Path) -> anyhow::Result<()> {
    for r in &c.runs {
        let arr = ndarray::Array1::from(r.activity.clone());
        ndarray_npy::write_npy(dir.join(format!("activity_ne{}_seed{}.npy", r.ne, r.seed)), &arr)?;
    }
    Ok(())
}
