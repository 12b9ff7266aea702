//! A folder of mod files compiled once per content into a cache shared by every
//! run (bmtool's `mechanisms_dir`): [`compile_cached`].
//!
//! An entry is named by a 128-bit hash of synaptune's version, the folder's
//! name, every `.mod` file's name and bytes and the generated crate's sources
//! (so a new translator also misses the cache). It holds the library and the
//! generated crate (`build/`, for the curious); cargo's target folder is removed
//! once the library is installed. Entries are written under a temporary name and
//! renamed into place, so two processes compiling the same folder at once both
//! end with a complete entry. Entries are never needed again once a file
//! changes; deleting the cache folder is always safe.

use crate::compile::{
    install_library, mod_files, read_mods, run_cargo, translate_all, write_crate, ModText,
    RELEASE_PROFILE, RUNTIME, VERSION,
};
use crate::{lexer, Error, FileReport, FileStatus, Options};
use std::path::{Path, PathBuf};

/// The environment variable that overrides the cache folder.
pub const CACHE_ENV: &str = "SYNAPTUNE_CACHE_DIR";

/// The folder compiled mod folders are cached in: `$SYNAPTUNE_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/synaptune`, else `~/.cache/synaptune` (`%LOCALAPPDATA%\synaptune`
/// on Windows); `None` when none of these is set.
pub fn cache_dir() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var(CACHE_ENV)
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("synaptune")))
        .or_else(|| var("HOME").map(|d| d.join(".cache").join("synaptune")))
        .or_else(|| var("LOCALAPPDATA").map(|d| d.join("synaptune")))
}

/// A mod file that could not be translated.
#[derive(Debug, Clone)]
pub struct Refused {
    /// The file name (`bad.mod`).
    pub file: String,
    /// The mechanism it declares (`SUFFIX`, `POINT_PROCESS`, `ARTIFICIAL_CELL`),
    /// when that can be read.
    pub mechanism: Option<String>,
    /// Why, as `file:line: message`, the first diagnostic first.
    pub diagnostics: Vec<crate::Diagnostic>,
}

/// The result of [`compile_cached`].
#[derive(Debug, Clone)]
pub struct Cached {
    /// The catalogue library (none when no file could be translated).
    pub library: Option<PathBuf>,
    /// Mechanisms in the library, in file order.
    pub mechanisms: Vec<String>,
    /// Every `.mod` file, sorted by name.
    pub files: Vec<FileReport>,
    /// The files that could not be translated.
    pub refused: Vec<Refused>,
    /// Whether this call ran cargo (false: the cache held the library).
    pub built: bool,
    /// The cache entry.
    pub entry: PathBuf,
}

/// Translate every `.mod` file of `moddir` and return the catalogue built from
/// them, from the cache under `cache` when an entry for exactly these files
/// exists, else built with cargo into a new entry.
pub fn compile_cached(moddir: &Path, cache: &Path, opts: &Options) -> Result<Cached, Error> {
    let mods = read_mods(&mod_files(moddir)?);
    let t = translate_all(&mods);
    let base = moddir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|s| s.to_string_lossy().to_string()))
        .unwrap_or_default();
    let key = content_key(&base, &mods, &t.modules);
    let root = cache.join("nmodl");
    let entry = root.join(format!("{key:032x}"));
    let refused = refused(&mods, &t.files);
    let mut out = Cached {
        library: None,
        mechanisms: t.names.clone(),
        files: t.files,
        refused,
        built: false,
        entry: entry.clone(),
    };
    if t.modules.is_empty() {
        return Ok(out);
    }
    let lib = entry.join(library_file());
    if !lib.is_file() {
        build_entry(moddir, &root, &entry, &t.modules, opts)?;
        out.built = true;
    }
    out.library = Some(lib);
    Ok(out)
}

