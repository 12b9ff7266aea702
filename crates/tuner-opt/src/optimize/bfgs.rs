//! [`ProjectedBfgs`]: quasi-Newton on the scalar cost, in the box.

use super::fd::{fd_points, points};
use super::{Evaluator, Problem};

/// Projected BFGS with a parallel forward-difference gradient and a projected
/// Armijo line search: coordinates pinned at a bound by the gradient are held,
/// the inverse-Hessian estimate restarts when the direction stops descending.
/// Works with any cost (the role SLSQP plays in bmtool).
#[derive(Debug, Clone, Copy)]
pub struct ProjectedBfgs {
    /// Stop once the history holds this many evaluations.
    pub max_evaluations: usize,
    /// Stop when the cost is at most this.
    pub cost_tolerance: f64,
}

/// The identity matrix.
fn identity(n: usize) -> Vec<Vec<f64>> {
    (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl ProjectedBfgs {
    /// Search from `x0`.
    pub fn run<P: Problem>(&self, ev: &Evaluator<P>, x0: Vec<f64>) {
        let n = x0.len();
        let mut x = x0;
        let (_, mut c) = ev.eval(&x);
        let mut g = gradient(ev, &x, c);
        let mut hinv = identity(n);
        while ev.evaluations() < self.max_evaluations && c > self.cost_tolerance && c.is_finite() {
            let d = direction(ev, &x, &g, &mut hinv);
            let Some((y, cy)) = self.line_search(ev, &x, c, &g, &d) else {
                break;
            };
            let gy = gradient(ev, &y, cy);
            let s: Vec<f64> = y.iter().zip(&x).map(|(a, b)| a - b).collect();
            let yv: Vec<f64> = gy.iter().zip(&g).map(|(a, b)| a - b).collect();
            update(&mut hinv, &s, &yv);
            let improvement = c - cy;
            (x, c, g) = (y, cy, gy);
            if improvement <= 1e-15 * c.max(1e-300) {
                break;
            }
        }
    }

    /// Halve the step along `d` until the projected point satisfies Armijo's
    /// condition (at most 20 tries).
    fn line_search<P: Problem>(
        &self,
        ev: &Evaluator<P>,
        x: &[f64],
        c: f64,
        g: &[f64],
        d: &[f64],
    ) -> Option<(Vec<f64>, f64)> {
        let mut step = 1.0;
        for _ in 0..20 {
            let y = ev.clamp(
                &x.iter()
                    .zip(d)
                    .map(|(a, b)| a + step * b)
                    .collect::<Vec<_>>(),
            );
            if y == x {
                return None;
            }
            let (_, cy) = ev.eval(&y);
            let dec: f64 = g
                .iter()
                .zip(y.iter().zip(x))
                .map(|(gi, (yi, xi))| gi * (yi - xi))
                .sum();
            if cy <= c + 1e-4 * dec {
                return Some((y, cy));
            }
            step *= 0.5;
            if ev.evaluations() >= self.max_evaluations {
                return None;
            }
        }
        None
    }
}

/// Forward-difference gradient of the cost at `x` (cost `c`), in parallel.
fn gradient<P: Problem>(ev: &Evaluator<P>, x: &[f64], c: f64) -> Vec<f64> {
    let pts = fd_points(ev, x);
    let res = ev.eval_many(&points(&pts));
    pts.iter()
        .zip(&res)
        .map(|((_, h), (_, ci))| (ci - c) / h)
        .collect()
}

/// The quasi-Newton direction over the free coordinates (not pinned at a
/// bound by the gradient); steepest descent, with `hinv` reset, when it does
/// not descend.
fn direction<P: Problem>(
    ev: &Evaluator<P>,
    x: &[f64],
    g: &[f64],
    hinv: &mut Vec<Vec<f64>>,
) -> Vec<f64> {
    let n = x.len();
    let (lo, hi) = ev.problem().bounds();
    let free: Vec<bool> = (0..n)
        .map(|i| !((x[i] <= lo[i] && g[i] > 0.0) || (x[i] >= hi[i] && g[i] < 0.0)))
        .collect();
    let d: Vec<f64> = (0..n)
        .map(|i| {
            if free[i] {
                -(0..n)
                    .filter(|&j| free[j])
                    .map(|j| hinv[i][j] * g[j])
                    .sum::<f64>()
            } else {
                0.0
            }
        })
        .collect();
    if dot(&d, g) < 0.0 {
        return d;
    }
    *hinv = identity(n);
    g.iter()
        .zip(&free)
        .map(|(v, &f)| if f { -v } else { 0.0 })
        .collect()
}

/// BFGS update of the inverse Hessian with step `s` and gradient change `y`
/// (skipped when the curvature `sᵀy` is not positive).
fn update(hinv: &mut [Vec<f64>], s: &[f64], y: &[f64]) {
    let n = s.len();
    let sy = dot(s, y);
    if sy <= 1e-16 {
        return;
    }
    let hy: Vec<f64> = (0..n)
        .map(|i| (0..n).map(|j| hinv[i][j] * y[j]).sum())
        .collect();
    let yhy = dot(y, &hy);
    for i in 0..n {
        for j in 0..n {
            hinv[i][j] += (sy + yhy) * s[i] * s[j] / (sy * sy) - (hy[i] * s[j] + s[i] * hy[j]) / sy;
        }
    }
}
