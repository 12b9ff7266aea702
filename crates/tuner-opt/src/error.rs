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
    /// A config with no gap-junction edge type between cells of one template.
    #[error("{}: no gap junctions between cells of one template (bmtool's gap tuner takes edge types with is_gap_junction = True whose source and target nodes share a model_template)", config.display())]
    NoGapJunctions {
        /// The config.
        config: std::path::PathBuf,
    },
    /// A config without `components.templates_dir`, and no cells folder given.
    #[error("{}: no components.templates_dir to find cell files in; give --cells DIR (a folder of <post_cell>.json files, see tools/export-cell)", config.display())]
    NoCellsDir {
        /// The config.
        config: std::path::PathBuf,
    },
    /// A hoc template that `hoc-template` cannot read (names file and line).
    #[error("cell `{cell}`: {source}")]
    HocTemplate {
        /// The post cell's name.
        cell: String,
        /// What the reader found.
        #[source]
        source: Box<hoc_template::Error>,
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
    /// An Allen/BMTK cell (a SONATA node with `ctdb:Biophys1.hoc`) that
    /// cannot be built: a missing SWC, a bad dynamics_params file, ...
    #[error("cell `{cell}` ({origin}): {source}")]
    AllenCell {
        /// The post cell's name in the tuner.
        cell: String,
        /// Where the cell is described (node type, population, file).
        origin: String,
        /// What `allen-cell` found (names the file and field).
        #[source]
        source: Box<allen_cell::Error>,
    },
    /// A folder of mod files could not be compiled (`context` says which and
    /// why it was asked for).
    #[error("{context}: {source}")]
    ModFolder {
        /// "loading mechanisms from PATH" or the like.
        context: String,
        /// What went wrong.
        source: nmodl::Error,
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
    /// `level_of_detail` names a mechanism whose mod file could not be translated.
    #[error("connection `{connection}`: synapse mechanism `{mechanism}` (level_of_detail) is not available: {reason}")]
    UnavailableMechanism {
        /// The connection.
        connection: String,
        /// The name given.
        mechanism: String,
        /// Why (`bad.mod:7: VERBATIM block …`).
        reason: String,
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
    /// The measured current asked for does not exist in this mode.
    #[error("{0}")]
    Measure(String),
    /// A saved train start asked of a model that draws random numbers.
    #[error("connection `{0}`: a mechanism of its model draws random numbers from a stream that outlives a run (scop_random, normrand, exprand), so its trains are simulated one after another, each from its start, as NEURON runs them; a saved train start would skip the draws before it")]
    DrawsRandom(String),
    /// An optimiser failed.
    #[error("optimiser: {0}")]
    Optimizer(String),
    /// A protocol beyond the work budget, refused before simulating.
    #[error("{what} would take {} steps in {} run(s) and record up to {} of traces in one run; the budget is {} steps and {} per run (it guards against runs that would never end or fill the memory). If this is really what you want, raise it: --max-steps N and --max-memory MiB on the command line (synaptune serve has its own, lower per-request limits), or TunerSpec::budget / set_budget(Budget {{ max_steps, max_memory }}) in the library", crate::budget::grouped(*steps), crate::budget::grouped(*runs), crate::budget::bytes(*bytes), crate::budget::grouped(*max_steps as f64), crate::budget::bytes(*max_memory as f64))]
    OverBudget {
        /// What was asked.
        what: String,
        /// Simulations it needs.
        runs: f64,
        /// Steps over all of them.
        steps: f64,
        /// Bytes of traces of the largest run.
        bytes: f64,
        /// The step limit.
        max_steps: u64,
        /// The memory limit (bytes per run).
        max_memory: u64,
    },
    /// A synaptic parameter of the synapse given as something other than a number.
    #[error("connection `{connection}`: spec_syn_param `{key}` is {value}, but `{key}` is a parameter of {mechanism} and needs a number (bmtool would skip it silently and use the mod file's default)")]
    NonNumericParameter {
        /// The connection.
        connection: String,
        /// The key.
        key: String,
        /// The value as JSON.
        value: String,
        /// The synapse mechanism.
        mechanism: String,
    },
    /// The stimulus produced no presynaptic event (tstart beyond the run?).
    #[error("no presynaptic event was delivered during the run")]
    NoEvent,
}

impl TunerError {
    /// Whether the error is a cancellation (a set cancel flag stopped a run).
    pub fn is_cancelled(&self) -> bool {
        matches!(
            self,
            TunerError::Sim(cable_core::SimError::Cancelled { .. })
        )
    }
}

impl From<SettingsError> for TunerError {
    fn from(e: SettingsError) -> Self {
        TunerError::Settings(Box::new(e))
    }
}
