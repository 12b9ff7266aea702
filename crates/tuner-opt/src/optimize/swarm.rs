//! argmin's derivative-free solvers on an [`Evaluator`]: [`NelderMeadSolver`]
//! and [`ParticleSwarmSolver`].

use super::{Evaluator, Problem};
use crate::TunerError;
use argmin::core::{CostFunction, Error as ArgminError, Executor};
use argmin::solver::neldermead::NelderMead;
use argmin::solver::particleswarm::ParticleSwarm;
use rand::SeedableRng;

/// A problem as argmin sees it: the cost at the point clamped into the box,
/// plus the squared distance outside it; evaluations stop at a budget.
struct Boxed<'e, 'p, P: Problem> {
    ev: &'e Evaluator<'p, P>,
    /// Stop once the history holds this many evaluations.
    budget: usize,
}

impl<P: Problem> Boxed<'_, '_, P> {
    fn spent(&self) -> Result<(), ArgminError> {
        if self.ev.evaluations() >= self.budget {
            return Err(ArgminError::msg("evaluation budget spent"));
        }
        Ok(())
    }
}

/// Squared distance between a point and its clamped self.
fn outside(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y).map(|(a, b)| (a - b).powi(2)).sum()
}

impl<P: Problem> CostFunction for Boxed<'_, '_, P> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, x: &Vec<f64>) -> Result<f64, ArgminError> {
        let y = self.ev.clamp(x);
        let penalty = outside(x, &y);
        self.spent()?;
        let (_, c) = self.ev.eval(&y);
        Ok(c + penalty)
    }

    fn parallelize(&self) -> bool {
        true
    }

    /// A whole swarm at once: simulated in parallel, recorded in order (so the
    /// same seed gives the same history).
    fn bulk_cost<Q>(&self, params: &[Q]) -> Result<Vec<f64>, ArgminError>
    where
        Q: std::borrow::Borrow<Vec<f64>> + argmin::core::SyncAlias,
        f64: argmin::core::SendAlias,
        Self: argmin::core::SyncAlias,
    {
        self.spent()?;
        let xs: Vec<Vec<f64>> = params.iter().map(|p| self.ev.clamp(p.borrow())).collect();
        let res = self.ev.eval_many(&xs);
        Ok(params
            .iter()
            .zip(xs.iter().zip(&res))
            .map(|(p, (y, (_, c)))| c + outside(p.borrow(), y))
            .collect())
    }
}

/// argmin's Nelder–Mead from a simplex of `x0` and a step of a tenth of each
/// coordinate's range (inward at an upper bound), in the box by clamping plus
/// a penalty for leaving it.
#[derive(Debug, Clone, Copy)]
pub struct NelderMeadSolver {
    /// Stop once the history holds this many evaluations.
    pub max_evaluations: usize,
    /// Standard deviation of the simplex's costs at which it stops.
    pub cost_tolerance: f64,
}

impl NelderMeadSolver {
    /// Search from `x0`.
    pub fn run<P: Problem>(&self, ev: &Evaluator<P>, x0: Vec<f64>) -> Result<(), TunerError> {
        let (lo, hi) = ev.problem().bounds();
        let mut simplex = vec![x0.clone()];
        for i in 0..x0.len() {
            let mut y = x0.clone();
            let span = hi[i] - lo[i];
            y[i] = if y[i] + 0.1 * span <= hi[i] {
                y[i] + 0.1 * span
            } else {
                y[i] - 0.1 * span
            };
            simplex.push(y);
        }
        let solver = NelderMead::new(simplex)
            .with_sd_tolerance(self.cost_tolerance.max(1e-14))
            .map_err(|e| TunerError::Optimizer(e.to_string()))?;
        let problem = Boxed {
            ev,
            budget: self.max_evaluations,
        };
        let iters = self.max_evaluations as u64;
        // The budget ends the run with an "error"; the history holds the result.
        let _ = Executor::new(problem, solver)
            .configure(|s| s.max_iters(iters))
            .run();
        Ok(())
    }
}

/// argmin's particle swarm in the box (`8 + 4·n` particles, at most 40), the
/// swarm evaluated in parallel, restarted `starts` times from seeds `seed`,
/// `seed + 1`, …; each start gets an equal share of the budget.
#[derive(Debug, Clone, Copy)]
pub struct ParticleSwarmSolver {
    /// Evaluations the swarms may use together.
    pub budget: usize,
    /// Independent starts.
    pub starts: usize,
    /// Seed of the first start.
    pub seed: u64,
}

impl ParticleSwarmSolver {
    /// Search the problem's box.
    pub fn run<P: Problem>(&self, ev: &Evaluator<P>) {
        let (lo, hi) = ev.problem().bounds();
        let particles = (8 + 4 * lo.len()).min(40);
        let starts = self.starts.max(1);
        let per_start = (self.budget / starts).max(particles * 2);
        for s in 0..starts {
            let rng =
                rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(self.seed.wrapping_add(s as u64));
            let solver =
                ParticleSwarm::new((lo.clone(), hi.clone()), particles).with_rng_generator(rng);
            let iters = (per_start / particles).max(2) as u64;
            let problem = Boxed {
                ev,
                budget: self.budget,
            };
            let _ = Executor::new(problem, solver)
                .configure(|st| st.max_iters(iters))
                .run();
            if ev.evaluations() >= self.budget {
                break;
            }
        }
    }
}
