//! [`NativeGapTuner`]: `tuner_opt::GapJunctionTuner` for the Python package.

use crate::callback::Progress;
use crate::errors::err;
use mech_api::Registry;
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::{Path, PathBuf};
use tuner_opt::{GapCoupling, GapJunctionTuner, GapSettings};

/// bmtool's `GapJunctionTuner` without the plots (`synaptune.GapJunctionTuner`
/// wraps it).
#[pyclass(module = "synaptune._native")]
pub struct NativeGapTuner {
    tuner: GapJunctionTuner,
}

/// The standard catalogue plus the catalogues at `paths`, in order.
fn registry(paths: &[PathBuf]) -> Result<(Registry, Vec<String>), String> {
    let mut reg = standard_mechanisms::registry();
    let mut notices = Vec::new();
    for p in paths {
        let context = format!("loading mechanisms from {}", p.display());
        let loaded = tuner_opt::load_mechanisms(&mut reg, p, &context).map_err(|e| {
            let mut text = e.to_string();
            if let Some(s) = std::error::Error::source(&e) {
                text = format!("{text}: {s}");
            }
            text
        })?;
        notices.extend(loaded.into_iter().map(|n| n.text));
    }
    Ok((reg, notices))
}

#[pymethods]
impl NativeGapTuner {
    /// Build from gap-junction settings given as JSON text (`label` names them
    /// in messages; relative paths resolve against `base`), on `connection`
    /// (default: the first); `implicit` couples the cells in one matrix.
    /// Returns the tuner and the notices of loading `mechanisms`.
    #[staticmethod]
    #[pyo3(signature = (settings, label, base, connection=None, implicit=false, mechanisms=Vec::new()))]
    fn build(
        py: Python<'_>,
        settings: &str,
        label: &str,
        base: PathBuf,
        connection: Option<String>,
        implicit: bool,
        mechanisms: Vec<PathBuf>,
    ) -> PyResult<(Self, Vec<String>)> {
        let v: serde_json::Value =
            serde_json::from_str(settings).map_err(|e| err(format!("{label}: {e}")))?;
        let s = GapSettings::from_value(&v, Path::new(label), &base).map_err(err)?;
        let (reg, notices) = registry(&mechanisms).map_err(err)?;
        let coupling = if implicit {
            GapCoupling::Implicit
        } else {
            GapCoupling::Neuron
        };
        let tuner = py
            .detach(|| GapJunctionTuner::new(reg, s, connection.as_deref(), coupling))
            .map_err(err)?;
        Ok((NativeGapTuner { tuner }, notices))
    }

    /// The current connection's name.
    fn connection(&self) -> String {
        self.tuner.connection().name.clone()
    }

    /// The current connection's cell name.
    fn cell(&self) -> String {
        self.tuner.connection().cell.clone()
    }

    /// The step amplitude in use (nA).
    fn iclamp_amp(&self) -> f64 {
        self.tuner.iclamp_amp()
    }

    /// The general settings in force: tstart, tdur, dt, celsius, iclamp_amp, v_init.
    fn general<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let g = &self.tuner.settings().general;
        let d = PyDict::new(py);
        d.set_item("tstart", g.tstart)?;
        d.set_item("tdur", g.tdur)?;
        d.set_item("dt", g.dt)?;
        d.set_item("celsius", g.celsius)?;
        d.set_item("iclamp_amp", g.iclamp_amp)?;
        d.set_item("v_init", g.v_init)?;
        Ok(d)
    }

    /// One run at conductance `g` (µS): `g`, `coupling_coefficient`, `t`,
    /// `v1`, `v2` (arrays).
    fn run<'py>(&self, py: Python<'py>, g: f64) -> PyResult<Bound<'py, PyDict>> {
        let r = py.detach(|| self.tuner.run(g)).map_err(err)?;
        let d = PyDict::new(py);
        d.set_item("g", r.g)?;
        d.set_item("coupling_coefficient", r.coupling_coefficient)?;
        d.set_item("t", r.t.into_pyarray(py))?;
        d.set_item("v1", r.v1.into_pyarray(py))?;
        d.set_item("v2", r.v2.into_pyarray(py))?;
        Ok(d)
    }

    /// The coupling coefficient at `g` (µS).
    fn coupling_coefficient(&self, py: Python<'_>, g: f64) -> PyResult<f64> {
        py.detach(|| self.tuner.coupling_coefficient(g))
            .map_err(err)
    }

    /// Coupling coefficients of many conductances, in parallel;
    /// `progress(n)` after each.
    #[pyo3(signature = (gs, progress=None))]
    fn sweep(
        &self,
        py: Python<'_>,
        gs: Vec<f64>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Vec<f64>> {
        let p = Progress::new(progress);
        let r = py.detach(|| self.tuner.sweep(&gs, &|| p.tick()));
        p.errors.check()?;
        r.map_err(err)
    }

    /// The conductance in `[lo, hi]` whose coupling is `target`:
    /// `optimal_g`, `achieved_cc`, `target_cc`, `error`, `n_simulations`,
    /// `history` (`g`, `cc`, `error` of each simulation).
    #[pyo3(signature = (target, lo, hi, progress=None))]
    fn optimize<'py>(
        &self,
        py: Python<'py>,
        target: f64,
        lo: f64,
        hi: f64,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        crate::optimize::gap(py, &self.tuner, target, lo, hi, progress)
    }

    /// The connection names, in order.
    fn connection_names(&self) -> Vec<String> {
        self.tuner
            .settings()
            .connections
            .iter()
            .map(|c| c.name.clone())
            .collect()
    }

    /// The current connection as a dict (bmtool's keys).
    fn connection_settings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = self.tuner.connection();
        let d = PyDict::new(py);
        d.set_item("cell", &c.cell)?;
        d.set_item("iclamp_amp", c.iclamp_amp)?;
        d.set_item("sec_x", c.sec_x)?;
        d.set_item("sec_id", c.sec_id)?;
        d.set_item("level_of_detail", &c.level_of_detail)?;
        Ok(d)
    }
}
