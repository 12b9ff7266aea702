//! Translating a folder and building the catalogue crate with cargo.

use crate::{codegen, lexer, model, parser, Diagnostic};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The runtime module copied into every generated crate.
pub(crate) const RUNTIME: &str = include_str!("../runtime/nmodl_rt.rs");

/// The generated crate's release profile (part of the cache key). One codegen
/// unit: the runtime's `exp` and the pack accessors inline into every
/// mechanism function instead of being split across units.
pub(crate) const RELEASE_PROFILE: &str =
    "[profile.release]\nopt-level = 3\ndebug = false\ncodegen-units = 1\n";

pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Why [`compile`] failed as a whole (per-file problems are in the [`Report`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The mod folder cannot be read.
    #[error("{}: cannot read the folder: {source}", dir.display())]
    ReadDir {
        /// The folder.
        dir: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The folder holds no `.mod` file.
    #[error("{}: no .mod file in this folder", dir.display())]
    NoModFiles {
        /// The folder.
        dir: PathBuf,
    },
    /// Writing the generated crate failed.
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// No cache folder: neither `SYNAPTUNE_CACHE_DIR`, `XDG_CACHE_HOME` nor
    /// `HOME` is set.
    #[error("no folder to cache compiled mod files in: set {var} (or HOME)")]
    NoCache {
        /// The variable to set.
        var: &'static str,
    },
    /// cargo could not be started.
    #[error("cannot run `{cargo}` (is Rust's cargo installed and on PATH?): {source}")]
    CargoMissing {
        /// The command.
        cargo: String,
        /// The cause.
        source: std::io::Error,
    },
    /// cargo failed to build the generated crate (a bug in the translation).
    #[error("cargo failed to build the generated crate in {}:\n{stderr}", dir.display())]
    Cargo {
        /// The crate.
        dir: PathBuf,
        /// The end of cargo's output.
        stderr: String,
    },
}

/// Build settings.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The cargo to run (default: `$CARGO`, then `cargo` on PATH).
    pub cargo: Option<PathBuf>,
    /// Where cargo builds (default: `OUTDIR/target`, kept between runs so rebuilds
    /// are incremental).
    pub target_dir: Option<PathBuf>,
    /// Print cargo's progress on stderr instead of capturing it.
    pub verbose: bool,
}

/// Outcome of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStatus {
    /// Translated and built.
    Ok,
    /// Not translated (see the diagnostics).
    Error,
}

impl FileStatus {
    /// `"ok"` or `"error"`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Ok => "ok",
            FileStatus::Error => "error",
        }
    }
}

/// One mod file's result.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// File name (`cal.mod`).
    pub file: String,
    /// Whether it was translated.
    pub status: FileStatus,
    /// The mechanism it defines (when translated).
    pub mechanism: Option<String>,
    /// Errors (status `Error`) or warnings (status `Ok`), as `file:line: message`.
    pub diagnostics: Vec<Diagnostic>,
}

/// The result of [`compile`].
#[derive(Debug, Clone)]
pub struct Report {
    /// The catalogue library (none when no file could be translated).
    pub library: Option<PathBuf>,
    /// Mechanisms in the library, in file order.
    pub mechanisms: Vec<String>,
    /// Every `.mod` file, sorted by name.
    pub files: Vec<FileReport>,
}

/// One translated file.
#[derive(Debug, Clone)]
pub struct Translation {
    /// The mechanism's name.
    pub mechanism: String,
    /// The generated Rust module.
    pub source: String,
    /// Warnings.
    pub warnings: Vec<Diagnostic>,
}

/// Translate one mod file's text (`file` is its name, used in diagnostics and as
/// the mechanism's source file, which fixes NEURON's evaluation order).
pub fn translate(src: &str, file: &str) -> Result<Translation, Vec<Diagnostic>> {
    translate_with(src, file, &Valences::new())
}

/// The valences the files of a folder give their ions (`USEION x … VALENCE z`),
/// by ion name: NEURON takes an ion's valence from any model using it, so a
/// `USEION` without VALENCE of an ion other than na, k, ca and cl gets it from
/// another file of the folder.
pub type Valences = std::collections::HashMap<String, f64>;

