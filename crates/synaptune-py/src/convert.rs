//! Library values as Python objects: results as dicts with the CLI's JSON
//! keys, traces as numpy arrays, settings back to settings-file JSON.

use crate::errors::err;
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use tuner_opt::{Convention, SynapseTuner, Traces};

/// A serde value as a Python object (dicts keep the struct's field order;
/// floats stay floats, NaN included).
pub fn to_py<'py, T: serde::Serialize + ?Sized>(
    py: Python<'py>,
    v: &T,
) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, v).map_err(err)
}

/// Copy every entry of the dict `from` into `into`.
pub fn merge(into: &Bound<'_, PyDict>, from: &Bound<'_, PyAny>) -> PyResult<()> {
    let from = from.cast::<PyDict>()?;
    for (k, v) in from.iter() {
        into.set_item(k, v)?;
    }
    Ok(())
}

/// The convention's name (`default` or `bmtool`).
pub fn convention_name(c: Convention) -> &'static str {
    match c {
        Convention::Bmtool => "bmtool",
        _ => "default",
    }
}

/// The fields every result starts with, as in the CLI's JSON: connection,
/// convention, clamp mode.
pub fn header<'py>(py: Python<'py>, t: &SynapseTuner) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("connection", &t.connection().name)?;
    d.set_item("convention", convention_name(t.convention()))?;
    d.set_item("vclamp", t.vclamp())?;
    Ok(d)
}

/// The traces of a run: `t`, `soma_v`, `i_syn`, `i_clamp` (None without a
/// clamp), `extras` ({name: array}), `spikes`, `tstop`, `clamp_measured`.
pub fn traces<'py>(py: Python<'py>, tr: Traces) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("t", tr.t.into_pyarray(py))?;
    d.set_item("soma_v", tr.soma_v.into_pyarray(py))?;
    d.set_item("i_syn", tr.i_syn.into_pyarray(py))?;
    match tr.i_clamp {
        Some(c) => d.set_item("i_clamp", c.into_pyarray(py))?,
        None => d.set_item("i_clamp", py.None())?,
    }
    let extras = PyDict::new(py);
    for (name, v) in tr.extras {
        extras.set_item(name, v.into_pyarray(py))?;
    }
    d.set_item("extras", extras)?;
    d.set_item("spikes", tr.spikes.into_pyarray(py))?;
    d.set_item("tstop", tr.tstop)?;
    d.set_item("clamp_measured", tr.clamp_measured)?;
    Ok(d)
}
