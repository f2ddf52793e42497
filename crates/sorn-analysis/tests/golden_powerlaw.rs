//! Golden tests against the Python `powerlaw` package 2.0.0 (fixtures written by
//! `scripts/golden/make_analysis_golden.py`).

use serde_json::Value;
use sorn_analysis::powerlaw::{DiscreteFit, Distribution};

fn load(name: &str) -> Value {
    let p = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

fn u64s(v: &Value) -> Vec<u64> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect()
}

/// Checks one `fit_record` of the golden script; returns the max relative error of the exponent.
pub fn check_fit(data: &[u64], rec: &Value, label: &str) -> f64 {
    let xmin = rec["xmin"].as_f64().unwrap() as u64;
    let xmax = rec["xmax"].as_f64().map(|x| x as u64);
    let fit = DiscreteFit::new(data, Some(xmin), xmax).unwrap();
    assert_eq!(fit.data().len() as u64, rec["n"].as_u64().unwrap(), "{label}: n");
    let pl = fit.power_law();
    let ea = rel(pl.alpha, rec["alpha"].as_f64().unwrap());
    eprintln!(
        "{label}: alpha {} vs {} (rel {ea:.2e}); D {} vs {}",
        pl.alpha, rec["alpha"], pl.ks_d, rec["ks_d"]
    );
    assert!(ea < 1e-3, "{label}: alpha rel err {ea}");
    // (α − 1)/√n: relative to 1e-3, with an absolute floor of 1e-6 for fits that sit at the package's
    // boundary α → 1⁺, where both values are ≈ 0 (1e-8 vs 1e-11) and a ratio means nothing.
    let (se, pkg_se) = (pl.standard_err, rec["standard_err"].as_f64().unwrap());
    assert!((se - pkg_se).abs() <= 1e-3 * pkg_se.abs() + 1e-6, "{label}: standard error {se} vs {pkg_se}");
    let pkg_ll = rec["pl_loglikelihood"].as_f64().unwrap();
    assert!(
        (pl.loglikelihood - pkg_ll).abs() < 1e-5 * pkg_ll.abs() + 1e-6,
        "{label}: pl ll {} vs {pkg_ll}",
        pl.loglikelihood
    );
    assert!((pl.ks_d - rec["ks_d"].as_f64().unwrap()).abs() < 2e-4, "{label}: D");
    if let Some(tl) = rec.get("tpl_loglikelihood") {
        let t = fit.truncated_power_law().unwrap();
        let pkg = tl.as_f64().unwrap();
        eprintln!(
            "  tpl alpha {} vs {}, lambda {:e} vs {}, ll {} vs {pkg}",
            t.alpha, rec["tpl_alpha"], t.lambda, rec["tpl_lambda"], t.loglikelihood
        );
        // our optimum is at least as good as the package's Nelder–Mead result
        assert!(t.loglikelihood > pkg - 1e-6 * pkg.abs(), "{label}: tpl ll");
        let e = fit.exponential().unwrap();
        eprintln!("  exp lambda {} vs {}", e.lambda, rec["exp_lambda"]);
        assert!(rel(e.lambda, rec["exp_lambda"].as_f64().unwrap()) < 1e-3);
        let pkg_e = rec["exp_loglikelihood"].as_f64().unwrap();
        assert!((e.loglikelihood - pkg_e).abs() < 1e-6 * pkg_e.abs());
        let l = fit.lognormal().unwrap();
        let pkg_l = rec["ln_loglikelihood"].as_f64().unwrap();
        eprintln!(
            "  ln mu {} vs {}, sigma {} vs {}, ll {} vs {pkg_l}",
            l.mu, rec["ln_mu"], l.sigma, rec["ln_sigma"], l.loglikelihood
        );
        assert!(l.loglikelihood > pkg_l - 1e-6 * pkg_l.abs(), "{label}: ln ll");
        if let Some(sl) = rec.get("se_loglikelihood") {
            // Same likelihood function as the package: evaluated at its parameters, to 1e-9.
            let pkg_s = sl.as_f64().unwrap();
            let (lam, beta) = (rec["se_lambda"].as_f64().unwrap(), rec["se_beta"].as_f64().unwrap());
            let at_pkg = fit.stretched_exponential_loglikelihood(lam, beta);
            assert!(
                (at_pkg - pkg_s).abs() <= 1e-9 * pkg_s.abs(),
                "{label}: se ll at the package's parameters"
            );
            // and an optimum at least as good as the package's Nelder–Mead result
            let s = fit.stretched_exponential().unwrap();
            eprintln!(
                "  se lambda {:e} vs {lam:e}, beta {} vs {beta}, ll {} vs {pkg_s}",
                s.lambda, s.beta, s.loglikelihood
            );
            assert!(s.loglikelihood > pkg_s - 1e-6 * pkg_s.abs(), "{label}: se ll");
        }
        for (name, d) in [
            ("exponential", Distribution::Exponential),
            ("truncated_power_law", Distribution::TruncatedPowerLaw),
            ("lognormal", Distribution::Lognormal),
            ("stretched_exponential", Distribution::StretchedExponential),
        ] {
            let c = fit.compare(Distribution::PowerLaw, d).unwrap();
            let r = rec["compare"][name]["r"].as_f64().unwrap();
            let p = rec["compare"][name]["p"].as_f64().unwrap();
            eprintln!("  R({name}) {} vs {r}; p {} vs {p}", c.r, c.p);
            if name == "exponential" {
                assert!(rel(c.r, r) < 1e-3, "{label}: R exp");
                assert!((c.p - p).abs() < 1e-3 * p + 1e-12, "{label}: p exp");
            }
        }
    }
    ea
}