/// The [`Valences`] declared in `texts` (file texts; unreadable or unparsable
/// ones are skipped).
pub fn folder_valences<'a>(texts: impl IntoIterator<Item = &'a str>) -> Valences {
    let mut v = Valences::new();
    for src in texts {
        let src = normalize_line_ends(src);
        let Ok(toks) = lexer::lex(&src, "") else {
            continue;
        };
        let Ok(module) = parser::parse(toks, "") else {
            continue;
        };
        for u in module.neuron.iter().flat_map(|nb| &nb.useions) {
            if let Some(z) = u.valence {
                v.entry(u.ion.clone()).or_insert(z);
            }
        }
    }
    v
}

/// CR LF and a lone CR (classic Mac files, whose lines nocmodl reads too)
/// become LF.
fn normalize_line_ends(src: &str) -> std::borrow::Cow<'_, str> {
    if src.contains('\r') {
        src.replace("\r\n", "\n").replace('\r', "\n").into()
    } else {
        src.into()
    }
}

/// [`translate`] with the valences other files of the folder declare.
pub fn translate_with(
    src: &str,
    file: &str,
    valences: &Valences,
) -> Result<Translation, Vec<Diagnostic>> {
    let src = normalize_line_ends(src);
    let toks = lexer::lex(&src, file).map_err(|d| vec![d])?;
    let mut module = parser::parse(toks, file).map_err(|d| vec![d])?;
    for u in module
        .neuron
        .iter_mut()
        .flat_map(|nb| nb.useions.iter_mut())
    {
        if u.valence.is_none() {
            u.valence = valences.get(&u.ion).copied();
        }
    }
    let m = model::build(module, file);
    let g = codegen::generate(&m)?;
    Ok(Translation {
        mechanism: m.name.clone(),
        source: g.source,
        warnings: g.warnings,
    })
}

fn sanitize(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.as_bytes()[0].is_ascii_digit() {
        out.insert(0, 'm');
    }
    out
}

