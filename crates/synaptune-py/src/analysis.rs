//! Module functions on numbers and configs: STP metrics and their terms,
//! pulse peaks, the coupling coefficient, a SONATA config's networks and
//! connection types, the optimiser's method names.

use crate::convert::to_py;
use crate::errors::err;
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use std::path::PathBuf;
use tuner_opt::{GapSettings, Method, TunerSettings};

/// STP metrics of per-pulse amplitudes (pA): `ppr`, `induction`, `recovery`,
/// `simple_ppr`, `max_amplitude_pA` and bmtool 0.8's p90 variants.
#[pyfunction]
fn stp_metrics<'py>(py: Python<'py>, amplitudes: Vec<f64>) -> PyResult<Bound<'py, PyAny>> {
    to_py(py, &stp_analysis::stp_metrics(&amplitudes).map_err(err)?)
}

/// The numbers that go into the STP metrics: `a1`, `a2`, the means, `max`, `p90`.
#[pyfunction]
fn stp_terms<'py>(py: Python<'py>, amplitudes: Vec<f64>) -> PyResult<Bound<'py, PyAny>> {
    to_py(py, &stp_analysis::stp_terms(&amplitudes).map_err(err)?)
}

/// The sample of each pulse's peak in the synaptic current (None where a
/// pulse has none): the numbered pulses of bmtool's plots.
#[pyfunction]
fn pulse_peaks(
    i_syn: PyReadonlyArray1<'_, f64>,
    event_times: Vec<f64>,
    delay: f64,
    dt: f64,
) -> PyResult<Vec<Option<usize>>> {
    Ok(stp_analysis::pulse_peaks(
        i_syn.as_slice().map_err(err)?,
        &event_times,
        delay,
        dt,
    ))
}

/// ΔV₂/ΔV₁ between the last samples before `t_start` and before `t_end`
/// (bmtool's `coupling_coefficient`).
#[pyfunction]
fn coupling_coefficient(
    t: PyReadonlyArray1<'_, f64>,
    v1: PyReadonlyArray1<'_, f64>,
    v2: PyReadonlyArray1<'_, f64>,
    t_start: f64,
    t_end: f64,
) -> PyResult<f64> {
    stp_analysis::coupling_coefficient(
        t.as_slice().map_err(err)?,
        v1.as_slice().map_err(err)?,
        v2.as_slice().map_err(err)?,
        t_start,
        t_end,
    )
    .map_err(err)
}

/// The networks of a SONATA/BMTK config, as bmtool lists them.
#[pyfunction]
fn networks(py: Python<'_>, config: PathBuf) -> PyResult<Vec<String>> {
    py.detach(|| {
        let cfg = sonata_config::Config::load(&config)?;
        Ok::<_, sonata_config::Error>(sonata_config::networks(&cfg))
    })
    .map_err(err)
}

/// bmtool's `list_connections_from_config`: `{name: {post_cell,
/// synapse_type, parameters}}` (`full`: `{name: {spec_settings,
/// spec_syn_param}}`).
#[pyfunction]
#[pyo3(signature = (config, network=None, full=false))]
fn list_connections<'py>(
    py: Python<'py>,
    config: PathBuf,
    network: Option<String>,
    full: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let v = py.detach(|| {
        let cfg = sonata_config::Config::load(&config).map_err(err)?;
        let types = sonata_config::connection_types(&cfg, network.as_deref()).map_err(err)?;
        if full {
            serde_json::to_value(sonata_config::connections_full(&types))
        } else {
            serde_json::to_value(sonata_config::connections_summary(&types))
        }
        .map_err(err)
    })?;
    to_py(py, &v)
}

/// The settings a SONATA config gives (bmtool's `conn_type_settings` derived
/// from it, bmtool's general defaults, `<cells>/<post_cell>.json` cells) as
/// a settings file's JSON text.
#[pyfunction]
#[pyo3(signature = (config, network=None, cells=None))]
fn sonata_settings(
    py: Python<'_>,
    config: PathBuf,
    network: Option<String>,
    cells: Option<PathBuf>,
) -> PyResult<String> {
    py.detach(|| TunerSettings::from_sonata(&config, network.as_deref(), cells.as_deref()))
        .map(|s| s.to_json().to_string())
        .map_err(err)
}

/// Gap-junction settings derived from a SONATA config (bmtool's
/// `GapJunctionTuner(config=...)`: the gap-junction edge types, bmtool's gap
/// defaults, `<cells>/<cell>.json` cells) as a gap settings file's JSON text,
/// and the config's mechanism folders.
#[pyfunction]
#[pyo3(signature = (config, cells=None))]
fn sonata_gap_settings(
    py: Python<'_>,
    config: PathBuf,
    cells: Option<PathBuf>,
) -> PyResult<(String, Vec<PathBuf>)> {
    py.detach(|| GapSettings::from_sonata(&config, cells.as_deref()))
        .map(|s| (s.to_json().to_string(), s.mechanisms))
        .map_err(err)
}

/// synaptune's name of an optimiser method (`lm`, `gradient`,
/// `nelder-mead`, `pso`), or the error listing them.
#[pyfunction]
fn method_name(name: &str) -> PyResult<&'static str> {
    name.parse::<Method>().map(Method::as_str).map_err(err)
}

/// Register the functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stp_metrics, m)?)?;
    m.add_function(wrap_pyfunction!(stp_terms, m)?)?;
    m.add_function(wrap_pyfunction!(pulse_peaks, m)?)?;
    m.add_function(wrap_pyfunction!(coupling_coefficient, m)?)?;
    m.add_function(wrap_pyfunction!(networks, m)?)?;
    m.add_function(wrap_pyfunction!(list_connections, m)?)?;
    m.add_function(wrap_pyfunction!(sonata_settings, m)?)?;
    m.add_function(wrap_pyfunction!(sonata_gap_settings, m)?)?;
    m.add_function(wrap_pyfunction!(method_name, m)?)?;
    Ok(())
}
