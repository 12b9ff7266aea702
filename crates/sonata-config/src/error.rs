//! The one error type of this crate.

use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong, without the details: match on this (see [`Error::kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file that the configuration names does not exist.
    FileNotFound,
    /// A file exists but could not be read (permissions, a folder, ...).
    Io,
    /// A JSON file (configuration, node sets) is not valid JSON.
    Json,
    /// A configuration field has the wrong type or a required one is missing.
    ConfigField,
    /// A manifest variable (`$VAR`, `${VAR}`) that is never defined, or defined
    /// only through itself.
    UnresolvedVariable,
    /// A `network`/`simulation` include that leads back to a file already being read.
    IncludeCycle,
    /// A malformed `node_types.csv` / `edge_types.csv`.
    Csv,
    /// A nodes/edges HDF5 file that is truncated, corrupt, or lacks a dataset
    /// the SONATA format requires.
    Hdf5,
    /// An edge whose `edge_type_id` is not in the population's `edge_types.csv`.
    UnknownEdgeType,
    /// A node whose `node_type_id` is not in the population's `node_types.csv`.
    UnknownNodeType,
    /// An edge naming a node id that its node population does not have.
    UnknownNode,
    /// A value of the wrong kind where a connection type needs a number
    /// (`syn_weight`, `afferent_section_id`, `afferent_section_pos`).
    InvalidValue,
    /// A dynamics-params file that is not a JSON object.
    DynamicsParams,
    /// A dynamics-params file that cannot be found (or no `synaptic_models_dir`).
    DynamicsParamsNotFound,
    /// A network name that the configuration does not have.
    UnknownNetwork,
}

/// An error reading a SONATA configuration or network: [`Error::kind`] to match
/// on, [`Error::detail`] for the fields. Its message names the file and, where
/// there is one, the field, line or dataset, and what was expected.
///
/// (The details are boxed so that `Result<_, Error>` stays one pointer wide.)
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct Error(Box<ErrorDetail>);

/// The details of an [`Error`]. Every variant names the file concerned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorDetail {
    /// See [`ErrorKind::FileNotFound`].
    #[error("{}: file not found{}", path.display(), context_suffix(.context))]
    NotFound {
        /// The missing file.
        path: PathBuf,
        /// Where it was named (e.g. `networks.nodes[0].nodes_file of /x/circuit_config.json`).
        context: Option<String>,
    },
    /// See [`ErrorKind::Io`].
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// See [`ErrorKind::Json`].
    #[error("{}: line {line}, column {column}: not valid JSON: {message}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem (0 when unknown).
        line: usize,
        /// 1-based column of the problem (0 when unknown).
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// See [`ErrorKind::ConfigField`].
    #[error("{}: `{field}`: expected {expected}, found {found}", path.display())]
    ConfigField {
        /// The configuration file that holds the field.
        path: PathBuf,
        /// The field, as a path (`run.dt`, `networks.nodes[1].nodes_file`).
        field: String,
        /// What was expected there.
        expected: String,
        /// What was found there.
        found: String,
    },
    /// See [`ErrorKind::UnresolvedVariable`].
    #[error("{}: `{field}`: manifest variable `{variable}` {reason}", path.display())]
    UnresolvedVariable {
        /// The configuration file.
        path: PathBuf,
        /// The field whose value uses the variable (`manifest.$NETWORK_DIR`, `components.templates_dir`).
        field: String,
        /// The variable as written (`$BASE_DIR`, `${BASE_DIR}`).
        variable: String,
        /// Why it cannot be resolved ("is never defined", "is defined only through itself").
        reason: String,
    },
    /// See [`ErrorKind::IncludeCycle`].
    #[error("{}: `{field}` includes {}, which is already being read", path.display(), target.display())]
    IncludeCycle {
        /// The including configuration.
        path: PathBuf,
        /// `network` or `simulation`.
        field: String,
        /// The included file.
        target: PathBuf,
    },
    /// See [`ErrorKind::Csv`].
    #[error("{}: line {line}: {message}", path.display())]
    Csv {
        /// The CSV file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong and what was expected.
        message: String,
    },
    /// See [`ErrorKind::Hdf5`].
    #[error("{}: `{dataset}`: {message}", path.display())]
    Hdf5 {
        /// The HDF5 file.
        path: PathBuf,
        /// The dataset, group or attribute (`/edges/a_to_b/edge_type_id`).
        dataset: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// See [`ErrorKind::UnknownEdgeType`].
    #[error(
        "{}: population `{population}`: edge {edge} has edge_type_id {edge_type_id}, which {} does not define",
        path.display(),
        types_file.display()
    )]
    UnknownEdgeType {
        /// The edges HDF5 file.
        path: PathBuf,
        /// The edge population.
        population: String,
        /// Row of the first edge with that type.
        edge: u64,
        /// The undefined type id.
        edge_type_id: i64,
        /// The `edge_types.csv` consulted.
        types_file: PathBuf,
    },
    /// See [`ErrorKind::UnknownNodeType`].
    #[error(
        "{}: population `{population}`: node {node_id} has node_type_id {node_type_id}, which {} does not define",
        path.display(),
        types_file.display()
    )]
    UnknownNodeType {
        /// The nodes HDF5 file.
        path: PathBuf,
        /// The node population.
        population: String,
        /// The node's id.
        node_id: u64,
        /// The undefined type id.
        node_type_id: i64,
        /// The `node_types.csv` consulted.
        types_file: PathBuf,
    },
    /// See [`ErrorKind::UnknownNode`].
    #[error(
        "{}: population `{population}`: edge {edge} has {end}_node_id {node_id}, which node population `{node_population}` ({}) does not have",
        path.display(),
        nodes_file.display()
    )]
    UnknownNode {
        /// The edges HDF5 file.
        path: PathBuf,
        /// The edge population.
        population: String,
        /// The edge's row.
        edge: u64,
        /// `source` or `target`.
        end: &'static str,
        /// The missing node id.
        node_id: u64,
        /// The node population searched.
        node_population: String,
        /// Its nodes file.
        nodes_file: PathBuf,
    },
    /// See [`ErrorKind::InvalidValue`].
    #[error(
        "{}: network `{network}`, edge type {edge_type_id}: `{column}`: expected {expected}, found {found}",
        path.display()
    )]
    InvalidValue {
        /// The file the value came from (edge types CSV or edges HDF5).
        path: PathBuf,
        /// The network (edge dataset).
        network: String,
        /// The edge type.
        edge_type_id: i64,
        /// The column.
        column: String,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
    },
    /// See [`ErrorKind::DynamicsParams`].
    #[error("{}: line {line}, column {column}: dynamics params: {message}", path.display())]
    DynamicsParams {
        /// The dynamics-params JSON file.
        path: PathBuf,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// See [`ErrorKind::DynamicsParamsNotFound`].
    #[error(
        "{}: dynamics params `{file}` of edge type {edge_type_id} (network `{network}`): {reason}",
        path.display()
    )]
    DynamicsParamsNotFound {
        /// The path searched, or the configuration when it has no `synaptic_models_dir`.
        path: PathBuf,
        /// The file name given in the edge type.
        file: String,
        /// The edge type.
        edge_type_id: i64,
        /// The network.
        network: String,
        /// Why it was not found.
        reason: String,
    },
    /// See [`ErrorKind::UnknownNetwork`].
    #[error(
        "{}: no network `{name}`; the networks are: {}",
        path.display(),
        if available.is_empty() { "(none)".to_string() } else { available.join(", ") }
    )]
    UnknownNetwork {
        /// The configuration.
        path: PathBuf,
        /// The name asked for.
        name: String,
        /// The networks the configuration has.
        available: Vec<String>,
    },
}

fn context_suffix(context: &Option<String>) -> String {
    match context {
        Some(c) => format!(" (named by {c})"),
        None => String::new(),
    }
}

impl From<ErrorDetail> for Error {
    fn from(d: ErrorDetail) -> Self {
        Error(Box::new(d))
    }
}

impl Error {
    /// The kind of error, to match on.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind()
    }

    /// The file the error is about.
    pub fn path(&self) -> &Path {
        self.0.path()
    }

    /// The details (file, field, line, dataset, expectation).
    pub fn detail(&self) -> &ErrorDetail {
        &self.0
    }

    /// The details, by value.
    pub fn into_detail(self) -> ErrorDetail {
        *self.0
    }

    /// Reading `path` failed with `source`: [`ErrorDetail::NotFound`] for a
    /// missing file, [`ErrorDetail::Io`] otherwise.
    pub(crate) fn io(path: &Path, source: std::io::Error, context: Option<String>) -> Self {
        if source.kind() == std::io::ErrorKind::NotFound {
            ErrorDetail::NotFound {
                path: path.to_path_buf(),
                context,
            }
        } else {
            ErrorDetail::Io {
                path: path.to_path_buf(),
                source,
            }
        }
        .into()
    }

    pub(crate) fn hdf5(path: &Path, dataset: &str, message: impl fmt::Display) -> Self {
        ErrorDetail::Hdf5 {
            path: path.to_path_buf(),
            dataset: dataset.to_string(),
            message: message.to_string(),
        }
        .into()
    }

    pub(crate) fn field(
        path: &Path,
        field: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        ErrorDetail::ConfigField {
            path: path.to_path_buf(),
            field: field.into(),
            expected: expected.into(),
            found: found.into(),
        }
        .into()
    }
}

impl ErrorDetail {
    /// Wraps the details into an [`Error`].
    pub fn boxed(self) -> Error {
        self.into()
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ErrorDetail::NotFound { .. } => ErrorKind::FileNotFound,
            ErrorDetail::Io { .. } => ErrorKind::Io,
            ErrorDetail::Json { .. } => ErrorKind::Json,
            ErrorDetail::ConfigField { .. } => ErrorKind::ConfigField,
            ErrorDetail::UnresolvedVariable { .. } => ErrorKind::UnresolvedVariable,
            ErrorDetail::IncludeCycle { .. } => ErrorKind::IncludeCycle,
            ErrorDetail::Csv { .. } => ErrorKind::Csv,
            ErrorDetail::Hdf5 { .. } => ErrorKind::Hdf5,
            ErrorDetail::UnknownEdgeType { .. } => ErrorKind::UnknownEdgeType,
            ErrorDetail::UnknownNodeType { .. } => ErrorKind::UnknownNodeType,
            ErrorDetail::UnknownNode { .. } => ErrorKind::UnknownNode,
            ErrorDetail::InvalidValue { .. } => ErrorKind::InvalidValue,
            ErrorDetail::DynamicsParams { .. } => ErrorKind::DynamicsParams,
            ErrorDetail::DynamicsParamsNotFound { .. } => ErrorKind::DynamicsParamsNotFound,
            ErrorDetail::UnknownNetwork { .. } => ErrorKind::UnknownNetwork,
        }
    }

    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ErrorDetail::NotFound { path, .. }
            | ErrorDetail::Io { path, .. }
            | ErrorDetail::Json { path, .. }
            | ErrorDetail::ConfigField { path, .. }
            | ErrorDetail::UnresolvedVariable { path, .. }
            | ErrorDetail::IncludeCycle { path, .. }
            | ErrorDetail::Csv { path, .. }
            | ErrorDetail::Hdf5 { path, .. }
            | ErrorDetail::UnknownEdgeType { path, .. }
            | ErrorDetail::UnknownNodeType { path, .. }
            | ErrorDetail::UnknownNode { path, .. }
            | ErrorDetail::InvalidValue { path, .. }
            | ErrorDetail::DynamicsParams { path, .. }
            | ErrorDetail::DynamicsParamsNotFound { path, .. }
            | ErrorDetail::UnknownNetwork { path, .. } => path,
        }
    }
}

/// Reads a whole file as UTF-8 text, mapping failures to [`Error`].
pub(crate) fn read_text(path: &Path, context: Option<String>) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e, context))?;
    String::from_utf8(bytes).map_err(|e| {
        ErrorDetail::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
            ),
        }
        .into()
    })
}
