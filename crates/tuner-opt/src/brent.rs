//! Bounded scalar root finding (argmin's Brent), with evaluations cached so the
//! solver's own re-evaluations cost no simulation, and the first typed error of
//! the function kept and returned as such.

use crate::TunerError;
use argmin::core::{CostFunction, Error as ArgminError, Executor, State};
use argmin::solver::brent::BrentRoot;
use std::collections::HashMap;
use std::sync::Mutex;

struct Problem<'a> {
    f: &'a (dyn Fn(f64) -> Result<f64, TunerError> + Sync),
    cache: Mutex<HashMap<u64, f64>>,
    failure: Mutex<Option<TunerError>>,
}

impl Problem<'_> {
    fn eval(&self, x: f64) -> Result<f64, ArgminError> {
        if let Some(&y) = crate::lock(&self.cache).get(&x.to_bits()) {
            return Ok(y);
        }
        match (self.f)(x) {
            Ok(y) => {
                crate::lock(&self.cache).insert(x.to_bits(), y);
                Ok(y)
            }
            Err(e) => {
                let msg = e.to_string();
                let mut slot = crate::lock(&self.failure);
                if slot.is_none() {
                    *slot = Some(e);
                }
                Err(ArgminError::msg(msg))
            }
        }
    }
}

impl CostFunction for Problem<'_> {
    type Param = f64;
    type Output = f64;
    fn cost(&self, x: &f64) -> Result<f64, ArgminError> {
        self.eval(*x)
    }
}

/// A root of `f` in `[lo, hi]` to absolute tolerance `tol` in x. If `f(lo)` and
/// `f(hi)` have the same sign, the end where |f| is smaller.
pub fn root(
    f: &(dyn Fn(f64) -> Result<f64, TunerError> + Sync),
    lo: f64,
    hi: f64,
    tol: f64,
    max_iters: u64,
) -> Result<f64, TunerError> {
    let p = Problem {
        f,
        cache: Mutex::new(HashMap::new()),
        failure: Mutex::new(None),
    };
    let take = |p: &Problem, e: ArgminError| -> TunerError {
        crate::lock(&p.failure)
            .take()
            .unwrap_or(TunerError::Optimizer(e.to_string()))
    };
    let flo = p.eval(lo).map_err(|e| take(&p, e))?;
    let fhi = p.eval(hi).map_err(|e| take(&p, e))?;
    if flo == 0.0 {
        return Ok(lo);
    }
    if fhi == 0.0 {
        return Ok(hi);
    }
    if flo.signum() == fhi.signum() {
        return Ok(if flo.abs() <= fhi.abs() { lo } else { hi });
    }
    let solver = BrentRoot::new(lo, hi, tol);
    let res = Executor::new(p, solver)
        .configure(|s| s.param((lo + hi) / 2.0).max_iters(max_iters))
        .run();
    match res {
        Ok(r) => {
            let x = r
                .state()
                .get_best_param()
                .copied()
                .unwrap_or((lo + hi) / 2.0);
            Ok(x)
        }
        Err(e) => {
            // The problem moved into the executor; its failure slot went with it.
            Err(TunerError::Optimizer(e.to_string()))
        }
    }
}
