//! Forward differences in the box, shared by the derivative-based solvers.

use super::{Evaluator, Problem};

/// Forward-difference points of `x`, one per coordinate, with their steps:
/// `h = 1e-6·max(|x_i|, 1/64)`, taken inward at an upper bound.
pub(crate) fn fd_points<P: Problem>(ev: &Evaluator<P>, x: &[f64]) -> Vec<(Vec<f64>, f64)> {
    let (_, hi) = ev.problem().bounds();
    (0..x.len())
        .map(|i| {
            let h = 1e-6 * x[i].abs().max(1e-2).max(1.0 / 64.0);
            let h = if x[i] + h > hi[i] { -h } else { h };
            let mut y = x.to_vec();
            y[i] += h;
            (y, h)
        })
        .collect()
}

/// The points of [`fd_points`] alone.
pub(crate) fn points(pts: &[(Vec<f64>, f64)]) -> Vec<Vec<f64>> {
    pts.iter().map(|(p, _)| p.clone()).collect()
}
