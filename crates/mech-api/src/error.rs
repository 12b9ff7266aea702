//! Errors of the mechanism layer.

use std::path::PathBuf;

/// A catalogue whose descriptors are malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad mechanism descriptor: {message}")]
pub struct DescriptorError {
    /// What is wrong.
    pub message: String,
}

impl DescriptorError {
    /// A descriptor error with a message.
    pub fn new(message: impl Into<String>) -> DescriptorError {
        DescriptorError {
            message: message.into(),
        }
    }
}

/// Why a plugin library could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file does not exist.
    #[error("{}: no such plugin file", path.display())]
    FileMissing {
        /// The path given.
        path: PathBuf,
    },
    /// The dynamic loader refused the file.
    #[error("{}: cannot be loaded as a shared library: {message}", path.display())]
    Open {
        /// The library.
        path: PathBuf,
        /// The loader's message.
        message: String,
    },
    /// A required symbol is absent: not a synaptune catalogue.
    #[error("{}: symbol `{symbol}` not found; is this a synaptune mechanism catalogue (built with mech_api::export_catalogue!)?", path.display())]
    SymbolMissing {
        /// The library.
        path: PathBuf,
        /// The missing symbol.
        symbol: String,
    },
    /// The handshake does not start with the magic bytes.
    #[error("{}: `{}` does not carry the synaptune magic (found {found:?}); not a synaptune catalogue", path.display(), crate::abi::HEADER_SYMBOL)]
    BadMagic {
        /// The library.
        path: PathBuf,
        /// The bytes found.
        found: [u8; 8],
    },
    /// The library was built for another ABI version.
    #[error("{}: built for mechanism ABI {found_major}.{found_minor}, this program speaks {expected_major}.{expected_minor}; rebuild the plugin against this synaptune's mech-api", path.display())]
    AbiMismatch {
        /// The library.
        path: PathBuf,
        /// Its major version.
        found_major: u32,
        /// Its minor version.
        found_minor: u32,
        /// Our major version.
        expected_major: u32,
        /// Our minor version.
        expected_minor: u32,
    },
    /// Same version numbers but different struct layouts.
    #[error("{}: ABI {major}.{minor} but the size of {what} differs (plugin {found}, host {expected}); the plugin was built from a different mech-api", path.display())]
    LayoutMismatch {
        /// The library.
        path: PathBuf,
        /// Major version.
        major: u32,
        /// Minor version.
        minor: u32,
        /// Which struct.
        what: &'static str,
        /// Size seen by the plugin.
        found: u32,
        /// Size seen by the host.
        expected: u32,
    },
    /// The descriptors are invalid.
    #[error("{}: {source}", path.display())]
    BadDescriptor {
        /// The library.
        path: PathBuf,
        /// The problem.
        source: DescriptorError,
    },
    /// A folder holds no plugin library.
    #[error("{}: no plugin library (*.so, *.dylib, *.dll) in this folder", path.display())]
    EmptyFolder {
        /// The folder.
        path: PathBuf,
    },
}
