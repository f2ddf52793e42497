//! Golden tests for statistics, avalanches and readouts (fixtures from
//! `scripts/golden/make_analysis_golden.py`: numpy, D-style avalanche code, scikit-learn).

use ndarray::Array2;
use serde_json::Value;
use sorn_analysis::avalanche::{AvalancheOptions, SizeRule, ThresholdRule, avalanches};
use sorn_analysis::readout::{LogisticOptions, fit_least_squares, fit_logistic, fit_ridge};
use sorn_analysis::stats;

fn load(name: &str) -> Value {
    let p = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn u64s(v: &Value) -> Vec<u64> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect()
}

fn mat_f64(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v.as_array().unwrap().iter().map(f64s).collect();
    Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j])
}

fn mat_u8(v: &Value) -> Array2<u8> {
    mat_f64(v).mapv(|x| x as u8)
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol * b.abs().max(1.0), "{what}: {a} vs {b}");
}

#[test]
fn golden_stats() {
    let g = load("stats.json");
    let r = mat_u8(&g["raster"]);
    let o = mat_u8(&g["other"]);
    let fr = stats::firing_rate_network(r.view()).unwrap();
    assert_eq!(fr.iter().map(|&v| v as u64).collect::<Vec<_>>(), u64s(&g["firing_rate_network"]));
    let frf: Vec<f64> = fr.iter().map(|&v| v as f64).collect();
    close(
        stats::firing_rate_neuron(r.view(), 0, 10).unwrap(),
        g["firing_rate_neuron0_bin10"].as_f64().unwrap(),
        1e-12,
        "rate",
    );
    close(
        stats::scale_dependent_smoothness(&frf).unwrap(),
        g["sd_smooth"].as_f64().unwrap(),
        1e-12,
        "sd smooth",
    );
    close(
        stats::scale_independent_smoothness(&frf).unwrap(),
        g["si_smooth"].as_f64().unwrap(),
        1e-10,
        "si smooth",
    );
    close(stats::autocorr(&frf, 1).unwrap(), g["autocorr_lag1"].as_f64().unwrap(), 1e-12, "ac1");
    close(stats::autocorr(&frf, 3).unwrap(), g["autocorr_lag3"].as_f64().unwrap(), 1e-12, "ac3");
    let c = stats::avg_corr_coeff(r.view()).unwrap();
    close(c.mean_all, g["corr_mean_all"].as_f64().unwrap(), 1e-10, "corr all");
    close(c.mean_offdiag, g["corr_mean_offdiag"].as_f64().unwrap(), 1e-10, "corr offdiag");
    assert_eq!(c.n_included as u64, g["corr_n_included"].as_u64().unwrap());
    let isis = stats::spike_time_intervals(r.view()).unwrap();
    for (i, want) in g["isis"].as_array().unwrap().iter().enumerate() {
        assert_eq!(isis[i].iter().map(|&v| v as u64).collect::<Vec<_>>(), u64s(want));
    }
    let h = stats::hamming_distance(r.view(), o.view()).unwrap();
    assert_eq!(h.iter().map(|&v| v as u64).collect::<Vec<_>>(), u64s(&g["hamming"]));
    let ff = stats::fanofactor(r.view(), 0, 20).unwrap();
    let w = &g["fano_neuron0_win20"];
    close(ff.mean, w["mean"].as_f64().unwrap(), 1e-12, "fano mean");
    close(ff.variance, w["var"].as_f64().unwrap(), 1e-12, "fano var");
    close(ff.fano, w["fano"].as_f64().unwrap(), 1e-12, "fano");
    close(stats::spike_source_entropy(r.view()).unwrap(), g["entropy"].as_f64().unwrap(), 1e-12, "entropy");
}

