//! # tuner-opt
//!
//! The tuners and optimisers built on `cable-core`, as bmtool's
//! `bmtool.synapses` has them, with NEURON's numbers:
//!
//! * [`TunerSettings`] — a JSON file mirroring bmtool's `general_settings` and
//!   `conn_type_settings`, plus the cell files and extra mechanism catalogues;
//! * [`SynapseTuner`] — one post cell, one synapse driven through a connection:
//!   single event, 8 + 4 train, continuous input, frequency response (parallel),
//!   the per-connection table; two conventions ([`Convention`]): correct by
//!   default, bmtool-exact on request.
//!
//! ## Example
//!
//! ```no_run
//! use tuner_opt::{Convention, SynapseTuner, TunerSettings};
//! let settings = TunerSettings::from_file("examples/fsi/settings.json")?;
//! let tuner = SynapseTuner::new(standard_mechanisms::registry(), settings, Some("Dep2FSI"), Convention::Default)?;
//! let ev = tuner.single_event()?;
//! println!("amplitude {} nA, decay {} ms", ev.kinetics.amp, ev.kinetics.decay_time);
//! let tr = tuner.train(50.0, 250.0)?;
//! println!("PPR {}, induction {}", tr.metrics.ppr, tr.metrics.induction);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Dependencies: `rayon` runs independent simulations (frequencies, table rows,
//! optimiser evaluations) in parallel; `serde`/`serde_json` read settings and
//! write results; `thiserror` types the errors.
#![deny(missing_docs)]

mod brent;
pub mod gap;
pub mod optimize;
pub mod settings;
mod synapse;

pub use gap::{GapCoupling, GapJunctionTuner, GapOptimization, GapRun, GapSettings};
pub use optimize::{Bound, Init, Method, OptimizationResult, OptimizeOptions, SynapseOptimizer};
pub use settings::{
    Connection, GeneralSettings, SettingsError, SettingsErrorKind, SpecSettings, TunerSettings,
};
pub use synapse::{
    train_times, ContinuousResult, Convention, FreqResponse, Kinetics, SingleEventResult,
    StpMetrics, SynapseTuner, TableRow, Traces, TrainResult, TrainStart, BMTOOL_FREQUENCIES,
};

/// Lock a mutex, taking the value even if another thread panicked while holding
/// it (the tuners keep only histories and caches behind locks).
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Errors of the tuners.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TunerError {
    /// A settings problem.
    #[error(transparent)]
    Settings(Box<SettingsError>),
    /// A cell description problem.
    #[error(transparent)]
    Cell(#[from] cable_core::CellError),
    /// Building or running the simulation failed.
    #[error(transparent)]
    Sim(#[from] cable_core::SimError),
    /// The analysis of a trace failed.
    #[error("analysing the response: {0}")]
    Analysis(#[from] stp_analysis::AnalysisError),
    /// `sec_id` beyond the cell's sections.
    #[error("connection `{connection}`: sec_id {sec_id} is out of range: cell `{cell}` has sections {sections}")]
    SectionIndex {
        /// The connection.
        connection: String,
        /// The index given.
        sec_id: usize,
        /// The cell.
        cell: String,
        /// Its sections.
        sections: String,
    },
    /// `level_of_detail` names no known mechanism.
    #[error("connection `{connection}`: unknown synapse mechanism `{mechanism}` (level_of_detail); synapses available: {known}. Load more with --mechanisms.")]
    UnknownMechanism {
        /// The connection.
        connection: String,
        /// The name given.
        mechanism: String,
        /// Known synapse mechanisms.
        known: String,
    },
    /// The mechanism cannot receive events.
    #[error("connection `{connection}`: `{mechanism}` is not a synapse (a point process with NET_RECEIVE)")]
    NotASynapse {
        /// The connection.
        connection: String,
        /// The mechanism.
        mechanism: String,
    },
    /// A parameter the synapse does not have.
    #[error("synapse `{mechanism}` has no parameter `{name}`; its parameters: {known}")]
    UnknownParameter {
        /// The mechanism.
        mechanism: String,
        /// The name given.
        name: String,
        /// Its parameters.
        known: String,
    },
    /// A variable the synapse does not have.
    #[error("synapse `{mechanism}` has no variable `{name}` to record; its variables: {known}")]
    UnknownVariable {
        /// The mechanism.
        mechanism: String,
        /// The name given.
        name: String,
        /// Its variables.
        known: String,
    },
    /// A value out of range.
    #[error("{what}: invalid value {value}")]
    BadValue {
        /// What.
        what: String,
        /// The value.
        value: f64,
    },
    /// An optimiser failed.
    #[error("optimiser: {0}")]
    Optimizer(String),
    /// The stimulus produced no presynaptic event (tstart beyond the run?).
    #[error("no presynaptic event was delivered during the run")]
    NoEvent,
}
