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

use super::{
    Evaluator, LevenbergMarquardt, NelderMeadSolver, ParticleSwarmSolver, Problem, ProjectedBfgs,
};
use crate::{Convention, SynapseTuner, TrainStart, TunerError, Work};
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::Serialize;
use std::sync::OnceLock;

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
    /// At most this many evaluations share one simulation, each in its own
    /// lane, when a round has more of them than there are threads (trains
    /// continued from a saved start only: the swarm's rounds; 1: one
    /// simulation each). Lanes change neither the outcomes nor the search.
    pub lanes: usize,
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
            lanes: FIT_LANES,
        }
    }
}

/// The default of [`OptimizeOptions::lanes`]. A Dep2FSI particle swarm of 200
/// evaluations on two threads (`benches/compare_neuron`): 544 ms one train
/// per simulation, 405 ms two, 455 ms four.
pub const FIT_LANES: usize = 2;

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

/// The fit of a tuner's current connection, in normalised parameters
/// (`x_i = p_i / max(|lo_i|, |hi_i|)`).
struct SynapseProblem<'a> {
    tuner: &'a SynapseTuner,
    opts: OptimizeOptions,
    cost: Option<Box<CostFn>>,
    scales: Vec<f64>,
    /// When every fitted parameter is event-only: the train saved before its
    /// first event, from which every evaluation's train continues.
    start: Option<TrainStart>,
    /// The same start in `opts.lanes` lanes, saved when first needed (none if
    /// it cannot be).
    lane_start: OnceLock<Option<TrainStart>>,
}

impl SynapseProblem<'_> {
    fn weight(&self, m: &str) -> f64 {
        if let Some((_, w)) = self.opts.weights.iter().find(|(k, _)| k == m) {
            return *w;
        }
        if self.opts.weights.is_empty() && self.tuner.convention() == Convention::Bmtool {
            // bmtool's default cost: induction only.
            return if m == "induction" { 1.0 } else { 0.0 };
        }
        1.0
    }

    fn denorm(&self, x: &[f64]) -> Vec<f64> {
        x.iter().zip(&self.scales).map(|(v, s)| v * s).collect()
    }

    /// The named parameter values of normalised `x`.
    fn params(&self, x: &[f64]) -> Vec<(String, f64)> {
        self.opts
            .bounds
            .iter()
            .map(|b| b.name.clone())
            .zip(self.denorm(x))
            .collect()
    }

    /// The tuner at denormalised parameters `p`.
    fn tuner_at(&self, p: &[f64]) -> Result<SynapseTuner, TunerError> {
        let mut t = self.tuner.clone();
        for (b, &v) in self.opts.bounds.iter().zip(p) {
            t.set_param(&b.name, v)?;
        }
        Ok(t)
    }

    /// The saved start in `opts.lanes` lanes (saved on first use; none for
    /// one lane).
    fn lane_start(&self) -> Option<&TrainStart> {
        let (freq, delay, lanes) = (self.opts.freq, self.opts.delay, self.opts.lanes);
        self.lane_start
            .get_or_init(|| {
                (lanes > 1)
                    .then(|| self.tuner.train_start_lanes(freq, delay, lanes).ok())
                    .flatten()
            })
            .as_ref()
    }

    /// Metrics of the tuner at denormalised parameters `p`.
    fn metrics(&self, p: &[f64]) -> Result<Metrics, TunerError> {
        let t = self.tuner_at(p)?;
        let mut out = Vec::new();
        if self.opts.train {
            let m = match &self.start {
                Some(s) => t.train_from(s)?.metrics,
                None => t.train(self.opts.freq, self.opts.delay)?.metrics,
            };
            out.extend(train_metrics(&m, t.convention()));
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
}

/// A train's metrics by name; under bmtool's convention `induction`, `ppr`
/// and `recovery` mean what bmtool 0.8 computes (the p90 forms).
fn train_metrics(m: &crate::StpMetrics, convention: Convention) -> [(String, f64); 8] {
    let (ppr, ind, rec) = if convention == Convention::Bmtool {
        (m.stp_initial_p90, m.induction_p90, m.recovery_p90)
    } else {
        (m.ppr, m.induction, m.recovery)
    };
    [
        ("induction".to_string(), ind),
        ("ppr".to_string(), ppr),
        ("recovery".to_string(), rec),
        ("simple_ppr".to_string(), m.simple_ppr),
        ("max_amplitude".to_string(), m.max_amplitude),
        ("stp_initial_p90".to_string(), m.stp_initial_p90),
        ("induction_p90".to_string(), m.induction_p90),
        ("recovery_p90".to_string(), m.recovery_p90),
    ]
}

impl Problem for SynapseProblem<'_> {
    type Outcome = Metrics;

    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        let b = &self.opts.bounds;
        let lo = b.iter().zip(&self.scales).map(|(b, s)| b.lo / s).collect();
        let hi = b.iter().zip(&self.scales).map(|(b, s)| b.hi / s).collect();
        (lo, hi)
    }

    fn simulate(&self, x: &[f64]) -> Result<Metrics, TunerError> {
        self.metrics(&self.denorm(x))
    }

    /// Trains continued from a saved start: [`SynapseTuner::par_trains_from`],
    /// which shares a round of more points than threads among them in lanes.
    fn simulate_many(&self, xs: &[&[f64]]) -> Vec<Result<Metrics, TunerError>> {
        let tuners: Option<Vec<SynapseTuner>> = xs
            .iter()
            .map(|x| self.tuner_at(&self.denorm(x)).ok())
            .collect();
        if self.tuner.draws_random() {
            // One after another, in order (`synapse/serial.rs`).
            return xs.iter().map(|x| self.simulate(x)).collect();
        }
        let (Some(one), Some(tuners), false) = (&self.start, tuners, self.opts.single_event) else {
            return xs.par_iter().map(|x| self.simulate(x)).collect();
        };
        let lanes = if xs.len() > rayon::current_num_threads() {
            self.lane_start()
        } else {
            None
        };
        let refs: Vec<&SynapseTuner> = tuners.iter().collect();
        SynapseTuner::par_trains_from(one, lanes, &refs, &|| {})
            .into_iter()
            .zip(&tuners)
            .map(|(r, t)| Ok(train_metrics(&r?.metrics, t.convention()).to_vec()))
            .collect()
    }

    fn residual_count(&self) -> usize {
        self.opts.targets.len()
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

    fn cost(&self, m: &Metrics) -> f64 {
        match &self.cost {
            Some(f) => f(m, &self.opts.targets),
            None => self.residuals(m).iter().map(|r| r * r).sum(),
        }
    }
}

