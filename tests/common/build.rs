//! Building plugin cdylibs from tests, with the cargo that runs them, into a
//! target dir of their own (the outer cargo holds the lock on `target/`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

static BUILD: Mutex<()> = Mutex::new(());

/// The workspace root.
pub fn workspace() -> PathBuf {
    let mut p = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    while !p.join("Cargo.lock").exists() {
        assert!(
            p.pop(),
            "no workspace root above {}",
            env!("CARGO_MANIFEST_DIR")
        );
    }
    p
}

/// `lib<stem>.so` (or the platform's spelling).
pub fn lib_name(stem: &str) -> String {
    format!(
        "{}{stem}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// Run `cargo build ARGS` into `target/<dir>` and copy the produced library
/// (`produced`, relative to that target dir) to `libs/<tag>`: builds with other
/// features overwrite the original.
pub fn build(args: &[&str], dir: &str, produced: &Path, tag: &str) -> PathBuf {
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    let target = workspace().join("target").join(dir);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(workspace())
        .arg("build")
        .args(args)
        .arg("--target-dir")
        .arg(&target)
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "cargo build {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let src = target.join(produced);
    let libs = target.join("libs");
    std::fs::create_dir_all(&libs).unwrap();
    let dst = libs.join(lib_name(tag));
    // Copied beside and renamed into place: a library another test has loaded
    // keeps its (old) file, where copying over it would change the mapped
    // pages under that test (SIGBUS).
    let tmp = libs.join(format!("{}.tmp-{}", lib_name(tag), std::process::id()));
    std::fs::copy(&src, &tmp).unwrap_or_else(|e| panic!("copy {}: {e}", src.display()));
    std::fs::rename(&tmp, &dst).unwrap_or_else(|e| panic!("rename {}: {e}", tmp.display()));
    dst
}

/// Build `examples/custom-synapse` (optionally with a feature).
pub fn custom_plugin(dir: &str, feature: Option<&str>) -> PathBuf {
    let manifest = workspace().join("examples/custom-synapse/Cargo.toml");
    let mut args = vec!["--manifest-path", manifest.to_str().unwrap()];
    if let Some(f) = feature {
        args.extend(["--features", f]);
    }
    let tag = format!("custom_{}", feature.unwrap_or("ok").replace('-', "_"));
    build(
        &args,
        dir,
        &Path::new("debug").join(lib_name("custom_synapse")),
        &tag,
    )
}
