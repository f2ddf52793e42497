//! Special functions and small optimisers used by the fitting code (crate-internal).

/// Hurwitz zeta function ζ(s, q) = Σ_{k≥0} (k+q)^{-s} for s > 1, q > 0.
///
/// Port of the Cephes `zeta(x, q)` routine that `scipy.special.zeta` uses (Euler–Maclaurin
/// summation), so values agree with SciPy to a few ulp. Returns `+inf` for s = 1 and `NaN` for
/// s < 1 or q ≤ 0 (as SciPy does for these arguments).
pub(crate) fn hurwitz_zeta(s: f64, q: f64) -> f64 {
    const A: [f64; 12] = [
        12.0,
        -720.0,
        30240.0,
        -1209600.0,
        47900160.0,
        -1.892_437_580_318_379_2e9,
        7.47242496e10,
        -2_950_130_727_918.164,
        1.164_678_281_435_006_7e14,
        -4.597_978_722_407_473e15,
        1.815_210_540_194_354_7e17,
        -7.166_165_256_175_667e18,
    ];
    const MACHEP: f64 = 1.110_223_024_625_156_5e-16;
    if s == 1.0 {
        return f64::INFINITY;
    }
    if s < 1.0 || q <= 0.0 || !s.is_finite() || !q.is_finite() {
        return f64::NAN;
    }
    let mut sum = q.powf(-s);
    let mut a = q;
    let mut i = 0;
    let mut b = 0.0;
    while i < 9 || a <= 9.0 {
        i += 1;
        a += 1.0;
        b = a.powf(-s);
        sum += b;
        if (b / sum).abs() < MACHEP {
            return sum;
        }
    }
    let w = a;
    sum += b * w / (s - 1.0);
    sum -= 0.5 * b;
    let mut a = 1.0;
    let mut k = 0.0;
    for coef in A {
        a *= s + k;
        b /= w;
        let t = a * b / coef;
        sum += t;
        if (t / sum).abs() < MACHEP {
            return sum;
        }
        k += 1.0;
        a *= s + k;
        b /= w;
        k += 1.0;
    }
    sum
}

/// Upper incomplete gamma Γ(s, z) for s ∈ (−3, 1], s ∉ {0, −1, −2}, z > 0, via the recurrence
/// Γ(s, z) = (Γ(s+1, z) − z^s e^{−z}) / s down from s + m ∈ (0, 1].
pub(crate) fn upper_gamma(s: f64, z: f64) -> f64 {
    use statrs::function::gamma::{gamma, gamma_ur};
    if s > 0.0 {
        return gamma(s) * gamma_ur(s, z);
    }
    let mut m = 0;
    let mut s0 = s;
    while s0 <= 0.0 {
        s0 += 1.0;
        m += 1;
    }
    let mut g = gamma(s0) * gamma_ur(s0, z);
    let mut cur = s0;
    for _ in 0..m {
        cur -= 1.0;
        g = (g - z.powf(cur) * (-z).exp()) / cur;
    }
    g
}

/// Complementary error function (statrs implementation, ~1e-15 relative accuracy).
pub(crate) fn erfc(x: f64) -> f64 {
    statrs::function::erf::erfc(x)
}

/// Error function.
pub(crate) fn erf(x: f64) -> f64 {
    statrs::function::erf::erf(x)
}

/// Brent's method for minimising a unimodal function on `[a, b]` (Numerical Recipes `brent`
/// with golden-section fall-back). Returns the abscissa of the minimum.
pub(crate) fn brent_min<F: FnMut(f64) -> f64>(mut f: F, a: f64, b: f64, tol: f64) -> f64 {
    const CGOLD: f64 = 0.381_966_011_250_105_1;
    let (mut a, mut b) = (a, b);
    let mut x = a + CGOLD * (b - a);
    let (mut w, mut v) = (x, x);
    let mut fx = f(x);
    let (mut fw, mut fv) = (fx, fx);
    let mut d: f64 = 0.0;
    let mut e: f64 = 0.0;
    for _ in 0..500 {
        let xm = 0.5 * (a + b);
        let tol1 = tol * x.abs() + 1e-14;
        let tol2 = 2.0 * tol1;
        if (x - xm).abs() <= tol2 - 0.5 * (b - a) {
            break;
        }
        let mut golden = true;
        if e.abs() > tol1 {
            let r = (x - w) * (fx - fv);
            let mut q = (x - v) * (fx - fw);
            let mut p = (x - v) * q - (x - w) * r;
            q = 2.0 * (q - r);
            if q > 0.0 {
                p = -p;
            }
            q = q.abs();
            let etemp = e;
            e = d;
            if !(p.abs() >= (0.5 * q * etemp).abs() || p <= q * (a - x) || p >= q * (b - x)) {
                d = p / q;
                let u = x + d;
                if u - a < tol2 || b - u < tol2 {
                    d = if xm >= x { tol1 } else { -tol1 };
                }
                golden = false;
            }
        }
        if golden {
            e = if x >= xm { a - x } else { b - x };
            d = CGOLD * e;
        }
        let u = if d.abs() >= tol1 { x + d } else { x + if d >= 0.0 { tol1 } else { -tol1 } };
        let fu = f(u);
        if fu <= fx || (fx.is_nan() && !fu.is_nan()) {
            if u >= x {
                a = x;
            } else {
                b = x;
            }
            v = w;
            fv = fw;
            w = x;
            fw = fx;
            x = u;
            fx = fu;
        } else {
            if u < x {
                a = u;
            } else {
                b = u;
            }
            if fu <= fw || w == x {
                v = w;
                fv = fw;
                w = u;
                fw = fu;
            } else if fu <= fv || v == x || v == w {
                v = u;
                fv = fu;
            }
        }
    }
    x
}

