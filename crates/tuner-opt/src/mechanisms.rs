//! `--mechanisms PATH` (bmtool's `mechanisms_dir`): a catalogue library, a folder
//! of them, or a folder of NEURON `.mod` files compiled on first use through
//! `nmodl` and cached by content ([`nmodl::compile_cached`]).

use crate::spec::{Notice, NoticeLevel};
use crate::TunerError;
use mech_api::{Catalogue, Registry};
use std::path::{Path, PathBuf};

/// Add the mechanisms at `path` to `reg` and return what the user should be told:
/// one line for the built-ins replaced by each catalogue, one line for a compiled
/// (or cached) mod folder and one warning line per mod file that could not be
/// translated — whose mechanism is then marked unavailable in `reg`, so a model
/// that uses it fails with the file, line and construct. `context` heads a
/// loading error ("loading mechanisms from PATH").
pub fn load_mechanisms(
    reg: &mut Registry,
    path: &Path,
    context: &str,
) -> Result<Vec<Notice>, TunerError> {
    let mut notices = Vec::new();
    let cats = if is_mod_folder(path) {
        load_mod_folder(reg, path, context, &mut notices)?
    } else {
        load_libraries(path, context)?
    };
    for cat in &cats {
        notices.extend(add_catalogue(reg, cat));
    }
    Ok(notices)
}

/// A folder holding `.mod` files and no catalogue library.
fn is_mod_folder(path: &Path) -> bool {
    let Ok(rd) = std::fs::read_dir(path) else {
        return false;
    };
    let files: Vec<PathBuf> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    !files.iter().any(|p| mech_api::is_library_file(p))
        && files
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "mod"))
}

fn load_libraries(path: &Path, context: &str) -> Result<Vec<Catalogue>, TunerError> {
    mech_api::load_path(path).map_err(|source| TunerError::Mechanisms {
        context: context.to_string(),
        source,
    })
}

/// Compile (or find in the cache) the mod folder's catalogue and load it;
/// untranslatable files become warnings and unavailable mechanisms.
fn load_mod_folder(
    reg: &mut Registry,
    dir: &Path,
    context: &str,
    notices: &mut Vec<Notice>,
) -> Result<Vec<Catalogue>, TunerError> {
    let mod_err = |source| TunerError::ModFolder {
        context: context.to_string(),
        source,
    };
    let cache = nmodl::cache_dir().ok_or_else(|| {
        mod_err(nmodl::Error::NoCache {
            var: nmodl::CACHE_ENV,
        })
    })?;
    let c = nmodl::compile_cached(dir, &cache, &nmodl::Options::default()).map_err(mod_err)?;
    let n = c.files.len();
    let ok = c.mechanisms.len();
    let text = match (&c.library, c.built) {
        (None, _) => format!(
            "{}: no mechanism built from the {n} mod file(s)",
            dir.display()
        ),
        (Some(_), true) => format!(
            "{}: compiled {ok} of {n} mod file(s) into {}",
            dir.display(),
            c.entry.display()
        ),
        (Some(_), false) => format!(
            "{}: {ok} of {n} mod file(s), compiled before (cached in {})",
            dir.display(),
            c.entry.display()
        ),
    };
    notices.push(Notice::new(NoticeLevel::Info, text));
    for r in &c.refused {
        notices.push(Notice::new(NoticeLevel::Warning, refusal_line(reg, dir, r)));
        if let (Some(m), Some(d)) = (&r.mechanism, r.diagnostics.first()) {
            reg.mark_unavailable(m, format!("{} could not be translated: {d}", r.file));
        }
    }
    match &c.library {
        Some(lib) => load_libraries(lib, context),
        None => Ok(Vec::new()),
    }
}

/// One line for a file that could not be translated.
fn refusal_line(reg: &Registry, dir: &Path, r: &nmodl::Refused) -> String {
    let why = match (r.diagnostics.first(), r.diagnostics.len()) {
        (Some(d), 1) => d.to_string(),
        (Some(d), k) => format!("{d} (and {} more)", k - 1),
        (None, _) => "no diagnostic".to_string(),
    };
    let what = match &r.mechanism {
        Some(m) if reg.get(m).is_some() => format!("; the built-in `{m}` is used instead"),
        Some(m) => format!("; a model using `{m}` will fail"),
        None => String::new(),
    };
    format!("{}: {} not translated: {why}{what}", dir.display(), r.file)
}

/// Add a catalogue's mechanisms; the built-ins it replaces are one notice.
fn add_catalogue(reg: &mut Registry, cat: &Catalogue) -> Option<Notice> {
    let replaced: Vec<String> = cat
        .mechs
        .iter()
        .filter(|m| reg.types().iter().any(|t| t.info.name == m.info.name))
        .map(|m| format!("`{}`", m.info.name))
        .collect();
    let mut lines = reg.add(cat);
    match replaced.len() {
        0 => None,
        1 => Some(Notice::new(NoticeLevel::Notice, lines.remove(0))),
        k => Some(Notice::new(
            NoticeLevel::Notice,
            format!(
                "{k} mechanisms from {} ({}) replace those of the same name: {}",
                cat.name,
                cat.origin,
                replaced.join(", ")
            ),
        )),
    }
}
