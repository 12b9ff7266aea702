//! Least-squares fit of a single exponential decay, `y ≈ a·exp(−t/τ)`.
//!
//! bmtool fits the decay with `scipy.optimize.curve_fit` and no bounds, which is
//! MINPACK's Levenberg–Marquardt (`lmdif`) with `ftol = xtol = 1.49012e-8`,
//! `gtol = 0` and a budget of `200·(n+1) = 600` function evaluations. This module
//! is a Levenberg–Marquardt of the same family with the same tolerances and
//! budget: Marquardt's adaptive column scaling `D` (non-decreasing column norms
//! of the Jacobian, as MINPACK's `mode = 1`), Nielsen's damping update, each step
//! solved through a Householder QR of the Jacobian (no normal equations), and an
//! analytic Jacobian. A Jacobian evaluation is charged two function evaluations,
//! as `lmdif`'s forward differences cost, so the budget means the same thing.
//!
//! Both converge to the same least-squares minimum; on bmtool's fixtures the τ
//! found here and scipy's agree to better than 1e-6 (relative).

use crate::error::AnalysisError;
use mech_api::math::{exp, exp4};

/// scipy's default `ftol` and `xtol` for `leastsq`/`curve_fit`.
const TOL: f64 = 1.49012e-8;
/// scipy's default `maxfev` for two parameters: `200 * (n + 1)`.
const MAX_EVALUATIONS: usize = 600;

/// The fitted parameters of `y ≈ a·exp(−t/τ)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExpFit {
    /// Amplitude at `t = 0` (units of `y`).
    pub a: f64,
    /// Time constant τ (units of `t`).
    pub tau: f64,
}

/// Fits `y ≈ a·exp(−t/τ)` by least squares (Levenberg–Marquardt, scipy's
/// `curve_fit` defaults).
///
/// `initial` is the starting point `(a₀, τ₀)`; `None` takes bmtool's guess for a
/// decay sampled from its peak, `(y[0], dt·n/2)` with `dt = t[1] − t[0]` and `n`
/// samples (bmtool: `p0=(peak, dt * decay_len / 2)`).
///
/// Errors: empty or mismatched inputs, non-finite samples, fewer than two samples,
/// a zero or non-finite τ₀, or no convergence within 600 evaluations
/// ([`AnalysisError::FitDidNotConverge`], where scipy raises `RuntimeError`).
///
/// ```
/// use stp_analysis::fit_exp_decay;
/// let t: Vec<f64> = (0..400).map(|k| k as f64 * 0.025).collect();
/// let y: Vec<f64> = t.iter().map(|t| 2.0 * (-t / 3.0).exp()).collect();
/// let fit = fit_exp_decay(&t, &y, None).unwrap();
/// assert!((fit.tau - 3.0).abs() < 1e-9 && (fit.a - 2.0).abs() < 1e-9);
/// ```
pub fn fit_exp_decay(
    t: &[f64],
    y: &[f64],
    initial: Option<(f64, f64)>,
) -> Result<ExpFit, AnalysisError> {
    if t.is_empty() {
        return Err(AnalysisError::Empty { what: "t" });
    }
    if y.len() != t.len() {
        return Err(AnalysisError::LengthMismatch {
            what: "y",
            got: y.len(),
            expected: t.len(),
        });
    }
    crate::check_finite("t", t)?;
    crate::check_finite("y", y)?;
    if t.len() < 2 {
        return Err(AnalysisError::FitDidNotConverge {
            reason: "fewer samples than parameters (2)",
            evaluations: 0,
        });
    }
    let (a0, tau0) = initial.unwrap_or((y[0], (t[1] - t[0]) * t.len() as f64 / 2.0));
    if !a0.is_finite() {
        return Err(AnalysisError::InvalidOption {
            name: "initial a",
            value: a0,
            reason: "must be finite",
        });
    }
    if !tau0.is_finite() || tau0 == 0.0 {
        return Err(AnalysisError::InvalidOption {
            name: "initial tau",
            value: tau0,
            reason: "must be finite and non-zero",
        });
    }
    levenberg_marquardt(t, y, [a0, tau0])
}

/// The model at one point: its residuals `a·exp(−t/τ) − y` and the
/// exponentials `exp(−t/τ)` they were made of (the Jacobian at the same point
/// reads them instead of computing them again).
struct Eval {
    r: Vec<f64>,
    e: Vec<f64>,
}

impl Eval {
    fn new(m: usize) -> Self {
        Eval {
            r: vec![0.0; m],
            e: vec![0.0; m],
        }
    }

