//! The module's exception and the conversions of library errors to it.

#![allow(missing_docs)] // create_exception! generates items without doc comments.

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::PyErr;

create_exception!(
    _native,
    SynaptuneError,
    PyValueError,
    "A model, an argument or a simulation synaptune refuses; the message names the file, field or value and what was expected."
);

/// Any displayable library error as a [`SynaptuneError`].
pub fn err(e: impl std::fmt::Display) -> PyErr {
    SynaptuneError::new_err(e.to_string())
}
