//! Writing results: whole files or nothing, CSV with round-trip precision, JSON.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The temporary file an atomic write of `path` goes through: hidden, in the
/// same folder (so the final rename stays on one file system), ending in
/// `suffix` (writers that pick the format from the extension need it). It is
/// removed on Ctrl-C until [`crate::interrupt::forget`] is called.
pub fn temp_beside(path: &Path, suffix: &str) -> Result<PathBuf> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .with_context(|| format!("{}: not a file path", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}{suffix}",
        name.to_string_lossy(),
        std::process::id()
    ));
    crate::interrupt::track(&tmp);
    Ok(tmp)
}

/// Write a file atomically: a temporary file beside it, renamed into place, so an
/// error never leaves a partial output behind.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temp_beside(path, "")?;
    let res = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        crate::interrupt::forget(&tmp);
        return Err(e).with_context(|| format!("{}: cannot write", path.display()));
    }
    crate::interrupt::forget(&tmp);
    Ok(())
}

/// Columns as CSV text: a header row, then rows with shortest round-trip numbers.
pub fn csv_text(names: &[String], columns: &[Vec<f64>]) -> String {
    let n = columns.first().map_or(0, |c| c.len());
    let mut s = String::with_capacity(n * columns.len() * 20);
    s.push_str(&names.join(","));
    s.push('\n');
    for i in 0..n {
        for (k, c) in columns.iter().enumerate() {
            if k > 0 {
                s.push(',');
            }
            s.push_str(&format!("{}", c[i]));
        }
        s.push('\n');
    }
    s
}

/// Print text on stdout (a closed pipe surfaces as an error, not a panic).
pub fn print_text(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Print a JSON value on stdout.
pub fn print_json(v: &serde_json::Value) -> Result<()> {
    let mut text = serde_json::to_string_pretty(v)?;
    text.push('\n');
    print_text(&text)
}

/// A temporary file of [`temp_beside`] is gone.
pub fn forget_temp(tmp: &Path) {
    crate::interrupt::forget(tmp);
}
