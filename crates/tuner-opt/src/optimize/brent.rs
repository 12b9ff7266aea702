//! [`BrentRoot1d`]: bounded scalar root finding (argmin's Brent) on the first
//! residual of a one-dimensional problem.

use super::{Evaluator, Problem};
use crate::TunerError;
use argmin::core::{CostFunction, Error as ArgminError, Executor};
use argmin::solver::brent::BrentRoot;

/// Brent's method on `r(x)`, the problem's first residual, over `[lo, hi]`;
/// when `r(lo)` and `r(hi)` have the same sign it stops at the end where
/// `|r|` is smaller. Evaluations go through the [`Evaluator`], so points the
/// search revisits (the ends, above all) cost no simulation.
#[derive(Debug, Clone, Copy)]
pub struct BrentRoot1d {
    /// Absolute tolerance in x.
    pub tol: f64,
    /// Iterations at most.
    pub max_iters: u64,
}

/// The residual as argmin sees it.
struct Residual<'e, 'p, P: Problem> {
    ev: &'e Evaluator<'p, P>,
}

impl<P: Problem> Residual<'_, '_, P> {
    fn at(&self, x: f64) -> Option<f64> {
        let (o, _) = self.ev.eval(&[x]);
        o.map(|o| self.ev.problem().residuals(&o)[0])
    }
}

impl<P: Problem> CostFunction for Residual<'_, '_, P> {
    type Param = f64;
    type Output = f64;
    fn cost(&self, x: &f64) -> Result<f64, ArgminError> {
        self.at(*x)
            .ok_or_else(|| ArgminError::msg("the simulation failed"))
    }
}

impl BrentRoot1d {
    /// Search `[lo, hi]`. A failed simulation ends the search with its error.
    pub fn run<P: Problem>(&self, ev: &Evaluator<P>, lo: f64, hi: f64) -> Result<(), TunerError> {
        let r = Residual { ev };
        let (Some(flo), Some(fhi)) = (r.at(lo), r.at(hi)) else {
            return Err(ev.take_failure());
        };
        if flo == 0.0 || fhi == 0.0 || flo.signum() == fhi.signum() {
            return Ok(());
        }
        let solver = BrentRoot::new(lo, hi, self.tol);
        let res = Executor::new(r, solver)
            .configure(|s| s.param((lo + hi) / 2.0).max_iters(self.max_iters))
            .run();
        match res {
            Ok(_) => Ok(()),
            Err(e) => Err(match ev.take_failure() {
                TunerError::Optimizer(_) => TunerError::Optimizer(e.to_string()),
                f => f,
            }),
        }
    }
}
