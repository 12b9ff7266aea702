//! [`TunerError`]: every way building or running a tuner or an optimiser fails.

use crate::settings::SettingsError;

/// Errors of the tuners and optimisers.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TunerError {
    /// A settings problem.
    #[error(transparent)]
    Settings(Box<SettingsError>),
    /// A SONATA/BMTK config problem.
    #[error(transparent)]
    Sonata(#[from] sonata_config::Error),
    /// A config from which no connection type could be derived.
    #[error("{}: no connection types{}", config.display(), network.as_ref().map(|n| format!(" in network `{n}`")).unwrap_or_default())]
    NoConnections {
        /// The config.
        config: std::path::PathBuf,
        /// The network asked for.
        network: Option<String>,
    },
    /// A config without `components.templates_dir`, and no cells folder given.
    #[error("{}: no components.templates_dir to find cell files in; give --cells DIR (a folder of <post_cell>.json files, see tools/export-cell)", config.display())]
    NoCellsDir {
        /// The config.
        config: std::path::PathBuf,
    },
    /// A mechanism catalogue could not be loaded (`context` says which and why
    /// it was asked for).
    #[error("{context}")]
    Mechanisms {
        /// "loading mechanisms from PATH" or the like.
        context: String,
        /// What went wrong.
        #[source]
        source: mech_api::LoadError,
    },
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

impl From<SettingsError> for TunerError {
    fn from(e: SettingsError) -> Self {
        TunerError::Settings(Box::new(e))
    }
}
