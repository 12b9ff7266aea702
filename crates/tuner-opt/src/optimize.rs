//! [`SynapseOptimizer`]: fit synaptic parameters to target metrics (bmtool's
//! SynapseOptimizer), with parallel evaluations.
//!
//! Parameters are normalised by `max(|lo|, |hi|)` as bmtool does. The cost is
//! the weighted sum of squared metric errors (or a user closure in the library
//! API); every evaluation is a full simulation (single event and/or train).
//!
//! Methods ([`Method`]):
//!
//! * `Lm` — bounded Levenberg–Marquardt on the weighted residuals
//!   (`√w·(metric − target)`), forward-difference Jacobian whose columns are
//!   simulated in parallel: the least-squares method for the built-in cost;
//! * `Gradient` — projected quasi-Newton (BFGS) on the scalar cost with a
//!   parallel forward-difference gradient and a projected Armijo line search:
//!   the role SLSQP plays in bmtool, for any cost;
//! * `NelderMead` — argmin's Nelder–Mead on the box (the cost is evaluated at
//!   the clamped point, plus a penalty for leaving the box);
//! * `ParticleSwarm` — argmin's particle swarm in the box, the swarm evaluated in
//!   parallel, restarted `starts` times from independent seeds; the best point
//!   is then polished with `Lm` (built-in cost).
//!
//! `Init::Middle` starts from the middle of the box, `Init::Random` from a point
//! drawn with the seed: the same seed gives the same result.

use crate::{SynapseTuner, TrainStart, TunerError};
use argmin::core::{CostFunction, Error as ArgminError, Executor};
use argmin::solver::neldermead::NelderMead;
use argmin::solver::particleswarm::ParticleSwarm;
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Mutex;

/// Optimisation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// Bounded Levenberg–Marquardt (least squares; the default).
    #[default]
    Lm,
    /// Projected BFGS with finite-difference gradients (any cost).
    Gradient,
    /// Nelder–Mead (argmin).
    NelderMead,
    /// Particle swarm with multi-start (argmin).
    ParticleSwarm,
}

impl std::str::FromStr for Method {
    type Err = String;
    fn from_str(s: &str) -> Result<Method, String> {
        match s.to_ascii_lowercase().as_str() {
            "lm" | "levenberg-marquardt" => Ok(Method::Lm),
            "gradient" | "slsqp" | "bfgs" => Ok(Method::Gradient),
            "nelder-mead" | "neldermead" | "nm" => Ok(Method::NelderMead),
            "pso" | "particle-swarm" | "particleswarm" | "global" => Ok(Method::ParticleSwarm),
            _ => Err(format!(
                "unknown method `{s}`; expected lm, gradient, nelder-mead or pso"
            )),
        }
    }
}

impl Method {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Lm => "lm",
            Method::Gradient => "gradient",
            Method::NelderMead => "nelder-mead",
            Method::ParticleSwarm => "pso",
        }
    }
}

/// Where the search starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Init {
    /// The middle of every bound (bmtool's `middle_guess`).
    #[default]
    Middle,
    /// A point drawn uniformly in the box with the seed.
    Random,
}

/// A parameter with its bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    /// Synaptic parameter name.
    pub name: String,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

/// Metrics of one evaluation, by name.
pub type Metrics = Vec<(String, f64)>;

/// A user cost: metrics and targets to a non-negative number.
pub type CostFn = dyn Fn(&Metrics, &[(String, f64)]) -> f64 + Send + Sync;

