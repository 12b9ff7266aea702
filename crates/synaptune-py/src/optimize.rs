//! The optimisers for Python: options as JSON, a Python cost function, the
//! results as dicts with the CLI's keys.

use crate::callback::{ErrorSlot, Progress};
use crate::convert::to_py;
use crate::errors::err;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::Deserialize;
use std::sync::Arc;
use tuner_opt::optimize::{CostFn, Metrics};
use tuner_opt::{
    Bound as ParamBound, GapJunctionOptimizer, GapJunctionTuner, Init, Method, OptimizeOptions,
    SynapseOptimizer, SynapseTuner,
};

/// What the Python side asks to fit.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    targets: Vec<(String, f64)>,
    #[serde(default)]
    weights: Vec<(String, f64)>,
    bounds: Vec<(String, f64, f64)>,
    single_event: bool,
    train: bool,
    freq: f64,
    delay: f64,
    method: String,
    init: String,
    seed: u64,
    starts: usize,
    max_evaluations: usize,
    cost_tolerance: Option<f64>,
    #[serde(default = "fit_lanes")]
    lanes: usize,
}

fn fit_lanes() -> usize {
    tuner_opt::FIT_LANES
}

impl Options {
    fn to_library(&self) -> Result<OptimizeOptions, String> {
        let method: Method = self.method.parse()?;
        let init = match self.init.as_str() {
            "middle" => Init::Middle,
            "random" => Init::Random,
            o => return Err(format!("init `{o}`: expected middle or random")),
        };
        let d = OptimizeOptions::default();
        Ok(OptimizeOptions {
            targets: self.targets.clone(),
            weights: self.weights.clone(),
            bounds: self
                .bounds
                .iter()
                .map(|(name, lo, hi)| ParamBound {
                    name: name.clone(),
                    lo: *lo,
                    hi: *hi,
                })
                .collect(),
            single_event: self.single_event,
            train: self.train,
            freq: self.freq,
            delay: self.delay,
            method,
            init,
            seed: self.seed,
            starts: self.starts,
            max_evaluations: self.max_evaluations,
            cost_tolerance: self.cost_tolerance.unwrap_or(d.cost_tolerance),
            lanes: self.lanes,
        })
    }
}

/// `{name: value}` in order.
fn pairs<'py>(py: Python<'py>, v: &[(String, f64)]) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, x) in v {
        d.set_item(k, x)?;
    }
    Ok(d)
}

/// A Python callable `cost(metrics, targets) -> float` as the library's
/// cost; an exception is kept in `errors` and the point costs NaN.
fn python_cost(f: Py<PyAny>, errors: Arc<ErrorSlot>) -> Box<CostFn> {
    Box::new(move |m: &Metrics, targets: &[(String, f64)]| {
        if errors.failed() {
            return f64::NAN;
        }
        Python::attach(|py| {
            let r = pairs(py, m)
                .and_then(|md| Ok((md, pairs(py, targets)?)))
                .and_then(|(md, td)| f.bind(py).call1((md, td)))
                .and_then(|x| x.extract::<f64>());
            r.unwrap_or_else(|e| {
                errors.keep(e);
                f64::NAN
            })
        })
    })
}

/// Fit `tuner`'s current connection; the result as the CLI's `optimize --json`
/// (without the wall time).
pub fn synapse<'py>(
    py: Python<'py>,
    tuner: &SynapseTuner,
    options: &str,
    cost: Option<Py<PyAny>>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let o: Options =
        serde_json::from_str(options).map_err(|e| err(format!("optimize options: {e}")))?;
    let opts = o.to_library().map_err(err)?;
    let p = Progress::new(progress);
    let cost_errors = Arc::new(ErrorSlot::default());
    let tick = |n: usize| p.report(n);
    let r = py.detach(|| {
        let mut opt = SynapseOptimizer::new(tuner, opts)?.with_progress(&tick);
        if let Some(f) = cost {
            opt = opt.with_cost(python_cost(f, cost_errors.clone()));
        }
        opt.run()
    });
    if let Ok(slot) = Arc::try_unwrap(cost_errors) {
        slot.check()?;
    }
    p.errors.check()?;
    let r = r.map_err(err)?;
    let d = PyDict::new(py);
    d.set_item("connection", &tuner.connection().name)?;
    d.set_item("method", &r.method)?;
    d.set_item("optimal_params", pairs(py, &r.optimal_params)?)?;
    d.set_item("achieved_metrics", pairs(py, &r.achieved_metrics)?)?;
    d.set_item("target_metrics", pairs(py, &r.target_metrics)?)?;
    d.set_item("error", r.error)?;
    d.set_item("n_evaluations", r.n_evaluations)?;
    d.set_item("n_simulations", r.n_simulations)?;
    let history = pyo3::types::PyList::empty(py);
    for e in &r.history {
        let h = PyDict::new(py);
        h.set_item("params", pairs(py, &e.params)?)?;
        h.set_item("metrics", pairs(py, &e.metrics)?)?;
        h.set_item("error", e.error)?;
        history.append(h)?;
    }
    d.set_item("history", history)?;
    Ok(d)
}

/// The conductance of `tuner` whose coupling coefficient is `target`, in
/// `[lo, hi]`; the result as the CLI's `gap-optimize --json` (without the
/// connection and the wall time).
pub fn gap<'py>(
    py: Python<'py>,
    tuner: &GapJunctionTuner,
    target: f64,
    lo: f64,
    hi: f64,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let p = Progress::new(progress);
    let tick = |n: usize| p.report(n);
    let r = py.detach(|| {
        GapJunctionOptimizer::new(tuner, target, lo, hi)?
            .with_progress(&tick)
            .run()
    });
    p.errors.check()?;
    to_py(py, &r.map_err(err)?)
}