#[test]
fn golden_powerlaw_fixed_xmin() {
    let g = load("powerlaw.json");
    let mut worst: f64 = 0.0;
    for (i, case) in g["cases"].as_array().unwrap().iter().enumerate() {
        let data = u64s(&case["data"]);
        for (j, rec) in case["fits"].as_array().unwrap().iter().enumerate() {
            worst = worst.max(check_fit(&data, rec, &format!("case {i} fit {j}")));
        }
    }
    eprintln!("max relative alpha error: {worst:.3e}");
}

#[test]
fn golden_powerlaw_xmin_search() {
    let g = load("powerlaw.json");
    let s = &g["xmin_search"];
    let data = u64s(&s["data"]);
    for (key, xmax) in [("free", None), ("xmax60", Some(60))] {
        let fit = DiscreteFit::new(&data, None, xmax).unwrap();
        let pl = fit.power_law();
        let want = &s[key];
        eprintln!("{key}: xmin {} vs {}, alpha {} vs {}", fit.xmin, want["xmin"], pl.alpha, want["alpha"]);
        assert_eq!(fit.xmin as f64, want["xmin"].as_f64().unwrap());
        assert!(rel(pl.alpha, want["alpha"].as_f64().unwrap()) < 1e-3);
    }
}

#[test]
fn golden_avalanche_fits_and_report() {
    use sorn_analysis::report::{AvalancheReportOptions, avalanche_report};
    let g = load("avalanche.json");
    let durs = u64s(&g["durations"]);
    let sizes = u64s(&g["sizes"]);
    let mut worst: f64 = 0.0;
    worst = worst.max(check_fit(&durs, &g["fit_T"], "aval T [6,60]"));
    worst = worst.max(check_fit(&sizes, &g["fit_S"], "aval S [10,1500]"));
    worst = worst.max(check_fit(&durs, &g["fit_T_free"], "aval T >=6"));
    worst = worst.max(check_fit(&sizes, &g["fit_S_free"], "aval S >=10"));
    eprintln!("avalanche fits: max relative exponent error {worst:.3e}");

    let a: Vec<u32> = u64s(&g["activity"]).iter().map(|&v| v as u32).collect();
    let rep = avalanche_report(&a, &AvalancheReportOptions::default()).unwrap();
    assert_eq!(rep.n_avalanches, durs.len());
    let alpha = rep.durations.exponent.unwrap();
    let tau = rep.sizes.exponent.unwrap();
    assert!(rel(alpha, g["fit_T"]["alpha"].as_f64().unwrap()) < 1e-3);
    assert!(rel(tau, g["fit_S"]["alpha"].as_f64().unwrap()) < 1e-3);
    let ve = rep.durations.vs_exponential.unwrap();
    let want = g["fit_T_free"]["compare"]["exponential"]["r"].as_f64().unwrap();
    assert!(rel(ve.r, want) < 1e-2, "{} vs {want}", ve.r);
    let json = serde_json::to_string(&rep).unwrap();
    assert!(json.contains("\"vs_truncated\""));
    eprintln!("{rep}");
}

/// A real avalanche set: the last 10⁵ steps of a 2·10⁵-step delpapa2017 run of our simulator (seed 1),
/// written with its `powerlaw` fits by `scripts/golden/make_run_avalanche_golden.py`.
#[test]
fn golden_avalanches_from_a_real_run() {
    use sorn_analysis::avalanche::{AvalancheOptions, avalanches};
    let g = load("avalanche_run.json");
    let activity: Vec<u32> = u64s(&g["activity"]).iter().map(|&v| v as u32).collect();
    let av = avalanches(&activity, &AvalancheOptions::default()).unwrap();
    assert_eq!(av.theta, g["theta"].as_f64().unwrap(), "θ = floor(⟨a⟩/2)");
    let (durs, sizes) = (u64s(&g["durations"]), u64s(&g["sizes"]));
    assert_eq!(av.durations, durs, "durations differ from D's rule");
    assert_eq!(av.sizes, sizes, "sizes differ from D's rule");
    assert!(durs.len() > 1000, "a real run gives many avalanches, got {}", durs.len());
    let mut worst: f64 = 0.0;
    worst = worst.max(check_fit(&durs, &g["fit_T"], "run T [6,60]"));
    worst = worst.max(check_fit(&sizes, &g["fit_S"], "run S [10,1500]"));
    worst = worst.max(check_fit(&durs, &g["fit_T_free"], "run T >=6"));
    worst = worst.max(check_fit(&sizes, &g["fit_S_free"], "run S >=10"));
    eprintln!("real-run avalanche fits: max relative exponent error {worst:.3e}");
}