    /// Evaluate at `x`; returns the residuals' sum of squares.
    fn at(&mut self, t: &[f64], y: &[f64], x: [f64; 2]) -> f64 {
        let m = t.len().min(y.len());
        let (r, e) = (&mut self.r[..m], &mut self.e[..m]);
        let whole = m - m % 4;
        for k in (0..whole).step_by(4) {
            let arg = [
                -t[k] / x[1],
                -t[k + 1] / x[1],
                -t[k + 2] / x[1],
                -t[k + 3] / x[1],
            ];
            e[k..k + 4].copy_from_slice(&exp4(arg));
        }
        for k in whole..m {
            e[k] = exp(-t[k] / x[1]);
        }
        for ((rk, &ek), &yk) in r.iter_mut().zip(&*e).zip(y) {
            *rk = x[0] * ek - yk;
        }
        dot(r, r)
    }
}

/// Jacobian columns at `x`: ∂/∂a = e, ∂/∂τ = a·e·t/τ², with `e = exp(−t/τ)`
/// as [`Eval::at`] computed it at the same `x`.
fn jacobian(t: &[f64], e: &[f64], x: [f64; 2], c0: &mut [f64], c1: &mut [f64]) {
    let inv_tau2 = 1.0 / (x[1] * x[1]);
    for (((j0, j1), &tk), &e) in c0.iter_mut().zip(c1.iter_mut()).zip(t).zip(e) {
        *j0 = e;
        *j1 = x[0] * e * tk * inv_tau2;
    }
}

/// Lanes of [`dot`]'s accumulators.
const LANES: usize = 8;

/// `Σ a·b` with [`LANES`] interleaved accumulators combined pairwise (as numpy
/// sums): the serial sum's chain of additions was most of the fit's time, and
/// the fit's bits are its own (scipy's are matched to a tolerance, not bits).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (ta, tb) = (ca.remainder(), cb.remainder());
    for (xa, xb) in ca.zip(cb) {
        for j in 0..LANES {
            acc[j] += xa[j] * xb[j];
        }
    }
    let mut s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (x, y) in ta.iter().zip(tb) {
        s += x * y;
    }
    s
}

/// Householder reflection that maps `v_col` onto `alpha·e₀`, applied to `others`.
/// Returns `alpha` (0 when the column is zero, and then nothing is reflected).
fn reflect(col: &mut [f64], others: &mut [&mut [f64]]) -> f64 {
    let norm = dot(col, col).sqrt();
    if norm == 0.0 {
        return 0.0;
    }
    let alpha = if col[0] > 0.0 { -norm } else { norm };
    col[0] -= alpha;
    let vv = dot(col, col);
    for o in others.iter_mut() {
        let s = 2.0 * dot(col, o) / vv;
        for (ok, vk) in o.iter_mut().zip(col.iter()) {
            *ok -= s * vk;
        }
    }
    alpha
}

/// Householder QR of the m×2 matrix `[c0 c1]` (m ≥ 2) applied to `b`: returns
/// `R = [[r00, r01], [0, r11]]` as `[r00, r01, r11]` and the first two entries of `Qᵀb`.
fn qr2(c0: &mut [f64], c1: &mut [f64], b: &mut [f64]) -> ([f64; 3], [f64; 2]) {
    let r00 = reflect(c0, &mut [&mut *c1, &mut *b]);
    let r01 = c1[0];
    let r11 = reflect(&mut c1[1..], &mut [&mut b[1..]]);
    ([r00, r01, r11], [b[0], b[1]])
}

/// Solves `min ‖R p + qtr‖² + λ‖D p‖²` through the QR of `[R; √λ·D]`.
fn damped_step(r: [f64; 3], qtr: [f64; 2], d: [f64; 2], lambda: f64) -> Option<[f64; 2]> {
    let s = lambda.sqrt();
    let mut c0 = [r[0], 0.0, s * d[0], 0.0];
    let mut c1 = [r[1], r[2], 0.0, s * d[1]];
    let mut b = [-qtr[0], -qtr[1], 0.0, 0.0];
    let (rr, qb) = qr2(&mut c0, &mut c1, &mut b);
    if rr[0] == 0.0 || rr[2] == 0.0 {
        return None;
    }
    let p1 = qb[1] / rr[2];
    let p0 = (qb[0] - rr[1] * p1) / rr[0];
    (p0.is_finite() && p1.is_finite()).then_some([p0, p1])
}