/// What to fit and how.
#[derive(Debug, Clone)]
pub struct OptimizeOptions {
    /// Target values by metric name.
    pub targets: Vec<(String, f64)>,
    /// Weights by metric name (default 1; under `--compat bmtool` without
    /// weights, bmtool's default cost: induction only).
    pub weights: Vec<(String, f64)>,
    /// Parameters and their bounds.
    pub bounds: Vec<Bound>,
    /// Run the single event for each evaluation.
    pub single_event: bool,
    /// Run the 8 + 4 train for each evaluation.
    pub train: bool,
    /// Train frequency (Hz).
    pub freq: f64,
    /// Train recovery delay (ms).
    pub delay: f64,
    /// Method.
    pub method: Method,
    /// Start point.
    pub init: Init,
    /// Seed for random starts and swarms.
    pub seed: u64,
    /// Independent starts for the particle swarm.
    pub starts: usize,
    /// Stop after this many simulations.
    pub max_evaluations: usize,
    /// Stop when the cost is below this.
    pub cost_tolerance: f64,
}

impl Default for OptimizeOptions {
    fn default() -> Self {
        OptimizeOptions {
            targets: Vec::new(),
            weights: Vec::new(),
            bounds: Vec::new(),
            single_event: false,
            train: true,
            freq: 50.0,
            delay: 250.0,
            method: Method::Lm,
            init: Init::Middle,
            seed: 0,
            starts: 3,
            max_evaluations: 500,
            cost_tolerance: 1e-12,
        }
    }
}

/// One evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Parameter values (denormalised).
    pub params: Vec<(String, f64)>,
    /// Metrics obtained.
    pub metrics: Metrics,
    /// Cost.
    pub error: f64,
}

/// The result (bmtool's `SynapseOptimizationResult`, plus counts).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptimizationResult {
    /// Best parameters found.
    pub optimal_params: Vec<(String, f64)>,
    /// Their metrics.
    pub achieved_metrics: Metrics,
    /// The targets.
    pub target_metrics: Vec<(String, f64)>,
    /// The cost there.
    pub error: f64,
    /// Simulated evaluations the search used (the length of `history`).
    pub n_evaluations: usize,
    /// Simulations run, including those run ahead (in a parallel round that
    /// would otherwise leave a thread idle) that the search did not use.
    pub n_simulations: usize,
    /// The method used.
    pub method: String,
    /// Every simulated evaluation, in order.
    pub history: Vec<Evaluation>,
}

/// Metrics a train provides.
pub const TRAIN_METRICS: &[&str] = &[
    "induction",
    "ppr",
    "recovery",
    "simple_ppr",
    "max_amplitude",
    "stp_initial_p90",
    "induction_p90",
    "recovery_p90",
];
/// Metrics a single event provides.
pub const EVENT_METRICS: &[&str] = &[
    "rise_time",
    "decay_time",
    "latency",
    "half_width",
    "baseline",
    "amp",
    "current_integral",
];

/// The cache key of a normalised point: its bits.
fn key(x: &[f64]) -> Vec<u64> {
    x.iter().map(|v| v.to_bits()).collect()
}

/// A simulation run ahead: its parameters and outcome.
type Ahead = (Vec<f64>, Result<Metrics, TunerError>);

/// Fits synaptic parameters of a tuner's current connection.
pub struct SynapseOptimizer<'a> {
    tuner: &'a SynapseTuner,
    opts: OptimizeOptions,
    cost: Option<Box<CostFn>>,
    scales: Vec<f64>,
    history: Mutex<Vec<Evaluation>>,
    cache: Mutex<HashMap<Vec<u64>, (Metrics, f64)>>,
    /// Outcomes simulated ahead and not yet asked for (not in the history).
    ahead: Mutex<HashMap<Vec<u64>, Ahead>>,
    /// Simulations run so far.
    simulated: std::sync::atomic::AtomicUsize,
    failure: Mutex<Option<TunerError>>,
    progress: Option<&'a (dyn Fn(usize) + Sync)>,
    /// When every fitted parameter is event-only: the train saved before its
    /// first event, from which every evaluation's train continues.
    start: Option<TrainStart>,
}

