//! [`GapJunctionOptimizer`]: the gap conductance that gives a target coupling
//! coefficient (bmtool's GapJunctionOptimizer).

use super::{BrentRoot1d, Evaluator, LogSecant, Problem};
use crate::{GapJunctionTuner, TunerError};
use serde::Serialize;

/// The fit: `g` in `[lo, hi]`, residual `cc(g) − target`.
pub(crate) struct GapProblem<'t> {
    tuner: &'t GapJunctionTuner,
    /// The coupling coefficient to reach.
    pub target: f64,
    lo: f64,
    hi: f64,
}

impl Problem for GapProblem<'_> {
    type Outcome = f64;

    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        (vec![self.lo], vec![self.hi])
    }

    fn simulate(&self, x: &[f64]) -> Result<f64, TunerError> {
        self.tuner.coupling_coefficient(x[0])
    }

    /// In parallel, or one after another for a model that draws random
    /// numbers ([`GapJunctionTuner::draws_random`]).
    fn simulate_many(&self, xs: &[&[f64]]) -> Vec<Result<f64, TunerError>> {
        if self.tuner.draws_random() {
            return xs.iter().map(|x| self.simulate(x)).collect();
        }
        use rayon::prelude::*;
        xs.par_iter().map(|x| self.simulate(x)).collect()
    }

    fn residual_count(&self) -> usize {
        1
    }

    fn residuals(&self, cc: &f64) -> Vec<f64> {
        vec![cc - self.target]
    }

    fn cost(&self, cc: &f64) -> f64 {
        (cc - self.target).powi(2)
    }
}

/// One evaluation of the optimiser.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapEvaluation {
    /// Conductance tried (µS).
    pub g: f64,
    /// Coupling coefficient obtained.
    pub cc: f64,
    /// (cc − target)².
    pub error: f64,
}

/// Result of [`GapJunctionOptimizer::run`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapOptimization {
    /// The conductance found (µS).
    pub optimal_g: f64,
    /// Its coupling coefficient.
    pub achieved_cc: f64,
    /// The target.
    pub target_cc: f64,
    /// (achieved − target)².
    pub error: f64,
    /// Simulations run.
    pub n_simulations: usize,
    /// Every evaluation, in order.
    pub history: Vec<GapEvaluation>,
}

/// Finds the conductance `g` in `[lo, hi]` whose coupling coefficient is
/// `target`; when the target is outside `[cc(lo), cc(hi)]`, the bound closest
/// to it.
///
/// The bounds are simulated first (in parallel). Inside the bracket the search
/// is [`LogSecant`] (two conductances at a time on the near-linear relation
/// `ln(g(1/cc − 1)) ≈ ln G`: typically six simulations in three rounds, to
/// |cc − target| ≤ 1e-10); where that relation does not hold (a bound at 0, a
/// target outside (0, 1), a search that does not converge) it is
/// [`BrentRoot1d`] on the bracket found so far. Every evaluation goes through
/// one [`Evaluator`], so nothing is simulated twice.
pub struct GapJunctionOptimizer<'a> {
    problem: GapProblem<'a>,
    progress: Option<&'a (dyn Fn(usize) + Sync)>,
}

/// Most simulations a search runs: the bounds, six secant rounds of two,
/// Brent's 100 iterations.
const MAX_SIMULATIONS: usize = 2 + 12 + 100;

/// |cc − target| at which the search stops.
const TOL: f64 = 1e-10;

impl<'a> GapJunctionOptimizer<'a> {
    /// An optimiser of `tuner`'s conductance for coupling `target` in `[lo, hi]`.
    pub fn new(
        tuner: &'a GapJunctionTuner,
        target: f64,
        lo: f64,
        hi: f64,
    ) -> Result<Self, TunerError> {
        if !(target.is_finite() && lo.is_finite() && hi.is_finite() && lo >= 0.0 && lo < hi) {
            return Err(TunerError::BadValue {
                what: format!(
                    "gap-optimize target {target} with bounds [{lo}, {hi}] (need 0 ≤ lo < hi)"
                ),
                value: target,
            });
        }
        Ok(GapJunctionOptimizer {
            problem: GapProblem {
                tuner,
                target,
                lo,
                hi,
            },
            progress: None,
        })
    }

    /// Call `f(n)` after every evaluation.
    pub fn with_progress(mut self, f: &'a (dyn Fn(usize) + Sync)) -> Self {
        self.progress = Some(f);
        self
    }

    /// Run the search.
    pub fn run(self) -> Result<GapOptimization, TunerError> {
        // The bounds, six rounds of two, Brent's 100 iterations at most.
        let tuner = self.problem.tuner;
        tuner.check_work(&tuner.cc_work(
            format!(
                "a conductance search for coupling {} (up to {MAX_SIMULATIONS} simulations)",
                self.problem.target
            ),
            MAX_SIMULATIONS as f64,
        ))?;
        let ev = Evaluator::new(&self.problem).with_progress(self.progress);
        let (lo, hi, target) = (self.problem.lo, self.problem.hi, self.problem.target);
        let ends = ev.try_eval_many(&[vec![lo], vec![hi]])?;
        let bracketed = (ends[0] - target) * (ends[1] - target) <= 0.0;
        if bracketed {
            let secant = LogSecant {
                tol: TOL,
                rounds: 6,
            };
            if let Some((a, b)) = secant.run(&ev, (lo, ends[0]), (hi, ends[1]))? {
                let brent = BrentRoot1d {
                    tol: 1e-12 + 1e-9 * b,
                    max_iters: 100,
                };
                brent.run(&ev, a, b)?;
            }
        }
        if tuner.cancelled() {
            return Err(cable_core::SimError::Cancelled { t: f64::NAN }.into());
        }
        Ok(result(&ev, target))
    }
}

/// The result: the best evaluation of the history.
fn result(ev: &Evaluator<GapProblem>, target: f64) -> GapOptimization {
    let history: Vec<GapEvaluation> = ev
        .history()
        .into_iter()
        .filter_map(|r| {
            r.outcome.map(|cc| GapEvaluation {
                g: r.x[0],
                cc,
                error: r.cost,
            })
        })
        .collect();
    let best = history
        .iter()
        .min_by(|a, b| a.error.total_cmp(&b.error))
        .cloned()
        .expect("at least the bounds were evaluated");
    GapOptimization {
        optimal_g: best.g,
        achieved_cc: best.cc,
        target_cc: target,
        error: best.error,
        n_simulations: history.len(),
        history,
    }
}