/// Nelder–Mead simplex minimisation in two dimensions with tight tolerances, restarted from the
/// best point until the result is stable. `f` must return `+inf` outside the feasible region.
pub(crate) fn nelder_mead_2d<F: FnMut([f64; 2]) -> f64>(mut f: F, x0: [f64; 2]) -> [f64; 2] {
    let mut best = x0;
    let mut fbest = f(best);
    for _restart in 0..6 {
        let mut simplex = [best, best, best];
        for (i, p) in simplex.iter_mut().skip(1).enumerate() {
            let step = if best[i] != 0.0 { 0.05 * best[i] } else { 0.00025 };
            p[i] += step;
        }
        let mut fs = [f(simplex[0]), f(simplex[1]), f(simplex[2])];
        for _ in 0..4000 {
            // order
            let mut idx = [0usize, 1, 2];
            idx.sort_by(|&i, &j| fs[i].partial_cmp(&fs[j]).unwrap_or(std::cmp::Ordering::Equal));
            let s = [simplex[idx[0]], simplex[idx[1]], simplex[idx[2]]];
            let fv = [fs[idx[0]], fs[idx[1]], fs[idx[2]]];
            simplex = s;
            fs = fv;
            let spread = (0..2)
                .map(|k| {
                    let scale = simplex[0][k].abs().max(1e-12);
                    ((simplex[1][k] - simplex[0][k]).abs().max((simplex[2][k] - simplex[0][k]).abs())) / scale
                })
                .fold(0.0, f64::max);
            let fspread = (fs[2] - fs[0]).abs();
            if spread < 1e-11 && fspread <= 1e-12 * fs[0].abs().max(1.0) {
                break;
            }
            let c = [0.5 * (simplex[0][0] + simplex[1][0]), 0.5 * (simplex[0][1] + simplex[1][1])];
            let lerp = |t: f64| [c[0] + t * (simplex[2][0] - c[0]), c[1] + t * (simplex[2][1] - c[1])];
            let xr = lerp(-1.0);
            let fr = f(xr);
            if fr < fs[0] {
                let xe = lerp(-2.0);
                let fe = f(xe);
                if fe < fr {
                    simplex[2] = xe;
                    fs[2] = fe;
                } else {
                    simplex[2] = xr;
                    fs[2] = fr;
                }
            } else if fr < fs[1] {
                simplex[2] = xr;
                fs[2] = fr;
            } else {
                let (xc, fc) = if fr < fs[2] {
                    let xc = lerp(-0.5);
                    (xc, f(xc))
                } else {
                    let xc = lerp(0.5);
                    (xc, f(xc))
                };
                if fc < fs[2].min(fr) {
                    simplex[2] = xc;
                    fs[2] = fc;
                } else {
                    for i in 1..3 {
                        simplex[i] = [
                            simplex[0][0] + 0.5 * (simplex[i][0] - simplex[0][0]),
                            simplex[0][1] + 0.5 * (simplex[i][1] - simplex[0][1]),
                        ];
                        fs[i] = f(simplex[i]);
                    }
                }
            }
        }
        let mut bi = 0;
        for i in 1..3 {
            if fs[i] < fs[bi] {
                bi = i;
            }
        }
        let improved = fs[bi] < fbest - 1e-12 * fbest.abs().max(1.0);
        if fs[bi] <= fbest {
            best = simplex[bi];
            fbest = fs[bi];
        }
        if !improved {
            break;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeta_values() {
        // ζ(2, 1) = π²/6
        let z = hurwitz_zeta(2.0, 1.0);
        assert!((z - std::f64::consts::PI.powi(2) / 6.0).abs() < 1e-14);
        // ζ(3, 2) = ζ(3) − 1
        assert!((hurwitz_zeta(3.0, 2.0) - 0.202_056_903_159_594_3).abs() < 1e-14);
        assert!(hurwitz_zeta(0.5, 1.0).is_nan());
    }

    #[test]
    fn upper_gamma_negative() {
        // Γ(-0.5, 1) = 0.178148...
        let g = upper_gamma(-0.5, 1.0);
        assert!((g - 0.178_147_711_781_561).abs() < 1e-12, "{g}");
        // Γ(0.5, 2) = sqrt(pi) erfc(sqrt 2)
        let g = upper_gamma(0.5, 2.0);
        let e = std::f64::consts::PI.sqrt() * erfc(2f64.sqrt());
        assert!((g - e).abs() < 1e-9 * e, "{g} {e}");
    }

    #[test]
    fn brent_parabola() {
        let x = brent_min(|x| (x - 1.234).powi(2), 0.0, 3.0, 1e-12);
        assert!((x - 1.234).abs() < 1e-8);
    }

    #[test]
    fn nm_quadratic() {
        let x = nelder_mead_2d(|p| (p[0] - 0.3).powi(2) + 10.0 * (p[1] - 2.0).powi(2), [1.0, 1.0]);
        assert!((x[0] - 0.3).abs() < 1e-6 && (x[1] - 2.0).abs() < 1e-6);
    }
}