impl<'a> SynapseOptimizer<'a> {
    /// An optimiser over `tuner` (its current connection and convention).
    pub fn new(
        tuner: &'a SynapseTuner,
        opts: OptimizeOptions,
    ) -> Result<SynapseOptimizer<'a>, TunerError> {
        if opts.bounds.is_empty() {
            return Err(TunerError::Optimizer(
                "no parameters to fit: give at least one bound".into(),
            ));
        }
        if opts.targets.is_empty() {
            return Err(TunerError::Optimizer(
                "no targets: give at least one target metric".into(),
            ));
        }
        if !opts.single_event && !opts.train {
            return Err(TunerError::Optimizer(
                "nothing to simulate: enable the single event, the train or both".into(),
            ));
        }
        for b in &opts.bounds {
            if !(b.lo.is_finite() && b.hi.is_finite() && b.lo < b.hi) {
                return Err(TunerError::BadValue {
                    what: format!(
                        "bounds of `{}` (need finite lo < hi, got [{}, {}])",
                        b.name, b.lo, b.hi
                    ),
                    value: b.lo,
                });
            }
            // The parameter must exist on the synapse.
            let mut probe = tuner.clone();
            probe.set_param(&b.name, (b.lo + b.hi) / 2.0)?;
        }
        let available: Vec<&str> = TRAIN_METRICS
            .iter()
            .filter(|_| opts.train)
            .chain(EVENT_METRICS.iter().filter(|_| opts.single_event))
            .copied()
            .collect();
        for (m, v) in opts.targets.iter().chain(&opts.weights) {
            if !v.is_finite() {
                return Err(TunerError::BadValue {
                    what: format!("target or weight of `{m}`"),
                    value: *v,
                });
            }
            if !available.contains(&m.as_str()) {
                let hint = if TRAIN_METRICS.contains(&m.as_str()) {
                    " (it needs the train)"
                } else if EVENT_METRICS.contains(&m.as_str()) {
                    " (it needs the single event)"
                } else {
                    ""
                };
                return Err(TunerError::Optimizer(format!(
                    "metric `{m}` is not available{hint}; available: {}",
                    available.join(", ")
                )));
            }
        }
        let scales = opts
            .bounds
            .iter()
            .map(|b| b.lo.abs().max(b.hi.abs()))
            .collect();
        // Fitting only parameters that NET_RECEIVE alone reads (the STP
        // synapses' Use, Dep, Fac), every train is the same up to its first
        // event: simulate that part once. (If it fails, each evaluation
        // simulates whole and reports the failure itself.)
        let event_only = tuner.event_only_params();
        let start = (opts.train && opts.bounds.iter().all(|b| event_only.contains(&b.name)))
            .then(|| tuner.train_start(opts.freq, opts.delay).ok())
            .flatten();
        Ok(SynapseOptimizer {
            tuner,
            start,
            opts,
            cost: None,
            scales,
            history: Mutex::new(Vec::new()),
            cache: Mutex::new(HashMap::new()),
            ahead: Mutex::new(HashMap::new()),
            simulated: std::sync::atomic::AtomicUsize::new(0),
            failure: Mutex::new(None),
            progress: None,
        })
    }

    /// Use a custom cost instead of the weighted squared errors.
    pub fn with_cost(mut self, cost: Box<CostFn>) -> Self {
        self.cost = Some(cost);
        self
    }

    /// Call `f(n_evaluations)` after every simulated evaluation.
    pub fn with_progress(mut self, f: &'a (dyn Fn(usize) + Sync)) -> Self {
        self.progress = Some(f);
        self
    }

    fn weight(&self, m: &str) -> f64 {
        if let Some((_, w)) = self.opts.weights.iter().find(|(k, _)| k == m) {
            return *w;
        }
        if self.opts.weights.is_empty() && self.tuner.convention() == crate::Convention::Bmtool {
            // bmtool's default cost: induction only.
            return if m == "induction" { 1.0 } else { 0.0 };
        }
        1.0
    }

    /// Metrics of the tuner at denormalised parameters `p`.
    fn metrics(&self, p: &[f64]) -> Result<Metrics, TunerError> {
        let mut t = self.tuner.clone();
        for (b, &v) in self.opts.bounds.iter().zip(p) {
            t.set_param(&b.name, v)?;
        }
        let mut out = Vec::new();
        let bmtool = t.convention() == crate::Convention::Bmtool;
        if self.opts.train {
            let m = match &self.start {
                Some(s) => t.train_from(s)?.metrics,
                None => t.train(self.opts.freq, self.opts.delay)?.metrics,
            };
            // Under bmtool's convention the names mean what bmtool 0.8 computes.
            let (ppr, ind, rec) = if bmtool {
                (m.stp_initial_p90, m.induction_p90, m.recovery_p90)
            } else {
                (m.ppr, m.induction, m.recovery)
            };
            out.extend([
                ("induction".to_string(), ind),
                ("ppr".to_string(), ppr),
                ("recovery".to_string(), rec),
                ("simple_ppr".to_string(), m.simple_ppr),
                ("max_amplitude".to_string(), m.max_amplitude),
                ("stp_initial_p90".to_string(), m.stp_initial_p90),
                ("induction_p90".to_string(), m.induction_p90),
                ("recovery_p90".to_string(), m.recovery_p90),
            ]);
        }
        if self.opts.single_event {
            let k = t.single_event()?.kinetics;
            out.extend([
                ("rise_time".to_string(), k.rise_time),
                ("decay_time".to_string(), k.decay_time),
                ("latency".to_string(), k.latency),
                ("half_width".to_string(), k.half_width),
                ("baseline".to_string(), k.baseline),
                ("amp".to_string(), k.amp),
                ("current_integral".to_string(), k.current_integral),
            ]);
        }
        Ok(out)
    }

    fn residuals(&self, m: &Metrics) -> Vec<f64> {
        self.opts
            .targets
            .iter()
            .map(|(k, t)| {
                let v = m
                    .iter()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| *v)
                    .unwrap_or(f64::NAN);
                self.weight(k).sqrt() * (v - t)
            })
            .collect()
    }

    fn cost_of(&self, m: &Metrics) -> f64 {
        match &self.cost {
            Some(f) => f(m, &self.opts.targets),
            None => self.residuals(m).iter().map(|r| r * r).sum(),
        }
    }

    fn denorm(&self, x: &[f64]) -> Vec<f64> {
        x.iter().zip(&self.scales).map(|(v, s)| v * s).collect()
    }

    fn bounds_norm(&self) -> (Vec<f64>, Vec<f64>) {
        let lo = self
            .opts
            .bounds
            .iter()
            .zip(&self.scales)
            .map(|(b, s)| b.lo / s)
            .collect();
        let hi = self
            .opts
            .bounds
            .iter()
            .zip(&self.scales)
            .map(|(b, s)| b.hi / s)
            .collect();
        (lo, hi)
    }

    fn clamp(&self, x: &[f64]) -> Vec<f64> {
        let (lo, hi) = self.bounds_norm();
        x.iter()
            .enumerate()
            .map(|(i, v)| v.clamp(lo[i], hi[i]))
            .collect()
    }

    /// Store the outcome of a simulation at parameters `p` (cache, history,
    /// first error, progress) and return its metrics and cost (∞ on error).
    fn record(
        &self,
        key: Vec<u64>,
        p: Vec<f64>,
        outcome: Result<Metrics, TunerError>,
    ) -> (Metrics, f64) {
        let r = match outcome {
            Ok(m) => {
                let c = self.cost_of(&m);
                (m, if c.is_finite() { c } else { f64::INFINITY })
            }
            Err(e) => {
                let mut f = crate::lock(&self.failure);
                if f.is_none() {
                    *f = Some(e);
                }
                (Vec::new(), f64::INFINITY)
            }
        };
        crate::lock(&self.cache).insert(key, r.clone());
        let n = {
            let mut h = crate::lock(&self.history);
            h.push(Evaluation {
                params: self
                    .opts
                    .bounds
                    .iter()
                    .map(|b| b.name.clone())
                    .zip(p)
                    .collect(),
                metrics: r.0.clone(),
                error: r.1,
            });
            h.len()
        };
        if let Some(f) = self.progress {
            f(n);
        }
        r
    }

    fn cached(&self, key: &[u64]) -> Option<(Metrics, f64)> {
        crate::lock(&self.cache).get(key).cloned()
    }

    /// Evaluate at normalised `x` (cached). Errors are kept; the cost is then ∞.
    fn eval(&self, x: &[f64]) -> (Metrics, f64) {
        let key = key(x);
        if let Some(r) = self.cached(&key) {
            return r;
        }
        let ahead = crate::lock(&self.ahead).remove(&key);
        if let Some((p, outcome)) = ahead {
            return self.record(key, p, outcome);
        }
        let p = self.denorm(x);
        let outcome = self.simulate(&p);
        self.record(key, p, outcome)
    }

    fn simulate(&self, p: &[f64]) -> Result<Metrics, TunerError> {
        self.simulated
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.metrics(p)
    }

    fn known(&self, key: &[u64]) -> bool {
        self.cached(key).is_some() || crate::lock(&self.ahead).contains_key(key)
    }

    /// Simulate the new points among `xs` in parallel without recording them:
    /// [`Self::eval`] records one when the search asks for it.
    fn run_ahead(&self, xs: &[Vec<f64>]) {
        let mut seen = std::collections::HashSet::new();
        let fresh: Vec<(Vec<u64>, Vec<f64>)> = xs
            .iter()
            .map(|x| (key(x), self.denorm(x)))
            .filter(|(k, _)| !self.known(k) && seen.insert(k.clone()))
            .collect();
        let outcomes: Vec<Result<Metrics, TunerError>> =
            fresh.par_iter().map(|(_, p)| self.simulate(p)).collect();
        let mut ahead = crate::lock(&self.ahead);
        for ((key, p), outcome) in fresh.into_iter().zip(outcomes) {
            ahead.insert(key, (p, outcome));
        }
    }

    /// Evaluate several points: the new ones are simulated in parallel, then
    /// recorded in input order (deterministic history).
    fn eval_many(&self, xs: &[Vec<f64>]) -> Vec<(Metrics, f64)> {
        self.run_ahead(xs);
        xs.iter().map(|x| self.eval(x)).collect()
    }

    fn evaluations(&self) -> usize {
        crate::lock(&self.history).len()
    }

    fn start(&self) -> Vec<f64> {
        let (lo, hi) = self.bounds_norm();
        match self.opts.init {
            Init::Middle => lo.iter().zip(&hi).map(|(a, b)| (a + b) / 2.0).collect(),
            Init::Random => {
                let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(self.opts.seed);
                lo.iter()
                    .zip(&hi)
                    .map(|(a, b)| rng.random_range(*a..=*b))
                    .collect()
            }
        }
    }

    /// Forward-difference step in normalised units, inward at an upper bound.
    fn fd_points(&self, x: &[f64]) -> Vec<(Vec<f64>, f64)> {
        let (_, hi) = self.bounds_norm();
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

    fn run_lm(&self) {
        self.run_lm_from(self.start());
    }

    /// Evaluate `y`, and in the same parallel round as many of the next
    /// Jacobian's forward-difference points as would otherwise leave threads
    /// idle: if `y` is accepted they are ready; if not, they cost no extra
    /// round. Points run ahead enter the history only when the search asks
    /// for them, so the path, the history and the result do not depend on the
    /// number of threads.
    fn eval_speculating(&self, y: &[f64]) -> (Metrics, f64) {
        let spare = rayon::current_num_threads().saturating_sub(1);
        let mut batch = vec![y.to_vec()];
        batch.extend(self.fd_points(y).into_iter().take(spare).map(|(p, _)| p));
        if batch.len() > 1 {
            self.run_ahead(&batch);
        }
        self.eval(y)
    }

    fn run_lm_from(&self, x0: Vec<f64>) {
        let n = self.opts.bounds.len();
        let mut x = x0;
        let (mut m, mut c) = self.eval_speculating(&x);
        let mut lambda = 1e-3;
        while self.evaluations() < self.opts.max_evaluations
            && c > self.opts.cost_tolerance
            && c.is_finite()
        {
            let r = self.residuals(&m);
            let pts = self.fd_points(&x);
            let res = self.eval_many(&pts.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>());
            // J[k][i] = d r_k / d x_i
            let mut jac = vec![vec![0.0; n]; r.len()];
            for (i, ((_, h), (mi, _))) in pts.iter().zip(&res).enumerate() {
                let ri = self.residuals(mi);
                for k in 0..r.len() {
                    jac[k][i] = (ri[k] - r[k]) / h;
                }
            }
            let mut jtj = vec![vec![0.0; n]; n];
            let mut jtr = vec![0.0; n];
            for k in 0..r.len() {
                for i in 0..n {
                    jtr[i] += jac[k][i] * r[k];
                    for j in 0..n {
                        jtj[i][j] += jac[k][i] * jac[k][j];
                    }
                }
            }
            let mut improved = false;
            for _ in 0..12 {
                let mut a = jtj.clone();
                for i in 0..n {
                    a[i][i] += lambda * jtj[i][i].max(1e-12);
                }
                let Some(step) = solve_dense(a, jtr.iter().map(|v| -v).collect()) else {
                    lambda *= 10.0;
                    continue;
                };
                let y = self.clamp(&x.iter().zip(&step).map(|(a, b)| a + b).collect::<Vec<_>>());
                if y == x {
                    break;
                }
                let (my, cy) = self.eval_speculating(&y);
                if cy < c {
                    x = y;
                    m = my;
                    c = cy;
                    lambda = (lambda / 3.0).max(1e-9);
                    improved = true;
                    break;
                }
                lambda *= 4.0;
                if self.evaluations() >= self.opts.max_evaluations {
                    break;
                }
            }
            if !improved {
                break;
            }
        }
    }

    fn gradient(&self, x: &[f64], c: f64) -> Vec<f64> {
        let pts = self.fd_points(x);
        let res = self.eval_many(&pts.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>());
        pts.iter()
            .zip(&res)
            .map(|((_, h), (_, ci))| (ci - c) / h)
            .collect()
    }

    fn run_gradient(&self) {
        let n = self.opts.bounds.len();
        let (lo, hi) = self.bounds_norm();
        let mut x = self.start();
        let (_, mut c) = self.eval(&x);
        let mut g = self.gradient(&x, c);
        let mut hinv: Vec<Vec<f64>> = (0..n)
            .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
            .collect();
        while self.evaluations() < self.opts.max_evaluations
            && c > self.opts.cost_tolerance
            && c.is_finite()
        {
            // Free variables: not pinned at a bound by the gradient.
            let free: Vec<bool> = (0..n)
                .map(|i| !((x[i] <= lo[i] && g[i] > 0.0) || (x[i] >= hi[i] && g[i] < 0.0)))
                .collect();
            let mut d: Vec<f64> = (0..n)
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
            if d.iter().zip(&g).map(|(a, b)| a * b).sum::<f64>() >= 0.0 {
                d = g
                    .iter()
                    .zip(&free)
                    .map(|(v, &f)| if f { -v } else { 0.0 })
                    .collect();
                hinv = (0..n)
                    .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
                    .collect();
            }
            let mut step = 1.0;
            let mut accepted = None;
            for _ in 0..20 {
                let y = self.clamp(
                    &x.iter()
                        .zip(&d)
                        .map(|(a, b)| a + step * b)
                        .collect::<Vec<_>>(),
                );
                if y == x {
                    break;
                }
                let (_, cy) = self.eval(&y);
                let dec: f64 = g
                    .iter()
                    .zip(y.iter().zip(&x))
                    .map(|(gi, (yi, xi))| gi * (yi - xi))
                    .sum();
                if cy <= c + 1e-4 * dec {
                    accepted = Some((y, cy));
                    break;
                }
                step *= 0.5;
                if self.evaluations() >= self.opts.max_evaluations {
                    break;
                }
            }
            let Some((y, cy)) = accepted else { break };
            let gy = self.gradient(&y, cy);
            let s: Vec<f64> = y.iter().zip(&x).map(|(a, b)| a - b).collect();
            let yv: Vec<f64> = gy.iter().zip(&g).map(|(a, b)| a - b).collect();
            let sy: f64 = s.iter().zip(&yv).map(|(a, b)| a * b).sum();
            if sy > 1e-16 {
                // BFGS update of the inverse Hessian.
                let hy: Vec<f64> = (0..n)
                    .map(|i| (0..n).map(|j| hinv[i][j] * yv[j]).sum())
                    .collect();
                let yhy: f64 = yv.iter().zip(&hy).map(|(a, b)| a * b).sum();
                for i in 0..n {
                    for j in 0..n {
                        hinv[i][j] += (sy + yhy) * s[i] * s[j] / (sy * sy)
                            - (hy[i] * s[j] + s[i] * hy[j]) / sy;
                    }
                }
            }
            let improvement = c - cy;
            x = y;
            c = cy;
            g = gy;
            if improvement <= 1e-15 * c.max(1e-300) {
                break;
            }
        }
    }

    fn run_nelder_mead(&self) -> Result<(), TunerError> {
        let n = self.opts.bounds.len();
        let x0 = self.start();
        let (lo, hi) = self.bounds_norm();
        let mut simplex = vec![x0.clone()];
        for i in 0..n {
            let mut y = x0.clone();
            let span = hi[i] - lo[i];
            y[i] = if y[i] + 0.1 * span <= hi[i] {
                y[i] + 0.1 * span
            } else {
                y[i] - 0.1 * span
            };
            simplex.push(y);
        }
        let problem = Boxed {
            opt: self,
            budget: self.opts.max_evaluations,
        };
        let solver = NelderMead::new(simplex)
            .with_sd_tolerance(self.opts.cost_tolerance.max(1e-14))
            .map_err(|e| TunerError::Optimizer(e.to_string()))?;
        let iters = self.opts.max_evaluations as u64;
        let _ = Executor::new(problem, solver)
            .configure(|s| s.max_iters(iters))
            .run();
        Ok(())
    }

    fn run_pso(&self) -> Result<(), TunerError> {
        let (lo, hi) = self.bounds_norm();
        let n = self.opts.bounds.len();
        let particles = (8 + 4 * n).min(40);
        let starts = self.opts.starts.max(1);
        // 70 % of the budget explores, the rest polishes the best point.
        let budget = if self.cost.is_none() {
            self.opts.max_evaluations * 7 / 10
        } else {
            self.opts.max_evaluations
        };
        let per_start = (budget / starts).max(particles * 2);
        for s in 0..starts {
            let rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(
                self.opts.seed.wrapping_add(s as u64),
            );
            let solver =
                ParticleSwarm::new((lo.clone(), hi.clone()), particles).with_rng_generator(rng);
            let iters = (per_start / particles).max(2) as u64;
            let problem = Boxed { opt: self, budget };
            let _ = Executor::new(problem, solver)
                .configure(|st| st.max_iters(iters))
                .run();
            if self.evaluations() >= budget {
                break;
            }
        }
        // Polish the best point with Levenberg–Marquardt (built-in cost only).
        if self.cost.is_none() {
            let best = crate::lock(&self.history)
                .iter()
                .filter(|e| e.error.is_finite())
                .min_by(|a, b| a.error.total_cmp(&b.error))
                .map(|e| {
                    e.params
                        .iter()
                        .zip(&self.scales)
                        .map(|((_, v), s)| v / s)
                        .collect::<Vec<f64>>()
                });
            if let Some(x) = best {
                self.run_lm_from(x);
            }
        }
        Ok(())
    }

    /// Run the optimisation.
    pub fn run(self) -> Result<OptimizationResult, TunerError> {
        match self.opts.method {
            Method::Lm if self.cost.is_none() => self.run_lm(),
            Method::Lm | Method::Gradient => self.run_gradient(),
            Method::NelderMead => self.run_nelder_mead()?,
            Method::ParticleSwarm => self.run_pso()?,
        }
        let history = self.history.into_inner().unwrap_or_else(|e| e.into_inner());
        let best = history
            .iter()
            .filter(|e| e.error.is_finite())
            .min_by(|a, b| a.error.total_cmp(&b.error))
            .cloned();
        let Some(best) = best else {
            return Err(self
                .failure
                .into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| TunerError::Optimizer("no evaluation succeeded".into())));
        };
        Ok(OptimizationResult {
            optimal_params: best.params.clone(),
            achieved_metrics: best.metrics.clone(),
            target_metrics: self.opts.targets.clone(),
            error: best.error,
            n_evaluations: history.len(),
            n_simulations: self.simulated.load(std::sync::atomic::Ordering::Relaxed),
            method: if self.opts.method == Method::Lm && self.cost.is_some() {
                Method::Gradient.as_str().to_string()
            } else {
                self.opts.method.as_str().to_string()
            },
            history,
        })
    }
}