/// Write `text` to `path` unless it already holds exactly that (so cargo's
/// freshness checks see unchanged files).
fn write_if_changed(path: &Path, text: &str) -> Result<(), Error> {
    if let Ok(old) = std::fs::read_to_string(path) {
        if old == text {
            return Ok(());
        }
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    std::fs::write(path, text).map_err(|source| Error::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Translate every `.mod` file of `moddir` and build the catalogue into `outdir`
/// (`outdir/libnmodl_catalogue.so` on Linux; the generated crate is in
/// `outdir/build`, cargo's output in `outdir/target`).
pub fn compile(moddir: &Path, outdir: &Path, opts: &Options) -> Result<Report, Error> {
    let mods = read_mods(&mod_files(moddir)?);
    let t = translate_all(&mods);
    if t.modules.is_empty() {
        return Ok(Report {
            library: None,
            mechanisms: Vec::new(),
            files: t.files,
        });
    }
    let build = outdir.join("build");
    write_crate(moddir, &build, &t.modules)?;
    let target = opts
        .target_dir
        .clone()
        .unwrap_or_else(|| outdir.join("target"));
    run_cargo(opts, &build, &target)?;
    let dest = install_library(&target, outdir)?;
    Ok(Report {
        library: Some(dest.canonicalize().unwrap_or(dest)),
        mechanisms: t.names,
        files: t.files,
    })
}

/// The `.mod` files of `moddir`, in nrnivmodl's registration order (byte-wise
/// by file name).
pub(crate) fn mod_files(moddir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut mods: Vec<PathBuf> = std::fs::read_dir(moddir)
        .map_err(|source| Error::ReadDir {
            dir: moddir.to_path_buf(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "mod"))
        .collect();
    mods.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    if mods.is_empty() {
        return Err(Error::NoModFiles {
            dir: moddir.to_path_buf(),
        });
    }
    Ok(mods)
}

/// The files of a folder once translated.
#[derive(Default)]
pub(crate) struct Translated {
    /// Every file's report, in file order.
    pub(crate) files: Vec<FileReport>,
    /// The translated modules: (Rust module name, source).
    pub(crate) modules: Vec<(String, String)>,
    /// Their mechanisms' names.
    pub(crate) names: Vec<String>,
}

/// A mod file's name and bytes (or why they could not be read).
pub(crate) type ModText = (String, Result<Vec<u8>, String>);

/// Read every file of `mods`.
pub(crate) fn read_mods(mods: &[PathBuf]) -> Vec<ModText> {
    mods.iter()
        .map(|path| {
            let file = path.file_name().unwrap().to_string_lossy().to_string();
            (file, std::fs::read(path).map_err(|e| e.to_string()))
        })
        .collect()
}

pub(crate) fn translate_all(mods: &[ModText]) -> Translated {
    let mut t = Translated::default();
    let texts: Vec<String> = mods
        .iter()
        .filter_map(|(_, b)| {
            b.as_ref()
                .ok()
                .map(|b| String::from_utf8_lossy(b).into_owned())
        })
        .collect();
    let valences = folder_valences(texts.iter().map(String::as_str));
    for (file, bytes) in mods {
        let report = match bytes {
            Ok(b) => t.add(file, &String::from_utf8_lossy(b), &valences),
            Err(e) => FileReport {
                file: file.clone(),
                status: FileStatus::Error,
                mechanism: None,
                diagnostics: vec![Diagnostic::new(file, 0, format!("cannot read: {e}"))],
            },
        };
        t.files.push(report);
    }
    t
}

impl Translated {
    /// Translate one file's text; a mechanism defined twice in the folder is an
    /// error of the second file.
    fn add(&mut self, file: &str, text: &str, valences: &Valences) -> FileReport {
        match translate_with(text, file, valences) {
            // `SUFFIX nothing`: checked, but no mechanism is registered (as
            // nocmodl does); its FUNCTIONs/PROCEDUREs are hoc's in NEURON.
            Ok(t) if t.mechanism == "nothing" => FileReport {
                file: file.to_string(),
                status: FileStatus::Ok,
                mechanism: None,
                diagnostics: t
                    .warnings
                    .into_iter()
                    .filter(|d| !d.message.starts_with("the mechanism does nothing"))
                    .collect(),
            },
            Ok(t) if self.names.contains(&t.mechanism) => FileReport {
                file: file.to_string(),
                status: FileStatus::Error,
                mechanism: None,
                diagnostics: vec![Diagnostic::new(
                    file,
                    1,
                    format!(
                        "mechanism `{}` is already defined by another file of this folder",
                        t.mechanism
                    ),
                )],
            },
            Ok(t) => {
                let module = format!("m{}_{}", self.modules.len(), sanitize(&t.mechanism));
                self.names.push(t.mechanism.clone());
                self.modules.push((module, t.source));
                FileReport {
                    file: file.to_string(),
                    status: FileStatus::Ok,
                    mechanism: Some(t.mechanism),
                    diagnostics: t.warnings,
                }
            }
            Err(diags) => FileReport {
                file: file.to_string(),
                status: FileStatus::Error,
                mechanism: None,
                diagnostics: diags,
            },
        }
    }
}

/// A fixed library name: OUTDIR always holds exactly one catalogue (rebuilding
/// replaces it); two OUTDIRs can be loaded together (the libraries have no
/// SONAME, the loader keeps them apart by path).
const CRATE_NAME: &str = "nmodl_catalogue";

/// Write the catalogue crate into `build`: the vendored mech-api (plugin side
/// only), the manifest, the runtime, one module per mechanism and `lib.rs`;
/// modules of files that no longer translate are removed.
pub(crate) fn write_crate(
    moddir: &Path,
    build: &Path,
    modules: &[(String, String)],
) -> Result<(), Error> {
    // Absolute, so the generated text does not depend on the working directory
    // (an unchanged crate is not rebuilt).
    let moddir_abs = moddir
        .canonicalize()
        .unwrap_or_else(|_| moddir.to_path_buf());
    let api = build.join("mech-api");
    for (rel, text) in mech_api::sources::PLUGIN_SOURCES {
        write_if_changed(&api.join(rel), text)?;
    }
    write_if_changed(
        &build.join("Cargo.toml"),
        &format!(
            "# Generated by synaptune nmodl from {}; do not edit.\n\
             [package]\nname = \"{CRATE_NAME}\"\nversion = \"{VERSION}\"\nedition = \"2021\"\npublish = false\n\n\
             [lib]\ncrate-type = [\"cdylib\"]\n\n\
             [dependencies]\nmech-api = {{ path = \"mech-api\", default-features = false }}\n\n\
             {RELEASE_PROFILE}\n\
             # A workspace of its own (OUTDIR may lie inside another cargo workspace).\n[workspace]\n",
            moddir_abs.display()
        ),
    )?;
    write_if_changed(&build.join("src/nmodl_rt.rs"), RUNTIME)?;
    for (m, src) in modules {
        write_if_changed(&build.join("src").join(format!("{m}.rs")), src)?;
    }
    write_if_changed(&build.join("src/lib.rs"), &lib_rs(&moddir_abs, modules))?;
    remove_stale_modules(build, modules);
    Ok(())
}

/// The crate root: the modules and the `export_catalogue!` of their mechanisms.
fn lib_rs(moddir_abs: &Path, modules: &[(String, String)]) -> String {
    let base = moddir_abs
        .file_name()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "mods".into());
    let mut lib = format!(
        "//! Mechanism catalogue generated by synaptune nmodl from `{}`; do not edit.\n\nmod nmodl_rt;\n",
        moddir_abs.display()
    );
    for (m, _) in modules {
        lib.push_str(&format!("mod {m};\n"));
    }
    let list: Vec<String> = modules.iter().map(|(m, _)| format!("{m}::Mech")).collect();
    lib.push_str(&format!(
        "\nmech_api::export_catalogue!({:?}, {:?}, [{}]);\n",
        format!("nmodl:{base}"),
        VERSION,
        list.join(", ")
    ));
    lib
}

/// Remove modules of files that no longer translate (or were removed).
fn remove_stale_modules(build: &Path, modules: &[(String, String)]) {
    if let Ok(rd) = std::fs::read_dir(build.join("src")) {
        for e in rd.flatten() {
            let n = e.file_name().to_string_lossy().to_string();
            if n.starts_with('m')
                && n.ends_with(".rs")
                && n != "nmodl_rt.rs"
                && !modules.iter().any(|(m, _)| format!("{m}.rs") == n)
            {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// `cargo build --release --offline` of the generated crate into `target`.
pub(crate) fn run_cargo(opts: &Options, build: &Path, target: &Path) -> Result<(), Error> {
    let cargo = opts
        .cargo
        .clone()
        .or_else(|| std::env::var_os("CARGO").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("cargo"));
    let mut cmd = Command::new(&cargo);
    cmd.arg("build")
        .arg("--release")
        .arg("--offline")
        .arg("--manifest-path")
        .arg(build.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET");
    let out = if opts.verbose {
        cmd.status().map(|s| std::process::Output {
            status: s,
            stdout: Vec::new(),
            stderr: Vec::new(),
        })
    } else {
        cmd.output()
    }
    .map_err(|source| Error::CargoMissing {
        cargo: cargo.display().to_string(),
        source,
    })?;
    if !out.status.success() {
        let s = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = s.lines().rev().take(60).collect();
        return Err(Error::Cargo {
            dir: build.to_path_buf(),
            stderr: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        });
    }
    Ok(())
}

/// Copy the built library from `target` to `outdir` unless it is already
/// there; returns its path in `outdir`.
pub(crate) fn install_library(target: &Path, outdir: &Path) -> Result<PathBuf, Error> {
    let lib_file = format!(
        "{}{CRATE_NAME}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let produced = target.join("release").join(&lib_file);
    let dest = outdir.join(&lib_file);
    let same = match (std::fs::read(&produced), std::fs::read(&dest)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same {
        // Replace, not overwrite in place: a running process may have the old
        // library mapped.
        let tmp = outdir.join(format!(".{lib_file}.tmp"));
        std::fs::copy(&produced, &tmp).map_err(|source| Error::Write {
            path: tmp.clone(),
            source,
        })?;
        std::fs::rename(&tmp, &dest).map_err(|source| Error::Write {
            path: dest.clone(),
            source,
        })?;
    }
    Ok(dest)
}