/// Fits synaptic parameters of a tuner's current connection.
pub struct SynapseOptimizer<'a> {
    problem: SynapseProblem<'a>,
    progress: Option<&'a (dyn Fn(usize) + Sync)>,
}

impl<'a> SynapseOptimizer<'a> {
    /// An optimiser over `tuner` (its current connection and convention).
    pub fn new(
        tuner: &'a SynapseTuner,
        opts: OptimizeOptions,
    ) -> Result<SynapseOptimizer<'a>, TunerError> {
        check_options(tuner, &opts)?;
        let mut work = Work::new(format!(
            "an optimisation of up to {} evaluations ({})",
            opts.max_evaluations,
            match (opts.single_event, opts.train) {
                (true, true) => format!("a single event and a {} Hz train each", opts.freq),
                (true, false) => "a single event each".to_string(),
                _ => format!("a {} Hz train each", opts.freq),
            }
        ));
        let train = opts.train.then_some((opts.freq, opts.delay));
        work.add(
            &tuner.evaluation_work(opts.single_event, train, 1.0),
            opts.max_evaluations as f64 + 1.0,
        );
        tuner.check_work(&work)?;
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
            problem: SynapseProblem {
                tuner,
                opts,
                cost: None,
                scales,
                start,
                lane_start: OnceLock::new(),
            },
            progress: None,
        })
    }

    /// Use a custom cost instead of the weighted squared errors.
    pub fn with_cost(mut self, cost: Box<CostFn>) -> Self {
        self.problem.cost = Some(cost);
        self
    }

    /// Call `f(n_evaluations)` after every simulated evaluation.
    pub fn with_progress(mut self, f: &'a (dyn Fn(usize) + Sync)) -> Self {
        self.progress = Some(f);
        self
    }

    /// Where the search starts (normalised).
    fn start(&self) -> Vec<f64> {
        let (lo, hi) = self.problem.bounds();
        match self.problem.opts.init {
            Init::Middle => lo.iter().zip(&hi).map(|(a, b)| (a + b) / 2.0).collect(),
            Init::Random => {
                let mut rng =
                    rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(self.problem.opts.seed);
                lo.iter()
                    .zip(&hi)
                    .map(|(a, b)| rng.random_range(*a..=*b))
                    .collect()
            }
        }
    }

    /// The method run: Levenberg–Marquardt needs residuals, so with a custom
    /// cost it is the gradient method.
    fn method(&self) -> Method {
        match self.problem.opts.method {
            Method::Lm if self.problem.cost.is_some() => Method::Gradient,
            m => m,
        }
    }

    /// Run the optimisation.
    pub fn run(self) -> Result<OptimizationResult, TunerError> {
        let p = &self.problem;
        let ev = Evaluator::new(p).with_progress(self.progress);
        let (max_evaluations, cost_tolerance) = (p.opts.max_evaluations, p.opts.cost_tolerance);
        let lm = LevenbergMarquardt {
            max_evaluations,
            cost_tolerance,
        };
        match self.method() {
            Method::Lm => lm.run(&ev, self.start()),
            Method::Gradient => ProjectedBfgs {
                max_evaluations,
                cost_tolerance,
            }
            .run(&ev, self.start()),
            Method::NelderMead => NelderMeadSolver {
                max_evaluations,
                cost_tolerance,
            }
            .run(&ev, self.start())?,
            Method::ParticleSwarm => self.swarm_then_polish(&ev, lm),
        }
        self.result(&ev)
    }

    /// The particle swarm on 70 % of the budget, then (built-in cost only)
    /// Levenberg–Marquardt from the best point.
    fn swarm_then_polish(&self, ev: &Evaluator<SynapseProblem>, lm: LevenbergMarquardt) {
        let p = &self.problem;
        let budget = if p.cost.is_none() {
            p.opts.max_evaluations * 7 / 10
        } else {
            p.opts.max_evaluations
        };
        ParticleSwarmSolver {
            budget,
            starts: p.opts.starts,
            seed: p.opts.seed,
        }
        .run(ev);
        if p.cost.is_some() {
            return;
        }
        // From the best point as its recorded parameter values divided by their
        // scales (what the history holds).
        if let Some(best) = ev.best() {
            let x = p
                .params(&best.x)
                .iter()
                .zip(&p.scales)
                .map(|((_, v), s)| v / s)
                .collect();
            lm.run(ev, x);
        }
    }

    fn result(&self, ev: &Evaluator<SynapseProblem>) -> Result<OptimizationResult, TunerError> {
        let p = &self.problem;
        if crate::budget::cancelled(&p.tuner.cancel_flag().cloned()) {
            return Err(cable_core::SimError::Cancelled { t: f64::NAN }.into());
        }
        let history: Vec<Evaluation> = ev
            .history()
            .into_iter()
            .map(|r| Evaluation {
                params: p.params(&r.x),
                metrics: r.outcome.unwrap_or_default(),
                error: r.cost,
            })
            .collect();
        let best = history
            .iter()
            .filter(|e| e.error.is_finite())
            .min_by(|a, b| a.error.total_cmp(&b.error))
            .cloned()
            .ok_or_else(|| ev.take_failure())?;
        Ok(OptimizationResult {
            optimal_params: best.params,
            achieved_metrics: best.metrics,
            target_metrics: p.opts.targets.clone(),
            error: best.error,
            n_evaluations: history.len(),
            n_simulations: ev.simulated(),
            method: self.method().as_str().to_string(),
            history,
        })
    }
}

/// Refuse options that cannot be fitted: nothing to fit, no targets, nothing
/// to simulate, bad bounds, parameters the synapse lacks, metrics the chosen
/// runs do not give.
fn check_options(tuner: &SynapseTuner, opts: &OptimizeOptions) -> Result<(), TunerError> {
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
    if !(1..=crate::TRAIN_LANES).contains(&opts.lanes) {
        return Err(TunerError::BadValue {
            what: format!(
                "lanes (evaluations per simulation; need 1 to {})",
                crate::TRAIN_LANES
            ),
            value: opts.lanes as f64,
        });
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
    check_metrics(opts)
}

/// Every target and weight names a metric the chosen runs give.
fn check_metrics(opts: &OptimizeOptions) -> Result<(), TunerError> {
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
    Ok(())
}
