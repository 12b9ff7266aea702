//! # synaptune-py
//!
//! `synaptune._native`, the compiled half of the Python package `synaptune`
//! (`python/`): bmtool's synapse API on the native engine. The classes
//! notebooks use (`SynapseTuner`, `GapJunctionTuner`, the optimisers, their
//! plots) are written in Python over the small surface here:
//!
//! * [`NativeSynapseTuner`] — a `tuner_opt::SynapseTuner` built through
//!   `tuner_opt::TunerSpec` (the one way to build a tuner) from a spec the
//!   Python side writes as JSON: single event, train, continuous input,
//!   frequency response, the per-connection table, batches of parameter sets,
//!   the optimiser (with a Python cost function) and the interactive page
//!   served in-process ([`ServerHandle`]);
//! * [`NativeGapTuner`] — a `tuner_opt::GapJunctionTuner`: runs, sweeps and the
//!   conductance fit;
//! * functions on numbers: STP metrics and their terms, pulse peaks, the
//!   coupling coefficient, SONATA configs' networks and connection types.
//!
//! Every simulation runs with the GIL released (`Python::detach`); progress
//! and cost callbacks take it back only for the call. Results are dicts with
//! the CLI's JSON keys and numbers (serde structs through `pythonize`), traces
//! are numpy arrays. Errors are `SynaptuneError` (a `ValueError`) with the
//! library's one-paragraph message.
//!
//! Dependencies: `pyo3` (the bindings; abi3 for CPython ≥ 3.9), `numpy`
//! (traces as arrays), `pythonize` (serde results to dicts, NaN kept as a
//! float), `rayon` (batches in parallel), `serde`/`serde_json` (the spec and
//! option JSON the Python side writes), `tuner-opt`, `stp-analysis`,
//! `sonata-config`, `mech-api`, `standard-mechanisms` (the library API) and
//! `synaptune-web` (the interactive page).
#![deny(missing_docs)]

mod analysis;
mod callback;
mod convert;
mod errors;
mod gap;
mod optimize;
mod serve;
mod spec;
mod synapse;

pub use errors::SynaptuneError;
pub use gap::NativeGapTuner;
pub use serve::ServerHandle;
pub use synapse::NativeSynapseTuner;

use pyo3::prelude::*;

/// The module `synaptune._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("SynaptuneError", m.py().get_type::<SynaptuneError>())?;
    m.add_class::<NativeSynapseTuner>()?;
    m.add_class::<NativeGapTuner>()?;
    m.add_class::<ServerHandle>()?;
    analysis::register(m)?;
    Ok(())
}
