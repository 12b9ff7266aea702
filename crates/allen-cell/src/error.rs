//! The typed errors of reading and building an Allen cell: each names the file,
//! the line or field, and what was expected.

use std::path::PathBuf;

/// Why a cell could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file cannot be read.
    #[error("{}: cannot read: {message}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// The operating system's reason.
        message: String,
    },
    /// The SWC morphology is malformed or describes something NEURON's Import3d
    /// (as BMTK's `Biophys1` template uses it) does not build.
    #[error("{}{}: {message}", file.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Swc {
        /// The SWC file.
        file: PathBuf,
        /// The line (1-based), when one line is at fault.
        line: Option<usize>,
        /// What was found and what was expected.
        message: String,
    },
    /// The dynamics_params JSON lacks a field or has one of the wrong kind.
    #[error("{}: {field}: {message}", file.display())]
    Dynamics {
        /// The dynamics_params file.
        file: PathBuf,
        /// The field, as a path (`genome[3].value`, `passive[0].cm`).
        field: String,
        /// What was found and what was expected.
        message: String,
    },
    /// Setting the parameters fails where BMTK + NEURON fail (a parameter of a
    /// mechanism the section does not have, a section type without `cm`, ...).
    #[error("{}: {field}: section `{section}`: {message}", file.display())]
    Setter {
        /// The dynamics_params file.
        file: PathBuf,
        /// The field of the file whose setting fails.
        field: String,
        /// The section it fails on.
        section: String,
        /// What NEURON refuses and why.
        message: String,
    },
    /// A `model_processing` function synaptune does not have, or one the cell
    /// cannot go through.
    #[error("model_processing `{name}`: {message}")]
    Processing {
        /// The function's name.
        name: String,
        /// Why it cannot be applied.
        message: String,
    },
    /// A SONATA node (its row in the node types table / nodes file) that does not
    /// describe an Allen cell, or whose files cannot be found.
    #[error("SONATA node: {column}: {message}")]
    Node {
        /// The column (`model_template`, `morphology`, `dynamics_params`, ...).
        column: String,
        /// What was found and what was expected.
        message: String,
    },
    /// An option out of range (`dL` ≤ 0, a segment count NEURON cannot hold).
    #[error("{what}: {message}")]
    Option {
        /// The option.
        what: String,
        /// What was found and what was expected.
        message: String,
    },
}
