//! [`NativeSynapseTuner`]: `tuner_opt::SynapseTuner` for the Python package.

use crate::callback::Progress;
use crate::convert::{convention_name, header, merge, to_py, traces};
use crate::errors::err;
use crate::spec::Spec;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rayon::prelude::*;
use serde_json::json;
use tuner_opt::{SynapseTuner, TrainResult, TrainStart, TunerError, FIT_LANES};

/// A synapse tuner on one connection (bmtool's `SynapseTuner` without the
/// plots; `synaptune.SynapseTuner` wraps it).
#[pyclass(module = "synaptune._native")]
pub struct NativeSynapseTuner {
    pub(crate) tuner: SynapseTuner,
    /// Extra catalogues the spec named (kept for [`NativeSynapseTuner::state`]).
    mechanisms: Vec<std::path::PathBuf>,
    /// The extra synapse variables recorded.
    record: Vec<String>,
}

/// A parameter set: (name, value) pairs.
type ParamSet = Vec<(String, f64)>;

impl NativeSynapseTuner {
    /// A copy of the tuner with `params` set.
    fn with_params(&self, params: &ParamSet) -> Result<SynapseTuner, TunerError> {
        let mut t = self.tuner.clone();
        for (k, v) in params {
            t.set_param(k, *v)?;
        }
        Ok(t)
    }

    /// Run `run` on a copy of the tuner per parameter set, in parallel with
    /// the GIL released, and turn each result into a dict with `to_dict` (a
    /// failed set becomes its error text).
    fn batch<'py, R: Send>(
        &self,
        py: Python<'py>,
        param_sets: &[ParamSet],
        progress: Option<Py<PyAny>>,
        run: impl Fn(SynapseTuner) -> Result<R, TunerError> + Sync,
        to_dict: impl Fn(Python<'py>, R) -> PyResult<Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let p = Progress::new(progress);
        let one = |ps: &ParamSet| {
            let r = self.with_params(ps).and_then(&run);
            p.tick();
            r
        };
        // A model that draws random numbers runs its sets one after another,
        // in order (tuner-opt's `synapse/serial.rs`).
        let serial = self.tuner.draws_random();
        let results: Vec<Result<R, TunerError>> = py.detach(|| {
            if serial {
                param_sets.iter().map(one).collect()
            } else {
                param_sets.par_iter().map(one).collect()
            }
        });
        p.errors.check()?;
        to_list(py, results, to_dict)
    }

    /// Trains continued from `one` (and, with more sets than threads, from
    /// `lanes`: several per simulation) for each parameter set, as
    /// [`Self::batch`] gives them.
    fn train_batch_from<'py>(
        &self,
        py: Python<'py>,
        param_sets: &[ParamSet],
        progress: Option<Py<PyAny>>,
        (one, lanes): (&TrainStart, Option<&TrainStart>),
        with_traces: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let p = Progress::new(progress);
        let made: Vec<Result<SynapseTuner, TunerError>> =
            param_sets.iter().map(|ps| self.with_params(ps)).collect();
        let ok: Vec<&SynapseTuner> = made.iter().filter_map(|m| m.as_ref().ok()).collect();
        let tick = || p.tick();
        let mut done = py
            .detach(|| SynapseTuner::par_trains_from(one, lanes, &ok, &tick))
            .into_iter();
        let results: Vec<Result<TrainResult, TunerError>> = made
            .into_iter()
            .map(|m| match m {
                Ok(_) => done.next().expect("one result per tuner"),
                Err(e) => {
                    p.tick();
                    Err(e)
                }
            })
            .collect();
        p.errors.check()?;
        to_list(py, results, |py, r| self.train_dict(py, r, with_traces))
    }

    /// The dict of a train: header, freq, delay, amplitudes, metrics (and the
    /// traces with the pulse peaks unless `with_traces` is false).
    fn train_dict<'py>(
        &self,
        py: Python<'py>,
        r: TrainResult,
        with_traces: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let d = header(py, &self.tuner)?;
        d.set_item("freq", r.freq)?;
        d.set_item("delay", r.delay)?;
        d.set_item("amplitudes_pA", &r.amplitudes_pa)?;
        merge(&d, &to_py(py, &r.metrics)?)?;
        if with_traces {
            let g = &self.tuner.settings().general;
            let peaks = stp_analysis::pulse_peaks(&r.traces.i_syn, &r.traces.spikes, g.delay, g.dt);
            d.set_item("peaks", peaks)?;
            d.set_item("traces", traces(py, r.traces)?)?;
        }
        Ok(d)
    }
}

