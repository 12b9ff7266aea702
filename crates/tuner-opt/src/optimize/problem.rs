//! [`Problem`]: what every solver here needs to know of a fit.

use crate::TunerError;
use rayon::prelude::*;

/// A fit whose every evaluation is a simulation: points are vectors in a box;
/// simulating one gives an outcome (metrics, a coupling coefficient); the
/// outcome has residuals against the targets and a cost. Solvers see only this
/// and the [`Evaluator`](super::Evaluator) that caches it (argmin's
/// `CostFunction` shape, with the simulation's outcome kept for the history).
pub trait Problem: Sync {
    /// What one simulation yields.
    type Outcome: Clone + Send + Sync;

    /// The box every point stays in: lower and upper bounds per coordinate.
    fn bounds(&self) -> (Vec<f64>, Vec<f64>);

    /// Simulate at `x`.
    fn simulate(&self, x: &[f64]) -> Result<Self::Outcome, TunerError>;

    /// Simulate each of `xs`, in order. By default each point is its own
    /// simulation, run in parallel; a problem that can advance several points
    /// in one simulation (lanes) overrides it, with the same outcomes.
    fn simulate_many(&self, xs: &[&[f64]]) -> Vec<Result<Self::Outcome, TunerError>> {
        xs.par_iter().map(|x| self.simulate(x)).collect()
    }

    /// How many residuals an outcome has.
    fn residual_count(&self) -> usize;

    /// The residuals of an outcome (model − target, weighted).
    fn residuals(&self, o: &Self::Outcome) -> Vec<f64>;

    /// The cost of an outcome: the sum of squared residuals unless the problem
    /// says otherwise (a user cost).
    fn cost(&self, o: &Self::Outcome) -> f64 {
        self.residuals(o).iter().map(|r| r * r).sum()
    }
}
