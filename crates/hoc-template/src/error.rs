//! The reader's typed errors: every one names the file and the line (or, for
//! the conversion to `CellSpec`, the section and variable).

use std::path::PathBuf;

/// What went wrong reading or running a template.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("{file}: cannot read: {message}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The operating system's message.
        message: String,
    },
    /// The text is not hoc this reader can parse.
    #[error("{file}:{line}: syntax error: {message}")]
    Syntax {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: u32,
        /// What was expected.
        message: String,
    },
    /// A hoc construct this reader does not implement.
    #[error("{file}:{line}: unsupported hoc construct `{construct}`: {message}")]
    Unsupported {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: u32,
        /// The construct (`extracellular`, `new Random`, `L on a pt3d section`, ...).
        construct: String,
        /// Why, or what is supported instead.
        message: String,
    },
    /// A run-time error NEURON would report too (undefined name, index out of
    /// range, mechanism not inserted, ...).
    #[error("{file}:{line}: {message}")]
    Runtime {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: u32,
        /// NEURON's complaint, in words.
        message: String,
    },
    /// No template of that name in the files given.
    #[error("{where_}: no `begintemplate {name}`")]
    NoTemplate {
        /// The file or folder searched.
        where_: PathBuf,
        /// The template name.
        name: String,
    },
    /// The instance cannot be a `CellSpec` (several roots, a child attached by
    /// its 1 end, a section list holding another cell's sections, ...).
    #[error("{file}: {message}")]
    Cell {
        /// The template file.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// The reader's result type.
pub type Result<T> = std::result::Result<T, Error>;
