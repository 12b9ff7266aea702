//! `--mechanisms MODDIR` on a folder of `.mod` files (bmtool's `mechanisms_dir`):
//! compiled on first use into the cache (`SYNAPTUNE_CACHE_DIR`), reused by the
//! next run, rebuilt when a file changes; an untranslatable file the model does
//! not use is one warning line, and a model that uses it fails naming the file,
//! the line and the construct.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{tmp, workspace};

/// Untranslatable (C code in VERBATIM, line 5) and declares `cli_bad`.
const BAD: &str = "NEURON { POINT_PROCESS cli_bad RANGE x }
ASSIGNED { x }
NET_RECEIVE(w) { x = w }
PROCEDURE p() {
VERBATIM
  printf(\"C code\");
ENDVERBATIM
}
";

/// The FSI example's mechanisms as bmtool ships them (the `.mod` versions of
/// the built-ins, identical bit for bit) and one untranslatable file.
fn mod_folder(dir: &Path) {
    for f in ["GabaAStp.mod", "leak_fsi.mod", "na_fsi.mod", "kdr_fsi.mod"] {
        std::fs::copy(workspace().join("examples/nmodl").join(f), dir.join(f)).unwrap();
    }
    std::fs::write(dir.join("bad.mod"), BAD).unwrap();
}

/// `single-event` on the FSI example's Dep2FSI with `settings`, the cache in
/// `cache`, and `--mechanisms mods` when given.
fn single_event(settings: &Path, cache: &Path, mods: Option<&Path>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_synaptune"));
    c.args([
        "single-event",
        "--connection",
        "Dep2FSI",
        "--json",
        "--settings",
    ])
    .arg(settings)
    .env("SYNAPTUNE_CACHE_DIR", cache);
    if let Some(m) = mods {
        c.arg("--mechanisms").arg(m);
    }
    c.output().unwrap()
}

fn amp(o: &Output) -> f64 {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["amp"].as_f64().unwrap()
}

/// The one cache entry's library and its modification time.
fn entries(cache: &Path) -> Vec<(PathBuf, std::time::SystemTime)> {
    let mut v: Vec<_> = std::fs::read_dir(cache.join("nmodl"))
        .unwrap()
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| {
            let lib = std::fs::read_dir(e.path())
                .unwrap()
                .flatten()
                .map(|f| f.path())
                .find(|p| mech_api_like_library(p))
                .unwrap();
            let t = std::fs::metadata(&lib).unwrap().modified().unwrap();
            (lib, t)
        })
        .collect();
    v.sort();
    v
}

fn mech_api_like_library(p: &Path) -> bool {
    p.extension()
        .is_some_and(|e| e == "so" || e == "dylib" || e == "dll")
}

#[test]
fn a_mod_folder_is_compiled_once_cached_and_rebuilt_on_change() {
    let root = tmp("cli-mod-folder");
    let mods = root.join("modfiles");
    std::fs::create_dir_all(&mods).unwrap();
    mod_folder(&mods);
    let cache = root.join("cache");
    let settings = workspace().join("examples/fsi/settings.json");
    let builtin = amp(&single_event(&settings, &cache, None));

    // First use: compiled; one line for the four replaced built-ins, one
    // warning line for bad.mod; the same numbers as the built-ins.
    let o = single_event(&settings, &cache, Some(&mods));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(amp(&o), builtin, "{err}");
    assert!(err.contains("compiled 4 of 5 mod file(s)"), "{err}");
    let replaced: Vec<&str> = err.lines().filter(|l| l.contains("replace")).collect();
    assert_eq!(replaced.len(), 1, "{err}");
    assert!(
        replaced[0].contains("4 mechanisms from nmodl:modfiles"),
        "{err}"
    );
    for m in ["GABA_A_STP", "leak", "nainter", "kdrinter"] {
        assert!(replaced[0].contains(&format!("`{m}`")), "{err}");
    }
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("bad.mod")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].starts_with("synaptune: warning: ")
            && warnings[0].contains("bad.mod:5: VERBATIM block with C code"),
        "{err}"
    );
    let first = entries(&cache);
    assert_eq!(first.len(), 1);

    // Second use: from the cache, not rebuilt.
    let o = single_event(&settings, &cache, Some(&mods));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(amp(&o), builtin, "{err}");
    assert!(err.contains("compiled before (cached in"), "{err}");
    assert_eq!(entries(&cache), first);

    // A changed file: a new entry is built.
    let f = mods.join("leak_fsi.mod");
    let text = std::fs::read_to_string(&f).unwrap();
    std::fs::write(&f, format!(": changed\n{text}")).unwrap();
    let o = single_event(&settings, &cache, Some(&mods));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(amp(&o), builtin, "{err}");
    assert!(err.contains("compiled 4 of 5 mod file(s)"), "{err}");
    let second = entries(&cache);
    assert_eq!(second.len(), 2);
    assert!(second.contains(&first[0]), "the old entry is untouched");

    // A model that uses the untranslatable mechanism: the error names the
    // file, the line and the construct.
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&settings).unwrap()).unwrap();
    v["conn_type_settings"]["Dep2FSI"]["spec_settings"]["level_of_detail"] = "cli_bad".into();
    v["cells"]["FSI_Cell"] = workspace()
        .join("examples/fsi/cells/FSI_Cell.json")
        .to_string_lossy()
        .into();
    let bad_settings = root.join("bad_settings.json");
    std::fs::write(&bad_settings, v.to_string()).unwrap();
    let o = single_event(&bad_settings, &cache, Some(&mods));
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        err.contains("`cli_bad` (level_of_detail) is not available: bad.mod could not be translated: bad.mod:5: VERBATIM block with C code"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}
