//! # tuner-opt
//!
//! bmtool's `bmtool.synapses` on `cable-core`, with NEURON's numbers:
//!
//! * [`settings`] — what a tuner is told: [`TunerSettings`] (bmtool's
//!   `general_settings` + `conn_type_settings`, from a settings file or derived
//!   from a SONATA/BMTK config) and [`GapSettings`];
//! * [`TunerSpec`] — the one way to build a tuner from either source with the
//!   user's overrides (mechanisms, parameter folder, clamp, parameters,
//!   recordings); it returns [`Notice`]s instead of printing;
//! * the protocols: [`SynapseTuner`] (single event, 8 + 4 train, continuous
//!   input, frequency response, per-connection table; two conventions,
//!   [`Convention`]) and [`GapJunctionTuner`] (coupling coefficient, sweeps);
//! * [`optimize`] — [`SynapseOptimizer`] and [`GapJunctionOptimizer`]: a
//!   problem, solvers as plain structs, one cache of simulations;
//! * [`Budget`] — the work a protocol may ask for, checked before it runs,
//!   and [`Cancel`], the flag that stops a tuner's simulations;
//! * [`TunerError`] — every failure, typed.
//!
//! ## Example
//!
//! ```no_run
//! use tuner_opt::{ModelSource, TunerSpec};
//! let mut spec = TunerSpec::new(ModelSource::Settings("examples/fsi/settings.json".into()));
//! spec.connection = Some("Dep2FSI".into());
//! let tuner = spec.build()?.tuner;
//! let ev = tuner.single_event()?;
//! println!("amplitude {} nA, decay {} ms", ev.kinetics.amp, ev.kinetics.decay_time);
//! let tr = tuner.train(50.0, 250.0)?;
//! println!("PPR {}, induction {}", tr.metrics.ppr, tr.metrics.induction);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Dependencies: `rayon` runs independent simulations (frequencies, table rows,
//! optimiser evaluations) in parallel; `serde`/`serde_json` read settings and
//! write results; `thiserror` types the errors; `argmin` provides Nelder–Mead,
//! the particle swarm and Brent's method; `rand`/`rand_xoshiro` seed random
//! starts and swarms; `sonata-config` derives connection types from SONATA
//! configs; `standard-mechanisms` is the catalogue every tuner starts from.
#![deny(missing_docs)]

mod budget;
mod cellfile;
mod error;
mod gap;
mod gap_half;
mod mechanisms;
pub mod optimize;
pub mod settings;
mod spec;
mod synapse;

pub use budget::{Budget, Cancel, Work};
pub use cellfile::load_cell_file;
pub use error::TunerError;
pub use gap::{GapCoupling, GapJunctionTuner, GapRun, SWEEP_LANES};
pub use mechanisms::load_mechanisms;
pub use optimize::{
    Bound, GapEvaluation, GapJunctionOptimizer, GapOptimization, Init, Method, OptimizationResult,
    OptimizeOptions, SynapseOptimizer, FIT_LANES,
};
pub use settings::{
    Connection, GapConnection, GapGeneral, GapSettings, GeneralSettings, SettingsError,
    SettingsErrorKind, SpecSettings, TunerSettings,
};
pub use spec::{Built, ModelSource, Notice, NoticeLevel, TunerSpec};
pub use stp_analysis::{Convention, Kinetics, StpMetrics};
pub use synapse::{
    train_times, ContinuousResult, FreqResponse, Measure, SingleEventResult, SynapseTuner,
    TableRow, Traces, TrainResult, TrainStart, BMTOOL_FREQUENCIES, FREQ_LANES, TRAIN_LANES,
};

/// Lock a mutex, taking the value even if another thread panicked while holding
/// it (the tuners keep only histories and caches behind locks).
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