fn levenberg_marquardt(t: &[f64], y: &[f64], x0: [f64; 2]) -> Result<ExpFit, AnalysisError> {
    let m = t.len();
    let mut x = x0;
    let mut cur = Eval::new(m);
    let mut new = Eval::new(m);
    let mut c0 = vec![0.0; m];
    let mut c1 = vec![0.0; m];
    let mut qb = vec![0.0; m];
    let mut ss = cur.at(t, y, x);
    let mut evaluations = 1;
    if !ss.is_finite() {
        return Err(AnalysisError::FitDidNotConverge {
            reason: "the model is not finite at the initial guess",
            evaluations,
        });
    }
    let mut d = [0.0f64; 2];
    let mut lambda = 1e-3;
    let mut nu = 2.0;
    loop {
        if ss == 0.0 {
            return Ok(ExpFit { a: x[0], tau: x[1] });
        }
        jacobian(t, &cur.e, x, &mut c0, &mut c1);
        evaluations += 2;
        let g = [dot(&c0, &cur.r), dot(&c1, &cur.r)];
        let norms = [dot(&c0, &c0).sqrt(), dot(&c1, &c1).sqrt()];
        for j in 0..2 {
            d[j] = d[j].max(norms[j]);
            if d[j] == 0.0 {
                d[j] = 1.0;
            }
        }
        if g == [0.0, 0.0] {
            return Ok(ExpFit { a: x[0], tau: x[1] });
        }
        qb.copy_from_slice(&cur.r);
        let (rmat, qtr) = qr2(&mut c0, &mut c1, &mut qb);
        loop {
            if evaluations >= MAX_EVALUATIONS {
                return Err(AnalysisError::FitDidNotConverge {
                    reason: "the number of function evaluations reached scipy's maxfev (600)",
                    evaluations,
                });
            }
            let step = damped_step(rmat, qtr, d, lambda);
            let xnorm = ((d[0] * x[0]).powi(2) + (d[1] * x[1]).powi(2)).sqrt();
            let Some(p) = step else {
                lambda *= nu;
                nu *= 2.0;
                if !lambda.is_finite() {
                    return Err(AnalysisError::FitDidNotConverge {
                        reason: "the damping grew without bound",
                        evaluations,
                    });
                }
                continue;
            };
            let pnorm = ((d[0] * p[0]).powi(2) + (d[1] * p[1]).powi(2)).sqrt();
            let x_new = [x[0] + p[0], x[1] + p[1]];
            let ss_new = new.at(t, y, x_new);
            evaluations += 1;
            // Predicted decrease of ½‖r‖² by the damped linear model.
            let pred = 0.5
                * (lambda * ((d[0] * p[0]).powi(2) + (d[1] * p[1]).powi(2))
                    - (g[0] * p[0] + g[1] * p[1]));
            let actual = 0.5 * (ss - ss_new);
            let rho = if pred > 0.0 { actual / pred } else { -1.0 };
            if ss_new.is_finite() && x_new[1] != 0.0 && rho > 1e-4 {
                let f_conv = actual <= TOL * 0.5 * ss && pred <= TOL * 0.5 * ss;
                let new_xnorm = ((d[0] * x_new[0]).powi(2) + (d[1] * x_new[1]).powi(2)).sqrt();
                let x_conv = pnorm <= TOL * new_xnorm;
                x = x_new;
                ss = ss_new;
                std::mem::swap(&mut cur, &mut new);
                lambda *= (1.0f64 / 3.0).max(1.0 - (2.0 * rho - 1.0).powi(3));
                nu = 2.0;
                if f_conv || x_conv {
                    return Ok(ExpFit { a: x[0], tau: x[1] });
                }
                break;
            }
            // Rejected: increase the damping. A step already below xtol cannot
            // improve the fit any further (MINPACK's `delta <= xtol*xnorm`).
            if pnorm <= TOL * xnorm {
                return Ok(ExpFit { a: x[0], tau: x[1] });
            }
            lambda *= nu;
            nu *= 2.0;
            if !lambda.is_finite() {
                return Err(AnalysisError::FitDidNotConverge {
                    reason: "the damping grew without bound",
                    evaluations,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(n: usize, dt: f64) -> Vec<f64> {
        (0..n).map(|k| k as f64 * dt).collect()
    }

    #[test]
    fn exact_exponential_from_far_guess() {
        let t = grid(4000, 0.025);
        let y: Vec<f64> = t.iter().map(|t| 0.05 * (-t / 3.0).exp()).collect();
        let f = fit_exp_decay(&t, &y, None).unwrap();
        assert!((f.tau / 3.0 - 1.0).abs() < 1e-8, "{f:?}");
        assert!((f.a / 0.05 - 1.0).abs() < 1e-8, "{f:?}");
    }

    #[test]
    fn negative_amplitude_and_two_points() {
        let t = [0.0, 1.0];
        let y = [-2.0, -2.0 * (-0.5f64).exp()];
        let f = fit_exp_decay(&t, &y, None).unwrap();
        assert!((f.tau - 2.0).abs() < 1e-7, "{f:?}");
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(matches!(
            fit_exp_decay(&[], &[], None),
            Err(AnalysisError::Empty { .. })
        ));
        assert!(matches!(
            fit_exp_decay(&[0.0, 1.0], &[1.0], None),
            Err(AnalysisError::LengthMismatch { .. })
        ));
        assert!(matches!(
            fit_exp_decay(&[0.0, 1.0], &[1.0, f64::NAN], None),
            Err(AnalysisError::NonFinite { index: 1, .. })
        ));
        assert!(matches!(
            fit_exp_decay(&[0.0], &[1.0], None),
            Err(AnalysisError::FitDidNotConverge { .. })
        ));
        assert!(matches!(
            fit_exp_decay(&[0.0, 1.0], &[1.0, 0.5], Some((1.0, 0.0))),
            Err(AnalysisError::InvalidOption { .. })
        ));
    }
}