#[test]
fn golden_avalanches() {
    let g = load("avalanche.json");
    let a: Vec<u32> = u64s(&g["activity"]).iter().map(|&v| v as u32).collect();
    let av = avalanches(&a, &AvalancheOptions::default()).unwrap();
    assert_eq!(av.theta, g["theta_half"].as_f64().unwrap());
    close(av.mean_activity, g["mean"].as_f64().unwrap(), 1e-12, "mean");
    assert_eq!(av.durations, u64s(&g["durations"]));
    assert_eq!(av.sizes, u64s(&g["sizes"]));
    let b2 = avalanches(&a, &AvalancheOptions { bin: 2, ..Default::default() }).unwrap();
    assert_eq!(b2.durations, u64s(&g["bin2"]["durations"]));
    assert_eq!(b2.sizes, u64s(&g["bin2"]["sizes"]));
    let p = avalanches(
        &a,
        &AvalancheOptions {
            theta: ThresholdRule::Percentile(15.0),
            bin: 1,
            size_rule: SizeRule::AboveThreshold,
        },
    )
    .unwrap();
    close(p.theta, g["theta_p15"].as_f64().unwrap(), 1e-12, "p15");
    assert_eq!(p.durations, u64s(&g["p15"]["durations"]));
    assert_eq!(p.sizes, u64s(&g["p15"]["sizes"]));
}

#[test]
fn golden_readouts() {
    let g = load("readout.json");
    let x = mat_f64(&g["X"]);
    let y3: Vec<usize> = u64s(&g["y3"]).iter().map(|&v| v as usize).collect();
    let y2: Vec<usize> = u64s(&g["y2"]).iter().map(|&v| v as usize).collect();
    let mut worst: f64 = 0.0;
    for (key, y) in [("logreg3", &y3), ("logreg2", &y2)] {
        let m = fit_logistic(x.view(), y, &LogisticOptions::default()).unwrap();
        eprintln!("{key}: n_iter {} converged {}", m.n_iter, m.converged);
        assert!(m.converged, "{key} not converged");
        let want = &g[key];
        // reference optimum: sklearn run to convergence (tol=1e-12)
        let coef = mat_f64(&want["coef_opt"]);
        let icpt = f64s(&want["intercept_opt"]);
        assert_eq!(coef.dim(), m.coef.dim());
        for (a, b) in m.coef.iter().zip(coef.iter()) {
            worst = worst.max((a - b).abs());
        }
        for (a, b) in m.intercept.iter().zip(&icpt) {
            worst = worst.max((a - b).abs());
        }
        let pred = m.predict(x.view()).unwrap();
        let wp: Vec<usize> = u64s(&want["pred"]).iter().map(|&v| v as usize).collect();
        assert_eq!(pred, wp, "{key} predictions");
        let proba = m.predict_proba(x.view()).unwrap();
        let wpr = mat_f64(&want["proba_opt"]);
        for (a, b) in proba.iter().zip(wpr.iter()) {
            assert!((a - b).abs() < 1e-6, "{key} proba {a} vs {b}");
        }
        // sklearn's default (early-stopped) fit is within ~1e-2 in the coefficients
        let dflt = mat_f64(&want["coef"]);
        for (a, b) in m.coef.iter().zip(dflt.iter()) {
            assert!((a - b).abs() < 2e-2, "{key} vs default sklearn {a} vs {b}");
        }
    }
    eprintln!("logistic max abs coefficient difference vs sklearn: {worst:.2e}");
    assert!(worst < 1e-4, "logistic coefficients differ by {worst}");

    let ls = fit_least_squares(x.view(), &y3, 3).unwrap();
    let wls = mat_f64(&g["ls_weights"]);
    for (a, b) in ls.weights.iter().zip(wls.iter()) {
        assert!((a - b).abs() < 1e-10, "ls {a} vs {b}");
    }
    let lp: Vec<usize> = u64s(&g["ls_pred"]).iter().map(|&v| v as usize).collect();
    assert_eq!(ls.predict(x.view()).unwrap(), lp);
    let rr = fit_ridge(x.view(), &y3, 3, g["ridge_lambda"].as_f64().unwrap()).unwrap();
    let wr = mat_f64(&g["ridge_weights"]);
    for (a, b) in rr.weights.iter().zip(wr.iter()) {
        assert!((a - b).abs() < 1e-10, "ridge {a} vs {b}");
    }
}