#[pymethods]
impl NativeSynapseTuner {
    /// Build from a spec (JSON, see the crate's `spec` module); returns the
    /// tuner and its notices as `(level, text)` pairs.
    #[staticmethod]
    fn build(py: Python<'_>, spec: &str) -> PyResult<(Self, Vec<(String, String)>)> {
        let spec = Spec::parse(spec).map_err(err)?;
        let ts = spec.to_tuner_spec().map_err(err)?;
        let built = py.detach(|| ts.build()).map_err(err)?;
        let notices = built
            .notices
            .into_iter()
            .map(|n| (format!("{:?}", n.level).to_lowercase(), n.text))
            .collect();
        Ok((
            NativeSynapseTuner {
                tuner: built.tuner,
                mechanisms: ts.mechanisms,
                record: ts.record,
            },
            notices,
        ))
    }

    /// The spec (JSON) that rebuilds this tuner as it is now: the settings with
    /// every value in force, the connection, convention, clamp mode and
    /// recordings. What pickling stores.
    fn state(&self) -> String {
        let t = &self.tuner;
        json!({
            "source": {"settings": t.settings().to_json(), "label": t.settings().source.display().to_string(), "base": "."},
            "connection": t.connection().name,
            "convention": convention_name(t.convention()),
            "mechanisms": self.mechanisms,
            "vclamp": t.vclamp(),
            "record": self.record,
        })
        .to_string()
    }

    /// The current settings as a settings file's JSON (text).
    fn settings_json(&self) -> String {
        self.tuner.settings().to_json().to_string()
    }

    /// The current connection's name.
    fn connection(&self) -> String {
        self.tuner.connection().name.clone()
    }

    /// The connections, in order.
    fn connection_names(&self) -> Vec<String> {
        self.tuner.settings().connection_names()
    }

