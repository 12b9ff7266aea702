//! What a tuner is told: bmtool's dictionaries, from a settings file or derived
//! from a SONATA/BMTK config, and the gap-junction tuner's settings.
//!
//! * [`TunerSettings`] — `general_settings` + `conn_type_settings` + where the
//!   cells and extra mechanisms are; read from a settings file
//!   ([`TunerSettings::from_file`]) or a SONATA config
//!   ([`TunerSettings::from_sonata`]), both into the same [`Connection`]s.
//! * [`GapSettings`] — the gap-junction tuner's file, or derived from a synapse
//!   model ([`GapSettings::derived_from`]).
//!
//! Every format reads through one helper (`context.rs`) so that every wrong
//! value is a [`SettingsError`] naming the file, the field and the expectation.

mod allen;
mod context;
mod gap;
mod gap_sonata;
mod sonata;
mod synapse;

pub use allen::{AllenCellSource, BMTK_DEFAULT_DL};
pub use gap::{GapConnection, GapGeneral, GapSettings};
pub use synapse::{Connection, GeneralSettings, SpecSettings, TunerSettings};

use std::path::PathBuf;

/// What is wrong with a settings file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SettingsErrorKind {
    /// Cannot read the file.
    Io,
    /// Not JSON.
    Syntax,
    /// A value of the wrong type or out of range.
    BadValue,
    /// A required field is missing.
    Missing,
    /// A field this format does not know.
    UnknownField,
    /// No connection of that name.
    UnknownConnection,
    /// No cell description for a post cell.
    UnknownCell,
}

/// An error in tuner settings, naming the file and the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}: field `{field}`: {message}", file.display())]
pub struct SettingsError {
    /// The settings file (or a label).
    pub file: PathBuf,
    /// The field (`general_settings.dt`, `conn_type_settings.Dep2FSI.spec_settings.sec_id`).
    pub field: String,
    /// The kind of problem.
    pub kind: SettingsErrorKind,
    /// What was found and what was expected.
    pub message: String,
}