/// `libnmodl_catalogue.so` (or the platform's spelling).
fn library_file() -> String {
    format!(
        "{}nmodl_catalogue{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// Build the crate of `modules` in a temporary folder of `root` and rename it
/// to `entry`; when another process got there first, its entry is kept.
fn build_entry(
    moddir: &Path,
    root: &Path,
    entry: &Path,
    modules: &[(String, String)],
    opts: &Options,
) -> Result<(), Error> {
    let name = entry.file_name().unwrap().to_string_lossy().to_string();
    let tmp = root.join(format!(".{name}.{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let build = tmp.join("build");
    write_crate(moddir, &build, modules)?;
    let target = tmp.join("target");
    run_cargo(opts, &build, &target)?;
    install_library(&target, &tmp)?;
    let _ = std::fs::remove_dir_all(&target);
    if std::fs::rename(&tmp, entry).is_err() {
        // Another process installed the same entry meanwhile (a rename onto a
        // non-empty folder fails): use theirs.
        let _ = std::fs::remove_dir_all(&tmp);
        if !entry.join(library_file()).is_file() {
            return Err(Error::Write {
                path: entry.to_path_buf(),
                source: std::io::Error::other("cannot install the cache entry"),
            });
        }
    }
    Ok(())
}

/// The files not translated, with the mechanism each declares.
fn refused(mods: &[ModText], files: &[FileReport]) -> Vec<Refused> {
    files
        .iter()
        .zip(mods)
        .filter(|(f, _)| f.status == FileStatus::Error)
        .map(|(f, (_, bytes))| Refused {
            file: f.file.clone(),
            mechanism: bytes
                .as_ref()
                .ok()
                .and_then(|b| declared_mechanism(&String::from_utf8_lossy(b))),
            diagnostics: f.diagnostics.clone(),
        })
        .collect()
}

/// The mechanism a mod file declares in its NEURON block (`SUFFIX`,
/// `POINT_PROCESS` or `ARTIFICIAL_CELL`), read from its tokens even when the file
/// cannot be translated.
pub fn declared_mechanism(src: &str) -> Option<String> {
    use lexer::Tok;
    let toks = lexer::lex(src, "").ok()?;
    let mut depth = 0usize;
    let mut in_neuron = false;
    for w in toks.windows(2) {
        match (&w[0].tok, &w[1].tok) {
            (Tok::Name(n), Tok::Op("{")) if depth == 0 && n == "NEURON" => in_neuron = true,
            (Tok::Op("{"), _) => depth += 1,
            (Tok::Op("}"), _) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    in_neuron = false;
                }
            }
            (Tok::Name(k), Tok::Name(n))
                if in_neuron
                    && depth == 1
                    && matches!(k.as_str(), "SUFFIX" | "POINT_PROCESS" | "ARTIFICIAL_CELL") =>
            {
                return Some(n.clone());
            }
            _ => {}
        }
    }
    None
}

/// 128-bit FNV-1a of everything an entry depends on (no dependency for a
/// cryptographic hash: the key guards against stale builds, not attackers).
fn content_key(base: &str, mods: &[ModText], modules: &[(String, String)]) -> u128 {
    let mut h = Fnv::default();
    h.field(VERSION.as_bytes());
    h.field(base.as_bytes());
    for (file, bytes) in mods {
        h.field(file.as_bytes());
        match bytes {
            Ok(b) => h.field(b),
            Err(e) => h.field(e.as_bytes()),
        }
    }
    for (m, src) in modules {
        h.field(m.as_bytes());
        h.field(src.as_bytes());
    }
    h.field(RUNTIME.as_bytes());
    h.field(RELEASE_PROFILE.as_bytes());
    for (rel, text) in mech_api::sources::PLUGIN_SOURCES {
        h.field(rel.as_bytes());
        h.field(text.as_bytes());
    }
    h.0
}

/// FNV-1a, 128 bits.
struct Fnv(u128);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0x6c62272e07bb014262b821756295c58d)
    }
}

impl Fnv {
    /// Hash a length-prefixed field (so `ab`,`c` and `a`,`bc` differ).
    fn field(&mut self, bytes: &[u8]) {
        for b in (bytes.len() as u64).to_le_bytes().iter().chain(bytes) {
            self.0 ^= u128::from(*b);
            self.0 = self.0.wrapping_mul(0x0000000001000000000000000000013B);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_names_are_read_from_the_neuron_block() {
        let src = "COMMENT\nSUFFIX fake\nENDCOMMENT\nNEURON { POINT_PROCESS Syn RANGE g }\nPROCEDURE p() {\nVERBATIM\nprintf(\"x\");\nENDVERBATIM\n}\n";
        assert_eq!(declared_mechanism(src).as_deref(), Some("Syn"));
        assert_eq!(declared_mechanism("NEURON { RANGE g }"), None);
    }

    #[test]
    fn the_key_changes_with_any_byte() {
        let m = |t: &str| vec![("a.mod".to_string(), Ok(t.as_bytes().to_vec()))];
        let k = content_key("mods", &m("x"), &[]);
        assert_eq!(k, content_key("mods", &m("x"), &[]));
        assert_ne!(k, content_key("mods", &m("y"), &[]));
        assert_ne!(k, content_key("other", &m("x"), &[]));
    }
}