    /// `default` or `bmtool`.
    fn convention(&self) -> &'static str {
        convention_name(self.tuner.convention())
    }

    /// Switch to connection `name`.
    fn switch_connection(&mut self, name: &str) -> PyResult<()> {
        self.tuner.switch_connection(name).map_err(err)
    }

    /// Whether voltage-clamp mode is on.
    fn vclamp(&self) -> bool {
        self.tuner.vclamp()
    }

    /// Voltage-clamp mode on or off.
    fn set_vclamp(&mut self, on: bool) {
        self.tuner.set_vclamp(on);
    }

    /// Set a synaptic parameter of the current connection.
    fn set_param(&mut self, name: &str, value: f64) -> PyResult<()> {
        self.tuner.set_param(name, value).map_err(err)
    }

    /// A synaptic parameter's value (given, or the mechanism's default).
    fn param(&self, name: &str) -> Option<f64> {
        self.tuner.param(name)
    }

    /// The synapse mechanism's parameter names.
    fn parameter_names(&self) -> Vec<String> {
        let m = &self.tuner.connection().spec_settings.level_of_detail;
        self.tuner
            .registry()
            .get(m)
            .map(|t| {
                t.info
                    .parameter_names()
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Parameters only NET_RECEIVE reads (`Use`, `Dep`, `Fac` of the STP synapses).
    fn event_only_params(&self) -> Vec<String> {
        self.tuner.event_only_params()
    }

    /// Record these synapse variables too.
    fn set_record(&mut self, vars: Vec<String>) -> PyResult<()> {
        self.tuner.set_extra_records(&vars).map_err(err)?;
        self.record = vars;
        Ok(())
    }

    /// The extra synapse variables recorded.
    fn record(&self) -> Vec<String> {
        self.record.clone()
    }

    /// Warnings about the current connection (parameters ignored).
    fn warnings(&self) -> Vec<String> {
        self.tuner.warnings().to_vec()
    }

    /// A single event: header, kinetics, `traces`.
    fn single_event<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let r = py.detach(|| self.tuner.single_event()).map_err(err)?;
        let d = header(py, &self.tuner)?;
        merge(&d, &to_py(py, &r.kinetics)?)?;
        d.set_item("traces", traces(py, r.traces)?)?;
        Ok(d)
    }

    /// The 8 + 4 train: header, freq, delay, `amplitudes_pA`, metrics,
    /// `peaks` (sample of each pulse's peak), `traces`.
    fn train<'py>(&self, py: Python<'py>, freq: f64, delay: f64) -> PyResult<Bound<'py, PyDict>> {
        let r = py.detach(|| self.tuner.train(freq, delay)).map_err(err)?;
        self.train_dict(py, r, true)
    }

    /// Continuous input: header, freq, duration, `amplitudes_pA`, `metrics`
    /// (None with fewer than 12 pulses), `peaks`, `traces`.
    fn continuous<'py>(
        &self,
        py: Python<'py>,
        freq: f64,
        duration: f64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let r = py
            .detach(|| self.tuner.continuous(freq, duration))
            .map_err(err)?;
        let d = header(py, &self.tuner)?;
        d.set_item("freq", r.freq)?;
        d.set_item("duration", r.duration)?;
        d.set_item("amplitudes_pA", &r.amplitudes_pa)?;
        match &r.metrics {
            Ok(m) => d.set_item("metrics", to_py(py, m)?)?,
            Err(_) => d.set_item("metrics", py.None())?,
        }
        let g = &self.tuner.settings().general;
        let peaks = stp_analysis::pulse_peaks(&r.traces.i_syn, &r.traces.spikes, g.delay, g.dt);
        d.set_item("peaks", peaks)?;
        d.set_item("traces", traces(py, r.traces)?)?;
        Ok(d)
    }

    /// The frequency response (frequencies in parallel): header and the
    /// CLI's `freq-response` fields; `progress(n)` after each frequency.
    #[pyo3(signature = (freqs, delay, progress=None))]
    fn freq_response<'py>(
        &self,
        py: Python<'py>,
        freqs: Vec<f64>,
        delay: f64,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let p = Progress::new(progress);
        let r = py.detach(|| self.tuner.freq_response(&freqs, delay, &|| p.tick()));
        p.errors.check()?;
        let r = r.map_err(err)?;
        let d = header(py, &self.tuner)?;
        merge(&d, &to_py(py, &r)?)?;
        Ok(d)
    }

    /// One row per connection (in parallel): `[(name, row or error text)]`,
    /// a row being the kinetics and the train metrics at `freq`/`delay`.
    fn table<'py>(&self, py: Python<'py>, freq: f64, delay: f64) -> PyResult<Bound<'py, PyList>> {
        let rows = py.detach(|| self.tuner.table(freq, delay));
        let out = PyList::empty(py);
        for (name, row) in rows {
            let v = match row {
                Ok((k, m)) => {
                    let d = to_py(py, &k)?.cast_into::<PyDict>()?;
                    merge(&d, &to_py(py, &m)?)?;
                    d.into_any()
                }
                Err(e) => e.to_string().into_pyobject(py)?.into_any(),
            };
            out.append((name, v))?;
        }
        Ok(out)
    }

    /// Trains for many parameter sets at once, on every core: one result (or
    /// error text) per set. When the sets differ only in event-only
    /// parameters, the train up to its first event is simulated once.
    #[pyo3(signature = (param_sets, freq, delay, with_traces=false, progress=None))]
    fn train_batch<'py>(
        &self,
        py: Python<'py>,
        param_sets: Vec<ParamSet>,
        freq: f64,
        delay: f64,
        with_traces: bool,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let wide = param_sets.len() > rayon::current_num_threads();
        let (one, lanes) = py.detach(|| {
            let one = self.tuner.train_start(freq, delay).ok();
            let lanes = (one.is_some() && wide)
                .then(|| self.tuner.train_start_lanes(freq, delay, FIT_LANES).ok())
                .flatten();
            (one, lanes)
        });
        match &one {
            Some(one) => {
                let starts = (one, lanes.as_ref());
                self.train_batch_from(py, &param_sets, progress, starts, with_traces)
            }
            None => self.batch(
                py,
                &param_sets,
                progress,
                |t| t.train(freq, delay),
                |py, r| self.train_dict(py, r, with_traces),
            ),
        }
    }

    /// Trains at several `(freq, delay)` protocols in one call: trains of
    /// similar length share one simulation (lanes), on every core; each result
    /// is bit-identical to `train` alone.
    #[pyo3(signature = (protocols, with_traces=false))]
    fn trains<'py>(
        &self,
        py: Python<'py>,
        protocols: Vec<(f64, f64)>,
        with_traces: bool,
    ) -> PyResult<Bound<'py, PyList>> {
        let rs = py.detach(|| self.tuner.trains(&protocols)).map_err(err)?;
        let out = PyList::empty(py);
        for r in rs {
            out.append(self.train_dict(py, r, with_traces)?)?;
        }
        Ok(out)
    }

    /// Single events for many parameter sets at once, on every core.
    #[pyo3(signature = (param_sets, with_traces=false, progress=None))]
    fn single_event_batch<'py>(
        &self,
        py: Python<'py>,
        param_sets: Vec<ParamSet>,
        with_traces: bool,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let run = |t: SynapseTuner| t.single_event();
        self.batch(py, &param_sets, progress, run, |py, r| {
            let d = header(py, &self.tuner)?;
            merge(&d, &to_py(py, &r.kinetics)?)?;
            if with_traces {
                d.set_item("traces", traces(py, r.traces)?)?;
            }
            Ok(d)
        })
    }

    /// Fit synaptic parameters (see the `optimize` module).
    #[pyo3(signature = (options, cost=None, progress=None))]
    fn optimize<'py>(
        &self,
        py: Python<'py>,
        options: &str,
        cost: Option<Py<PyAny>>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        crate::optimize::synapse(py, &self.tuner, options, cost, progress)
    }

    /// Serve the interactive page on 127.0.0.1:`port` (0: any free port) in a
    /// thread of this process, over this tuner as it is now; `gap` is a
    /// gap-junction settings file for the page's gap tab; `hosts` are names a
    /// proxy forwards with (jupyter-server-proxy).
    #[pyo3(signature = (port=0, gap=None, hosts=Vec::new()))]
    fn serve(
        &self,
        py: Python<'_>,
        port: u16,
        gap: Option<std::path::PathBuf>,
        hosts: Vec<String>,
    ) -> PyResult<crate::serve::ServerHandle> {
        let spec = Spec::parse(&self.state())
            .and_then(|s| s.to_tuner_spec())
            .map_err(err)?;
        crate::serve::spawn(py, &spec, gap.as_deref(), port, hosts)
    }
}

/// One dict per result in order (`to_dict`), a failed one as its error text.
fn to_list<'py, R>(
    py: Python<'py>,
    results: Vec<Result<R, TunerError>>,
    to_dict: impl Fn(Python<'py>, R) -> PyResult<Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for r in results {
        match r {
            Ok(r) => out.append(to_dict(py, r)?)?,
            Err(e) => out.append(e.to_string())?,
        }
    }
    Ok(out)
}
