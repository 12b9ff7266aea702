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
    compile, folder_valences, translate, translate_with, Error, FileReport, FileStatus, Options,
    Report, Translation, Valences,
};

/// The diagnostic of a VERBATIM block holding C code.
pub(crate) fn verbatim_message(text: &str) -> String {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let first: String = first.chars().take(40).collect();
    if text.contains("vector_vec") || text.contains("vector_arg") {
        return format!(
            "VERBATIM block with C code (`{first}` …): the hoc Vector idiom `vector_vec` (a Vector through a POINTER, as vecevent.mod) is not supported: synaptune has no hoc objects"
        );
    }
    if let Some(idiom) = random_idiom(text) {
        return format!(
            "VERBATIM block with C code (`{first}` …): the random-number idiom {idiom} (Gfluct-style and probabilistic synapses) is not supported: NEURON's Random generators (MCellRan4, Random123) and hoc Random objects are not ported; scop_random, normrand and exprand are"
        );
    }
    format!(
        "VERBATIM block with C code (`{first}` …) cannot be translated: synaptune nmodl translates NMODL, not C (a VERBATIM block may only hold `#include` lines, C comments, `return;` and, in a PROCEDURE or FUNCTION, `return 0;`)"
    )
}

/// What a VERBATIM block without real C code does: nothing (only `#include`
/// lines and C comments), `return;` or `return 0;` (after them); `None` for any
/// other C.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Harmless {
    /// Includes and comments only.
    Nothing,
    /// `return;`.
    Return,
    /// `return 0;`.
    ReturnZero,
}

/// Classify a VERBATIM block's text (see [`Harmless`]).
pub(crate) fn harmless_verbatim(text: &str) -> Option<Harmless> {
    let code = strip_c_comments(text)?;
    let lines: Vec<&str> = code
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("#include"))
        .collect();
    let joined: String = lines.concat().split_whitespace().collect();
    match joined.as_str() {
        "" => Some(Harmless::Nothing),
        "return;" => Some(Harmless::Return),
        "return0;" => Some(Harmless::ReturnZero),
        _ => None,
    }
}

/// The NEURON random-number idiom a VERBATIM block uses, by name.
fn random_idiom(text: &str) -> Option<&'static str> {
    const IDIOMS: &[(&str, &str)] = &[
        ("nrnran123", "`nrnran123_*` (Random123 streams)"),
        ("Random123", "`Random123`"),
        (
            "nrn_random_pick",
            "`nrn_random_pick` (a hoc Random object through a POINTER)",
        ),
        (
            "nrn_random_arg",
            "`nrn_random_arg` (a hoc Random object passed to a PROCEDURE)",
        ),
        ("nrn_get_random", "`nrn_get_random`"),
        ("_p_", "`_p_…` (a pointer to a hoc Random object)"),
        ("random(", "C's `random()`"),
        ("drand48", "C's `drand48()`"),
    ];
    IDIOMS
        .iter()
        .find(|(k, _)| text.contains(k))
        .map(|(_, n)| *n)
}

/// The names of a VERBATIM block that only re-reads ion variables, one C
/// statement `x = _ion_x;` each (an idiom of old mod files, after NEURON 9
/// still a copy of the ion's value into the variable); `None` for any other C.
pub(crate) fn ion_rereads(text: &str) -> Option<Vec<String>> {
    let code = strip_c_comments(text)?;
    let mut names = Vec::new();
    for st in code.split(';') {
        let st: String = st.split_whitespace().collect();
        if st.is_empty() {
            continue;
        }
        let (lhs, rhs) = st.split_once('=')?;
        let ok = |c: char| c.is_ascii_alphanumeric() || c == '_';
        if lhs.is_empty() || !lhs.chars().all(ok) || rhs.strip_prefix("_ion_") != Some(lhs) {
            return None;
        }
        names.push(lhs.to_string());
    }
    (!names.is_empty()).then_some(names)
}

/// C text without its comments (`None` for an unterminated `/*`).
fn strip_c_comments(text: &str) -> Option<String> {
    let mut code = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("/*") {
            rest = &r[r.find("*/")? + 2..];
        } else if rest.starts_with("//") {
            rest = &rest[rest.find('\n').unwrap_or(rest.len())..];
        } else {
            let c = rest.chars().next().unwrap();
            code.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    Some(code)
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

#[cfg(test)]
mod verbatim_tests {
    use super::{harmless_verbatim, Harmless};

    #[test]
    fn includes_comments_and_returns_are_harmless_and_c_is_not() {
        let h = harmless_verbatim;
        assert_eq!(
            h("#include <stdlib.h>\n/* a\n comment */\n"),
            Some(Harmless::Nothing)
        );
        assert_eq!(h("  //return 0;\n"), Some(Harmless::Nothing));
        assert_eq!(h(" return ; "), Some(Harmless::Return));
        assert_eq!(h("/* x */ return 0; // done"), Some(Harmless::ReturnZero));
        assert_eq!(h("printf(\"x\");"), None);
        assert_eq!(h("return 1;"), None);
        assert_eq!(h("/* unterminated"), None);
        assert_eq!(h("#define X 1"), None);
    }

    #[test]
    fn ion_rereads_are_recognised_and_other_c_is_not() {
        use super::ion_rereads as r;
        assert_eq!(r("cai=_ion_cai;"), Some(vec!["cai".to_string()]));
        assert_eq!(
            r(" ncai = _ion_ncai; /* x */\n lcai = _ion_lcai;\n"),
            Some(vec!["ncai".to_string(), "lcai".to_string()])
        );
        assert_eq!(r("cai=_ion_cao;"), None);
        assert_eq!(r("cai=_ion_cai+1;"), None);
        assert_eq!(r("printf(\"x\");"), None);
        assert_eq!(r("/* only a comment */"), None);
    }

    #[test]
    fn random_idioms_are_refused_by_name() {
        let m = super::verbatim_message("double nrn_random_pick(void* r);");
        assert!(m.contains("`nrn_random_pick`"), "{m}");
        let m = super::verbatim_message("if (_p_donotuse) {");
        assert!(m.contains("`_p_…`"), "{m}");
        let m = super::verbatim_message("void** vv = (void**)(&_p_ptr); *vv = vector_arg(1);");
        assert!(m.contains("`vector_vec`"), "{m}");
        let m = super::verbatim_message("printf(\"x\");");
        assert!(!m.contains("random"), "{m}");
    }
}
