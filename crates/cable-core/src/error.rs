//! Errors of cable-core.

use std::fmt;
use std::path::PathBuf;

/// What is wrong with a cell description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CellErrorKind {
    /// The file cannot be read.
    Io,
    /// The file is not JSON.
    Syntax,
    /// `format` is missing or not `synaptune-cell/1`.
    BadFormat,
    /// A value has the wrong JSON type, or a required field is missing.
    BadType,
    /// A field the format does not define.
    UnknownField,
    /// A number that must be positive is not (`L`, `diam`, `Ra`, ...).
    NonPositive,
    /// A number is NaN or infinite.
    NonFinite,
    /// `nseg` is not an integer ≥ 1.
    BadNseg,
    /// A per-segment value array whose length is not the section's `nseg`.
    BadSegmentValues,
    /// Two sections share a name.
    DuplicateSection,
    /// `parent.section` names no section.
    UnknownParent,
    /// `parent.x` is outside [0, 1].
    BadX,
    /// The parent relation has a cycle.
    Cycle,
    /// No section without a parent.
    NoRoot,
    /// More than one section without a parent.
    MultipleRoots,
    /// Both `points` and `L`/`diam` are given.
    GeometryConflict,
    /// Neither `points` nor `L` and `diam` are given.
    MissingGeometry,
    /// `points` has fewer than two points, or a point is not `[x, y, z, diam]`.
    BadPoints,
    /// A mechanism the registry does not know.
    UnknownMechanism,
    /// A mechanism that cannot be inserted into a section (a point process).
    NotDensity,
    /// A parameter the mechanism does not have.
    UnknownParameter,
    /// A section list names an unknown section.
    UnknownListMember,
    /// `arcs` without `points`, of another length, not starting at 0 or decreasing.
    BadArcs,
    /// `connection_order` is not every non-root section exactly once.
    BadConnectionOrder,
}

/// An error in a cell description, naming the file, the section and the field.
#[derive(Debug, Clone, PartialEq)]
pub struct CellError {
    /// The file (or a label such as `<memory>`).
    pub file: PathBuf,
    /// The section concerned, when there is one.
    pub section: Option<String>,
    /// The field concerned (`diam`, `mechanisms.hh.gnabar`, ...).
    pub field: Option<String>,
    /// What kind of problem.
    pub kind: CellErrorKind,
    /// What was found and what was expected.
    pub message: String,
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(s) = &self.section {
            write!(f, ": section `{s}`")?;
        }
        if let Some(x) = &self.field {
            write!(f, ": field `{x}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for CellError {}

/// An error while building or running a simulation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// A cell description problem found while building.
    #[error(transparent)]
    Cell(#[from] CellError),
    /// No mechanism of that name.
    #[error("unknown mechanism `{name}`; known mechanisms: {known}")]
    UnknownMechanism {
        /// The name asked for.
        name: String,
        /// The known names, comma separated.
        known: String,
    },
    /// A mechanism the registry knows to be missing (its mod file could not be
    /// translated).
    #[error("mechanism `{name}` is not available: {reason}")]
    UnavailableMechanism {
        /// The name asked for.
        name: String,
        /// Why (`bad.mod:7: VERBATIM block …`).
        reason: String,
    },
    /// The mechanism has no such parameter or variable.
    #[error("mechanism `{mech}` has no {what} `{name}`; it has: {known}")]
    UnknownField {
        /// The mechanism.
        mech: String,
        /// "parameter" or "variable".
        what: &'static str,
        /// The name asked for.
        name: String,
        /// The known names.
        known: String,
    },
    /// The mechanism is of the wrong kind for the operation.
    #[error("mechanism `{mech}` is a {found}, expected a {expected}")]
    WrongKind {
        /// The mechanism.
        mech: String,
        /// Its kind.
        found: &'static str,
        /// What was needed.
        expected: &'static str,
    },
    /// A section name that the cell does not have.
    #[error("cell `{cell}` has no section `{section}`; sections: {known}")]
    UnknownSection {
        /// The cell.
        cell: String,
        /// The section asked for.
        section: String,
        /// The sections it has.
        known: String,
    },
    /// A location outside [0, 1].
    #[error("location {x} on section `{section}` is outside [0, 1]")]
    BadLocation {
        /// The section.
        section: String,
        /// The position.
        x: f64,
    },
    /// A variable that cannot be recorded at that place.
    #[error("cannot record `{var}` at {place}: {reason}")]
    BadProbe {
        /// The variable.
        var: String,
        /// Where.
        place: String,
        /// Why not.
        reason: String,
    },
    /// A numeric setting out of range.
    #[error("{what} must be {expected}, got {value}")]
    BadSetting {
        /// The setting.
        what: String,
        /// The expectation.
        expected: String,
        /// The value given.
        value: f64,
    },
    /// A mechanism function reported an error (e.g. a panic in a plugin).
    #[error("{mech}: {message}")]
    Mechanism {
        /// The mechanism.
        mech: String,
        /// Its message.
        message: String,
    },
    /// An event arrived for a time already passed.
    #[error("event at t = {te} delivered at t = {t}: events out of order")]
    EventOrder {
        /// The event time.
        te: f64,
        /// The simulation time.
        t: f64,
    },
    /// A handle from another simulation or out of range.
    #[error("invalid handle: {0}")]
    BadHandle(String),
    /// A voltage or a recorded value became NaN or infinite.
    #[error("{}`{variable}` became {value} at t = {t} ms at {place}: the run was stopped (a mechanism producing NaN or ±inf, e.g. log of a negative number or a division by zero)", mech.as_ref().map(|m| format!("mechanism `{m}`: ")).unwrap_or_default())]
    NonFinite {
        /// The mechanism whose field is non-finite, when one is.
        mech: Option<String>,
        /// The variable (a field of the mechanism, or `v`).
        variable: String,
        /// The value found (NaN, inf or -inf).
        value: f64,
        /// The cell, section and segment.
        place: String,
        /// The time (ms).
        t: f64,
    },
    /// The run was cancelled ([`crate::Simulation::set_cancel`]).
    #[error("cancelled at t = {t} ms")]
    Cancelled {
        /// The time reached (ms).
        t: f64,
    },
    /// A saved state restored into a simulation of another model.
    #[error("cannot restore the saved state: {0}")]
    StateMismatch(String),
}