/// The optimiser as an argmin problem (normalised parameters, bounded).
struct Boxed<'o, 'a> {
    opt: &'o SynapseOptimizer<'a>,
    /// Stop once this many simulations are done.
    budget: usize,
}

impl CostFunction for Boxed<'_, '_> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, x: &Vec<f64>) -> Result<f64, ArgminError> {
        let y = self.opt.clamp(x);
        let outside: f64 = x.iter().zip(&y).map(|(a, b)| (a - b).powi(2)).sum();
        if self.opt.evaluations() >= self.budget {
            return Err(ArgminError::msg("evaluation budget spent"));
        }
        let (_, c) = self.opt.eval(&y);
        Ok(c + outside)
    }

    fn parallelize(&self) -> bool {
        true
    }

    /// A whole swarm at once: simulated in parallel, recorded in order (so the
    /// same seed gives the same history).
    fn bulk_cost<P>(&self, params: &[P]) -> Result<Vec<f64>, ArgminError>
    where
        P: std::borrow::Borrow<Vec<f64>> + argmin::core::SyncAlias,
        f64: argmin::core::SendAlias,
        Self: argmin::core::SyncAlias,
    {
        if self.opt.evaluations() >= self.budget {
            return Err(ArgminError::msg("evaluation budget spent"));
        }
        let xs: Vec<Vec<f64>> = params.iter().map(|p| self.opt.clamp(p.borrow())).collect();
        let res = self.opt.eval_many(&xs);
        Ok(params
            .iter()
            .zip(xs.iter().zip(&res))
            .map(|(p, (y, (_, c)))| {
                let outside: f64 = p.borrow().iter().zip(y).map(|(a, b)| (a - b).powi(2)).sum();
                c + outside
            })
            .collect())
    }
}

/// Solve a small dense system (Gaussian elimination with partial pivoting).
fn solve_dense(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let piv = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        let (top, rest) = a.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for (k, row) in rest.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            for (x, y) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * y;
            }
            b[col + 1 + k] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|j| a[i][j] * x[j]).sum();
        x[i] = (b[i] - s) / a[i][i];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}
