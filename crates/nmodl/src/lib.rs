//! # nmodl
//!
//! Compile NEURON NMODL (`.mod`) files into synaptune mechanism catalogues.
//!
//! [`compile`] parses every `.mod` file of a folder, translates each into a Rust
//! module implementing `mech_api::Mechanism` — expression by expression as
//! NEURON 9.0.2's `nocmodl` writes its C, so the numbers are NEURON's — writes a
//! crate with all of them, and builds it with `cargo build --release --offline`
//! into a `cdylib` that `--mechanisms` loads. A file that cannot be translated
//! gets diagnostics with its name and line (`cal.mod:42: …`); the others are still
//! built.
//!
//! The generated crate depends only on `mech-api` without its `host` feature,
//! which has no dependencies: its plugin-side sources
//! (`mech_api::sources::PLUGIN_SOURCES`) are embedded in this crate (and so in the
//! `synaptune` binary) and written next to the generated crate, so no registry and
//! no synaptune source tree are needed at run time.
//!
//! * [`lexer`], [`parser`], [`ast`] — tokens and the typed syntax tree with lines;
//! * [`model`] — what each name is (parameter, state, ion variable, global, …);
//! * [`diffeq`] — nocmodl's symbolic differentiation for `cnexp`;
//! * [`codegen`] — the Rust generator: an analysis pass, then one file per part
//!   of the module (layout, TABLEs, blocks, SOLVE with cnexp, derivimplicit and
//!   KINETIC's sparse solver, NET_RECEIVE, statements, expressions, calls, the
//!   `Mechanism` impl);
//! * [`units`] — values of UNITS-block conversion factors;
//! * `compile` (private; [`compile()`], [`translate`]) — a folder's files
//!   translated, the catalogue crate written and built with cargo;
//! * `cache` (private; [`compile_cached`], [`cache_dir`]) — a folder compiled
//!   once per content into a user cache (what `--mechanisms MODDIR` uses);
//! * `runtime/nmodl_rt.rs` — the runtime copied into every generated crate
//!   (`hoc_Exp`, `printf`, scopmath's Newton and sparse solvers).
//!
//! ## Dependencies
//!
//! * `thiserror` — the typed [`Error`] of a failed build.
//! * `mech-api` (without `host`) — the plugin side's sources, written next to every
//!   generated crate.
//! * dev: `mech-api` with `host` — the tests load the catalogues they build.
//!
//! ```no_run
//! let report = nmodl::compile(
//!     std::path::Path::new("examples/nmodl"),
//!     std::path::Path::new("/tmp/nmodl-out"),
//!     &nmodl::Options::default(),
//! )
//! .unwrap();
//! for f in &report.files {
//!     println!("{}: {:?} {:?}", f.file, f.status, f.diagnostics);
//! }
//! println!("load with --mechanisms {}", report.library.unwrap().display());
//! ```
#![deny(missing_docs)]

pub mod ast;
mod cache;
pub mod codegen;
mod compile;
pub mod diffeq;
pub mod lexer;
pub mod model;
pub mod parser;
pub mod units;

/// The runtime module of generated crates, compiled here for its unit tests.
#[cfg(test)]
#[path = "../runtime/nmodl_rt.rs"]
mod runtime;

pub use cache::{cache_dir, compile_cached, declared_mechanism, Cached, Refused, CACHE_ENV};
pub use compile::{
    compile, translate, Error, FileReport, FileStatus, Options, Report, Translation,
};

/// The diagnostic of a VERBATIM block holding C code.
pub(crate) fn verbatim_message(text: &str) -> String {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let first: String = first.chars().take(40).collect();
    format!(
        "VERBATIM block with C code (`{first}` …) cannot be translated: synaptune nmodl translates NMODL, not C (a VERBATIM block may only hold `return;`)"
    )
}

/// A message about a mod file, with its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct Diagnostic {
    /// The file name.
    pub file: String,
    /// The line (1-based; 0 when not known).
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic.
    pub fn new(file: &str, line: u32, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}
