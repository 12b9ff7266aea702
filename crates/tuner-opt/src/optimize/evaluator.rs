//! [`Evaluator`]: the one cache between solvers and simulations.
//!
//! Every solver asks for points through it. A point already simulated costs
//! nothing; new points of a batch are simulated in parallel and recorded in
//! input order, so the history (and with it the search) does not depend on the
//! number of threads. Points may be simulated *ahead* (in a parallel round that
//! would otherwise leave a thread idle): they enter the history only when a
//! solver asks for them. The first error of a simulation is kept; the point's
//! cost is then ∞.

use super::Problem;
use crate::{lock, TunerError};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// One recorded evaluation: the point, its outcome (none if it failed) and
/// its cost (∞ if it failed or was not finite).
#[derive(Debug, Clone)]
pub struct Record<O> {
    /// The point.
    pub x: Vec<f64>,
    /// What the simulation gave.
    pub outcome: Option<O>,
    /// Its cost.
    pub cost: f64,
}

/// The cache key of a point: its bits.
type Key = Vec<u64>;

/// What the cache keeps of an evaluation: its outcome (none if it failed) and cost.
type Cached<O> = (Option<O>, f64);

/// The cache key of a point.
fn key(x: &[f64]) -> Key {
    x.iter().map(|v| v.to_bits()).collect()
}

/// Evaluates a [`Problem`] for solvers; see the module docs.
pub struct Evaluator<'p, P: Problem> {
    problem: &'p P,
    cache: Mutex<HashMap<Key, Cached<P::Outcome>>>,
    ahead: Mutex<HashMap<Key, Result<P::Outcome, TunerError>>>,
    history: Mutex<Vec<Record<P::Outcome>>>,
    simulated: AtomicUsize,
    failure: Mutex<Option<TunerError>>,
    progress: Option<&'p (dyn Fn(usize) + Sync)>,
}

impl<'p, P: Problem> Evaluator<'p, P> {
    /// An evaluator of `problem` with an empty history.
    pub fn new(problem: &'p P) -> Self {
        Evaluator {
            problem,
            cache: Mutex::new(HashMap::new()),
            ahead: Mutex::new(HashMap::new()),
            history: Mutex::new(Vec::new()),
            simulated: AtomicUsize::new(0),
            failure: Mutex::new(None),
            progress: None,
        }
    }

    /// Call `f(n)` after the `n`-th evaluation enters the history.
    pub fn with_progress(mut self, f: Option<&'p (dyn Fn(usize) + Sync)>) -> Self {
        self.progress = f;
        self
    }

    /// The problem.
    pub fn problem(&self) -> &P {
        self.problem
    }

    /// Evaluations in the history so far.
    pub fn evaluations(&self) -> usize {
        lock(&self.history).len()
    }

    /// Simulations run so far (those run ahead included).
    pub fn simulated(&self) -> usize {
        self.simulated.load(Ordering::Relaxed)
    }

    /// `x` clamped into the problem's box.
    pub fn clamp(&self, x: &[f64]) -> Vec<f64> {
        let (lo, hi) = self.problem.bounds();
        x.iter()
            .enumerate()
            .map(|(i, v)| v.clamp(lo[i], hi[i]))
            .collect()
    }

    /// The residuals of an evaluated outcome (NaN for a failed one).
    pub fn residuals(&self, o: &Option<P::Outcome>) -> Vec<f64> {
        match o {
            Some(o) => self.problem.residuals(o),
            None => vec![f64::NAN; self.problem.residual_count()],
        }
    }

    fn simulate(&self, x: &[f64]) -> Result<P::Outcome, TunerError> {
        self.simulated.fetch_add(1, Ordering::Relaxed);
        self.problem.simulate(x)
    }

    /// Store the outcome of a simulation at `x` (cache, history, first error,
    /// progress) and return it with its cost.
    fn record(
        &self,
        key: Vec<u64>,
        x: Vec<f64>,
        outcome: Result<P::Outcome, TunerError>,
    ) -> (Option<P::Outcome>, f64) {
        let r = match outcome {
            Ok(o) => {
                let c = self.problem.cost(&o);
                (Some(o), if c.is_finite() { c } else { f64::INFINITY })
            }
            Err(e) => {
                lock(&self.failure).get_or_insert(e);
                (None, f64::INFINITY)
            }
        };
        lock(&self.cache).insert(key, r.clone());
        let n = {
            let mut h = lock(&self.history);
            h.push(Record {
                x,
                outcome: r.0.clone(),
                cost: r.1,
            });
            h.len()
        };
        if let Some(f) = self.progress {
            f(n);
        }
        r
    }

    /// The outcome and cost at `x`: from the cache, from a simulation run
    /// ahead, or simulated now.
    pub fn eval(&self, x: &[f64]) -> (Option<P::Outcome>, f64) {
        let key = key(x);
        if let Some(r) = lock(&self.cache).get(&key).cloned() {
            return r;
        }
        let ahead = lock(&self.ahead).remove(&key);
        let outcome = match ahead {
            Some(o) => o,
            None => self.simulate(x),
        };
        self.record(key, x.to_vec(), outcome)
    }

    fn known(&self, key: &[u64]) -> bool {
        lock(&self.cache).contains_key(key) || lock(&self.ahead).contains_key(key)
    }

    /// Simulate the new points among `xs` in parallel without recording them:
    /// [`Self::eval`] records one when a solver asks for it.
    pub fn run_ahead(&self, xs: &[Vec<f64>]) {
        let mut seen = HashSet::new();
        let fresh: Vec<(Vec<u64>, &Vec<f64>)> = xs
            .iter()
            .map(|x| (key(x), x))
            .filter(|(k, _)| !self.known(k) && seen.insert(k.clone()))
            .collect();
        let xs: Vec<&[f64]> = fresh.iter().map(|(_, x)| x.as_slice()).collect();
        self.simulated.fetch_add(xs.len(), Ordering::Relaxed);
        let outcomes = self.problem.simulate_many(&xs);
        let mut ahead = lock(&self.ahead);
        for ((key, _), outcome) in fresh.into_iter().zip(outcomes) {
            ahead.insert(key, outcome);
        }
    }

    /// Evaluate several points: the new ones are simulated in parallel, then
    /// recorded in input order.
    pub fn eval_many(&self, xs: &[Vec<f64>]) -> Vec<(Option<P::Outcome>, f64)> {
        self.run_ahead(xs);
        xs.iter().map(|x| self.eval(x)).collect()
    }

    /// [`Self::eval_many`], but the first failure of the batch is an error.
    pub fn try_eval_many(&self, xs: &[Vec<f64>]) -> Result<Vec<P::Outcome>, TunerError> {
        let r = self.eval_many(xs);
        if r.iter().any(|(o, _)| o.is_none()) {
            return Err(self.take_failure());
        }
        Ok(r.into_iter().filter_map(|(o, _)| o).collect())
    }

    /// The first error kept (or a generic one).
    pub fn take_failure(&self) -> TunerError {
        lock(&self.failure)
            .take()
            .unwrap_or_else(|| TunerError::Optimizer("no evaluation succeeded".into()))
    }

    /// The history so far, in order.
    pub fn history(&self) -> Vec<Record<P::Outcome>> {
        lock(&self.history).clone()
    }

    /// The recorded evaluation of lowest finite cost (the first of equals).
    pub fn best(&self) -> Option<Record<P::Outcome>> {
        lock(&self.history)
            .iter()
            .filter(|e| e.cost.is_finite())
            .min_by(|a, b| a.cost.total_cmp(&b.cost))
            .cloned()
    }
}
